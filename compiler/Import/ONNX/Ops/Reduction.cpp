//===- Reduction.cpp - reductions, arg max/min and cumulative sums -------===//

#include "compiler/Import/ONNX/NodeBinder.h"
#include "compiler/Import/ONNX/Ops/ShapeOperands.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::onnx_import;

namespace {

/// Every ONNX reduction maps onto its nn op. An empty axes list with
/// noop_with_empty_axes reduces nothing: the input itself for the plain
/// reductions, the elementwise part alone for the composed ones (L1, L2,
/// SumSquare, LogSum, LogSumExp: their nn ops take no axes for that).
/// `axesInput`: the axes are an optional input (ReduceSum from opset 13,
/// the others from 18) rather than an attribute.
LogicalResult importReduce(NodeBinder &b, bool axesInput) {
  StringRef type = b.opType();
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  OpBuilder &builder = b.builder();
  int64_t rank = typeOf(*x).getRank();
  SmallVector<int64_t> axes;
  if (!axesInput) {
    axes = b.attrInts("axes");
  } else if (b.hasInput(1) && !constantOrAbsent(b, 1)) {
    // Run-time axes; an empty list's length alone says what it means.
    FailureOr<Value> a = b.input(1);
    if (failed(a))
      return failure();
    if (typeOf(*a).getShape() != ArrayRef<int64_t>{0}) {
      if (type != "ReduceSum")
        return b.error() << "expects axes (input 1) to be a constant known at compile time";
      return importRuntimeReduceSum(b);
    }
  } else if (b.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> a = b.constInts(1, "axes");
    if (failed(a))
      return failure();
    axes = *a;
  }
  bool noop = axes.empty() && b.attrInt("noop_with_empty_axes", 0) != 0;
  if (axes.empty() && !noop)
    axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  noop |= axes.empty(); // a rank-0 input has nothing to reduce
  BoolAttr keep = builder.getBoolAttr(b.attrBool("keepdims", true));
  DenseI64ArrayAttr axesAttr = builder.getDenseI64ArrayAttr(axes);

  auto sum = [&](FailureOr<Value> v) -> FailureOr<Value> {
    if (failed(v) || noop)
      return v;
    return b.create<ReduceSumOp>(*v, axesAttr, keep);
  };
  FailureOr<Value> y = failure();
  if (type == "ReduceSum") {
    y = sum(*x);
  } else if (noop && (type == "ReduceMean" || type == "ReduceMax" || type == "ReduceMin" ||
                      type == "ReduceProd")) {
    y = *x;
  } else if (type == "ReduceMean") {
    y = b.create<ReduceMeanOp>(*x, axesAttr, keep);
  } else if (type == "ReduceMax") {
    y = b.create<ReduceMaxOp>(*x, axesAttr, keep);
  } else if (type == "ReduceMin") {
    y = b.create<ReduceMinOp>(*x, axesAttr, keep);
  } else if (type == "ReduceProd") {
    y = b.create<ReduceProdOp>(*x, axesAttr, keep);
  } else {
    DenseI64ArrayAttr composedAxes = noop ? builder.getDenseI64ArrayAttr({}) : axesAttr;
    if (type == "ReduceL1")
      y = b.create<ReduceL1Op>(*x, composedAxes, keep);
    else if (type == "ReduceSumSquare")
      y = b.create<ReduceSumSquareOp>(*x, composedAxes, keep);
    else if (type == "ReduceL2")
      y = b.create<ReduceL2Op>(*x, composedAxes, keep);
    else if (type == "ReduceLogSum")
      y = b.create<ReduceLogSumOp>(*x, composedAxes, keep);
    else if (type == "ReduceLogSumExp")
      y = b.create<ReduceLogSumExpOp>(*x, composedAxes, keep);
  }
  return b.defineResult(y);
}

template <typename OpTy>
LogicalResult importArgReduce(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  OpBuilder &builder = b.builder();
  return b.defineResult(
      b.create<OpTy>(*x, builder.getI64IntegerAttr(b.attrInt("axis", 0)),
                     builder.getBoolAttr(b.attrBool("keepdims", true)),
                     builder.getBoolAttr(b.attrBool("select_last_index", false))));
}

LogicalResult importCumSum(NodeBinder &b) {
  if (!constantOrAbsent(b, 1))
    return importRuntimeCumSum(b);
  FailureOr<Value> x = b.input(0);
  FailureOr<SmallVector<int64_t>> axis = b.constInts(1, "axis");
  if (failed(x) || failed(axis))
    return failure();
  if (axis->size() != 1)
    return b.error() << "expects a scalar axis, found " << axis->size() << " values";
  OpBuilder &builder = b.builder();
  return b.defineResult(b.create<CumSumOp>(*x, builder.getI64IntegerAttr(axis->front()),
                                           builder.getBoolAttr(b.attrBool("exclusive", false)),
                                           builder.getBoolAttr(b.attrBool("reverse", false))));
}

} // namespace

void kiln::onnx_import::registerReductionOps(OpRegistry &r) {
  auto attrAxes = [](NodeBinder &b) { return importReduce(b, /*axesInput=*/false); };
  auto inputAxes = [](NodeBinder &b) { return importReduce(b, /*axesInput=*/true); };
  r.on("ReduceSum", 1, attrAxes);
  r.on("ReduceSum", 13, inputAxes);
  for (StringRef op : {"ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1",
                       "ReduceL2", "ReduceSumSquare", "ReduceLogSum", "ReduceLogSumExp"}) {
    r.on(op, 1, attrAxes);
    r.on(op, 18, inputAxes);
  }
  r.on("ArgMax", 1, importArgReduce<ArgMaxOp>);
  r.on("ArgMin", 1, importArgReduce<ArgMinOp>);
  r.on("CumSum", 11, importCumSum);
}
