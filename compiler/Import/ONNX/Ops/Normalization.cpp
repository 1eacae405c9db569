//===- Normalization.cpp - batch, layer, instance norms, LRN, softmax ----===//

#include "compiler/Import/ONNX/NodeBinder.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::onnx_import;

namespace {

LogicalResult importBatchNorm(NodeBinder &b) {
  if (b.attrInt("training_mode", 0) != 0 ||
      llvm::any_of(llvm::seq(1, std::max(b.numOutputs(), 1)),
                   [&](int i) { return b.hasOutput(i); }))
    return b.error() << "only inference-mode BatchNormalization (one output) is supported";
  SmallVector<Value> in;
  for (int i = 0; i < 5; ++i) {
    FailureOr<Value> v = b.input(i);
    if (failed(v))
      return failure();
    in.push_back(*v);
  }
  return b.defineResult(b.create<BatchNormOp>(
      in[0], in[1], in[2], in[3], in[4],
      b.builder().getF64FloatAttr(b.attrFloat("epsilon", 1e-5))));
}

/// LayerNormalization (over dimensions [axis, rank)) and
/// InstanceNormalization (over the spatial dimensions 2..., scale and bias
/// per channel) as means: `(x - mean) / sqrt(var + epsilon) * scale + bias`.
/// LayerNormalization's optional Mean and InvStdDev outputs keep the
/// normalized dimensions as size 1.
LogicalResult importNormalization(NodeBinder &b, bool instance) {
  FailureOr<Value> x = b.input(0), scale = b.input(1);
  if (failed(x) || failed(scale))
    return failure();
  OpBuilder &builder = b.builder();
  RankedTensorType t = typeOf(*x);
  int64_t rank = t.getRank();
  int64_t axis = instance ? 2 : b.attrInt("axis", -1);
  if (axis < -rank || axis >= rank)
    return b.error() << "expects axis in [" << -rank << ", " << rank - 1 << "], found " << axis;
  if (axis < 0)
    axis += rank;
  // Per-channel parameters [C] broadcast as [C, 1, ..., 1].
  auto perChannel = [&](Value v) -> Value {
    if (!instance)
      return v;
    RankedTensorType vt = typeOf(v);
    SmallVector<int64_t> shape(vt.getShape());
    shape.append(rank - 2, 1);
    return builder.create<ReshapeOp>(b.loc(), vt.clone(shape), v);
  };
  DenseI64ArrayAttr axes = builder.getDenseI64ArrayAttr(llvm::to_vector(llvm::seq(axis, rank)));
  BoolAttr kept = builder.getBoolAttr(true);
  FailureOr<Value> mean = b.create<ReduceMeanOp>(*x, axes, kept);
  if (failed(mean))
    return failure();
  FailureOr<Value> centered = b.create<SubOp>(*x, *mean);
  if (failed(centered))
    return failure();
  FailureOr<Value> var = b.create<MulOp>(*centered, *centered);
  if (succeeded(var))
    var = b.create<ReduceMeanOp>(*var, axes, kept);
  if (failed(var))
    return failure();
  Value eps = b.scalarConstant(t.getElementType(), b.attrFloat("epsilon", 1e-5));
  FailureOr<Value> inv = b.create<AddOp>(*var, eps);
  if (succeeded(inv))
    inv = b.create<SqrtOp>(*inv);
  if (succeeded(inv))
    inv = b.create<ReciprocalOp>(*inv);
  if (failed(inv))
    return failure();
  FailureOr<Value> y = b.create<MulOp>(*centered, *inv);
  if (succeeded(y))
    y = b.create<MulOp>(*y, perChannel(*scale));
  if (succeeded(y) && b.hasInput(2)) {
    FailureOr<Value> bias = b.input(2);
    if (failed(bias))
      return failure();
    y = b.create<AddOp>(*y, perChannel(*bias));
  }
  if (failed(y))
    return failure();
  b.define(0, *y);
  if (!instance && b.hasOutput(1))
    b.define(1, *mean);
  if (!instance && b.hasOutput(2))
    b.define(2, *inv);
  return success();
}

/// LRN across channels: `x / (bias + alpha / size * sum(x^2 over the size
/// nearest channels))^beta`, the windowed sum an average pool (padding
/// counted) over [N, 1, C, H*W] times `size`.
LogicalResult importLRN(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  OpBuilder &builder = b.builder();
  RankedTensorType t = typeOf(*x);
  int64_t size = b.attrInt("size", 0);
  if (t.getRank() < 3 || size < 1 || !t.hasStaticShape())
    return b.error() << "expects a static input of rank >= 3 and size >= 1, found rank "
                     << t.getRank() << " and size " << size;
  double alpha = b.attrFloat("alpha", 1e-4), beta = b.attrFloat("beta", 0.75),
         bias = b.attrFloat("bias", 1.0);
  int64_t n = t.getDimSize(0), c = t.getDimSize(1), rest = t.getNumElements() / (n * c);
  Type elem = t.getElementType();
  FailureOr<Value> sq = b.create<MulOp>(*x, *x);
  if (failed(sq))
    return failure();
  Value planes = builder.create<ReshapeOp>(b.loc(), t.clone({n, 1, c, rest}), *sq);
  auto ints = [&](ArrayRef<int64_t> v) { return builder.getDenseI64ArrayAttr(v); };
  int64_t before = (size - 1) / 2, after = size - 1 - before;
  FailureOr<Value> avg =
      b.create<AveragePoolOp>(planes, ints({size, 1}), ints({1, 1}), ints({before, 0, after, 0}),
                              builder.getBoolAttr(false), builder.getBoolAttr(true));
  if (failed(avg))
    return failure();
  Value sum = builder.create<ReshapeOp>(b.loc(), t, *avg);
  // bias + alpha * mean (the mean over `size` channels is sum / size).
  FailureOr<Value> scaled = b.create<MulOp>(sum, b.scalarConstant(elem, alpha));
  if (succeeded(scaled))
    scaled = b.create<AddOp>(*scaled, b.scalarConstant(elem, bias));
  if (succeeded(scaled))
    scaled = b.create<PowOp>(*scaled, b.scalarConstant(elem, beta));
  if (failed(scaled))
    return failure();
  return b.defineResult(b.create<DivOp>(*x, *scaled));
}

/// MeanVarianceNormalization as ONNX defines it:
/// (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9) over `axes` (default 0, 2, 3).
LogicalResult importMVN(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  SmallVector<int64_t> axes = b.attrInts("axes");
  if (!b.hasAttr("axes"))
    axes = {0, 2, 3};
  DenseI64ArrayAttr axesAttr = b.builder().getDenseI64ArrayAttr(axes);
  BoolAttr kept = b.builder().getBoolAttr(true);
  Type elem = typeOf(*x).getElementType();
  FailureOr<Value> mean = b.create<ReduceMeanOp>(*x, axesAttr, kept);
  FailureOr<Value> sq = b.create<MulOp>(*x, *x);
  if (failed(mean) || failed(sq))
    return failure();
  FailureOr<Value> meanSq = b.create<ReduceMeanOp>(*sq, axesAttr, kept);
  FailureOr<Value> sqMean = b.create<MulOp>(*mean, *mean);
  if (failed(meanSq) || failed(sqMean))
    return failure();
  FailureOr<Value> std = b.create<SubOp>(*meanSq, *sqMean);
  if (succeeded(std))
    std = b.create<SqrtOp>(*std);
  if (succeeded(std))
    std = b.create<AddOp>(*std, b.scalarConstant(elem, 1e-9));
  FailureOr<Value> centered = b.create<SubOp>(*x, *mean);
  if (failed(std) || failed(centered))
    return failure();
  return b.defineResult(b.create<DivOp>(*centered, *std));
}

/// Hardmax along `axis`: 1 at the first maximum, 0 elsewhere.
FailureOr<Value> hardmax(NodeBinder &b, Value x, int64_t axis) {
  OpBuilder &builder = b.builder();
  RankedTensorType t = typeOf(x);
  int64_t rank = t.getRank();
  if (rank == 0 || axis < -rank || axis >= rank)
    return b.error() << "expects axis in [" << -rank << ", " << rank - 1 << "], found " << axis;
  if (axis < 0)
    axis += rank;
  FailureOr<Value> am = b.create<ArgMaxOp>(x, builder.getI64IntegerAttr(axis),
                                           builder.getBoolAttr(true), builder.getBoolAttr(false));
  if (failed(am))
    return failure();
  // Positions 0..n-1 along the axis, compared with the arg max.
  int64_t n = t.getDimSize(axis);
  SmallVector<int64_t> shape(rank, 1);
  shape[axis] = n;
  SmallVector<APInt> positions;
  for (int64_t i = 0; i < n; ++i)
    positions.push_back(APInt(64, i));
  Value iota = builder.create<ConstantOp>(
      b.loc(),
      DenseElementsAttr::get(RankedTensorType::get(shape, builder.getI64Type()), positions));
  FailureOr<Value> hit = b.create<EqualOp>(*am, iota);
  if (failed(hit))
    return failure();
  return Value(builder.create<CastOp>(b.loc(), t, *hit));
}

using Along = FailureOr<Value> (*)(NodeBinder &, Value, int64_t);

template <typename OpTy>
FailureOr<Value> along(NodeBinder &b, Value x, int64_t axis) {
  return b.create<OpTy>(x, b.builder().getI64IntegerAttr(axis));
}

/// Softmax, LogSoftmax and Hardmax from opset 13: along one axis.
OpHandler alongAxis(Along op) {
  return [op](NodeBinder &b) -> LogicalResult {
    FailureOr<Value> x = b.input(0);
    if (failed(x))
      return failure();
    return b.defineResult(op(b, *x, b.attrInt("axis", -1)));
  };
}

/// Before opset 13 the input is coerced to a matrix at `axis` and the op
/// runs over its rows.
OpHandler overRows(Along op) {
  return [op](NodeBinder &b) -> LogicalResult {
    FailureOr<Value> x = b.input(0);
    if (failed(x))
      return failure();
    RankedTensorType t = typeOf(*x);
    int64_t rank = t.getRank();
    int64_t given = b.attrInt("axis", 1), axis = given < 0 ? given + rank : given;
    if (axis < 0 || axis > rank)
      return b.error() << "expects axis in [" << -rank << ", " << rank << "], found " << given;
    FailureOr<Value> flat = b.create<FlattenOp>(*x, b.builder().getI64IntegerAttr(axis));
    if (failed(flat))
      return failure();
    FailureOr<Value> y = op(b, *flat, 1);
    if (failed(y))
      return failure();
    b.define(0, b.builder().create<ReshapeOp>(b.loc(), t, *y));
    return success();
  };
}

} // namespace

void kiln::onnx_import::registerNormalizationOps(OpRegistry &r) {
  r.on("BatchNormalization", 1, importBatchNorm);
  r.on("LayerNormalization", 17, [](NodeBinder &b) { return importNormalization(b, false); });
  r.on("InstanceNormalization", 1, [](NodeBinder &b) { return importNormalization(b, true); });
  r.on("LRN", 1, importLRN);
  r.on("MeanVarianceNormalization", 9, importMVN);
  for (auto [op, fn] : {std::pair<StringRef, Along>{"Softmax", along<SoftmaxOp>},
                        {"LogSoftmax", along<LogSoftmaxOp>},
                        {"Hardmax", hardmax}}) {
    r.on(op, 1, overRows(fn));
    r.on(op, 13, alongAxis(fn));
  }
}
