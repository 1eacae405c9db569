//===- DecomposeLoss.cpp - softmax cross-entropy as log-softmax + NLL -----===//

#include "dialects/NN/Transforms/Passes.h"

using namespace mlir;
using namespace kiln::nn;

namespace {
/// log_softmax over the class dimension, then nll_loss; the log-probabilities
/// are the op's second result.
struct DecomposeSoftmaxCrossEntropy : OpRewritePattern<SoftmaxCrossEntropyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxCrossEntropyOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value logp = rewriter.create<LogSoftmaxOp>(loc, op.getScores(), rewriter.getI64IntegerAttr(1));
    Value loss = rewriter.create<NLLLossOp>(loc, logp, op.getTarget(), op.getWeight(),
                                            op.getReductionAttr(), op.getIgnoreIndexAttr());
    rewriter.replaceOp(op, {loss, logp});
    return success();
  }
};
} // namespace

void kiln::nn::populateNNDecomposeLossPatterns(RewritePatternSet &patterns) {
  patterns.add<DecomposeSoftmaxCrossEntropy>(patterns.getContext());
}
