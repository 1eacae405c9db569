//===- Decompose.cpp - nn-decompose: semantic ops to primitive nn ops ----===//
//
// The patterns live in one file per op family (Decompose<Family>.cpp); this
// file runs them and reports what could not be decomposed.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln::nn {
#define GEN_PASS_DEF_NNDECOMPOSEPASS
#include "dialects/NN/Transforms/Passes.h.inc"
} // namespace kiln::nn

using namespace mlir;
using namespace kiln::nn;

void kiln::nn::populateNNDecomposePatterns(RewritePatternSet &patterns) {
  populateNNDecomposeConvPoolPatterns(patterns);
  populateNNDecomposeDataMovementPatterns(patterns);
  populateNNDecomposeLossPatterns(patterns);
  populateNNDecomposeNormalizationPatterns(patterns);
  populateNNDecomposeReductionPatterns(patterns);
  populateNNDecomposeRecurrentPatterns(patterns);
  populateNNDecomposeQuantizedPatterns(patterns);
  populateNNDecomposeTrainingPatterns(patterns);
}

namespace {
struct NNDecomposePass : kiln::nn::impl::NNDecomposePassBase<NNDecomposePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateNNDecomposePatterns(patterns);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // Every pattern decomposes its op unless a shape it needs is dynamic.
    bool left = false;
    getOperation()->walk([&](Operation *op) {
      if (!isa<LayerNormOp, InstanceNormOp, LRNOp, MeanVarianceNormOp, HardmaxOp, ConvTransposeOp,
               ResizeOp, ReduceL1Op, ReduceL2Op, ReduceSumSquareOp, ReduceLogSumOp,
               ReduceLogSumExpOp, SoftmaxCrossEntropyOp, LSTMOp, GRUOp, RNNOp>(op))
        return;
      op->emitOpError("expects static shapes to be decomposed into primitive nn ops, found ")
          << op->getOperandTypes();
      left = true;
    });
    if (left)
      signalPassFailure();
  }
};
} // namespace
