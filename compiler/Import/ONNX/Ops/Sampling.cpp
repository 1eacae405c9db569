//===- Sampling.cpp - interpolation: Resize, Upsample, GridSample, RoiAlign ===//
//
// GridSample (16) and RoiAlign (10, 16) map onto nn.grid_sample and
// nn.roi_align. Resize (10, 11, 13, 18, 19) and Upsample (7, 9). Constant scales or sizes
// with nearest or linear and no opset-18 attribute keep their static form,
// nn.resize (expanded into gathers by nn-decompose); everything else (run-
// time scales or sizes, cubic, tf_crop_and_resize, antialias, axes,
// keep_aspect_ratio_policy) becomes nn.dynamic_resize, whose lowering
// computes the output sizes and coordinates at run time.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/ONNX/NodeBinder.h"
#include "compiler/Import/ONNX/OpRegistry.h"

#include "llvm/ADT/StringSet.h"

#include <cmath>

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::onnx_import;

namespace {

/// How a version of Resize or Upsample gives its operands and defaults.
struct ResizeForm {
  bool upsample;   // Upsample: always asymmetric, no attribute for it
  bool scalesAttr; // scales as an attribute (Upsample before opset 9)
  int scalesInput; // else the input holding them
  bool legacy;     // before Resize-11: asymmetric and nearest rounding down
};

/// An optional 1-D input: absent when not given or of length 0 (Resize-11
/// and 12 pass an empty scales tensor next to sizes).
FailureOr<Value> listInput(NodeBinder &b, int i, StringRef what, bool isFloat) {
  if (!b.hasInput(i))
    return Value();
  FailureOr<Value> v = b.input(i);
  if (failed(v))
    return failure();
  RankedTensorType t = typeOf(*v);
  if (t.getRank() == 1 && t.getDimSize(0) == 0)
    return Value();
  bool typeOk = isFloat ? isa<FloatType>(t.getElementType()) : t.getElementType().isInteger(64);
  if (t.getRank() != 1 || t.isDynamicDim(0) || !typeOk)
    return b.error() << "expects " << what << " (input " << i << ") to be a 1-D "
                     << (isFloat ? "float" : "int64") << " tensor of static length, found " << t;
  return *v;
}

/// The general form: nn.dynamic_resize with the operands as given (constant
/// ones pruned of the axes they leave unchanged).
LogicalResult importDynamicResize(NodeBinder &b, Value x, SmallVector<int64_t> axes, Value roi,
                                  Value scales, Value sizes, StringRef mode, StringRef coord,
                                  StringRef nearestMode, StringRef policy) {
  RankedTensorType t = typeOf(x);
  int64_t rank = t.getRank();
  OpBuilder &builder = b.builder();
  SmallVector<int64_t> shape = b.inferredShape(0, rank);
  // Constant scales or sizes: an axis whose size and coordinates do not
  // change needs no pass, and its output size is known.
  Value given = scales ? scales : sizes;
  if (auto c = given.getDefiningOp<ConstantOp>(); c && policy == "stretch" &&
                                                  coord != "tf_crop_and_resize" &&
                                                  coord != "tf_half_pixel_for_nn") {
    std::optional<SmallVector<double>> values = constantFloats(c.getValue());
    SmallVector<int64_t> kept;
    SmallVector<double> keptValues;
    for (auto [k, a] : llvm::enumerate(axes)) {
      double v = (*values)[k];
      int64_t in = t.getDimSize(a);
      if (!t.isDynamicDim(a) && (scales ? v == 1.0 : static_cast<double>(in) == v))
        continue;
      kept.push_back(a);
      keptValues.push_back(v);
      if (!t.isDynamicDim(a) && std::isfinite(v) && v > 0 && in * v < 1e12)
        shape[a] = scales ? static_cast<int64_t>(std::floor(in * v)) : static_cast<int64_t>(v);
    }
    if (kept.empty())
      return b.defineResult(x);
    if (kept.size() != axes.size()) {
      Type elem = typeOf(given).getElementType();
      auto vt = RankedTensorType::get({static_cast<int64_t>(kept.size())}, elem);
      SmallVector<Attribute> attrs;
      for (double v : keptValues)
        attrs.push_back(scales ? Attribute(builder.getFloatAttr(elem, v))
                               : Attribute(builder.getIntegerAttr(elem, static_cast<int64_t>(v))));
      Value pruned = builder.create<ConstantOp>(b.loc(), DenseElementsAttr::get(vt, attrs));
      (scales ? scales : sizes) = pruned;
      axes = kept;
    }
  }
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(axes, d))
      shape[d] = t.getDimSize(d);
  if (coord != "tf_crop_and_resize")
    roi = Value();
  auto type = RankedTensorType::get(shape, t.getElementType());
  b.define(0,
           builder.create<DynamicResizeOp>(
               b.loc(), type, x, roi, scales, sizes, builder.getDenseI64ArrayAttr(axes),
               builder.getStringAttr(mode), builder.getStringAttr(coord),
               builder.getStringAttr(nearestMode),
               builder.getF64FloatAttr(b.attrFloat("cubic_coeff_a", -0.75)),
               builder.getBoolAttr(b.attrInt("exclude_outside", 0) != 0),
               builder.getF64FloatAttr(b.attrFloat("extrapolation_value", 0.0)),
               builder.getBoolAttr(b.attrInt("antialias", 0) != 0), builder.getStringAttr(policy)));
  return success();
}

/// Resize (and Upsample): each version's operands and defaults resolved
/// into nn.resize's explicit output sizes, scales and modes when they are
/// constants it can express, else into nn.dynamic_resize.
LogicalResult importResize(NodeBinder &b, const ResizeForm &form) {
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  RankedTensorType t = typeOf(*x);
  int64_t rank = t.getRank();
  std::string mode = b.attrString("mode", "nearest");
  std::string coord = form.upsample ? "asymmetric"
                                    : b.attrString("coordinate_transformation_mode",
                                                   form.legacy ? "asymmetric" : "half_pixel");
  std::string nearestMode =
      form.legacy ? "floor" : b.attrString("nearest_mode", "round_prefer_floor");
  std::string policy = b.attrString("keep_aspect_ratio_policy", "stretch");
  int64_t antialias = b.attrInt("antialias", 0);
  if (mode == "bilinear")
    mode = "linear";
  if (mode != "nearest" && mode != "linear" && (mode != "cubic" || form.legacy))
    return b.error() << "mode " << quoted(mode) << " is not supported (supported: nearest, linear"
                     << (form.legacy ? ")" : ", cubic)");
  static const llvm::StringSet<> coords = {
      "half_pixel",           "pytorch_half_pixel", "align_corners",       "asymmetric",
      "tf_half_pixel_for_nn", "tf_crop_and_resize", "half_pixel_symmetric"};
  if (!coords.contains(coord))
    return b.error() << "coordinate_transformation_mode " << quoted(coord) << " is not supported";
  static const llvm::StringSet<> nearests = {"round_prefer_floor", "round_prefer_ceil", "floor",
                                             "ceil"};
  if (!nearests.contains(nearestMode))
    return b.error() << "nearest_mode " << quoted(nearestMode) << " is not supported";
  if (policy != "stretch" && policy != "not_larger" && policy != "not_smaller")
    return b.error() << "keep_aspect_ratio_policy " << quoted(policy) << " is not supported";
  if (antialias != 0 && antialias != 1)
    return b.error() << "expects antialias 0 or 1, found " << antialias;
  if (mode != "nearest" && !isa<FloatType>(t.getElementType()))
    return b.error() << mode << " resize expects a float input, found " << t.getElementType();
  SmallVector<int64_t> axes = b.attrInts("axes");
  bool allAxes = axes.empty();
  if (allAxes)
    axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  for (int64_t &a : axes) {
    if (a < -rank || a >= rank)
      return b.error() << "expects axes in [" << -rank << ", " << rank << "), found " << a;
    a = a < 0 ? a + rank : a;
  }
  for (size_t i = 0; i < axes.size(); ++i)
    if (llvm::is_contained(ArrayRef(axes).take_front(i), axes[i]))
      return b.error() << "expects distinct axes, found " << axes[i] << " twice";
  int64_t n = axes.size();

  // The operands: scales (an attribute for Upsample-7), sizes, roi.
  Value scales, sizes, roi;
  if (form.scalesAttr) {
    SmallVector<float> fs = b.attrFloats("scales");
    auto vt = RankedTensorType::get({static_cast<int64_t>(fs.size())}, b.builder().getF32Type());
    scales = b.builder().create<ConstantOp>(b.loc(), DenseElementsAttr::get(vt, ArrayRef(fs)));
  } else {
    FailureOr<Value> v = listInput(b, form.scalesInput, "scales", true);
    if (failed(v))
      return failure();
    scales = *v;
  }
  if (!form.legacy) {
    FailureOr<Value> s = listInput(b, 3, "sizes", false), r = listInput(b, 1, "roi", true);
    if (failed(s) || failed(r))
      return failure();
    sizes = *s;
    roi = *r;
  }
  if (scales && sizes)
    return b.error() << "expects scales or sizes, found both";
  if (!scales && !sizes)
    return b.error() << "expects scales or sizes, found neither";
  Value given = scales ? scales : sizes;
  if (typeOf(given).getDimSize(0) != n)
    return b.error() << "expects one scale or size per resized axis (" << n << "), found "
                     << typeOf(given).getDimSize(0);
  if (roi && coord == "tf_crop_and_resize" && typeOf(roi).getDimSize(0) != 2 * n)
    return b.error() << "expects a roi of " << 2 * n << " values (starts, then ends), found "
                     << typeOf(roi).getDimSize(0);
  if (policy != "stretch" && !sizes)
    return b.error() << "expects sizes with keep_aspect_ratio_policy " << quoted(policy);

  // The static form: constants nn.resize can express with the same result.
  std::optional<SmallVector<double>> values;
  if (auto c = given.getDefiningOp<ConstantOp>())
    values = constantFloats(c.getValue());
  bool simple = values && (mode == "nearest" || mode == "linear") && allAxes &&
                policy == "stretch" && antialias == 0 && coord != "tf_crop_and_resize" &&
                coord != "half_pixel_symmetric" && t.hasStaticShape();
  if (!simple)
    return importDynamicResize(b, *x, axes, roi, scales, sizes, mode, coord, nearestMode, policy);

  SmallVector<int64_t> outSizes;
  SmallVector<double> outScales;
  for (int64_t a = 0; a < rank; ++a) {
    int64_t in = t.getDimSize(a);
    double v = (*values)[a];
    int64_t out = scales ? static_cast<int64_t>(std::floor(in * v)) : static_cast<int64_t>(v);
    double scale = scales ? v : static_cast<double>(out) / in;
    if (out <= 0 || !(scale > 0))
      return b.error() << "expects a positive output size along axis " << a << ", found " << out;
    outSizes.push_back(out);
    outScales.push_back(scale);
  }
  OpBuilder &builder = b.builder();
  return b.defineResult(
      b.create<ResizeOp>(*x, builder.getDenseI64ArrayAttr(outSizes),
                         builder.getDenseF64ArrayAttr(outScales), builder.getStringAttr(mode),
                         builder.getStringAttr(coord), builder.getStringAttr(nearestMode)));
}

/// GridSample-16 (and 20's names for the 2-D modes: linear, cubic).
LogicalResult importGridSample(NodeBinder &b) {
  FailureOr<Value> x = b.input(0), grid = b.input(1);
  if (failed(x) || failed(grid))
    return failure();
  std::string mode = b.attrString("mode", b.opset() >= 20 ? "linear" : "bilinear");
  std::string padding = b.attrString("padding_mode", "zeros");
  if (mode == "linear")
    mode = "bilinear";
  else if (mode == "cubic")
    mode = "bicubic";
  if (mode != "bilinear" && mode != "nearest" && mode != "bicubic")
    return b.error() << "mode " << quoted(mode)
                     << " is not supported (supported: bilinear, nearest, "
                        "bicubic)";
  if (padding != "zeros" && padding != "border" && padding != "reflection")
    return b.error() << "padding_mode " << quoted(padding)
                     << " is not supported (supported: zeros, "
                        "border, reflection)";
  RankedTensorType t = typeOf(*x), g = typeOf(*grid);
  if (t.getRank() != 4 || g.getRank() != 4)
    return b.error() << "expects a 4-D input and grid (N x C x H x W, N x Ho x Wo x 2), found " << t
                     << " and " << g;
  if (!isa<FloatType>(t.getElementType()) || g.getElementType() != t.getElementType())
    return b.error() << "expects a float input and a grid of its type, found " << t << " and " << g;
  OpBuilder &builder = b.builder();
  return b.defineResult(b.create<GridSampleOp>(*x, *grid, builder.getStringAttr(mode),
                                               builder.getStringAttr(padding),
                                               builder.getBoolAttr(b.attrInt("align_corners", 0))));
}

/// RoiAlign-10 (boxes not shifted, at least one pixel) and 16 (the
/// coordinate_transformation_mode attribute, half_pixel by default).
LogicalResult importRoiAlign(NodeBinder &b) {
  FailureOr<Value> x = b.input(0), rois = b.input(1), idx = b.input(2);
  if (failed(x) || failed(rois) || failed(idx))
    return failure();
  std::string mode = b.attrString("mode", "avg");
  std::string coord = b.opset() >= 16 ? b.attrString("coordinate_transformation_mode", "half_pixel")
                                      : "output_half_pixel";
  if (mode != "avg" && mode != "max")
    return b.error() << "mode " << quoted(mode) << " is not supported (supported: avg, max)";
  if (coord != "half_pixel" && coord != "output_half_pixel")
    return b.error() << "coordinate_transformation_mode " << quoted(coord)
                     << " is not supported (supported: half_pixel, output_half_pixel)";
  RankedTensorType t = typeOf(*x), r = typeOf(*rois), i = typeOf(*idx);
  if (t.getRank() != 4 || !isa<FloatType>(t.getElementType()))
    return b.error() << "expects a 4-D float input (N x C x H x W), found " << t;
  if (r.getRank() != 2 || r.getElementType() != t.getElementType())
    return b.error() << "expects rois of shape R x 4 and the input's type, found " << r;
  if (i.getRank() != 1 || !i.getElementType().isInteger(64))
    return b.error() << "expects batch_indices of shape R and type int64, found " << i;
  int64_t oh = b.attrInt("output_height", 1), ow = b.attrInt("output_width", 1),
          ratio = b.attrInt("sampling_ratio", 0);
  if (oh < 1 || ow < 1 || ratio < 0)
    return b.error() << "expects output_height and output_width of at least 1 and "
                        "sampling_ratio of at least 0, found "
                     << oh << ", " << ow << " and " << ratio;
  OpBuilder &builder = b.builder();
  return b.defineResult(
      b.create<RoiAlignOp>(*x, *rois, *idx, builder.getStringAttr(mode),
                           builder.getStringAttr(coord), builder.getI64IntegerAttr(oh),
                           builder.getI64IntegerAttr(ow), builder.getI64IntegerAttr(ratio),
                           builder.getF64FloatAttr(b.attrFloat("spatial_scale", 1.0))));
}

} // namespace

void kiln::onnx_import::registerSamplingOps(OpRegistry &r) {
  r.on("GridSample", 16, importGridSample);
  r.on("RoiAlign", 10, importRoiAlign);
  r.on("Upsample", 7, [](NodeBinder &b) { return importResize(b, {true, true, 1, true}); });
  r.on("Upsample", 9, [](NodeBinder &b) { return importResize(b, {true, false, 1, true}); });
  r.on("Resize", 10, [](NodeBinder &b) { return importResize(b, {false, false, 1, true}); });
  r.on("Resize", 11, [](NodeBinder &b) { return importResize(b, {false, false, 2, false}); });
}
