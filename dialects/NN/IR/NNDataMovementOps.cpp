//===- NNDataMovementOps.cpp - nn dialect: data movement -------------------===//

#include "dialects/NN/IR/NNInference.h"

#include "llvm/ADT/SmallBitVector.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::detail;

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
  if (!reshapeDimSources(in.getShape(), out.getShape()))
    return emitOpError("expects the dynamic result dimensions to be determined by the input "
                       "(at most one, or matching leading and trailing ones), found ")
           << shapeStr(in.getShape()) << " -> " << shapeStr(out.getShape());
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

//===----------------------------------------------------------------------===//
// Indexing and data movement on run-time values
//===----------------------------------------------------------------------===//

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
  if (failed(requirePerDim(loc, name, "offset", adaptor.getOffsets(), r)) ||
      failed(requirePerDim(loc, name, "size", adaptor.getSizes(), r)) ||
      failed(requirePerDim(loc, name, "stride", adaptor.getStrides(), r)))
    return failure();
  for (int64_t d = 0; d < r; ++d) {
    int64_t offset = adaptor.getOffsets()[d], size = adaptor.getSizes()[d],
            stride = adaptor.getStrides()[d], dim = in.getDimSize(d);
    if (ShapedType::isDynamic(size)) {
      if (!ShapedType::isDynamic(dim) || offset != 0 || stride != 1)
        return fail(loc, name, "expects a dynamic size (the whole dimension) only for a dynamic "
                               "input dimension with offset 0 and stride 1, found offset ")
               << offset << " and stride " << stride << " in dimension " << d << " of size "
               << shapeStr(dim);
      continue;
    }
    if (stride == 0 || size < 0)
      return fail(loc, name, "expects a non-zero stride and a non-negative size, found stride ")
             << stride << " and size " << size << " in dimension " << d;
    if (size == 0)
      continue;
    int64_t last = offset + (size - 1) * stride;
    // A window in a dynamic dimension is checked at run time.
    if (offset < 0 || last < 0 ||
        (!ShapedType::isDynamic(dim) && (offset >= dim || last >= dim)))
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
  int64_t axis = static_cast<int64_t>(adaptor.getAxis());
  if (axis < 0)
    axis += r;
  if (in.getDimSize(axis) == 0)
    return fail(loc, name, "expects a non-empty axis to gather from, found size 0");
  SmallVector<int64_t> shape(in.getShape().take_front(axis));
  llvm::append_range(shape, idx.getShape());
  llvm::append_range(shape, in.getShape().drop_front(axis + 1));
  types.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult CastOp::verify() {
  auto isNumeric = [](Type t) {
    return isa<FloatType>(t) || t.isSignlessInteger() || t.isUnsignedInteger();
  };
  Type from = getInput().getType().getElementType(), to = getOutput().getType().getElementType();
  if (!isNumeric(from) || !isNumeric(to))
    return emitOpError("expects float, signless or unsigned integer element types, found ")
           << from << " and " << to;
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = rankedType(adaptor.getInput());
  int64_t r = in.getRank();
  if (failed(requirePerDim(loc, name, "low pad", adaptor.getLow(), r)) ||
      failed(requirePerDim(loc, name, "high pad", adaptor.getHigh(), r)))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < r; ++d) {
    int64_t lo = adaptor.getLow()[d], hi = adaptor.getHigh()[d];
    if (lo < 0 || hi < 0)
      return fail(loc, name, "expects non-negative pads, found ")
             << lo << " and " << hi << " in dimension " << d;
    shape.push_back(in.isDynamicDim(d) ? ShapedType::kDynamic : in.getDimSize(d) + lo + hi);
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
  if (failed(requirePerDim(loc, name, "repeat count", adaptor.getRepeats(), in.getRank())))
    return failure();
  SmallVector<int64_t> shape;
  for (auto [d, rep] : llvm::enumerate(adaptor.getRepeats())) {
    if (rep < 0)
      return fail(loc, name, "expects non-negative repeat counts, found ")
             << rep << " in dimension " << d;
    int64_t size = 0;
    if (!in.isDynamicDim(d) && llvm::MulOverflow(in.getDimSize(d), rep, size))
      return fail(loc, name, "expects the tiled size of dimension ")
             << d << " (" << in.getDimSize(d) << " x " << rep << ") to fit in 64 bits";
    shape.push_back(in.isDynamicDim(d) && rep != 0 ? ShapedType::kDynamic : size);
  }
  types.push_back(RankedTensorType::get(shape, in.getElementType()));
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
  int64_t axis = static_cast<int64_t>(adaptor.getAxis());
  if (axis < 0)
    axis += r;
  // Dynamic sizes are compared at run time.
  bool fits = idx.getRank() == r && in.getDimSize(axis) != 0;
  for (int64_t d = 0; fits && d < r; ++d)
    fits = d == axis || idx.isDynamicDim(d) || in.isDynamicDim(d) ||
           idx.getDimSize(d) <= in.getDimSize(d);
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

LogicalResult GatherNDOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                           Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = rankedType(adaptor.getInput()), idx = rankedType(adaptor.getIndices());
  int64_t b = adaptor.getBatchDims(), r = in.getRank(), q = idx.getRank();
  if (q < 1 || b < 0 || b >= std::min(r, q) || idx.isDynamicDim(q - 1))
    return fail(loc, name, "expects indices of rank >= 1 with a static last dimension and "
                           "0 <= batch_dims < min(ranks), found indices rank ")
           << q << " and batch_dims " << b;
  int64_t m = idx.getShape().back();
  if (m < 1 || b + m > r)
    return fail(loc, name, "expects index tuples of 1 to ")
           << r - b << " elements (input rank " << r << " minus batch_dims " << b << "), found " << m;
  for (int64_t d = 0; d < b; ++d)
    if (dimsMayDiffer(in.getDimSize(d), idx.getDimSize(d)))
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
  if (lens.getRank() != 1 || dimsMayDiffer(lens.getDimSize(0), in.getDimSize(b)))
    return fail(loc, name, "expects lengths of shape ")
           << shapeStr(in.getDimSize(b)) << " (the batch size), found "
           << shapeStr(lens.getShape());
  types.push_back(in);
  return success();
}

LogicalResult ResizeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = rankedType(adaptor.getInput());
  ArrayRef<int64_t> sizes = adaptor.getSizes();
  ArrayRef<double> scales = adaptor.getScales();
  int64_t r = in.getRank();
  if (static_cast<int64_t>(sizes.size()) != r || static_cast<int64_t>(scales.size()) != r)
    return fail(loc, name, "expects one size and one scale per input dimension (")
           << r << "), found " << sizes.size() << " and " << scales.size();
  if (llvm::any_of(sizes, [](int64_t s) { return s <= 0; }) ||
      llvm::any_of(scales, [](double s) { return !(s > 0); }))
    return fail(loc, name, "expects positive sizes and scales, found sizes [")
           << listStr(sizes) << "]";
  StringRef mode = adaptor.getMode(), coord = adaptor.getCoordinateTransformationMode(),
            nearest = adaptor.getNearestMode();
  if (mode != "nearest" && mode != "linear")
    return fail(loc, name, "expects mode 'nearest' or 'linear', found '") << mode << "'";
  if (!llvm::is_contained({"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
                           "tf_half_pixel_for_nn"},
                          coord))
    return fail(loc, name, "expects coordinate_transformation_mode 'half_pixel', "
                           "'pytorch_half_pixel', 'align_corners', 'asymmetric' or "
                           "'tf_half_pixel_for_nn', found '")
           << coord << "'";
  if (!llvm::is_contained({"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}, nearest))
    return fail(loc, name, "expects nearest_mode 'round_prefer_floor', 'round_prefer_ceil', "
                           "'floor' or 'ceil', found '")
           << nearest << "'";
  if (mode == "linear" && !isa<FloatType>(in.getElementType()))
    return fail(loc, name, "expects a float input for linear mode, found ")
           << in.getElementType();
  types.push_back(RankedTensorType::get(sizes, in.getElementType()));
  return success();
}

LogicalResult ShapeOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                        Adaptor adaptor, SmallVectorImpl<Type> &types) {
  int64_t r = rankedType(adaptor.getInput()).getRank();
  int64_t start = adaptor.getStart(), end = adaptor.getEnd();
  if (start < 0 || start > end || end > r)
    return fail(loc, getOperationName(), "expects 0 <= start <= end <= rank (")
           << r << "), found start " << start << " and end " << end;
  types.push_back(RankedTensorType::get({end - start}, IntegerType::get(ctx, 64)));
  return success();
}
