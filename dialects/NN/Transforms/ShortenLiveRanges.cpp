//===- ShortenLiveRanges.cpp - compute values just before they are needed -===//
//
// nn-shorten-live-ranges: an op whose result is first needed much later (a
// training step's backward computes the gradient of a residual branch long
// before it is added to the other branch's) holds its buffer all the while.
// Moving the op, with the producers only it uses, down to just before that
// first user frees those bytes in between, at the cost of keeping their
// inputs that long. Ops are pure, so any order that keeps each value before
// its uses computes the same numbers.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

namespace kiln::nn {
#define GEN_PASS_DEF_NNSHORTENLIVERANGESPASS
#include "dialects/NN/Transforms/Passes.h.inc"
} // namespace kiln::nn

using namespace mlir;

namespace {

/// Bytes of a statically shaped tensor value, 0 for other values, -1 for a
/// tensor of unknown size.
int64_t tensorBytes(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type)
    return isa<TensorType>(v.getType()) ? -1 : 0;
  if (!type.hasStaticShape() || !type.getElementType().isIntOrFloat())
    return -1;
  return type.getNumElements() *
         std::max<int64_t>(1, (type.getElementType().getIntOrFloatBitWidth() + 7) / 8);
}

/// Whether `op`'s result is its operand's buffer seen in another shape (a
/// view once bufferized), so that it takes no bytes of its own.
bool isView(Operation *op) { return isa<kiln::nn::ReshapeOp, kiln::nn::FlattenOp>(op); }

/// The value whose buffer `v` is: through views.
Value bufferOf(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (!isView(def))
      break;
    v = def->getOperand(0);
  }
  return v;
}

/// Whether `op`'s result is surely a buffer of its own once lowered: the
/// kernels and copies elementwise fusion does not fold into their users
/// (an elementwise op or a slice often ends up inside its consumer's loop).
bool materializes(Operation *op) {
  using namespace kiln::nn;
  return isa<ConvOp, ConvTransposeOp, ConcatOp, PadOp, TransposeOp, EinsumOp, MatMulOp, GemmOp>(
      op);
}

/// Whether `op` may move within its block: no memory effects, no regions,
/// not a terminator, results to move for, and not a constant (constants
/// become read-only data, not buffers).
bool isMovable(Operation *op) {
  return op->getNumResults() > 0 && op->getNumRegions() == 0 &&
         !op->hasTrait<OpTrait::IsTerminator>() && isMemoryEffectFree(op) &&
         !matchPattern(op, m_Constant());
}

struct Sinker {
  Block &block;

  /// The op of the block that holds `user`.
  Operation *holder(Operation *user) { return block.findAncestorOpInBlock(*user); }

  /// The first op of the block that uses a result of one of `ops` and is
  /// not among them.
  Operation *firstUserOutside(const llvm::SetVector<Operation *> &ops) {
    Operation *first = nullptr;
    for (Operation *op : ops)
      for (Operation *user : op->getUsers()) {
        Operation *h = holder(user);
        if (!h)
          return nullptr;
        if (!ops.contains(h) && (!first || h->isBeforeInBlock(first)))
          first = h;
      }
    return first;
  }

  /// Whether `buffer` or a view of it is used at or after `first` by an op
  /// outside `group`.
  bool usedOutsideFrom(Value buffer, const llvm::SetVector<Operation *> &group,
                       Operation *first) {
    SmallVector<Value> worklist{buffer};
    while (!worklist.empty()) {
      Value v = worklist.pop_back_val();
      for (Operation *user : v.getUsers()) {
        Operation *h = holder(user);
        if (!h || group.contains(h))
          continue;
        if (isView(user)) {
          worklist.push_back(user->getResult(0));
          continue;
        }
        if (!h->isBeforeInBlock(first))
          return true;
      }
    }
    return false;
  }

  /// A group past this many ops is not moved: each op is a root once, so
  /// unbounded groups (a chain of n single-use ops is one group per op)
  /// would make the pass O(n^2) (sixth review, F5).
  static constexpr size_t kMaxGroup = 256;

  /// `root` and, transitively, the movable producers in the block whose
  /// every user is in the group; empty past kMaxGroup ops.
  llvm::SetVector<Operation *> groupOf(Operation *root) {
    llvm::SetVector<Operation *> group;
    group.insert(root);
    for (bool changed = true; changed;) {
      changed = false;
      if (group.size() > kMaxGroup)
        return {};
      for (size_t i = 0; i < group.size() && group.size() <= kMaxGroup; ++i)
        for (Value operand : group[i]->getOperands()) {
          Operation *def = operand.getDefiningOp();
          if (!def || def->getBlock() != &block || group.contains(def) || !isMovable(def))
            continue;
          if (llvm::all_of(def->getUsers(),
                           [&](Operation *user) { return group.contains(holder(user)); })) {
            group.insert(def);
            changed = true;
          }
        }
    }
    return group;
  }

  /// Moves `root`'s group to just before the group's first user when that
  /// frees more bytes than it keeps: the group's results are then made
  /// there, and the inputs from outside the group whose last use was before
  /// it stay live up to there.
  void trySink(Operation *root) {
    llvm::SetVector<Operation *> group = groupOf(root);
    if (group.empty())
      return;
    Operation *first = firstUserOutside(group);
    if (!first)
      return;
    // Already just before it?
    Operation *before = first->getPrevNode();
    size_t inPlace = 0;
    while (before && group.contains(before)) {
      ++inPlace;
      before = before->getPrevNode();
    }
    if (inPlace == group.size())
      return;
    int64_t freed = 0, kept = 0;
    for (Operation *op : group) {
      if (!op->isBeforeInBlock(first))
        return;
      for (Value r : op->getResults()) {
        int64_t bytes = tensorBytes(r);
        if (bytes < 0)
          return;
        freed += materializes(op) ? bytes : 0;
      }
    }
    llvm::SmallPtrSet<Value, 8> seen;
    for (Operation *op : group)
      for (Value operand : op->getOperands()) {
        Operation *def = operand.getDefiningOp();
        if (def && group.contains(def))
          continue;
        Value buffer = bufferOf(operand);
        def = buffer.getDefiningOp();
        if (!seen.insert(buffer).second || (def && matchPattern(def, m_Constant())))
          continue;
        // Function arguments are the caller's buffers, not the step's.
        if (!def && buffer.getParentBlock() == &block && block.isEntryBlock())
          continue;
        if (usedOutsideFrom(buffer, group, first))
          continue;
        int64_t bytes = tensorBytes(buffer);
        if (bytes < 0)
          return;
        kept += bytes;
      }
    if (kept >= freed)
      return;
    // In their order, which keeps every def before its uses.
    SmallVector<Operation *> ordered(group.begin(), group.end());
    llvm::sort(ordered, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
    for (Operation *op : ordered)
      op->moveBefore(first);
  }

  void run() {
    // From the bottom up, so a group's users have already moved down; each
    // op once as a group's root (it may move again within later groups).
    SmallVector<Operation *> ops;
    for (Operation &op : block)
      ops.push_back(&op);
    for (Operation *op : llvm::reverse(ops))
      if (isMovable(op))
        trySink(op);
  }
};

struct NNShortenLiveRangesPass
    : kiln::nn::impl::NNShortenLiveRangesPassBase<NNShortenLiveRangesPass> {
  void runOnOperation() override {
    for (Block &block : getOperation().getBody())
      Sinker{block}.run();
  }
};

} // namespace
