//===- NNOps.cpp - nn dialect: registration, verifiers, shape inference ---===//

#include "dialects/NN/NNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/StringExtras.h"

#include <map>
#include <set>

using namespace mlir;
using namespace kiln::nn;

#include "dialects/NN/NNDialect.cpp.inc"

void NNDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/NN/NNOps.cpp.inc"
      >();
}

Operation *NNDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return builder.create<ConstantOp>(loc, elements);
}

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

static std::string shapeStr(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(
      shape,
      [&](int64_t d) {
        if (ShapedType::isDynamic(d))
          os << "?";
        else
          os << d;
      },
      [&] { os << "x"; });
  return s;
}

namespace {
/// A diagnostic that is emitted only when inference was given a location
/// (verification passes one; speculative builders do not). Converts to
/// failure, so `return fail(loc, name, "...") << x;` reads like emitOpError.
class OptionalDiag {
public:
  OptionalDiag(std::optional<Location> loc, StringRef opName) {
    if (loc)
      diag.emplace(emitError(*loc) << "'" << opName << "' op ");
  }
  template <typename T>
  OptionalDiag &operator<<(T &&value) {
    if (diag)
      *diag << std::forward<T>(value);
    return *this;
  }
  operator LogicalResult() const { return failure(); }

private:
  std::optional<InFlightDiagnostic> diag;
};
} // namespace

static OptionalDiag fail(std::optional<Location> loc, StringRef opName,
                         StringRef message) {
  OptionalDiag d(loc, opName);
  d << message;
  return d;
}

static std::string listStr(ArrayRef<int64_t> values) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(values, os);
  return s;
}

static bool dimsMayDiffer(int64_t a, int64_t b) {
  return !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b;
}

LogicalResult kiln::nn::broadcastShapes(ArrayRef<int64_t> lhs,
                                        ArrayRef<int64_t> rhs,
                                        SmallVectorImpl<int64_t> &result) {
  size_t rank = std::max(lhs.size(), rhs.size());
  result.assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t a = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t b = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (a == 1) {
      result[i] = b;
    } else if (b == 1) {
      result[i] = a;
    } else if (ShapedType::isDynamic(a)) {
      result[i] = b;
    } else if (ShapedType::isDynamic(b) || a == b) {
      result[i] = a;
    } else {
      return failure();
    }
  }
  return success();
}

int64_t kiln::nn::windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                                   int64_t dilation, int64_t padBegin,
                                   int64_t padEnd, bool ceilMode) {
  if (ShapedType::isDynamic(in))
    return ShapedType::kDynamic;
  int64_t span = in + padBegin + padEnd - dilation * (kernel - 1) - 1;
  if (span < 0)
    return 0;
  int64_t out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
  // A ceil-mode window must start inside the input or its leading padding.
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

static RankedTensorType rankedType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

LogicalResult ClipOp::verify() {
  if (getMin() && getMax() && getMin()->convertToDouble() > getMax()->convertToDouble())
    return emitOpError("expects min <= max, found min ")
           << getMin()->convertToDouble() << " and max "
           << getMax()->convertToDouble();
  return success();
}

static LogicalResult inferBroadcast(std::optional<Location> loc,
                                    StringRef opName, Value lhs, Value rhs,
                                    SmallVectorImpl<Type> &types, bool mixedTypes = false) {
  RankedTensorType l = rankedType(lhs), r = rankedType(rhs);
  if (!mixedTypes && l.getElementType() != r.getElementType())
    return fail(loc, opName, "expects operands of one element type, found ")
           << l.getElementType() << " and " << r.getElementType();
  SmallVector<int64_t> shape;
  if (failed(broadcastShapes(l.getShape(), r.getShape(), shape)))
    return fail(loc, opName, "expects broadcast-compatible shapes, found ")
           << shapeStr(l.getShape()) << " and " << shapeStr(r.getShape());
  types.push_back(RankedTensorType::get(shape, l.getElementType()));
  return success();
}

#define NN_BROADCAST_INFERENCE(OP)                                             \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location> loc, \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &types) {           \
    return inferBroadcast(loc, OP::getOperationName(), adaptor.getLhs(),       \
                          adaptor.getRhs(), types);                            \
  }
NN_BROADCAST_INFERENCE(AddOp)
NN_BROADCAST_INFERENCE(SubOp)
NN_BROADCAST_INFERENCE(MulOp)
NN_BROADCAST_INFERENCE(DivOp)
LogicalResult PowOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferBroadcast(loc, getOperationName(), adaptor.getLhs(), adaptor.getRhs(), types,
                        /*mixedTypes=*/true);
}
NN_BROADCAST_INFERENCE(MaxOp)
NN_BROADCAST_INFERENCE(MinOp)
NN_BROADCAST_INFERENCE(PReluOp)
NN_BROADCAST_INFERENCE(ModOp)
NN_BROADCAST_INFERENCE(AndOp)
NN_BROADCAST_INFERENCE(OrOp)
NN_BROADCAST_INFERENCE(XorOp)
#undef NN_BROADCAST_INFERENCE

/// Comparisons: the broadcast shape, of bools.
#define NN_COMPARE_INFERENCE(OP)                                               \
  LogicalResult OP::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc, \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &types) {           \
    if (failed(inferBroadcast(loc, OP::getOperationName(), adaptor.getLhs(),   \
                              adaptor.getRhs(), types)))                       \
      return failure();                                                        \
    types.back() = cast<RankedTensorType>(types.back()).clone(IntegerType::get(ctx, 1)); \
    return success();                                                          \
  }
NN_COMPARE_INFERENCE(EqualOp)
NN_COMPARE_INFERENCE(LessOp)
NN_COMPARE_INFERENCE(LessEqualOp)
NN_COMPARE_INFERENCE(GreaterOp)
NN_COMPARE_INFERENCE(GreaterEqualOp)
#undef NN_COMPARE_INFERENCE

LogicalResult ModOp::verify() {
  if (isa<FloatType>(getLhs().getType().getElementType()) && !getFmod())
    return emitOpError("expects fmod = true for floats (the remainder of truncated division)");
  return success();
}

LogicalResult WhereOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                        Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType c = rankedType(adaptor.getCondition()), a = rankedType(adaptor.getThenValue()),
                   b = rankedType(adaptor.getElseValue());
  if (a.getElementType() != b.getElementType())
    return fail(loc, name, "expects then and else of one element type, found ")
           << a.getElementType() << " and " << b.getElementType();
  SmallVector<int64_t> ab, shape;
  if (failed(broadcastShapes(a.getShape(), b.getShape(), ab)) ||
      failed(broadcastShapes(c.getShape(), ab, shape)))
    return fail(loc, name, "expects broadcast-compatible shapes, found ")
           << shapeStr(c.getShape()) << ", " << shapeStr(a.getShape()) << " and "
           << shapeStr(b.getShape());
  types.push_back(RankedTensorType::get(shape, a.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType a = rankedType(adaptor.getLhs()), b = rankedType(adaptor.getRhs());
  if (a.getElementType() != b.getElementType())
    return fail(loc, name, "expects operands of one element type, found ")
           << a.getElementType() << " and " << b.getElementType();
  if (a.getRank() == 0 || b.getRank() == 0)
    return fail(loc, name, "expects operands of rank >= 1, found ranks ")
           << a.getRank() << " and " << b.getRank();
  SmallVector<int64_t> as(a.getShape()), bs(b.getShape());
  bool vecA = as.size() == 1, vecB = bs.size() == 1;
  if (vecA)
    as.insert(as.begin(), 1);
  if (vecB)
    bs.push_back(1);
  int64_t k1 = as.back(), k2 = bs[bs.size() - 2];
  if (dimsMayDiffer(k1, k2))
    return fail(loc, name, "expects the contracted dimensions to match, found ")
           << k1 << " (lhs " << shapeStr(a.getShape()) << ") and " << k2
           << " (rhs " << shapeStr(b.getShape()) << ")";
  SmallVector<int64_t> batch;
  if (failed(broadcastShapes(ArrayRef<int64_t>(as).drop_back(2),
                             ArrayRef<int64_t>(bs).drop_back(2), batch)))
    return fail(loc, name, "expects broadcast-compatible batch dimensions, found ")
           << shapeStr(a.getShape()) << " and " << shapeStr(b.getShape());
  SmallVector<int64_t> shape(batch);
  if (!vecA)
    shape.push_back(as[as.size() - 2]);
  if (!vecB)
    shape.push_back(bs.back());
  types.push_back(RankedTensorType::get(shape, a.getElementType()));
  return success();
}

LogicalResult GemmOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType a = rankedType(adaptor.getA()), b = rankedType(adaptor.getB());
  if (a.getRank() != 2 || b.getRank() != 2)
    return fail(loc, name, "expects matrices, found ranks ")
           << a.getRank() << " and " << b.getRank();
  if (a.getElementType() != b.getElementType())
    return fail(loc, name, "expects operands of one element type, found ")
           << a.getElementType() << " and " << b.getElementType();
  bool ta = adaptor.getTransA(), tb = adaptor.getTransB();
  int64_t m = a.getDimSize(ta ? 1 : 0), k1 = a.getDimSize(ta ? 0 : 1);
  int64_t k2 = b.getDimSize(tb ? 1 : 0), n = b.getDimSize(tb ? 0 : 1);
  if (dimsMayDiffer(k1, k2))
    return fail(loc, name, "expects the contracted dimensions to match, found ")
           << k1 << " and " << k2;
  SmallVector<int64_t> shape{m, n};
  if (Value c = adaptor.getC()) {
    RankedTensorType ct = rankedType(c);
    SmallVector<int64_t> joined;
    if (ct.getElementType() != a.getElementType() || ct.getRank() > 2 ||
        failed(broadcastShapes(shape, ct.getShape(), joined)) ||
        joined != ArrayRef<int64_t>(shape))
      return fail(loc, name, "expects c to broadcast to ")
             << shapeStr(shape) << " " << a.getElementType() << ", found "
             << shapeStr(ct.getShape()) << " " << ct.getElementType();
  }
  types.push_back(RankedTensorType::get(shape, a.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

/// Checks the window attributes of a conv or pool over `input` and appends
/// the spatial output sizes to `shape`.
static LogicalResult inferWindow(std::optional<Location> loc, StringRef name,
                                 RankedTensorType input, ArrayRef<int64_t> kernel,
                                 ArrayRef<int64_t> strides,
                                 ArrayRef<int64_t> dilations,
                                 ArrayRef<int64_t> pads, bool ceilMode,
                                 SmallVectorImpl<int64_t> &shape) {
  if (input.getRank() < 3 || input.getRank() > 5)
    return fail(loc, name, "expects an input of rank 3, 4 or 5 (N, C, 1 to 3 spatial), found rank ")
           << input.getRank();
  size_t spatial = input.getRank() - 2;
  if (kernel.size() != spatial || strides.size() != spatial ||
      dilations.size() != spatial || pads.size() != 2 * spatial)
    return fail(loc, name, "expects ")
           << spatial << " kernel sizes, strides and dilations and "
           << 2 * spatial << " pads, found " << kernel.size() << ", "
           << strides.size() << ", " << dilations.size() << " and "
           << pads.size();
  for (size_t i = 0; i < spatial; ++i) {
    if (kernel[i] <= 0 || strides[i] <= 0 || dilations[i] <= 0)
      return fail(loc, name, "expects positive kernel sizes, strides and dilations");
    if (pads[i] < 0 || pads[i + spatial] < 0)
      return fail(loc, name, "expects non-negative pads");
    int64_t in = input.getDimSize(2 + i);
    int64_t out = windowOutputSize(in, kernel[i], strides[i], dilations[i],
                                   pads[i], pads[i + spatial], ceilMode);
    if (!ShapedType::isDynamic(in) && out <= 0)
      return fail(loc, name, "expects the window to fit in spatial dimension ")
             << i << " of size " << in << " (padded "
             << in + pads[i] + pads[i + spatial] << ", window "
             << dilations[i] * (kernel[i] - 1) + 1 << ")";
    shape.push_back(out);
  }
  return success();
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = rankedType(adaptor.getInput());
  RankedTensorType w = rankedType(adaptor.getWeight());
  if (w.getRank() != in.getRank())
    return fail(loc, name, "expects a weight of the input's rank ")
           << in.getRank() << ", found rank " << w.getRank();
  if (w.getElementType() != in.getElementType())
    return fail(loc, name, "expects input and weight of one element type, found ")
           << in.getElementType() << " and " << w.getElementType();
  int64_t group = adaptor.getGroup();
  if (group < 1)
    return fail(loc, name, "expects group >= 1, found ") << group;
  int64_t f = w.getDimSize(0);
  if (!ShapedType::isDynamic(f) && f % group != 0)
    return fail(loc, name, "expects the output channels (")
           << f << ") to be a multiple of group (" << group << ")";
  if (in.getRank() >= 2 && !ShapedType::isDynamic(w.getDimSize(1)) &&
      dimsMayDiffer(in.getDimSize(1), w.getDimSize(1) * group))
    return fail(loc, name, "expects input channels (")
           << in.getDimSize(1) << ") to equal weight channels ("
           << w.getDimSize(1) << ") times group (" << group << ")";
  if (Value bias = adaptor.getBias()) {
    RankedTensorType b = rankedType(bias);
    if (b.getRank() != 1 || dimsMayDiffer(b.getDimSize(0), f) ||
        b.getElementType() != in.getElementType())
      return fail(loc, name, "expects a bias of shape ")
             << f << " " << in.getElementType() << ", found "
             << shapeStr(b.getShape()) << " " << b.getElementType();
  }
  SmallVector<int64_t> shape{in.getRank() > 0 ? in.getDimSize(0) : 0, f};
  SmallVector<int64_t> kernel(w.getShape().drop_front(std::min<int64_t>(2, w.getRank())));
  if (failed(inferWindow(loc, name, in, kernel, adaptor.getStrides(),
                         adaptor.getDilations(), adaptor.getPads(),
                         /*ceilMode=*/false, shape)))
    return failure();
  types.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  RankedTensorType in = rankedType(adaptor.getInput());
  SmallVector<int64_t> shape(in.getShape().take_front(2));
  if (failed(inferWindow(loc, getOperationName(), in, adaptor.getKernelShape(),
                         adaptor.getStrides(), adaptor.getDilations(),
                         adaptor.getPads(), adaptor.getCeilMode(), shape)))
    return failure();
  types.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult AveragePoolOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &types) {
  RankedTensorType in = rankedType(adaptor.getInput());
  SmallVector<int64_t> shape(in.getShape().take_front(2));
  SmallVector<int64_t> ones(adaptor.getKernelShape().size(), 1);
  if (failed(inferWindow(loc, getOperationName(), in, adaptor.getKernelShape(),
                         adaptor.getStrides(), ones, adaptor.getPads(),
                         adaptor.getCeilMode(), shape)))
    return failure();
  types.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

static LogicalResult inferGlobalPool(std::optional<Location> loc, StringRef name,
                                     Value input, SmallVectorImpl<Type> &types) {
  RankedTensorType in = rankedType(input);
  if (in.getRank() < 3)
    return fail(loc, name, "expects an input of rank >= 3 (N, C, spatial...), found rank ")
           << in.getRank();
  SmallVector<int64_t> shape(in.getShape());
  std::fill(shape.begin() + 2, shape.end(), 1);
  types.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult GlobalAveragePoolOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  return inferGlobalPool(loc, getOperationName(), adaptor.getInput(), types);
}

LogicalResult GlobalMaxPoolOp::inferReturnTypes(MLIRContext *,
                                                std::optional<Location> loc,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  return inferGlobalPool(loc, getOperationName(), adaptor.getInput(), types);
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = rankedType(adaptor.getInput());
  if (in.getRank() < 2)
    return fail(loc, name, "expects an input of rank >= 2 (N, C, ...), found rank ")
           << in.getRank();
  int64_t c = in.getDimSize(1);
  for (auto [what, v] :
       {std::pair<StringRef, Value>{"scale", adaptor.getScale()},
        {"bias", adaptor.getBias()},
        {"mean", adaptor.getMean()},
        {"variance", adaptor.getVariance()}}) {
    RankedTensorType t = rankedType(v);
    if (t.getRank() != 1 || dimsMayDiffer(t.getDimSize(0), c) ||
        t.getElementType() != in.getElementType())
      return fail(loc, name, "expects ")
             << what << " of shape " << shapeStr(c) << " " << in.getElementType()
             << ", found " << shapeStr(t.getShape()) << " " << t.getElementType();
  }
  types.push_back(in);
  return success();
}

static LogicalResult checkAxis(std::optional<Location> loc, StringRef name,
                               int64_t axis, int64_t lo, int64_t hi) {
  if (axis < lo || axis > hi)
    return fail(loc, name, "expects axis in [")
           << lo << ", " << hi << "], found " << axis;
  return success();
}

/// Softmax and log-softmax: the input's type, given a valid axis.
static LogicalResult inferAlongAxis(std::optional<Location> loc, StringRef name, Value input,
                                    int64_t axis, SmallVectorImpl<Type> &types) {
  RankedTensorType in = rankedType(input);
  int64_t r = in.getRank();
  if (r == 0)
    return fail(loc, name, "expects an input of rank >= 1");
  if (failed(checkAxis(loc, name, axis, -r, r - 1)))
    return failure();
  types.push_back(in);
  return success();
}

LogicalResult SoftmaxOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  return inferAlongAxis(loc, getOperationName(), adaptor.getInput(), adaptor.getAxis(), types);
}

LogicalResult LogSoftmaxOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  return inferAlongAxis(loc, getOperationName(), adaptor.getInput(), adaptor.getAxis(), types);
}


//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// The shape of `in` reduced over `reduced` (one flag per dimension).
static RankedTensorType reducedType(RankedTensorType in, ArrayRef<bool> reduced, bool keepDims,
                                    Type elementType) {
  SmallVector<int64_t> shape;
  for (auto [d, size] : llvm::enumerate(in.getShape())) {
    if (!reduced[d])
      shape.push_back(size);
    else if (keepDims)
      shape.push_back(1);
  }
  return RankedTensorType::get(shape, elementType);
}

static LogicalResult inferReduce(std::optional<Location> loc, StringRef name, Value input,
                                 ArrayRef<int64_t> axes, bool keepDims,
                                 SmallVectorImpl<Type> &types) {
  RankedTensorType in = rankedType(input);
  int64_t r = in.getRank();
  if (axes.empty())
    return fail(loc, name, "expects at least one axis, found none");
  SmallVector<bool> reduced(r, false);
  for (int64_t a : axes) {
    if (failed(checkAxis(loc, name, a, -r, r - 1)))
      return failure();
    int64_t d = a < 0 ? a + r : a;
    if (reduced[d])
      return fail(loc, name, "expects distinct axes, found dimension ") << d << " twice";
    reduced[d] = true;
  }
  types.push_back(reducedType(in, reduced, keepDims, in.getElementType()));
  return success();
}

#define NN_REDUCE_INFERENCE(OP)                                                \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location> loc, \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &types) {           \
    return inferReduce(loc, OP::getOperationName(), adaptor.getInput(),        \
                       adaptor.getAxes(), adaptor.getKeepDims(), types);       \
  }
NN_REDUCE_INFERENCE(ReduceSumOp)
NN_REDUCE_INFERENCE(ReduceMeanOp)
NN_REDUCE_INFERENCE(ReduceMaxOp)
NN_REDUCE_INFERENCE(ReduceMinOp)
NN_REDUCE_INFERENCE(ReduceProdOp)
#undef NN_REDUCE_INFERENCE

static LogicalResult inferArgReduce(std::optional<Location> loc, StringRef name, Value input,
                                    int64_t axis, bool keepDims, SmallVectorImpl<Type> &types) {
  RankedTensorType in = rankedType(input);
  int64_t r = in.getRank();
  if (r == 0)
    return fail(loc, name, "expects an input of rank >= 1");
  if (failed(checkAxis(loc, name, axis, -r, r - 1)))
    return failure();
  if (in.getDimSize(axis < 0 ? axis + r : axis) == 0)
    return fail(loc, name, "expects a non-empty axis, found size 0");
  SmallVector<bool> reduced(r, false);
  reduced[axis < 0 ? axis + r : axis] = true;
  types.push_back(reducedType(in, reduced, keepDims, IntegerType::get(in.getContext(), 64)));
  return success();
}

#define NN_ARG_INFERENCE(OP)                                                   \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location> loc, \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &types) {           \
    return inferArgReduce(loc, OP::getOperationName(), adaptor.getInput(),     \
                          adaptor.getAxis(), adaptor.getKeepDims(), types);    \
  }
NN_ARG_INFERENCE(ArgMaxOp)
NN_ARG_INFERENCE(ArgMinOp)
#undef NN_ARG_INFERENCE

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  RankedTensorType in = getInput().getType(), out = getOutput().getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("expects the result element type ")
           << in.getElementType() << ", found " << out.getElementType();
  if (in.hasStaticShape() && out.hasStaticShape() &&
      in.getNumElements() != out.getNumElements())
    return emitOpError("expects a result with as many elements as the input (")
           << in.getNumElements() << "), found " << shapeStr(out.getShape())
           << " with " << out.getNumElements();
  return success();
}

static int64_t product(ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims) {
    if (ShapedType::isDynamic(d))
      return ShapedType::kDynamic;
    p *= d;
  }
  return p;
}

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  RankedTensorType in = rankedType(adaptor.getInput());
  int64_t r = in.getRank(), axis = adaptor.getAxis();
  if (failed(checkAxis(loc, getOperationName(), axis, -r, r)))
    return failure();
  if (axis < 0)
    axis += r;
  ArrayRef<int64_t> s = in.getShape();
  types.push_back(RankedTensorType::get(
      {product(s.take_front(axis)), product(s.drop_front(axis))},
      in.getElementType()));
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  RankedTensorType in = rankedType(adaptor.getInput());
  ArrayRef<int64_t> perm = adaptor.getPerm();
  llvm::SmallBitVector seen(in.getRank());
  bool ok = static_cast<int64_t>(perm.size()) == in.getRank();
  for (int64_t p : perm) {
    if (!ok || p < 0 || p >= in.getRank() || seen.test(p)) {
      ok = false;
      break;
    }
    seen.set(p);
  }
  if (!ok)
    return fail(loc, getOperationName(), "expects perm to be a permutation of [0, ")
           << in.getRank() << "), found [" << listStr(perm) << "]";
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(in.getDimSize(p));
  types.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return fail(loc, name, "expects at least one operand");
  RankedTensorType first = rankedType(inputs.front());
  int64_t r = first.getRank(), axis = adaptor.getAxis();
  if (r == 0)
    return fail(loc, name, "expects operands of rank >= 1");
  if (failed(checkAxis(loc, name, axis, -r, r - 1)))
    return failure();
  if (axis < 0)
    axis += r;
  SmallVector<int64_t> shape(first.getShape());
  for (auto [i, v] : llvm::enumerate(inputs.drop_front())) {
    RankedTensorType t = rankedType(v);
    if (t.getRank() != r || t.getElementType() != first.getElementType())
      return fail(loc, name, "expects operands of one rank and element type, found ")
             << first << " and " << t << " (operand " << i + 1 << ")";
    for (int64_t d = 0; d < r; ++d) {
      if (d == axis) {
        shape[d] = ShapedType::isDynamic(shape[d]) || t.isDynamicDim(d)
                       ? ShapedType::kDynamic
                       : shape[d] + t.getDimSize(d);
      } else if (dimsMayDiffer(shape[d], t.getDimSize(d))) {
        return fail(loc, name, "expects operands to agree off the axis, found ")
               << shapeStr(first.getShape()) << " and " << shapeStr(t.getShape())
               << " (operand " << i + 1 << ")";
      }
    }
  }
  types.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

#define GET_OP_CLASSES
#include "dialects/NN/NNOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Indexing and data movement on run-time values
//===----------------------------------------------------------------------===//

/// A static-shaped ranked input, or a failure naming `what`.
static LogicalResult requireStatic(std::optional<Location> loc, StringRef name,
                                   RankedTensorType t) {
  if (!t.hasStaticShape())
    return fail(loc, name, "expects a static shape, found ") << shapeStr(t.getShape());
  return success();
}

/// One entry per dimension of a rank-`rank` input.
static LogicalResult requirePerDim(std::optional<Location> loc, StringRef name, StringRef what,
                                   ArrayRef<int64_t> values, int64_t rank) {
  if (static_cast<int64_t>(values.size()) != rank)
    return fail(loc, name, "expects one ")
           << what << " per input dimension (" << rank << "), found " << values.size();
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                        Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = rankedType(adaptor.getInput());
  int64_t r = in.getRank();
  if (failed(requireStatic(loc, name, in)) ||
      failed(requirePerDim(loc, name, "offset", adaptor.getOffsets(), r)) ||
      failed(requirePerDim(loc, name, "size", adaptor.getSizes(), r)) ||
      failed(requirePerDim(loc, name, "stride", adaptor.getStrides(), r)))
    return failure();
  for (int64_t d = 0; d < r; ++d) {
    int64_t offset = adaptor.getOffsets()[d], size = adaptor.getSizes()[d],
            stride = adaptor.getStrides()[d], dim = in.getDimSize(d);
    if (stride == 0 || size < 0)
      return fail(loc, name, "expects a non-zero stride and a non-negative size, found stride ")
             << stride << " and size " << size << " in dimension " << d;
    if (size == 0)
      continue;
    int64_t last = offset + (size - 1) * stride;
    if (offset < 0 || offset >= dim || last < 0 || last >= dim)
      return fail(loc, name, "expects the window inside the input, found elements ")
             << offset << " to " << last << " of dimension " << d << " (size " << dim << ")";
  }
  types.push_back(RankedTensorType::get(adaptor.getSizes(), in.getElementType()));
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = rankedType(adaptor.getInput());
  RankedTensorType idx = rankedType(adaptor.getIndices());
  int64_t r = in.getRank();
  if (r == 0)
    return fail(loc, name, "expects an input of rank >= 1");
  if (failed(checkAxis(loc, name, adaptor.getAxis(), -r, r - 1)))
    return failure();
  int64_t axis = adaptor.getAxis() < 0 ? adaptor.getAxis() + r : adaptor.getAxis();
  if (in.getDimSize(axis) == 0)
    return fail(loc, name, "expects a non-empty axis to gather from, found size 0");
  SmallVector<int64_t> shape(in.getShape().take_front(axis));
  llvm::append_range(shape, idx.getShape());
  llvm::append_range(shape, in.getShape().drop_front(axis + 1));
  types.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult CastOp::verify() {
  auto isNumeric = [](Type t) { return isa<FloatType>(t) || t.isSignlessInteger(); };
  Type from = getInput().getType().getElementType(), to = getOutput().getType().getElementType();
  if (!isNumeric(from) || !isNumeric(to))
    return emitOpError("expects float or signless integer element types, found ")
           << from << " and " << to;
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = rankedType(adaptor.getInput());
  int64_t r = in.getRank();
  if (failed(requireStatic(loc, name, in)) ||
      failed(requirePerDim(loc, name, "low pad", adaptor.getLow(), r)) ||
      failed(requirePerDim(loc, name, "high pad", adaptor.getHigh(), r)))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < r; ++d) {
    int64_t lo = adaptor.getLow()[d], hi = adaptor.getHigh()[d];
    if (lo < 0 || hi < 0)
      return fail(loc, name, "expects non-negative pads, found ")
             << lo << " and " << hi << " in dimension " << d;
    shape.push_back(in.getDimSize(d) + lo + hi);
  }
  types.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult ExpandOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  RankedTensorType in = rankedType(adaptor.getInput());
  SmallVector<int64_t> shape;
  if (llvm::any_of(adaptor.getShape(), [](int64_t d) { return d < 0; }) ||
      failed(broadcastShapes(in.getShape(), adaptor.getShape(), shape)))
    return fail(loc, getOperationName(), "expects a shape the input broadcasts to, found ")
           << shapeStr(in.getShape()) << " and " << shapeStr(adaptor.getShape());
  types.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult TileOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                       Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = rankedType(adaptor.getInput());
  if (failed(requireStatic(loc, name, in)) ||
      failed(requirePerDim(loc, name, "repeat count", adaptor.getRepeats(), in.getRank())))
    return failure();
  SmallVector<int64_t> shape;
  for (auto [d, rep] : llvm::enumerate(adaptor.getRepeats())) {
    if (rep < 0)
      return fail(loc, name, "expects non-negative repeat counts, found ")
             << rep << " in dimension " << d;
    shape.push_back(in.getDimSize(d) * rep);
  }
  types.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

LogicalResult NLLLossOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = rankedType(adaptor.getInput()), target = rankedType(adaptor.getTarget());
  if (in.getRank() < 2)
    return fail(loc, name, "expects an input [N, C, ...] of rank >= 2, found rank ")
           << in.getRank();
  SmallVector<int64_t> expected{in.getDimSize(0)};
  llvm::append_range(expected, in.getShape().drop_front(2));
  if (target.getShape() != ArrayRef<int64_t>(expected))
    return fail(loc, name, "expects a target of shape ")
           << shapeStr(expected) << " (the input without its class dimension), found "
           << shapeStr(target.getShape());
  if (Value w = adaptor.getWeight()) {
    RankedTensorType wt = rankedType(w);
    if (wt.getRank() != 1 || wt.getDimSize(0) != in.getDimSize(1) ||
        wt.getElementType() != in.getElementType())
      return fail(loc, name, "expects a weight of shape ")
             << shapeStr(in.getDimSize(1)) << " " << in.getElementType() << ", found "
             << shapeStr(wt.getShape()) << " " << wt.getElementType();
  }
  StringRef reduction = adaptor.getReduction();
  if (reduction == "none")
    types.push_back(RankedTensorType::get(expected, in.getElementType()));
  else if (reduction == "sum" || reduction == "mean")
    types.push_back(RankedTensorType::get({}, in.getElementType()));
  else
    return fail(loc, name, "expects reduction 'none', 'sum' or 'mean', found '")
           << reduction << "'";
  return success();
}

LogicalResult GatherElementsOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                 Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = rankedType(adaptor.getInput()), idx = rankedType(adaptor.getIndices());
  int64_t r = in.getRank();
  if (r == 0)
    return fail(loc, name, "expects an input of rank >= 1");
  if (failed(checkAxis(loc, name, adaptor.getAxis(), -r, r - 1)))
    return failure();
  int64_t axis = adaptor.getAxis() < 0 ? adaptor.getAxis() + r : adaptor.getAxis();
  bool fits = idx.getRank() == r && in.getDimSize(axis) > 0;
  for (int64_t d = 0; fits && d < r; ++d)
    fits = d == axis || idx.getDimSize(d) <= in.getDimSize(d);
  if (!fits)
    return fail(loc, name, "expects indices of the input's rank, no larger off the axis, and a "
                           "non-empty axis; found input ")
           << shapeStr(in.getShape()) << " and indices " << shapeStr(idx.getShape());
  types.push_back(RankedTensorType::get(idx.getShape(), in.getElementType()));
  return success();
}

LogicalResult TriluOp::verify() {
  RankedTensorType in = getInput().getType();
  if (in.getRank() < 2)
    return emitOpError("expects an input of rank >= 2, found rank ") << in.getRank();
  if (in != getOutput().getType())
    return emitOpError("expects the result type ") << in << ", found " << getOutput().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Einsum
//===----------------------------------------------------------------------===//

FailureOr<std::pair<SmallVector<std::string>, std::string>>
kiln::nn::parseEinsum(StringRef equation) {
  auto [lhs, rhs] = equation.split("->");
  if (lhs.size() == equation.size())
    return failure();
  auto isLetters = [](StringRef s) { return llvm::all_of(s, llvm::isAlpha); };
  SmallVector<StringRef> parts;
  lhs.split(parts, ',');
  SmallVector<std::string> operands;
  for (StringRef part : parts) {
    if (!isLetters(part))
      return failure();
    operands.push_back(part.str());
  }
  if (!isLetters(rhs))
    return failure();
  return std::make_pair(operands, rhs.str());
}

LogicalResult EinsumOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  auto parsed = parseEinsum(adaptor.getEquation());
  if (failed(parsed))
    return fail(loc, name, "expects an explicit equation of letters like 'ab,bc->ac', found '")
           << adaptor.getEquation() << "'";
  auto &[operands, result] = *parsed;
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty() || operands.size() != inputs.size())
    return fail(loc, name, "expects ")
           << operands.size() << " operands for '" << adaptor.getEquation() << "', found "
           << inputs.size();
  std::map<char, int64_t> sizes;
  Type elem = rankedType(inputs.front()).getElementType();
  for (auto [i, v] : llvm::enumerate(inputs)) {
    RankedTensorType t = rankedType(v);
    if (t.getElementType() != elem)
      return fail(loc, name, "expects operands of one element type, found ")
             << elem << " and " << t.getElementType();
    if (t.getRank() != static_cast<int64_t>(operands[i].size()))
      return fail(loc, name, "expects operand ")
             << i << " of rank " << operands[i].size() << " ('" << operands[i] << "'), found rank "
             << t.getRank();
    for (auto [d, c] : llvm::enumerate(operands[i])) {
      auto [it, inserted] = sizes.try_emplace(c, t.getDimSize(d));
      if (!inserted && it->second != t.getDimSize(d))
        return fail(loc, name, "expects one size for index '")
               << c << "', found " << it->second << " and " << t.getDimSize(d);
    }
  }
  SmallVector<int64_t> shape;
  std::set<char> seen;
  for (char c : result) {
    if (!sizes.count(c) || !seen.insert(c).second)
      return fail(loc, name, "expects distinct result indices that appear in an operand, found '")
             << c << "'";
    shape.push_back(sizes[c]);
  }
  types.push_back(RankedTensorType::get(shape, elem));
  return success();
}

LogicalResult GatherNDOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                           Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = rankedType(adaptor.getInput()), idx = rankedType(adaptor.getIndices());
  int64_t b = adaptor.getBatchDims(), r = in.getRank(), q = idx.getRank();
  if (q < 1 || b < 0 || b >= std::min(r, q) || !idx.hasStaticShape())
    return fail(loc, name, "expects static indices of rank >= 1 and 0 <= batch_dims < min(ranks), "
                           "found indices rank ")
           << q << " and batch_dims " << b;
  int64_t m = idx.getShape().back();
  if (m < 1 || b + m > r)
    return fail(loc, name, "expects index tuples of 1 to ")
           << r - b << " elements (input rank " << r << " minus batch_dims " << b << "), found " << m;
  for (int64_t d = 0; d < b; ++d)
    if (in.getDimSize(d) != idx.getDimSize(d))
      return fail(loc, name, "expects the batch dimensions of input and indices to agree, found ")
             << shapeStr(in.getShape()) << " and " << shapeStr(idx.getShape());
  for (int64_t d = b; d < b + m; ++d)
    if (in.getDimSize(d) == 0)
      return fail(loc, name, "expects non-empty indexed dimensions, found ")
             << shapeStr(in.getShape());
  SmallVector<int64_t> shape(idx.getShape().drop_back());
  llvm::append_range(shape, in.getShape().drop_front(b + m));
  types.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult ReverseSequenceOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                  Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = rankedType(adaptor.getInput()), lens = rankedType(adaptor.getLengths());
  int64_t r = in.getRank(), b = adaptor.getBatchAxis(), t = adaptor.getTimeAxis();
  if (r < 2 || b < 0 || b >= r || t < 0 || t >= r || b == t)
    return fail(loc, name, "expects distinct batch and time axes within an input of rank >= 2, "
                           "found batch_axis ")
           << b << " and time_axis " << t << " for rank " << r;
  if (lens.getRank() != 1 || lens.getDimSize(0) != in.getDimSize(b))
    return fail(loc, name, "expects lengths of shape ")
           << shapeStr(in.getDimSize(b)) << " (the batch size), found "
           << shapeStr(lens.getShape());
  types.push_back(in);
  return success();
}

LogicalResult CumSumOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferAlongAxis(loc, getOperationName(), adaptor.getInput(), adaptor.getAxis(), types);
}
