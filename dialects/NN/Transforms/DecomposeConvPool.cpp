//===- DecomposeConvPool.cpp - transposed convolution as nn.conv ----------===//

#include "dialects/NN/Transforms/Passes.h"

using namespace mlir;
using namespace kiln::nn;

namespace {
/// ConvTranspose as a stride-1 convolution: the input with `stride - 1`
/// zeros between elements (reshape, pad, reshape, slice), padded by
/// `dilation * (kernel - 1) - pad` (plus output_padding at the end), with
/// the weight regrouped from [C_in, C_out/g, k...] to [C_out, C_in/g, k...]
/// and flipped spatially (slices with stride -1). Where a pad exceeds
/// `dilation * (kernel - 1)` the convolution's padding would be negative:
/// it pads nothing there and the excess is cropped from its result.
struct DecomposeConvTranspose : OpRewritePattern<ConvTransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvTransposeOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType xt = op.getInput().getType(), wt = op.getWeight().getType();
    // The batch may be dynamic: the reshapes pair it, and the slices take it
    // whole.
    if (llvm::any_of(xt.getShape().drop_front(), ShapedType::isDynamic) || !wt.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "expects static input (but the batch) and weight "
                                             "shapes");
    auto ints = [&](ArrayRef<int64_t> v) { return rewriter.getDenseI64ArrayAttr(v); };
    ArrayRef<int64_t> wShape = wt.getShape();
    int64_t n = wShape.size() - 2, group = op.getGroup();
    int64_t cin = wShape[0], coutPerGroup = wShape[1];
    SmallVector<int64_t> kernel(wShape.drop_front(2));
    ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations(),
                      outPad = op.getOutputPadding(), pads = op.getPads();

    // 1. Zeros between input elements: [N, C, H, W] -> [N, C, H, 1, W, 1] ->
    //    pad the unit dims to the stride -> [N, C, H*s, W*s] -> drop the tail.
    Value in = op.getInput();
    if (llvm::any_of(strides, [](int64_t v) { return v != 1; })) {
      SmallVector<int64_t> split{xt.getDimSize(0), cin}, high(2 + 2 * n, 0),
          merged{xt.getDimSize(0), cin};
      for (int64_t i = 0; i < n; ++i) {
        split.append({xt.getDimSize(2 + i), 1});
        high[2 + 2 * i + 1] = strides[i] - 1;
        merged.push_back(xt.getDimSize(2 + i) * strides[i]);
      }
      Value parts = rewriter.create<ReshapeOp>(loc, xt.clone(split), in);
      Value spread = rewriter.create<PadOp>(loc, parts, ints(SmallVector<int64_t>(2 + 2 * n, 0)),
                                            ints(high), rewriter.getF64FloatAttr(0.0));
      Value flat = rewriter.create<ReshapeOp>(loc, xt.clone(merged), spread);
      SmallVector<int64_t> sizes(merged), ones(2 + n, 1), zeros(2 + n, 0);
      for (int64_t i = 0; i < n; ++i)
        sizes[2 + i] = (xt.getDimSize(2 + i) - 1) * strides[i] + 1;
      // A dynamic batch is taken whole (nn.slice's dynamic size).
      in = rewriter.create<SliceOp>(loc, flat, ints(zeros), ints(sizes), ints(ones));
    }
    // 2. The padding of the equivalent direct convolution; negative padding
    //    becomes a crop of its result.
    SmallVector<int64_t> convPads(2 * n), crop(2 * n, 0);
    for (int64_t i = 0; i < n; ++i) {
      int64_t full = dilations[i] * (kernel[i] - 1);
      convPads[i] = full - pads[i];
      convPads[n + i] = full - pads[n + i] + outPad[i];
      for (int64_t j : {i, n + i}) {
        if (convPads[j] < 0) {
          crop[j] = -convPads[j];
          convPads[j] = 0;
        }
      }
    }
    // 3. The weight regrouped and flipped.
    SmallVector<int64_t> grouped{group, cin / group, coutPerGroup};
    grouped.append(kernel.begin(), kernel.end());
    SmallVector<int64_t> perm{0, 2, 1};
    for (int64_t i = 0; i < n; ++i)
      perm.push_back(3 + i);
    Value wg = rewriter.create<ReshapeOp>(loc, wt.clone(grouped), op.getWeight());
    Value swapped = rewriter.create<TransposeOp>(loc, wg, ints(perm));
    SmallVector<int64_t> direct{group * coutPerGroup, cin / group};
    direct.append(kernel.begin(), kernel.end());
    Value wd = rewriter.create<ReshapeOp>(loc, wt.clone(direct), swapped);
    SmallVector<int64_t> offsets(2 + n, 0), steps(2 + n, 1);
    for (int64_t i = 0; i < n; ++i) {
      offsets[2 + i] = kernel[i] - 1;
      steps[2 + i] = -1;
    }
    Value flipped = rewriter.create<SliceOp>(loc, wd, ints(offsets), ints(direct), ints(steps));
    Value y = rewriter.create<ConvOp>(loc, in, flipped, op.getBias(),
                                      ints(SmallVector<int64_t>(n, 1)), ints(convPads),
                                      ints(dilations), rewriter.getI64IntegerAttr(group));
    if (llvm::any_of(crop, [](int64_t c) { return c != 0; })) {
      SmallVector<int64_t> from(2 + n, 0), ones(2 + n, 1);
      for (int64_t i = 0; i < n; ++i)
        from[2 + i] = crop[i];
      y = rewriter.create<SliceOp>(loc, y, ints(from), ints(op.getType().getShape()), ints(ones));
    }
    rewriter.replaceOp(op, y);
    return success();
  }
};
} // namespace

void kiln::nn::populateNNDecomposeConvPoolPatterns(RewritePatternSet &patterns) {
  patterns.add<DecomposeConvTranspose>(patterns.getContext());
}
