//===- LowerVectors.cpp - n-D vector ops to 1-D for the CPU --------------===//
//
// After bufferization: keep accumulators in registers across reduction loops,
// then lower contractions to outer-product FMAs and everything else to the
// 1-D vector ops the LLVM lowering handles well.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorTransforms.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_CPULOWERVECTORSPASS
#include "compiler/Codegen/CPU/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// A contraction whose reduction dims all have size 1 and whose operands are
/// indexed like its accumulator apart from them is an elementwise
/// multiply-add: `acc + lhs * rhs` (vector.fma for floats). Upstream's
/// outer-product lowering does not take it (one parallel dim, or none of a
/// matmul's shape), and its fallback unrolls every parallel dim into
/// scalar dot products: the batch-norm gradient's `sum(dy * x_hat)` block,
/// `vector<1x32> x vector<1x32> into vector<32>`, became 32 scalar
/// multiply-adds with their extracts and inserts.
struct UnitReductionContractToFMA : OpRewritePattern<vector::ContractionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::ContractionOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getKind() != vector::CombiningKind::ADD ||
        cast<vector::MaskableOpInterface>(op.getOperation()).isMasked())
      return failure();
    auto accType = dyn_cast<VectorType>(op.getAccType());
    if (!accType || accType.isScalable())
      return failure();
    SmallVector<int64_t> bounds;
    op.getIterationBounds(bounds);
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    auto isReduction = [&](unsigned d) { return vector::isReductionIterator(op.getIteratorTypes()[d]); };
    for (unsigned d = 0; d < bounds.size(); ++d)
      if (isReduction(d) && bounds[d] != 1)
        return failure();
    // Each operand's results, without the reduction dims, must be the
    // accumulator's, in its order (no broadcast, no permutation).
    ArrayRef<AffineExpr> accResults = maps[2].getResults();
    auto indexedLikeAcc = [&](AffineMap map) {
      SmallVector<AffineExpr> kept;
      for (AffineExpr e : map.getResults()) {
        auto dim = dyn_cast<AffineDimExpr>(e);
        if (!dim)
          return false;
        if (!isReduction(dim.getPosition()))
          kept.push_back(e);
      }
      return ArrayRef<AffineExpr>(kept) == accResults;
    };
    if (!indexedLikeAcc(maps[0]) || !indexedLikeAcc(maps[1]))
      return failure();
    Location loc = op.getLoc();
    Type elem = accType.getElementType();
    auto reshaped = [&](Value v) -> Value {
      auto type = VectorType::get(accType.getShape(), cast<VectorType>(v.getType()).getElementType());
      return v.getType() == type ? v : rewriter.create<vector::ShapeCastOp>(loc, type, v).getResult();
    };
    Value lhs = reshaped(op.getLhs()), rhs = reshaped(op.getRhs());
    if (lhs.getType() != accType || rhs.getType() != accType)
      return failure();
    if (isa<FloatType>(elem)) {
      rewriter.replaceOpWithNewOp<vector::FMAOp>(op, lhs, rhs, op.getAcc());
      return success();
    }
    Value product = rewriter.create<arith::MulIOp>(loc, lhs, rhs);
    rewriter.replaceOpWithNewOp<arith::AddIOp>(op, op.getAcc(), product);
    return success();
  }
};

struct LowerVectorsPass : kiln::impl::CPULowerVectorsPassBase<LowerVectorsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();

    // Masked transfers (the partial tiles of kiln-cpu-tile-and-vectorize)
    // still go through the subviews of their tiles, which keeps the hoisting
    // below off them: a partial column block's accumulator would be loaded
    // and stored at every reduction step. Fold the subviews into their
    // indices. Only masked transfers, so static kernels keep their code.
    {
      SmallVector<Operation *> maskedTransfers;
      func.walk([&](VectorTransferOpInterface xfer) {
        if (xfer.getMask() && isa<MemRefType>(xfer.getShapedType()))
          maskedTransfers.push_back(xfer);
      });
      if (!maskedTransfers.empty()) {
        RewritePatternSet patterns(ctx);
        memref::populateFoldMemRefAliasOpPatterns(patterns);
        GreedyRewriteConfig config;
        config.strictMode = GreedyRewriteStrictness::ExistingAndNewOps;
        if (failed(applyOpPatternsAndFold(maskedTransfers, std::move(patterns), config)))
          return signalPassFailure();
        // The folding gives a read and the write back of one accumulator
        // equal but distinct index computations; the hoisting compares
        // index values.
        IRRewriter rewriter(ctx);
        DominanceInfo dominance(func);
        eliminateCommonSubExpressions(rewriter, dominance, func);
      }
    }

    // Accumulator reads and writes that do not depend on the reduction loop
    // move out of it; the loop then carries the vectors.
    linalg::hoistRedundantVectorTransfers(func);

    auto options = vector::VectorTransformsOptions()
                       .setVectorTransformsOptions(vector::VectorContractLowering::OuterProduct)
                       .setVectorMultiReductionLowering(
                           vector::VectorMultiReductionLowering::InnerReduction)
                       .setVectorTransposeLowering(vector::VectorTransposeLowering::Shuffle1D);

    // Contractions first: they produce transposes, broadcasts and outer
    // products that the second set lowers.
    {
      RewritePatternSet patterns(ctx);
      vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
      patterns.add<UnitReductionContractToFMA>(ctx, /*benefit=*/2);
      vector::populateVectorContractLoweringPatterns(patterns, options);
      vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
      vector::ContractionOp::getCanonicalizationPatterns(patterns, ctx);
      if (failed(applyPatternsAndFoldGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
    {
      RewritePatternSet patterns(ctx);
      vector::populateVectorOuterProductLoweringPatterns(patterns);
      vector::populateVectorMultiReductionLoweringPatterns(
          patterns, options.vectorMultiReductionLowering);
      vector::populateVectorTransposeLoweringPatterns(patterns, options);
      vector::populateVectorBroadcastLoweringPatterns(patterns);
      vector::populateVectorShapeCastLoweringPatterns(patterns);
      vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
      vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
      if (failed(applyPatternsAndFoldGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
    // Vector tanh as arithmetic; scalar tanh stays a libm call.
    {
      SmallVector<Operation *> tanhs;
      func.walk([&](math::TanhOp op) {
        if (isa<VectorType>(op.getType()))
          tanhs.push_back(op);
      });
      if (tanhs.empty())
        return;
      RewritePatternSet patterns(ctx);
      populatePolynomialApproximateTanhPattern(patterns);
      GreedyRewriteConfig config;
      config.strictMode = GreedyRewriteStrictness::ExistingOps;
      if (failed(applyOpPatternsAndFold(tanhs, std::move(patterns), config)))
        return signalPassFailure();
    }
  }
};

} // namespace
