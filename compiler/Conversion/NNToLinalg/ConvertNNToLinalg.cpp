//===- ConvertNNToLinalg.cpp - the convert-nn-to-linalg pass -------------===//
//
// Lowers every nn op to linalg/tensor/arith/math on tensors with the
// patterns of each op family (one file per family in this folder). Dynamic
// sizes become tensor.dim and index arithmetic (the ops' reified shapes), and
// what the types cannot promise (operands that must agree or broadcast) a
// cf.assert naming the node; a static shape builds the same fixed set of
// upstream ops as before, with no check.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NNToLinalg/NNToLinalg.h"
#include "compiler/Conversion/Passes.h"
#include "dialects/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_CONVERTNNTOLINALGPASS
#include "compiler/Conversion/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;
using namespace kiln::nn;

void kiln::populateNNToLinalgPatterns(RewritePatternSet &patterns) {
  populateNNToLinalgElementwisePatterns(patterns);
  populateNNToLinalgContractionPatterns(patterns);
  populateNNToLinalgConvPoolPatterns(patterns);
  populateNNToLinalgNormalizationPatterns(patterns);
  populateNNToLinalgReductionPatterns(patterns);
  populateNNToLinalgDataMovementPatterns(patterns);
  populateNNToLinalgLossPatterns(patterns);
  populateNNToLinalgShapeOperandPatterns(patterns);
  populateNNToLinalgSamplingPatterns(patterns);
  populateNNToLinalgIndexingPatterns(patterns);
  populateNNToLinalgTrainingPatterns(patterns);
  populateNNToLinalgLinearAlgebraPatterns(patterns);
}

namespace {

/// Ops whose lowering needs a size at compile time that a dynamic dimension
/// hides: average pooling over dynamic spatial dimensions (its divisors are
/// computed at compile time), max pooling over them in ceil mode (so is its
/// extra padding), 3-D windows, a dynamic weight,
/// tiling a dynamic dimension (an indexing map cannot take `i mod size` of a
/// run-time size), and losses over a dynamic class count.
bool needsStaticSizes(Operation *op) {
  auto dynamicAt = [](Value v, int64_t from) {
    auto t = cast<RankedTensorType>(v.getType());
    for (int64_t d = from; d < t.getRank(); ++d)
      if (t.isDynamicDim(d))
        return true;
    return false;
  };
  if (isa<ConvOp, MaxPoolOp, AveragePoolOp>(op)) {
    Value in = op->getOperand(0);
    if (cast<RankedTensorType>(in.getType()).getRank() == 5)
      return dynamicAt(in, 0) || dynamicAt(op->getResult(0), 0);
    if (auto conv = dyn_cast<ConvOp>(op))
      return dynamicAt(conv.getWeight(), 0);
    if (auto pool = dyn_cast<MaxPoolOp>(op))
      return pool.getCeilMode() && dynamicAt(in, 2);
    return dynamicAt(in, 2);
  }
  if (auto tile = dyn_cast<TileOp>(op))
    return llvm::any_of(llvm::enumerate(tile.getRepeats()), [&](auto e) {
      return e.value() != 1 && tile.getInput().getType().isDynamicDim(e.index());
    });
  if (auto loss = dyn_cast<NLLLossOp>(op))
    return loss.getInput().getType().isDynamicDim(1);
  // Max pooling's indices are flat positions over the spatial sizes.
  if (auto indices = dyn_cast<MaxPoolIndicesOp>(op))
    return dynamicAt(indices.getInput(), 2);
  if (isa<ResizeOp, GatherNDOp>(op))
    return dynamicAt(op->getOperand(0), 0) || dynamicAt(op->getOperand(1), 0);
  return false;
}

struct ConvertNNToLinalgPass
    : kiln::impl::ConvertNNToLinalgPassBase<ConvertNNToLinalgPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Report every op the lowering cannot take before touching anything.
    bool bad = false;
    module.walk([&](Operation *op) {
      if (!isa<NNDialect>(op->getDialect()))
        return;
      if (!needsStaticSizes(op))
        return;
      op->emitOpError("expects static sizes here for code generation, found ")
          << op->getOperandTypes() << " (specialize symbolic dimensions with --input-shape)";
      bad = true;
    });
    if (bad)
      return signalPassFailure();

    ConversionTarget target(getContext());
    target.addIllegalDialect<NNDialect>();
    target.addLegalDialect<arith::ArithDialect, cf::ControlFlowDialect, linalg::LinalgDialect,
                           math::MathDialect, scf::SCFDialect, tensor::TensorDialect,
                           func::FuncDialect>();
    RewritePatternSet patterns(&getContext());
    populateNNToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      return signalPassFailure();

    // One-shot bufferization in MLIR 19 does not take tensor.concat: upstream's
    // decomposition turns it into inserts into an empty tensor. Only the
    // concats are rewritten (nothing else is folded or moved).
    SmallVector<Operation *> concats;
    module.walk([&](tensor::ConcatOp op) { concats.push_back(op); });
    if (concats.empty())
      return;
    RewritePatternSet decompose(&getContext());
    tensor::populateDecomposeTensorConcatPatterns(decompose);
    GreedyRewriteConfig config;
    config.strictMode = GreedyRewriteStrictness::ExistingOps;
    if (failed(applyOpPatternsAndFold(concats, std::move(decompose), config)))
      signalPassFailure();
  }
};

} // namespace
