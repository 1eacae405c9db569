//===- FuseElementwise.cpp - elementwise fusion that spares reductions ----===//

#include "compiler/Codegen/Common/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_FUSEELEMENTWISEPASS
#include "compiler/Codegen/Common/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

//===----------------------------------------------------------------------===//
// Sibling reductions
//===----------------------------------------------------------------------===//

/// A reduction that may share its loops with a sibling: a generic with
/// static loops, at least one reduction loop, projected-permutation maps, one
/// result, and no contraction (which keeps its own strategy).
bool isMergeableReduction(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() == 0 ||
      llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic) ||
      !llvm::all_of(op.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isProjectedPermutation(); }))
    return false;
  // A product summed along a dim both operands share (sum(dy * x_hat)) has
  // the contraction's body but no row or column dims: a reduction.
  if (!linalg::isaContractionOpInterface(op))
    return true;
  FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
  return succeeded(dims) && dims->m.empty() && dims->n.empty();
}

/// Same loops, iterators and result map: one loop nest can compute both.
bool sameLoops(linalg::GenericOp a, linalg::GenericOp b) {
  return a.getStaticLoopRanges() == b.getStaticLoopRanges() &&
         a.getIteratorTypesArray() == b.getIteratorTypesArray() &&
         a.getIndexingMapMatchingResult(a->getResult(0)) ==
             b.getIndexingMapMatchingResult(b->getResult(0));
}

/// Whether `a` and `b` read some value through the same map.
bool shareInput(linalg::GenericOp a, linalg::GenericOp b) {
  for (OpOperand *x : a.getDpsInputOperands())
    for (OpOperand *y : b.getDpsInputOperands())
      if (x->get() == y->get() &&
          a.getMatchingIndexingMap(x) == b.getMatchingIndexingMap(y))
        return true;
  return false;
}

/// Fuses into `reduction` the elementwise producer of one of its inputs when
/// that producer has no other use, is read element for element (a
/// permutation map: nothing is computed twice), and reads something
/// `sibling` reads too; returns the fused op.
FailureOr<linalg::GenericOp> fuseSharedProducer(RewriterBase &rewriter,
                                                linalg::GenericOp reduction,
                                                linalg::GenericOp sibling) {
  for (OpOperand *operand : reduction.getDpsInputOperands()) {
    auto producer = operand->get().getDefiningOp<linalg::GenericOp>();
    if (!producer || !producer->hasOneUse() ||
        producer.getNumLoops() != producer.getNumParallelLoops() ||
        !reduction.getMatchingIndexingMap(operand).isPermutation())
      continue;
    bool shared = llvm::any_of(producer.getDpsInputOperands(), [&](OpOperand *in) {
      return llvm::any_of(sibling.getDpsInputOperands(),
                          [&](OpOperand *s) { return s->get() == in->get(); });
    });
    if (!shared || !linalg::areElementwiseOpsFusable(operand))
      continue;
    // The fused op is built at the insertion point.
    rewriter.setInsertionPoint(reduction);
    FailureOr<linalg::ElementwiseOpFusionResult> fused =
        linalg::fuseElementwiseOps(rewriter, operand);
    if (failed(fused))
      continue;
    auto op = cast<linalg::GenericOp>(fused->fusedOp);

    // The consumer's result comes last (the producer had no other use, so
    // none of its results is kept).
    rewriter.replaceOp(reduction, op->getResults().back());
    rewriter.eraseOp(producer);
    return op;
  }
  return failure();
}

/// Moves the ops of `later`'s block that `later` depends on and that come
/// after `earlier` to just before `earlier`, so that an op built at
/// `earlier` can read what `later` reads. Fails when `later` depends on
/// `earlier` or on an op with side effects.
LogicalResult hoistDependencies(Operation *later, Operation *earlier) {
  Block *block = earlier->getBlock();
  llvm::SetVector<Operation *> moved;
  SmallVector<Operation *> worklist{later};
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    bool ok = true;
    op->walk([&](Operation *inner) {
      for (Value v : inner->getOperands()) {
        Operation *def = v.getDefiningOp();
        if (!def || def->getBlock() != block || def->isBeforeInBlock(earlier))
          continue;
        if (def == earlier || !isMemoryEffectFree(def)) {
          ok = false;
          return WalkResult::interrupt();
        }
        if (moved.insert(def))
          worklist.push_back(def);
      }
      return WalkResult::advance();
    });
    if (!ok)
      return failure();
  }
  SmallVector<Operation *> order(moved.begin(), moved.end());
  llvm::sort(order, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  for (Operation *op : order)
    op->moveBefore(earlier);
  return success();
}

/// One generic computing both reductions, built at `first`: its inputs are
/// both ops' inputs (those read through the same map once), its results
/// `first`'s then `second`'s.
void mergeReductions(RewriterBase &rewriter, linalg::GenericOp first,
                     linalg::GenericOp second) {
  rewriter.setInsertionPoint(first);
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  auto inputIndex = [&](OpOperand *operand, linalg::GenericOp op) {
    AffineMap map = op.getMatchingIndexingMap(operand);
    for (auto [k, v] : llvm::enumerate(inputs))
      if (v == operand->get() && maps[k] == map)
        return k;
    inputs.push_back(operand->get());
    maps.push_back(map);
    return inputs.size() - 1;
  };
  SmallVector<size_t> firstInputs, secondInputs;
  for (OpOperand *operand : first.getDpsInputOperands())
    firstInputs.push_back(inputIndex(operand, first));
  for (OpOperand *operand : second.getDpsInputOperands())
    secondInputs.push_back(inputIndex(operand, second));
  Value firstInit = first.getDpsInitOperand(0)->get();
  Value secondInit = second.getDpsInitOperand(0)->get();
  // Two results written into one tensor would bufferize to a copy: the
  // second gets a fill (a linalg.fill, or a generic with no input) of an
  // empty tensor of its own.
  if (secondInit == firstInit) {
    Operation *def = secondInit.getDefiningOp();
    if (def && isa<tensor::EmptyOp>(def)) {
      secondInit = rewriter.clone(*def)->getResult(0);
    } else if (auto fill = dyn_cast_or_null<linalg::LinalgOp>(def);
               fill && fill->getNumResults() == 1 && fill.getNumDpsInits() == 1 &&
               (isa<linalg::FillOp>(def) || fill.getNumDpsInputs() == 0)) {
      if (auto empty = fill.getDpsInitOperand(0)->get().getDefiningOp<tensor::EmptyOp>()) {
        IRMapping mapping;
        mapping.map(empty.getResult(), rewriter.clone(*empty)->getResult(0));
        secondInit = rewriter.clone(*def, mapping)->getResult(0);
      }
    }
  }
  maps.push_back(first.getMatchingIndexingMap(first.getDpsInitOperand(0)));
  maps.push_back(second.getMatchingIndexingMap(second.getDpsInitOperand(0)));
  size_t numInputs = inputs.size();
  auto merged = rewriter.create<linalg::GenericOp>(
      first.getLoc(), TypeRange{first->getResultTypes()[0], second->getResultTypes()[0]},
      inputs, ValueRange{firstInit, secondInit}, maps, first.getIteratorTypesArray(),
      [&](OpBuilder &b, Location loc, ValueRange args) {
        SmallVector<Value> yielded;
        auto inline_ = [&](linalg::GenericOp op, ArrayRef<size_t> inputMap, size_t init) {
          IRMapping mapping;
          Block *body = op.getBody();
          for (auto [k, index] : llvm::enumerate(inputMap))
            mapping.map(body->getArgument(k), args[index]);
          mapping.map(body->getArgument(inputMap.size()), args[numInputs + init]);
          for (Operation &inner : body->without_terminator())
            b.clone(inner, mapping);
          yielded.push_back(mapping.lookupOrDefault(body->getTerminator()->getOperand(0)));
        };
        inline_(first, firstInputs, 0);
        inline_(second, secondInputs, 1);
        b.create<linalg::YieldOp>(loc, yielded);
      });
  rewriter.replaceOp(first, merged->getResult(0));
  rewriter.replaceOp(second, merged->getResult(1));
}

/// Batch norm's and layer norm's backward sum dy and dy * x_hat over the
/// same dims: two reductions over one loop nest read dy once, and dy * x_hat
/// is never written out.
void mergeSiblingReductions(func::FuncOp func) {
  IRRewriter rewriter(func.getContext());
  // Reshape folding gave each consumer its own expand_shape of a shared
  // value: one value again, so that siblings see what they share.
  DominanceInfo dominance;
  eliminateCommonSubExpressions(rewriter, dominance, func);
  bool changed = true;
  while (changed) {
    changed = false;
    SmallVector<linalg::GenericOp> reductions;
    func.walk([&](linalg::GenericOp op) {
      if (isMergeableReduction(op))
        reductions.push_back(op);
    });
    for (size_t i = 0; i < reductions.size() && !changed; ++i) {
      for (size_t j = 0; j < reductions.size() && !changed; ++j) {
        linalg::GenericOp first = reductions[i], second = reductions[j];
        if (i == j || first->getBlock() != second->getBlock() ||
            !first->isBeforeInBlock(second) || !sameLoops(first, second))
          continue;
        if (!shareInput(first, second)) {
          FailureOr<linalg::GenericOp> fused = fuseSharedProducer(rewriter, second, first);
          if (failed(fused))
            continue;
          second = *fused;
          changed = true;
          if (!isMergeableReduction(second) || !shareInput(first, second))
            continue;
        }
        if (failed(hoistDependencies(second, first)))
          continue;
        mergeReductions(rewriter, first, second);
        changed = true;
      }
    }
  }
}

struct FuseElementwisePass : kiln::impl::FuseElementwisePassBase<FuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    auto singleUse = [](OpOperand *operand) {
      Operation *producer = operand->get().getDefiningOp();
      return producer && producer->hasOneUse();
    };
    // A rank-0 producer (a scalar computed once, such as Adam's bias
    // corrections) stays out of a consumer with loops, which would compute
    // it again for every element.
    // A fused body stops growing at kMaxFusedOps: each fusion clones both
    // bodies, so a chain of n elementwise nodes fused into one would cost
    // O(n^2) (10^4 nodes took minutes; sixth review, F5).
    constexpr size_t kMaxFusedOps = 128;
    auto bodySize = [](linalg::LinalgOp op) {
      return op->getNumRegions() == 1 && !op->getRegion(0).empty()
                 ? op->getRegion(0).front().getOperations().size()
                 : 0;
    };
    auto intoParallelOnly = [singleUse, bodySize](OpOperand *operand) {
      auto consumer = dyn_cast<linalg::LinalgOp>(operand->getOwner());
      auto producer = dyn_cast_or_null<linalg::LinalgOp>(operand->get().getDefiningOp());
      if (producer && producer.getNumLoops() == 0 && consumer && consumer.getNumLoops() > 0)
        return false;
      if (producer && consumer && bodySize(producer) + bodySize(consumer) > kMaxFusedOps)
        return false;
      return singleUse(operand) && consumer &&
             consumer.getNumLoops() == consumer.getNumParallelLoops();
    };
    RewritePatternSet patterns(ctx);
    linalg::populateElementwiseOpsFusionPatterns(patterns, intoParallelOnly);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, singleUse);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    ctx->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, singleUse);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    mergeSiblingReductions(getOperation());
  }
};
} // namespace
