//===- NNSamplingOps.cpp - interpolation at computed coordinates ---------===//
//
// The verifier of nn.dynamic_resize: what the types and attributes can
// prove. Values (scales, sizes, roi) are data, checked or clamped by the
// lowering.
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
      return emitOpError("expects ") << what << " of length " << want << " (for " << n
                                     << " axes), found " << v.getType();
  if (out.getRank() != rank || out.getElementType() != in.getElementType())
    return emitOpError("expects a result of rank ")
           << rank << " and element type " << in.getElementType() << ", found " << out;
  for (int64_t d = 0; d < rank; ++d)
    if (!resized[d] && dimsMayDiffer(in.getDimSize(d), out.getDimSize(d)))
      return emitOpError("expects result dim ")
             << d << " (not resized) to be the input's " << in.getDimSize(d) << ", found "
             << out.getDimSize(d);
  static const StringRef modes[] = {"nearest", "linear", "cubic"};
  static const StringRef coords[] = {"half_pixel",    "half_pixel_symmetric",
                                     "pytorch_half_pixel", "align_corners",
                                     "asymmetric",    "tf_half_pixel_for_nn",
                                     "tf_crop_and_resize"};
  static const StringRef nearests[] = {"round_prefer_floor", "round_prefer_ceil", "floor",
                                       "ceil"};
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
