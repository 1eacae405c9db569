//===- ContractUnitDims.cpp - contractions with one reduction dim --------===//
//
// A vector.contract over several reduction dims of which all but one have
// extent 1 is the same contraction over that one dim: its operands are
// reshaped (vector.shape_cast, free in registers) and the unit dims dropped
// from its indexing maps, so that the outer-product lowering applies. At the
// linalg level the same unit dims cannot be dropped cheaply: the operands
// are strided windows, which a rank-reducing collapse would copy.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/CPU/ContractUnitDims.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/AffineMap.h"
#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;

namespace {

struct DropContractUnitReductionDims : OpRewritePattern<vector::ContractionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::ContractionOp op,
                                PatternRewriter &rewriter) const override {
    if (cast<vector::MaskableOpInterface>(op.getOperation()).isMasked())
      return rewriter.notifyMatchFailure(op, "masked contraction");
    SmallVector<int64_t> bounds;
    op.getIterationBounds(bounds);
    SmallVector<vector::IteratorType> iterators = op.getIteratorTypesArray();
    SmallVector<unsigned> reductions, wide;
    for (auto [d, it] : llvm::enumerate(iterators)) {
      if (it != vector::IteratorType::reduction)
        continue;
      reductions.push_back(d);
      if (bounds[d] != 1)
        wide.push_back(d);
    }
    if (reductions.size() < 2 || wide.size() > 1)
      return rewriter.notifyMatchFailure(op, "expects several reduction dims, all but one unit");
    unsigned keep = wide.empty() ? reductions.back() : wide.front();
    unsigned numDims = iterators.size();
    llvm::SmallBitVector dropped(numDims);
    for (unsigned d : reductions)
      if (d != keep)
        dropped.set(d);

    MLIRContext *ctx = op.getContext();
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    // An operand and its map without the dropped dims.
    auto shrink = [&](Value v, AffineMap map) -> FailureOr<std::pair<Value, AffineMap>> {
      auto type = dyn_cast<VectorType>(v.getType());
      if (!type || type.isScalable())
        return failure();
      SmallVector<int64_t> shape;
      SmallVector<AffineExpr> exprs;
      for (auto [i, e] : llvm::enumerate(map.getResults())) {
        auto dim = dyn_cast<AffineDimExpr>(e);
        if (dim && dropped.test(dim.getPosition()))
          continue;
        shape.push_back(type.getDimSize(i));
        exprs.push_back(e);
      }
      AffineMap shrunk = compressDims(AffineMap::get(numDims, 0, exprs, ctx), dropped);
      if (shape.size() == static_cast<size_t>(type.getRank()))
        return std::make_pair(v, shrunk);
      Value cast = rewriter.create<vector::ShapeCastOp>(
          op.getLoc(), VectorType::get(shape, type.getElementType()), v);
      return std::make_pair(cast, shrunk);
    };
    FailureOr<std::pair<Value, AffineMap>> lhs = shrink(op.getLhs(), maps[0]);
    FailureOr<std::pair<Value, AffineMap>> rhs = shrink(op.getRhs(), maps[1]);
    if (failed(lhs) || failed(rhs))
      return rewriter.notifyMatchFailure(op, "expects fixed-size vector operands");
    AffineMap accMap = compressDims(maps[2], dropped);
    SmallVector<Attribute> kept;
    for (auto [d, attr] : llvm::enumerate(op.getIteratorTypes()))
      if (!dropped.test(d))
        kept.push_back(attr);
    rewriter.replaceOpWithNewOp<vector::ContractionOp>(
        op, lhs->first, rhs->first, op.getAcc(),
        rewriter.getAffineMapArrayAttr({lhs->second, rhs->second, accMap}),
        rewriter.getArrayAttr(kept), op.getKind());
    return success();
  }
};

} // namespace

void kiln::cpu::populateDropContractUnitReductionDimsPatterns(RewritePatternSet &patterns) {
  patterns.add<DropContractUnitReductionDims>(patterns.getContext());
}
