//===- Normalization.cpp - batch, layer, instance norms, LRN, softmax ----===//

#include "compiler/Import/ONNX/NodeBinder.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::onnx_import;

namespace {

LogicalResult importBatchNorm(NodeBinder &b) {
  bool extraOutputs = llvm::any_of(llvm::seq(1, std::max(b.numOutputs(), 1)),
                                   [&](int i) { return b.hasOutput(i); });
  // From opset 14 training_mode=1 normalizes with the batch's statistics
  // and outputs the running ones (nn.batch_norm_training); before, the
  // extra outputs (saved mean and variance) are not modelled.
  bool training = b.opset() >= 14 && b.attrInt("training_mode", 0) != 0;
  if (!training && (extraOutputs || b.attrInt("training_mode", 0) != 0))
    return b.error() << "only inference-mode BatchNormalization (one output) is supported"
                     << (b.opset() >= 14 ? "" : " before opset 14");
  SmallVector<Value> in;
  for (int i = 0; i < 5; ++i) {
    FailureOr<Value> v = b.input(i);
    if (failed(v))
      return failure();
    in.push_back(*v);
  }
  if (training) {
    FailureOr<Operation *> op = b.createMulti<BatchNormTrainingOp>(
        3, in[0], in[1], in[2], in[3], in[4],
        b.builder().getF64FloatAttr(b.attrFloat("epsilon", 1e-5)),
        b.builder().getF64FloatAttr(b.attrFloat("momentum", 0.9)));
    if (failed(op))
      return failure();
    for (int i = 0; i < 3; ++i)
      if (b.hasOutput(i))
        b.define(i, (*op)->getResult(i));
    return success();
  }
  FailureOr<Value> y = b.create<BatchNormOp>(
      in[0], in[1], in[2], in[3], in[4],
      b.builder().getF64FloatAttr(b.attrFloat("epsilon", 1e-5)));
  // The training step (nn-build-training) updates the running statistics
  // with the model's momentum.
  if (succeeded(y) && b.importingForTraining()) {
    double momentum = b.attrFloat("momentum", 0.9);
    if (!(momentum >= 0.0 && momentum <= 1.0))
      return b.error() << "expects momentum in [0, 1] to update the running statistics in "
                          "training, found "
                       << momentum;
    y->getDefiningOp()->setAttr("kiln.momentum", b.builder().getF64FloatAttr(momentum));
  }
  return b.defineResult(y);
}

/// LayerNormalization (nn.layer_norm, whose mean and inverse standard
/// deviation are ONNX's optional outputs 1 and 2) and InstanceNormalization
/// (nn.instance_norm).
LogicalResult importNormalization(NodeBinder &b, bool instance) {
  FailureOr<Value> x = b.input(0), scale = b.input(1);
  if (failed(x) || failed(scale))
    return failure();
  OpBuilder &builder = b.builder();
  FloatAttr epsilon = builder.getF64FloatAttr(b.attrFloat("epsilon", 1e-5));
  if (instance) {
    FailureOr<Value> bias = b.input(2);
    if (failed(bias))
      return failure();
    return b.defineResult(b.create<InstanceNormOp>(*x, *scale, *bias, epsilon));
  }
  int64_t axis = b.attrInt("axis", -1);
  FailureOr<Value> bias = b.optionalInput(2);
  if (failed(bias))
    return failure();
  FailureOr<Operation *> op =
      b.createMulti<LayerNormOp>(3, *x, *scale, *bias, builder.getI64IntegerAttr(axis), epsilon);
  if (failed(op))
    return failure();
  for (int i = 0; i < 3; ++i)
    if (b.hasOutput(i))
      b.define(i, (*op)->getResult(i));
  return success();
}

/// GroupNormalization (opset 18; 21 changed scale and bias from one value
/// per group to one per channel): nn.layer_norm over the input viewed as
/// [N, groups, C / groups * spatial], then back to the input's shape.
LogicalResult importGroupNorm(NodeBinder &b) {
  FailureOr<Value> x = b.input(0), scale = b.input(1), bias = b.input(2);
  if (failed(x) || failed(scale) || failed(bias))
    return failure();
  RankedTensorType xt = typeOf(*x);
  int64_t groups = b.attrInt("num_groups", 0);
  if (xt.getRank() < 2 || !xt.hasStaticShape())
    return b.error() << "expects an input of static shape and rank >= 2, found " << xt;
  int64_t channels = xt.getDimSize(1);
  if (groups <= 0 || channels % groups)
    return b.error() << "expects num_groups > 0 dividing the " << channels
                     << " channels, found " << groups;
  bool perChannel = b.opset() >= 21;
  int64_t params = perChannel ? channels : groups;
  for (Value v : {*scale, *bias})
    if (typeOf(v).getShape() != ArrayRef<int64_t>{params})
      return b.error() << "expects scale and bias of shape [" << params << "] (one per "
                       << (perChannel ? "channel" : "group") << " at opset " << b.opset()
                       << "), found " << typeOf(v);
  OpBuilder &builder = b.builder();
  Type elem = xt.getElementType();
  int64_t rest = channels / groups;
  for (int64_t d : xt.getShape().drop_front(2))
    rest *= d;
  auto grouped = RankedTensorType::get({xt.getDimSize(0), groups, rest}, elem);
  Value view = builder.create<ReshapeOp>(b.loc(), grouped, *x);
  FailureOr<Operation *> norm = failure();
  FloatAttr epsilon = builder.getF64FloatAttr(b.attrFloat("epsilon", 1e-5));
  IntegerAttr axis = builder.getI64IntegerAttr(2);
  if (!perChannel) {
    auto column = RankedTensorType::get({groups, 1}, elem);
    Value s = builder.create<ReshapeOp>(b.loc(), column, *scale);
    Value c = builder.create<ReshapeOp>(b.loc(), column, *bias);
    norm = b.createMulti<LayerNormOp>(3, view, s, c, axis, epsilon);
  } else {
    norm = b.createMulti<LayerNormOp>(3, view, b.scalarConstant(elem, 1.0), Value(), axis,
                                      epsilon);
  }
  if (failed(norm))
    return failure();
  Value y = builder.create<ReshapeOp>(b.loc(), xt, (*norm)->getResult(0));
  if (perChannel) {
    SmallVector<int64_t> column(xt.getRank() - 1, 1);
    column[0] = channels;
    auto colType = RankedTensorType::get(column, elem);
    FailureOr<Value> scaled =
        b.create<MulOp>(y, builder.create<ReshapeOp>(b.loc(), colType, *scale));
    if (failed(scaled))
      return failure();
    return b.defineResult(
        b.create<AddOp>(*scaled, builder.create<ReshapeOp>(b.loc(), colType, *bias)));
  }
  b.define(0, y);
  return success();
}

/// LRN across channels (nn.lrn).
LogicalResult importLRN(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  int64_t size = b.attrInt("size", 0);
  OpBuilder &builder = b.builder();
  return b.defineResult(b.create<LRNOp>(*x, builder.getI64IntegerAttr(size),
                                        builder.getF64FloatAttr(b.attrFloat("alpha", 1e-4)),
                                        builder.getF64FloatAttr(b.attrFloat("beta", 0.75)),
                                        builder.getF64FloatAttr(b.attrFloat("bias", 1.0))));
}

/// MeanVarianceNormalization (nn.mean_variance_norm) over `axes`, ONNX's
/// default 0, 2, 3.
LogicalResult importMVN(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  SmallVector<int64_t> axes = b.attrInts("axes");
  if (!b.hasAttr("axes"))
    axes = {0, 2, 3};
  return b.defineResult(
      b.create<MeanVarianceNormOp>(*x, b.builder().getDenseI64ArrayAttr(axes)));
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
/// runs over its rows. At the last axis that is the op along it, with no
/// reshape. Otherwise the matrix goes back to the input's shape, read at run
/// time when more than one dim is dynamic (a static-shape reshape of
/// ?x? to ?x?x8 cannot tell which dim takes what).
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
    if (axis == rank - 1)
      return b.defineResult(op(b, *x, axis));
    FailureOr<Value> flat = b.create<FlattenOp>(*x, b.builder().getI64IntegerAttr(axis));
    if (failed(flat))
      return failure();
    FailureOr<Value> y = op(b, *flat, 1);
    if (failed(y))
      return failure();
    OpBuilder &builder = b.builder();
    if (llvm::count_if(t.getShape(), ShapedType::isDynamic) <= 1) {
      b.define(0, builder.create<ReshapeOp>(b.loc(), t, *y));
      return success();
    }
    FailureOr<Value> shape = b.create<ShapeOp>(*x, builder.getI64IntegerAttr(0),
                                               builder.getI64IntegerAttr(rank));
    if (failed(shape))
      return failure();
    b.define(0, builder.create<DynamicReshapeOp>(b.loc(), t, *y, *shape,
                                                 builder.getBoolAttr(true)));
    return success();
  };
}

} // namespace

void kiln::onnx_import::registerNormalizationOps(OpRegistry &r) {
  r.on("BatchNormalization", 1, importBatchNorm);
  r.on("LayerNormalization", 17, [](NodeBinder &b) { return importNormalization(b, false); });
  r.on("InstanceNormalization", 1, [](NodeBinder &b) { return importNormalization(b, true); });
  r.on("GroupNormalization", 18, importGroupNorm);
  r.on("LRN", 1, importLRN);
  r.on("MeanVarianceNormalization", 9, importMVN);
  for (auto [op, fn] : {std::pair<StringRef, Along>{"Softmax", along<SoftmaxOp>},
                        {"LogSoftmax", along<LogSoftmaxOp>},
                        {"Hardmax", along<HardmaxOp>}}) {
    r.on(op, 1, overRows(fn));
    r.on(op, 13, alongAxis(fn));
  }
}
