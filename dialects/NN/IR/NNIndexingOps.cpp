//===- NNIndexingOps.cpp - verifiers of the data-dependent indexing ops ----===//
//
// The types say what they can (ranks, element types, dims that must agree
// where both are static); what the data decides (counts, index values) is
// checked by the lowering at run time.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/IR/NNInference.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::detail;

namespace {

/// `type` has rank `rank`, element type `elem` and, where both are static,
/// the dims `dims` (kDynamic: any).
LogicalResult checkType(Operation *op, StringRef what, RankedTensorType type, Type elem,
                        ArrayRef<int64_t> dims) {
  bool ok = type.getRank() == static_cast<int64_t>(dims.size()) && type.getElementType() == elem;
  for (int64_t d = 0; ok && d < type.getRank(); ++d)
    ok = !dimsMayDiffer(type.getDimSize(d), dims[d]);
  if (!ok)
    return op->emitOpError("expects ")
           << what << " of shape " << shapeStr(dims) << " " << elem << ", found " << type;
  return success();
}

LogicalResult checkReduction(Operation *op, StringRef reduction) {
  if (!llvm::is_contained({"none", "add", "mul", "max", "min"}, reduction))
    return op->emitOpError("expects reduction 'none', 'add', 'mul', 'max' or 'min', found '")
           << reduction << "'";
  return success();
}

LogicalResult checkAxis(Operation *op, int64_t axis, int64_t rank) {
  if (axis < 0 || axis >= rank)
    return op->emitOpError("expects axis in [0, ") << rank << "), found " << axis;
  return success();
}

bool oneElement(Type t) {
  auto r = cast<RankedTensorType>(t);
  return r.hasStaticShape() && r.getNumElements() == 1;
}

SmallVector<int64_t> dynamicDims(int64_t rank) {
  return SmallVector<int64_t>(rank, ShapedType::kDynamic);
}

} // namespace

LogicalResult BorderPadOp::verify() {
  RankedTensorType in = getInput().getType();
  if (getMode() != "reflect" && getMode() != "edge")
    return emitOpError("expects mode 'reflect' or 'edge', found '") << getMode() << "'";
  int64_t n = getPads().getType().getDimSize(0);
  if (n != 2 * in.getRank())
    return emitOpError("expects ") << 2 * in.getRank() << " pads (2 x rank), found "
                                   << shapeStr(getPads().getType().getShape());
  return checkType(*this, "a result", getOutput().getType(), in.getElementType(),
                   dynamicDims(in.getRank()));
}

LogicalResult TopKOp::verify() {
  RankedTensorType in = getInput().getType();
  if (getK().getType().getDimSize(0) != 1)
    return emitOpError("expects k of one element, found ") << getK().getType();
  int64_t axis = getAxis();
  if (axis < 0)
    axis += in.getRank();
  if (failed(checkAxis(*this, axis, in.getRank())))
    return failure();
  SmallVector<int64_t> dims(in.getShape());
  dims[axis] = ShapedType::kDynamic;
  if (failed(checkType(*this, "values", getValues().getType(), in.getElementType(), dims)))
    return failure();
  return checkType(*this, "indices", getIndices().getType(), IntegerType::get(getContext(), 64),
                   getValues().getType().getShape());
}

LogicalResult ScatterElementsOp::verify() {
  RankedTensorType data = getData().getType(), idx = getIndices().getType();
  if (failed(checkReduction(*this, getReduction())) ||
      failed(checkAxis(*this, getAxis(), data.getRank())))
    return failure();
  if (idx.getRank() != data.getRank())
    return emitOpError("expects indices of the data's rank (")
           << data.getRank() << "), found " << idx;
  for (int64_t d = 0; d < idx.getRank(); ++d)
    if (!idx.isDynamicDim(d) && !data.isDynamicDim(d) && d != static_cast<int64_t>(getAxis()) &&
        idx.getDimSize(d) > data.getDimSize(d))
      return emitOpError("expects indices no larger than the data off the axis, found ")
             << idx << " for " << data;
  if (failed(checkType(*this, "updates", getUpdates().getType(), data.getElementType(),
                       idx.getShape())))
    return failure();
  return checkType(*this, "a result", getOutput().getType(), data.getElementType(),
                   data.getShape());
}

LogicalResult ScatterNDOp::verify() {
  RankedTensorType data = getData().getType(), idx = getIndices().getType();
  if (failed(checkReduction(*this, getReduction())))
    return failure();
  if (idx.getRank() < 1 || idx.isDynamicDim(idx.getRank() - 1) ||
      idx.getShape().back() > data.getRank())
    return emitOpError("expects indices whose last dim is static and at most the data's rank (")
           << data.getRank() << "), found " << idx;
  int64_t m = idx.getShape().back();
  SmallVector<int64_t> dims(idx.getShape().drop_back());
  llvm::append_range(dims, data.getShape().drop_front(m));
  if (failed(checkType(*this, "updates", getUpdates().getType(), data.getElementType(), dims)))
    return failure();
  return checkType(*this, "a result", getOutput().getType(), data.getElementType(),
                   data.getShape());
}

LogicalResult OneHotOp::verify() {
  RankedTensorType idx = getIndices().getType(), values = getValues().getType();
  if (!oneElement(getDepth().getType()))
    return emitOpError("expects depth of one element, found ") << getDepth().getType();
  if (values.getRank() != 1 || values.getDimSize(0) != 2)
    return emitOpError("expects values of two elements, found ") << values;
  int64_t axis = getAxis();
  if (axis < 0 || axis > idx.getRank())
    return emitOpError("expects axis in [0, ") << idx.getRank() << "], found " << axis;
  SmallVector<int64_t> dims(idx.getShape());
  dims.insert(dims.begin() + axis, ShapedType::kDynamic);
  return checkType(*this, "a result", getOutput().getType(), values.getElementType(), dims);
}

LogicalResult NonZeroOp::verify() {
  int64_t rank = std::max<int64_t>(getInput().getType().getRank(), 1);
  return checkType(*this, "a result", getOutput().getType(), IntegerType::get(getContext(), 64),
                   {rank, ShapedType::kDynamic});
}

LogicalResult CompressOp::verify() {
  RankedTensorType in = getInput().getType();
  Type elem = in.getElementType();
  if (!getAxis())
    return checkType(*this, "a result", getOutput().getType(), elem, {ShapedType::kDynamic});
  if (failed(checkAxis(*this, *getAxis(), in.getRank())))
    return failure();
  SmallVector<int64_t> dims(in.getShape());
  dims[*getAxis()] = ShapedType::kDynamic;
  return checkType(*this, "a result", getOutput().getType(), elem, dims);
}

LogicalResult UniqueOp::verify() {
  RankedTensorType in = getInput().getType();
  Type i64 = IntegerType::get(getContext(), 64);
  SmallVector<int64_t> dims{ShapedType::kDynamic};
  int64_t n = in.hasStaticShape() ? in.getNumElements() : ShapedType::kDynamic;
  if (getAxis()) {
    if (failed(checkAxis(*this, *getAxis(), in.getRank())))
      return failure();
    dims.assign(in.getShape().begin(), in.getShape().end());
    dims[*getAxis()] = ShapedType::kDynamic;
    n = in.getDimSize(*getAxis());
  }
  if (failed(checkType(*this, "a result", getOutput().getType(), in.getElementType(), dims)) ||
      failed(checkType(*this, "indices", getIndices().getType(), i64, {ShapedType::kDynamic})) ||
      failed(checkType(*this, "inverse indices", getInverseIndices().getType(), i64, {n})) ||
      failed(checkType(*this, "counts", getCounts().getType(), i64, {ShapedType::kDynamic})))
    return failure();
  auto sameCount = [](RankedTensorType a, int64_t da, RankedTensorType b) {
    return !dimsMayDiffer(a.getDimSize(da), b.getDimSize(0));
  };
  int64_t at = getAxis() ? *getAxis() : 0;
  if (!sameCount(getOutput().getType(), at, getIndices().getType()) ||
      !sameCount(getOutput().getType(), at, getCounts().getType()))
    return emitOpError("expects one distinct count in the result, indices and counts, found ")
           << getOutput().getType() << ", " << getIndices().getType() << ", "
           << getCounts().getType();
  return success();
}

LogicalResult MaxPoolIndicesOp::verify() {
  RankedTensorType in = getInput().getType();
  int64_t n = in.getRank() - 2;
  if (n < 1 || static_cast<int64_t>(getKernelShape().size()) != n ||
      static_cast<int64_t>(getStrides().size()) != n ||
      static_cast<int64_t>(getDilations().size()) != n ||
      static_cast<int64_t>(getPads().size()) != 2 * n)
    return emitOpError("expects an N x C x spatial input and kernel_shape, strides, dilations "
                       "per spatial dim and pads twice, found ")
           << in;
  if (getStorageOrder() != 0 && getStorageOrder() != 1)
    return emitOpError("expects storage_order 0 or 1, found ") << getStorageOrder();
  SmallVector<int64_t> dims{in.getDimSize(0), in.getDimSize(1)};
  for (int64_t i = 0; i < n; ++i)
    dims.push_back(windowOutputSize(in.getDimSize(2 + i), getKernelShape()[i], getStrides()[i],
                                    getDilations()[i], getPads()[i], getPads()[n + i],
                                    getCeilMode()));
  return checkType(*this, "a result", getOutput().getType(), IntegerType::get(getContext(), 64),
                   dims);
}

LogicalResult MaxUnpoolOp::verify() {
  RankedTensorType in = getInput().getType();
  int64_t n = in.getRank() - 2;
  if (n < 1 || static_cast<int64_t>(getKernelShape().size()) != n ||
      static_cast<int64_t>(getStrides().size()) != n ||
      static_cast<int64_t>(getPads().size()) != 2 * n)
    return emitOpError("expects an N x C x spatial input and kernel_shape, strides per spatial "
                       "dim and pads twice, found ")
           << in;
  if (failed(checkType(*this, "indices", getIndices().getType(), IntegerType::get(getContext(), 64),
                       in.getShape())))
    return failure();
  SmallVector<int64_t> dims{in.getDimSize(0), in.getDimSize(1)};
  for (int64_t i = 0; i < n; ++i) {
    int64_t d = in.getDimSize(2 + i);
    dims.push_back(getOutputShape() || ShapedType::isDynamic(d)
                       ? ShapedType::kDynamic
                       : (d - 1) * getStrides()[i] + getKernelShape()[i] - getPads()[i] -
                             getPads()[n + i]);
  }
  if (getOutputShape() && getOutputShape().getType().getDimSize(0) != n + 2)
    return emitOpError("expects an output_shape of ")
           << n + 2 << " elements, found " << getOutputShape().getType();
  return checkType(*this, "a result", getOutput().getType(), in.getElementType(), dims);
}

LogicalResult NonMaxSuppressionOp::verify() {
  RankedTensorType boxes = getBoxes().getType(), scores = getScores().getType();
  if (boxes.getRank() != 3 || dimsMayDiffer(boxes.getDimSize(2), 4))
    return emitOpError("expects boxes of shape B x S x 4, found ") << boxes;
  if (failed(checkType(*this, "scores", scores, boxes.getElementType(),
                       {boxes.getDimSize(0), ShapedType::kDynamic, boxes.getDimSize(1)})))
    return failure();
  for (Value v : {getMaxOutputBoxesPerClass(), getIouThreshold(), getScoreThreshold()})
    if (!oneElement(v.getType()))
      return emitOpError("expects one-element thresholds, found ") << v.getType();
  RankedTensorType out = getOutput().getType();
  if (out.getRank() == 2 && !out.isDynamicDim(0))
    return emitOpError("expects a result of shape ?x3 (the count is known after the run), found ")
           << out;
  return checkType(*this, "a result", out, IntegerType::get(getContext(), 64),
                   {ShapedType::kDynamic, 3});
}
