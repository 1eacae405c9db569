//===- DecomposeDataMovement.cpp - resize as per-axis gathers -------------===//

#include "dialects/NN/Transforms/DecomposeUtils.h"
#include "dialects/NN/Transforms/Passes.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::detail;

namespace {
/// Resize one axis at a time (both modes are separable): nearest is an
/// nn.gather of constant source indices; linear blends two such gathers with
/// constant weights. Source coordinates follow the
/// coordinate_transformation_mode; neighbours outside the input take the
/// edge value.
struct DecomposeResize : OpRewritePattern<ResizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ResizeOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType t = op.getInput().getType();
    if (!t.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "expects a static input shape");
    int64_t rank = t.getRank();
    StringRef mode = op.getMode(), coord = op.getCoordinateTransformationMode(),
              nearestMode = op.getNearestMode();
    Type elem = t.getElementType();
    Value y = op.getInput();
    for (int64_t a = 0; a < rank; ++a) {
      int64_t in = t.getDimSize(a), out = op.getSizes()[a];
      double scale = op.getScales()[a];
      if (out == in && scale == 1.0)
        continue;
      auto source = [&](int64_t i) -> double {
        if (coord == "align_corners")
          return out == 1 ? 0.0 : static_cast<double>(i) * (in - 1) / (out - 1);
        if (coord == "asymmetric")
          return i / scale;
        if (coord == "tf_half_pixel_for_nn")
          return (i + 0.5) / scale;
        if (coord == "pytorch_half_pixel" && out == 1)
          return 0.0;
        return (i + 0.5) / scale - 0.5;
      };
      auto clampIndex = [&](int64_t k) { return std::clamp<int64_t>(k, 0, in - 1); };
      SmallVector<int64_t> idx0, idx1;
      SmallVector<double> w1;
      for (int64_t i = 0; i < out; ++i) {
        double s = source(i);
        double fl = std::floor(s);
        if (mode == "nearest") {
          int64_t k;
          if (nearestMode == "floor")
            k = static_cast<int64_t>(fl);
          else if (nearestMode == "ceil")
            k = static_cast<int64_t>(std::ceil(s));
          else if (s - fl == 0.5)
            k = static_cast<int64_t>(nearestMode == "round_prefer_ceil" ? fl + 1 : fl);
          else
            k = static_cast<int64_t>(std::round(s));
          idx0.push_back(clampIndex(k));
        } else {
          idx0.push_back(clampIndex(static_cast<int64_t>(fl)));
          idx1.push_back(clampIndex(static_cast<int64_t>(fl) + 1));
          w1.push_back(s - fl);
        }
      }
      IntegerAttr axis = rewriter.getI64IntegerAttr(a);
      Value g0 = rewriter.create<GatherOp>(loc, y, indexConstant(rewriter, loc, {out}, idx0), axis);
      if (mode == "nearest") {
        y = g0;
        continue;
      }
      Value g1 = rewriter.create<GatherOp>(loc, y, indexConstant(rewriter, loc, {out}, idx1), axis);
      // y = g0 + (g1 - g0) * w1, the weights along the axis.
      SmallVector<int64_t> wShape(rank - a, 1);
      wShape[0] = out;
      auto wType = RankedTensorType::get(wShape, elem);
      SmallVector<Attribute> weights;
      for (double w : w1)
        weights.push_back(rewriter.getFloatAttr(elem, w));
      Value wv = rewriter.create<ConstantOp>(loc, DenseElementsAttr::get(wType, weights));
      Value diff = rewriter.create<MulOp>(loc, rewriter.create<SubOp>(loc, g1, g0), wv);
      y = rewriter.create<AddOp>(loc, g0, diff);
    }
    rewriter.replaceOp(op, y);
    return success();
  }
};
} // namespace

void kiln::nn::populateNNDecomposeDataMovementPatterns(RewritePatternSet &patterns) {
  patterns.add<DecomposeResize>(patterns.getContext());
}
