//===- FuseElementwise.cpp - elementwise fusion that spares reductions ----===//

#include "compiler/Codegen/Common/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
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
/// static loops, at least one reduction loop, projected-permutation maps
/// (broadcast unit dims read at 0 allowed: batch norm's per-channel
/// statistics), one result, and no contraction (which keeps its own
/// strategy).
bool isMergeableReduction(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() == 0 ||
      llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic) ||
      !llvm::all_of(op.getIndexingMapsArray(), [](AffineMap m) {
        return m.isProjectedPermutation(/*allowZeroInResults=*/true);
      }))
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

//===----------------------------------------------------------------------===//
// Cheap producers computed again in each consumer
//===----------------------------------------------------------------------===//

/// A producer cloned into its consumers has at most this many ops in its body.
constexpr size_t kMaxClonedBodyOps = 8;

/// A fused body stops growing at this many ops: each fusion clones both
/// bodies, so a chain of n elementwise nodes fused into one would cost
/// O(n^2) (10^4 nodes took minutes; sixth review, F5).
constexpr size_t kMaxFusedOps = 128;

/// Whether `op` is cheap to compute again wherever its result is read: an
/// elementwise generic (static, all loops parallel, one result, its init
/// not read) of at most kMaxClonedBodyOps arith ops, none a division, that
/// reads at most one input of its own size (the others broadcast:
/// per-channel statistics). Computed
/// in each consumer, it reads that one input again instead of writing its
/// result and reading it back.
bool isCheapElementwise(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 || op.getNumLoops() == 0 ||
      op.getNumLoops() != op.getNumParallelLoops() ||
      llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic) ||
      op.payloadUsesValueFromOperand(op.getDpsInitOperand(0)) ||
      op.getBody()->getOperations().size() > kMaxClonedBodyOps + 1 ||
      !op.getBody()->getOps<tensor::ExtractOp>().empty() ||
      !op.getIndexingMapMatchingResult(op->getResult(0)).isPermutation())
    return false;
  int64_t fullSize = llvm::count_if(op.getDpsInputOperands(), [&](OpOperand *in) {
    return op.getMatchingIndexingMap(in).isPermutation();
  });
  // Only arithmetic that costs about a load: no math functions (softmax's
  // exp, computed again for its sum and its quotient, slowed a transformer
  // encoder by 6%), no divisions.
  bool cheapBody = llvm::all_of(op.getBody()->without_terminator(), [](Operation &inner) {
    return isa<arith::ArithDialect>(inner.getDialect()) &&
           !isa<arith::DivFOp, arith::RemFOp, arith::DivSIOp, arith::DivUIOp, arith::RemSIOp,
                arith::RemUIOp, arith::CeilDivSIOp, arith::CeilDivUIOp, arith::FloorDivSIOp>(
               inner);
  });
  return fullSize <= 1 && cheapBody;
}

/// Whether the use `use` could take its producer fused in, computing each
/// element once: an input of a generic with parallel loops only, or of a
/// reduction (not a contraction with row or column dims) that reads it
/// through a permutation map; or a reshape whose every use is such.
bool takesProducerElementwise(OpOperand &use) {
  Operation *user = use.getOwner();
  if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(user))
    return !user->getResult(0).use_empty() &&
           llvm::all_of(user->getResult(0).getUses(),
                        [](OpOperand &u) { return takesProducerElementwise(u); });
  // A consumer near kMaxFusedOps would not take the clone, which would then
  // be written out once per use.
  auto consumer = dyn_cast<linalg::GenericOp>(user);
  if (!consumer || !consumer.isDpsInput(&use) ||
      !consumer.getMatchingIndexingMap(&use).isPermutation() ||
      consumer.getBody()->getOperations().size() + kMaxClonedBodyOps + 1 > kMaxFusedOps)
    return false;
  return consumer.getNumLoops() == consumer.getNumParallelLoops() ||
         isMergeableReduction(consumer);
}

/// Gives each use of a cheap elementwise producer (isCheapElementwise) a
/// clone of its own when every use can take it in
/// (takesProducerElementwise), so single-use fusion leaves nothing of it
/// written out: batch norm's `x - mean` feeds the variance and the
/// normalized output, and `x_hat` the output and the backward's sums.
/// Upstream fusion of a producer with other uses keeps it as a result of
/// the fused op, written out as before. Returns whether anything changed.
bool clonePerUse(func::FuncOp func) {
  SmallVector<linalg::GenericOp> producers;
  func.walk([&](linalg::GenericOp op) {
    if (!op->hasOneUse() && !op->use_empty() && isCheapElementwise(op) &&
        llvm::all_of(op->getResult(0).getUses(),
                     [](OpOperand &u) { return takesProducerElementwise(u); }))
      producers.push_back(op);
  });
  OpBuilder builder(func.getContext());
  for (linalg::GenericOp op : producers) {
    SmallVector<OpOperand *> uses;
    for (OpOperand &use : op->getResult(0).getUses())
      uses.push_back(&use);
    builder.setInsertionPoint(op);
    for (OpOperand *use : llvm::drop_begin(uses))
      use->set(builder.clone(*op)->getResult(0));
  }
  return !producers.empty();
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
    auto bodySize = [](linalg::LinalgOp op) {
      return op->getNumRegions() == 1 && !op->getRegion(0).empty()
                 ? op->getRegion(0).front().getOperations().size()
                 : 0;
    };
    auto computesOnce = [singleUse, bodySize](OpOperand *operand) {
      auto consumer = dyn_cast<linalg::LinalgOp>(operand->getOwner());
      auto producer = dyn_cast_or_null<linalg::LinalgOp>(operand->get().getDefiningOp());
      if (producer && producer.getNumLoops() == 0 && consumer && consumer.getNumLoops() > 0)
        return false;
      if (producer && consumer && bodySize(producer) + bodySize(consumer) > kMaxFusedOps)
        return false;
      if (!singleUse(operand) || !consumer)
        return false;
      if (consumer.getNumLoops() == consumer.getNumParallelLoops())
        return true;
      // A reduction (not a contraction with row or column dims) that reads
      // the producer element for element computes it once per element, as
      // the producer would: batch norm's sum of (x - mean)^2 no longer
      // writes the squares out.
      auto reduction = dyn_cast<linalg::GenericOp>(operand->getOwner());
      return producer && producer.getNumLoops() == producer.getNumParallelLoops() &&
             reduction && isMergeableReduction(reduction) &&
             reduction.getMatchingIndexingMap(operand).isPermutation();
    };
    RewritePatternSet patterns(ctx);
    linalg::populateElementwiseOpsFusionPatterns(patterns, computesOnce);
    // Reshapes are not moved into reductions (contractions still take
    // them, e.g. a batch matmul's collapsed batch dims): an expand_shape of a
    // reduction's result (batch norm's kept dims) moved into it expands its
    // input too, and that reshape, between the reduction and an elementwise
    // producer with broadcast operands (which do not expand), kept the
    // producer out.
    auto reshapeFolds = [singleUse](OpOperand *operand) {
      auto isReduction = [](Operation *op) {
        auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
        if (!linalgOp || linalgOp.getNumReductionLoops() == 0)
          return false;
        if (!linalg::isaContractionOpInterface(linalgOp))
          return true;
        FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(linalgOp);
        return succeeded(dims) && dims->m.empty() && dims->n.empty();
      };
      return singleUse(operand) && !isReduction(operand->getOwner()) &&
             !isReduction(operand->get().getDefiningOp());
    };
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, reshapeFolds);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    ctx->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, singleUse);
    FrozenRewritePatternSet frozen(std::move(patterns));
    // Fusion makes new cheap producers with several uses (a fused chain):
    // clone and fuse again, a few rounds at most.
    constexpr int kCloneRounds = 3;
    for (int round = 0; round <= kCloneRounds; ++round) {
      if (failed(applyPatternsAndFoldGreedily(getOperation(), frozen)))
        return signalPassFailure();
      if (round == kCloneRounds || !clonePerUse(getOperation()))
        break;
    }
    mergeSiblingReductions(getOperation());
  }
};
} // namespace
