//===- DecomposeNormalization.cpp - norms, LRN and hardmax as nn ops ------===//

#include "dialects/NN/IR/NNStatistics.h"
#include "dialects/NN/Transforms/DecomposeUtils.h"
#include "dialects/NN/Transforms/Passes.h"

#include "llvm/ADT/Sequence.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::detail;

namespace {
/// `x - mean` and `1 / sqrt(var + epsilon)` over `axes`, both statistics
/// kept as size-1 dimensions.
struct Standardized {
  Value mean, centered, invStdDev;
};

Standardized standardize(PatternRewriter &rewriter, Location loc, Value x,
                         ArrayRef<int64_t> axes, double epsilon) {
  DenseI64ArrayAttr axesAttr = rewriter.getDenseI64ArrayAttr(axes);
  BoolAttr kept = rewriter.getBoolAttr(true);
  Type elem = cast<RankedTensorType>(x.getType()).getElementType();
  Value mean = rewriter.create<ReduceMeanOp>(loc, x, axesAttr, kept);
  Value centered = rewriter.create<SubOp>(loc, x, mean);
  Value sq = rewriter.create<MulOp>(loc, centered, centered);
  Value var = rewriter.create<ReduceMeanOp>(loc, sq, axesAttr, kept);
  Value shifted = rewriter.create<AddOp>(loc, var, scalarConstant(rewriter, loc, elem, epsilon));
  Value inv = rewriter.create<ReciprocalOp>(loc, rewriter.create<SqrtOp>(loc, shifted));
  return {mean, centered, inv};
}

struct DecomposeLayerNorm : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t rank = op.getInput().getType().getRank();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += rank;
    Standardized s = standardize(rewriter, loc, op.getInput(),
                                 llvm::to_vector(llvm::seq<int64_t>(axis, rank)),
                                 op.getEpsilon().convertToDouble());
    Value y = rewriter.create<MulOp>(loc, s.centered, s.invStdDev);
    y = rewriter.create<MulOp>(loc, y, op.getScale());
    if (Value bias = op.getBias())
      y = rewriter.create<AddOp>(loc, y, bias);
    rewriter.replaceOp(op, {y, s.mean, s.invStdDev});
    return success();
  }
};

/// Per-channel parameters [C] broadcast against [N, C, spatial...] as
/// [C, 1, ..., 1].
Value perChannel(PatternRewriter &rewriter, Location loc, Value v, int64_t rank) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape(t.getShape());
  shape.append(rank - 2, 1);
  return rewriter.create<ReshapeOp>(loc, t.clone(shape), v);
}

struct DecomposeInstanceNorm : OpRewritePattern<InstanceNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(InstanceNormOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t rank = op.getInput().getType().getRank();
    Standardized s = standardize(rewriter, loc, op.getInput(),
                                 llvm::to_vector(llvm::seq<int64_t>(2, rank)),
                                 op.getEpsilon().convertToDouble());
    Value y = rewriter.create<MulOp>(loc, s.centered, s.invStdDev);
    y = rewriter.create<MulOp>(loc, y, perChannel(rewriter, loc, op.getScale(), rank));
    rewriter.replaceOpWithNewOp<AddOp>(op, y, perChannel(rewriter, loc, op.getBias(), rank));
    return success();
  }
};

/// The batch's mean and population variance over every dimension but the
/// channels normalize the input; the running statistics are the momentum
/// blend of the given ones and the batch's.
struct DecomposeBatchNormTraining : OpRewritePattern<BatchNormTrainingOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormTrainingOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    RankedTensorType t = op.getInput().getType();
    int64_t rank = t.getRank();
    Type elem = t.getElementType();
    SmallVector<int64_t> axes{0};
    for (int64_t d = 2; d < rank; ++d)
      axes.push_back(d);
    // One pass for both statistics (NNStatistics.h); the gradient rule
    // (channelNormGradient) builds them with the same ops, so CSE shares them.
    BatchStatistics stats = buildBatchStatistics(rewriter, loc, x, axes);
    Value mean = stats.mean, var = stats.variance;
    Value centered = rewriter.create<SubOp>(loc, x, mean);
    Value shifted = rewriter.create<AddOp>(
        loc, var, scalarConstant(rewriter, loc, elem, op.getEpsilon().convertToDouble()));
    Value inv = rewriter.create<ReciprocalOp>(loc, rewriter.create<SqrtOp>(loc, shifted));
    Value y = rewriter.create<MulOp>(loc, centered, inv);
    y = rewriter.create<MulOp>(loc, y, perChannel(rewriter, loc, op.getScale(), rank));
    y = rewriter.create<AddOp>(loc, y, perChannel(rewriter, loc, op.getBias(), rank));
    double momentum = op.getMomentum().convertToDouble();
    auto blend = [&](Value given, Value batch) -> Value {
      Value flat = rewriter.create<ReshapeOp>(loc, op.getRunningMean().getType(), batch);
      Value a = rewriter.create<MulOp>(loc, given, scalarConstant(rewriter, loc, elem, momentum));
      Value b = rewriter.create<MulOp>(loc, flat,
                                       scalarConstant(rewriter, loc, elem, 1.0 - momentum));
      return rewriter.create<AddOp>(loc, a, b);
    };
    rewriter.replaceOp(op, {y, blend(op.getInputMean(), mean), blend(op.getInputVar(), var)});
    return success();
  }
};

/// `x / (bias + alpha / size * sum(x^2 over the size nearest channels))^beta`,
/// the windowed sum an average pool (padding counted) over [N, 1, C, rest]
/// times `size`.
struct DecomposeLRN : OpRewritePattern<LRNOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LRNOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType t = op.getInput().getType();
    if (!t.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "expects a static input shape");
    int64_t size = op.getSize();
    int64_t n = t.getDimSize(0), c = t.getDimSize(1);
    int64_t rest = n * c == 0 ? 0 : t.getNumElements() / (n * c);
    Type elem = t.getElementType();
    Value x = op.getInput();
    Value sq = rewriter.create<MulOp>(loc, x, x);
    Value planes = rewriter.create<ReshapeOp>(loc, t.clone({n, 1, c, rest}), sq);
    auto ints = [&](ArrayRef<int64_t> v) { return rewriter.getDenseI64ArrayAttr(v); };
    int64_t before = (size - 1) / 2, after = size - 1 - before;
    Value avg = rewriter.create<AveragePoolOp>(loc, planes, ints({size, 1}), ints({1, 1}),
                                               ints({before, 0, after, 0}),
                                               rewriter.getBoolAttr(false),
                                               rewriter.getBoolAttr(true));
    Value mean = rewriter.create<ReshapeOp>(loc, t, avg);
    // bias + alpha * mean (the mean over `size` channels is sum / size).
    Value scaled = rewriter.create<MulOp>(
        loc, mean, scalarConstant(rewriter, loc, elem, op.getAlpha().convertToDouble()));
    scaled = rewriter.create<AddOp>(
        loc, scaled, scalarConstant(rewriter, loc, elem, op.getBias().convertToDouble()));
    scaled = rewriter.create<PowOp>(
        loc, scaled, scalarConstant(rewriter, loc, elem, op.getBeta().convertToDouble()));
    rewriter.replaceOpWithNewOp<DivOp>(op, x, scaled);
    return success();
  }
};

/// ONNX's definition: (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9).
struct DecomposeMeanVarianceNorm : OpRewritePattern<MeanVarianceNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MeanVarianceNormOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    BoolAttr kept = rewriter.getBoolAttr(true);
    Type elem = op.getInput().getType().getElementType();
    Value mean = rewriter.create<ReduceMeanOp>(loc, x, op.getAxesAttr(), kept);
    Value sq = rewriter.create<MulOp>(loc, x, x);
    Value meanSq = rewriter.create<ReduceMeanOp>(loc, sq, op.getAxesAttr(), kept);
    Value sqMean = rewriter.create<MulOp>(loc, mean, mean);
    Value std = rewriter.create<SqrtOp>(loc, rewriter.create<SubOp>(loc, meanSq, sqMean));
    std = rewriter.create<AddOp>(loc, std, scalarConstant(rewriter, loc, elem, 1e-9));
    Value centered = rewriter.create<SubOp>(loc, x, mean);
    rewriter.replaceOpWithNewOp<DivOp>(op, centered, std);
    return success();
  }
};

/// The arg max (first maximum) compared with the positions along the axis.
struct DecomposeHardmax : OpRewritePattern<HardmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(HardmaxOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType t = op.getInput().getType();
    int64_t rank = t.getRank();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += rank;
    int64_t n = t.getDimSize(axis);
    if (ShapedType::isDynamic(n))
      return rewriter.notifyMatchFailure(op, "expects a static size along the axis");
    Value am = rewriter.create<ArgMaxOp>(loc, op.getInput(), rewriter.getI64IntegerAttr(axis),
                                         rewriter.getBoolAttr(true), rewriter.getBoolAttr(false));
    SmallVector<int64_t> shape(rank, 1);
    shape[axis] = n;
    Value iota = indexConstant(rewriter, loc, shape, llvm::to_vector(llvm::seq<int64_t>(0, n)));
    Value hit = rewriter.create<EqualOp>(loc, am, iota);
    rewriter.replaceOpWithNewOp<CastOp>(op, t, hit);
    return success();
  }
};
} // namespace

void kiln::nn::populateNNDecomposeNormalizationPatterns(RewritePatternSet &patterns) {
  patterns.add<DecomposeLayerNorm, DecomposeInstanceNorm, DecomposeLRN, DecomposeMeanVarianceNorm,
               DecomposeHardmax, DecomposeBatchNormTraining>(patterns.getContext());
}
