//===- NNSamplingOps.cpp - interpolation at computed coordinates ---------===//
//
// Verifiers and shape inference of nn.dynamic_resize, nn.grid_sample and
// nn.roi_align: what the types and attributes can prove. Values (scales,
// sizes, roi, grid points, boxes, batch indices) are data, checked or
// clamped by the lowering.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/IR/NNInference.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::detail;

/// "'a', 'b' or 'c'".
static std::string choices(ArrayRef<StringRef> names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i)
    s += (i == 0 ? "'" : i + 1 == names.size() ? " or '" : ", '") + names[i].str() + "'";
  return s;
}

LogicalResult DynamicResizeOp::verify() {
  RankedTensorType in = getInput().getType(), out = getOutput().getType();
  int64_t rank = in.getRank();
  ArrayRef<int64_t> axes = getAxes();
  SmallVector<bool> resized;
  if (axes.empty())
    return emitOpError("expects at least one axis");
  if (failed(collectAxes(getLoc(), getOperationName(), axes, rank, resized)))
    return failure();
  if (llvm::any_of(axes, [](int64_t a) { return a < 0; }))
    return emitOpError("expects axes in [0, rank), found [") << listStr(axes) << "]";
  if (!getScales() == !getSizes())
    return emitOpError("expects exactly one of scales and sizes");
  int64_t n = axes.size();
  auto length = [](Value v) { return cast<RankedTensorType>(v.getType()).getDimSize(0); };
  for (auto [what, v, want] : {std::tuple<StringRef, Value, int64_t>{"scales", getScales(), n},
                               {"sizes", getSizes(), n},
                               {"roi", getRoi(), 2 * n}})
    if (v && length(v) != want)
      return emitOpError("expects ")
             << what << " of length " << want << " (for " << n << " axes), found " << v.getType();
  if (out.getRank() != rank || out.getElementType() != in.getElementType())
    return emitOpError("expects a result of rank ")
           << rank << " and element type " << in.getElementType() << ", found " << out;
  for (int64_t d = 0; d < rank; ++d)
    if (!resized[d] && dimsMayDiffer(in.getDimSize(d), out.getDimSize(d)))
      return emitOpError("expects result dim ")
             << d << " (not resized) to be the input's " << in.getDimSize(d) << ", found "
             << out.getDimSize(d);
  static const StringRef modes[] = {"nearest", "linear", "cubic"};
  static const StringRef coords[] = {
      "half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners",
      "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize"};
  static const StringRef nearests[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
  static const StringRef policies[] = {"stretch", "not_larger", "not_smaller"};
  for (auto [what, value, allowed] :
       {std::tuple<StringRef, StringRef, ArrayRef<StringRef>>{"mode", getMode(), modes},
        {"coordinate_transformation_mode", getCoordinateTransformationMode(), coords},
        {"nearest_mode", getNearestMode(), nearests},
        {"keep_aspect_ratio_policy", getKeepAspectRatioPolicy(), policies}})
    if (!llvm::is_contained(allowed, value))
      return emitOpError("expects ")
             << what << " " << choices(allowed) << ", found '" << value << "'";
  if (getMode() != "nearest" && !isa<FloatType>(in.getElementType()))
    return emitOpError("expects a float input for ")
           << getMode() << " mode, found " << in.getElementType();
  if (getKeepAspectRatioPolicy() != "stretch" && !getSizes())
    return emitOpError("expects sizes with keep_aspect_ratio_policy '")
           << getKeepAspectRatioPolicy() << "'";
  return success();
}

LogicalResult GridSampleOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                             Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = rankedType(adaptor.getInput()), grid = rankedType(adaptor.getGrid());
  if (in.getRank() != 4 || grid.getRank() != 4 || dimsMayDiffer(grid.getDimSize(3), 2) ||
      dimsMayDiffer(grid.getDimSize(0), in.getDimSize(0)))
    return fail(loc, name, "expects an N x C x H x W input and an N x Ho x Wo x 2 grid, found ")
           << shapeStr(in.getShape()) << " and " << shapeStr(grid.getShape());
  if (grid.getElementType() != in.getElementType())
    return fail(loc, name, "expects a grid of the input's element type ")
           << in.getElementType() << ", found " << grid.getElementType();
  if (!llvm::is_contained({"bilinear", "nearest", "bicubic"}, adaptor.getMode()))
    return fail(loc, name, "expects mode 'bilinear', 'nearest' or 'bicubic', found '")
           << adaptor.getMode() << "'";
  if (!llvm::is_contained({"zeros", "border", "reflection"}, adaptor.getPaddingMode()))
    return fail(loc, name, "expects padding_mode 'zeros', 'border' or 'reflection', found '")
           << adaptor.getPaddingMode() << "'";
  int64_t batch = ShapedType::isDynamic(in.getDimSize(0)) ? grid.getDimSize(0) : in.getDimSize(0);
  types.push_back(RankedTensorType::get(
      {batch, in.getDimSize(1), grid.getDimSize(1), grid.getDimSize(2)}, in.getElementType()));
  return success();
}

LogicalResult RoiAlignOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                           Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = rankedType(adaptor.getInput()), rois = rankedType(adaptor.getRois()),
                   idx = rankedType(adaptor.getBatchIndices());
  if (in.getRank() != 4 || rois.getRank() != 2 || dimsMayDiffer(rois.getDimSize(1), 4) ||
      dimsMayDiffer(rois.getDimSize(0), idx.getDimSize(0)))
    return fail(loc, name, "expects an N x C x H x W input, R x 4 rois and R batch indices, found ")
           << shapeStr(in.getShape()) << ", " << shapeStr(rois.getShape()) << " and "
           << shapeStr(idx.getShape());
  if (rois.getElementType() != in.getElementType())
    return fail(loc, name, "expects rois of the input's element type ")
           << in.getElementType() << ", found " << rois.getElementType();
  if (!llvm::is_contained({"avg", "max"}, adaptor.getMode()))
    return fail(loc, name, "expects mode 'avg' or 'max', found '") << adaptor.getMode() << "'";
  if (!llvm::is_contained({"half_pixel", "output_half_pixel"},
                          adaptor.getCoordinateTransformationMode()))
    return fail(loc, name,
                "expects coordinate_transformation_mode 'half_pixel' or "
                "'output_half_pixel', found '")
           << adaptor.getCoordinateTransformationMode() << "'";
  int64_t oh = adaptor.getOutputHeight(), ow = adaptor.getOutputWidth();
  if (oh < 1 || ow < 1 || adaptor.getSamplingRatio() < 0)
    return fail(loc, name,
                "expects output_height and output_width of at least 1 and a "
                "sampling_ratio of at least 0, found ")
           << oh << ", " << ow << " and " << adaptor.getSamplingRatio();
  int64_t r = ShapedType::isDynamic(rois.getDimSize(0)) ? idx.getDimSize(0) : rois.getDimSize(0);
  types.push_back(RankedTensorType::get({r, in.getDimSize(1), oh, ow}, in.getElementType()));
  return success();
}
