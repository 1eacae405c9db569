//===- CloneSharedFills.cpp - one empty tensor or fill per user -----------===//
//
// CSE merges equal `tensor.empty` ops and equal fills (a linalg.fill, or the
// loop nest that tiling made of one), so one value ends up as the
// destination of many kernels across a whole training step. One-Shot
// Bufferize then gives that value one buffer: a fill stays live from its
// first user to its last and every user writes into a copy of it, and the
// kernels that share an empty tensor write one after another into the same
// allocation, whose live range for kiln-plan-memory then spans them all.
// Giving each user its own empty tensor, or its own fill right before it,
// leaves every buffer live only while its value is, for the planner to
// place.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Common/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/MapVector.h"

namespace kiln {
#define GEN_PASS_DEF_CLONESHAREDFILLSPASS
#include "compiler/Codegen/Common/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

bool isTensor(Value v) { return isa<TensorType>(v.getType()); }

/// Whether `op` and the ops in it have no memory effects. As
/// isMemoryEffectFree, but `tensor.parallel_insert_slice` (value semantics,
/// and no effects declared in MLIR 19) counts as free, so a tiled fill does.
bool hasNoMemoryEffects(Operation *op) {
  return !op->walk([](Operation *inner) {
              if (isa<tensor::ParallelInsertSliceOp>(inner))
                return WalkResult::advance();
              if (auto effects = dyn_cast<MemoryEffectOpInterface>(inner))
                return effects.hasNoEffect() ? WalkResult::advance() : WalkResult::interrupt();
              return inner->hasTrait<OpTrait::HasRecursiveMemoryEffects>()
                         ? WalkResult::advance()
                         : WalkResult::interrupt();
            }).wasInterrupted();
}

/// Whether `op` computes its tensors from scalars alone: it has no memory
/// effects, its tensor operands are empty tensors, and its regions read no
/// tensor from outside. Such an op (a fill, tiled or not) costs one write of
/// its result, what a copy of that result would cost too.
bool isFillLike(Operation *op) {
  if (op->getNumResults() == 0 || !llvm::all_of(op->getResults(), isTensor) ||
      !hasNoMemoryEffects(op))
    return false;
  for (Value operand : op->getOperands())
    if (isTensor(operand) && !operand.getDefiningOp<tensor::EmptyOp>())
      return false;
  bool capturesTensor = false;
  op->walk([&](Operation *inner) {
    if (inner == op)
      return;
    for (Value v : inner->getOperands())
      if (isTensor(v) && !op->isAncestor(v.getParentRegion()->getParentOp()))
        capturesTensor = true;
  });
  return !capturesTensor;
}

/// The uses of `op`'s results grouped by the op of `op`'s block that holds
/// each user, in block order.
llvm::MapVector<Operation *, SmallVector<OpOperand *>> usesByHolder(Operation *op) {
  SmallVector<std::pair<Operation *, OpOperand *>> uses;
  for (OpResult r : op->getResults())
    for (OpOperand &use : r.getUses())
      if (Operation *holder = op->getBlock()->findAncestorOpInBlock(*use.getOwner()))
        uses.push_back({holder, &use});
  llvm::stable_sort(uses, [](auto &a, auto &b) {
    return a.first != b.first && a.first->isBeforeInBlock(b.first);
  });
  llvm::MapVector<Operation *, SmallVector<OpOperand *>> groups;
  for (auto [holder, use] : uses)
    groups[holder].push_back(use);
  return groups;
}

/// Keeps `op` for the first op of its block that uses it and gives every
/// later one a clone of `op` (and of the empty tensors it writes into) right
/// before it. The clones' operands dominate `op`, hence every later holder.
void cloneForEachHolder(Operation *op) {
  auto groups = usesByHolder(op);
  if (groups.size() < 2)
    return;
  OpBuilder b(op->getContext());
  for (auto &[holder, uses] : llvm::drop_begin(groups)) {
    b.setInsertionPoint(holder);
    IRMapping mapping;
    for (Value operand : op->getOperands())
      if (auto empty = operand.getDefiningOp<tensor::EmptyOp>())
        mapping.map(operand, b.clone(*empty)->getResult(0));
    Operation *clone = b.clone(*op, mapping);
    for (OpOperand *use : uses)
      use->set(clone->getResult(cast<OpResult>(use->get()).getResultNumber()));
  }
}

struct CloneSharedFillsPass : kiln::impl::CloneSharedFillsPassBase<CloneSharedFillsPass> {
  void runOnOperation() override {
    SmallVector<Operation *> fills, empties;
    getOperation().walk([&](Operation *op) {
      if (isa<tensor::EmptyOp>(op))
        empties.push_back(op);
      else if (isFillLike(op))
        fills.push_back(op);
    });
    // Fills first: their clones take empty tensors of their own.
    for (Operation *op : fills)
      cloneForEachHolder(op);
    for (Operation *op : empties)
      cloneForEachHolder(op);
  }
};

} // namespace
