//===- PlanMemory.cpp - intermediate buffers in one planned workspace -----===//
//
// Live ranges are positions in the model function's top-level block; buffers
// whose ranges intersect may not share bytes. Placement is greedy, largest
// buffer first, at the lowest free aligned offset.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Common/ModelABI.h"
#include "compiler/Codegen/Common/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/MapVector.h"

#include <algorithm>

namespace kiln {
#define GEN_PASS_DEF_PLANMEMORYPASS
#include "compiler/Codegen/Common/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

constexpr int64_t kAlignment = 64;

struct Buffer {
  memref::AllocOp alloc;
  int64_t bytes = 0;
  unsigned start = 0, end = 0;
  int64_t offset = -1;
};

/// Bytes of a static, identity-layout buffer of int or float elements, or -1.
int64_t bufferBytes(MemRefType type) {
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() || type.getMemorySpace())
    return -1;
  Type elem = type.getElementType();
  if (!elem.isIntOrFloat())
    return -1;
  int64_t elemBytes = std::max<int64_t>(1, (elem.getIntOrFloatBitWidth() + 7) / 8);
  return type.getNumElements() * elemBytes;
}

/// The last top-level position where `alloc` or a view of it is used, or
/// nothing when the buffer may escape the function (returned, passed to a
/// call, or turned into a memref by an op that is not a view).
std::optional<unsigned> lastUse(memref::AllocOp alloc, Block &body,
                                const DenseMap<Operation *, unsigned> &position) {
  unsigned end = position.lookup(alloc);
  SmallVector<Value> worklist{alloc.getResult()};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      Operation *top = body.findAncestorOpInBlock(*user);
      if (!top || user->hasTrait<OpTrait::ReturnLike>() || isa<CallOpInterface>(user))
        return std::nullopt;
      end = std::max(end, position.lookup(top));
      if (auto view = dyn_cast<ViewLikeOpInterface>(user)) {
        if (view.getViewSource() == value) {
          worklist.push_back(user->getResult(0));
          continue;
        }
      }
      if (llvm::any_of(user->getResultTypes(), [](Type t) { return isa<BaseMemRefType>(t); }))
        return std::nullopt;
    }
  }
  return end;
}

unsigned countAllocs(func::FuncOp func) {
  unsigned count = 0;
  func.walk([&](memref::AllocOp) { ++count; });
  return count;
}

/// Places `buffers` largest first (ties by program order, so the layout is
/// deterministic) at the lowest 64-byte-aligned offset that does not overlap
/// a placed buffer whose live range intersects theirs; returns the bytes of
/// the whole, a multiple of 64.
int64_t place(MutableArrayRef<Buffer> buffers) {
  SmallVector<Buffer *> order;
  for (Buffer &b : buffers)
    order.push_back(&b);
  llvm::sort(order, [](Buffer *a, Buffer *b) {
    return a->bytes != b->bytes ? a->bytes > b->bytes : a->start < b->start;
  });
  int64_t total = 0;
  SmallVector<Buffer *> placed;
  for (Buffer *b : order) {
    SmallVector<std::pair<int64_t, int64_t>> busy;
    for (Buffer *p : placed)
      if (p->start <= b->end && b->start <= p->end)
        busy.push_back({p->offset, p->offset + p->bytes});
    llvm::sort(busy);
    int64_t offset = 0;
    for (auto [lo, hi] : busy) {
      if (offset + b->bytes <= lo)
        break;
      offset = std::max<int64_t>(offset, llvm::alignTo(hi, kAlignment));
    }
    b->offset = offset;
    total = std::max(total, offset + b->bytes);
    placed.push_back(b);
  }
  return static_cast<int64_t>(llvm::alignTo(total, kAlignment));
}

/// For a buffer with exactly one dynamic dim: its bytes per unit of that
/// dim, and the size value; nothing otherwise.
std::optional<std::pair<int64_t, Value>> bytesPerUnit(memref::AllocOp alloc) {
  MemRefType type = alloc.getType();
  if (type.getNumDynamicDims() != 1 || !type.getLayout().isIdentity() ||
      type.getMemorySpace() || !type.getElementType().isIntOrFloat())
    return std::nullopt;
  int64_t bytes = std::max<int64_t>(1, (type.getElementType().getIntOrFloatBitWidth() + 7) / 8);
  for (int64_t size : type.getShape())
    if (!ShapedType::isDynamic(size))
      bytes *= size;
  return std::make_pair(bytes, alloc.getDynamicSizes()[0]);
}

struct PlanMemoryPass : kiln::impl::PlanMemoryPassBase<PlanMemoryPass> {
  /// Places `func`'s buffers in a new workspace argument and returns its bytes,
  /// or 0 (and changes nothing) when there is nothing to plan.
  int64_t planFunction(func::FuncOp func) {
    if (func.isExternal() || !func.getBody().hasOneBlock())
      return 0;
    Block &body = func.getBody().front();

    DenseMap<Operation *, unsigned> position;
    for (auto [i, op] : llvm::enumerate(body))
      position[&op] = i;

    SmallVector<Buffer> buffers;
    llvm::MapVector<Value, SmallVector<Buffer>> scaled;
    for (memref::AllocOp alloc : body.getOps<memref::AllocOp>()) {
      std::optional<unsigned> end = lastUse(alloc, body, position);
      if (!end)
        continue;
      int64_t bytes = bufferBytes(alloc.getType());
      if (bytes >= 0) {
        buffers.push_back({alloc, std::max<int64_t>(bytes, 1), position[alloc], *end});
        continue;
      }
      if (auto unit = bytesPerUnit(alloc))
        scaled[unit->second].push_back(
            {alloc, std::max<int64_t>(unit->first, 1), position[alloc], *end});
    }
    for (auto &[size, group] : scaled)
      planArena(func, size, group);
    if (buffers.empty())
      return 0;

    // What the workspace would take if no two buffers shared bytes.
    for (const Buffer &b : buffers)
      unshared += static_cast<int64_t>(llvm::alignTo(b.bytes, kAlignment));
    int64_t total = place(buffers);

    OpBuilder builder(&getContext());
    auto workspaceType = MemRefType::get({total}, builder.getI8Type());
    unsigned index = func.getNumArguments();
    func.insertArgument(index, workspaceType,
                        builder.getDictionaryAttr(builder.getNamedAttr(
                            "kiln.name", builder.getStringAttr("workspace"))),
                        func.getLoc());
    Value workspace = func.getArgument(index);
    // One constant per distinct offset, at the top of the function.
    DenseMap<int64_t, Value> offsets;
    builder.setInsertionPointToStart(&body);
    for (Buffer &b : buffers)
      if (!offsets.count(b.offset))
        offsets[b.offset] = builder.create<arith::ConstantIndexOp>(func.getLoc(), b.offset);
    for (Buffer &b : buffers) {
      builder.setInsertionPoint(b.alloc);
      Value view = builder.create<memref::ViewOp>(b.alloc.getLoc(), b.alloc.getType(), workspace,
                                                  offsets[b.offset], ValueRange{});
      b.alloc.replaceAllUsesWith(view);
      b.alloc.erase();
    }
    return total;
  }

  /// Buffers whose bytes are the same run-time size times a constant share
  /// one allocation per run: planned for a size of 1 (offsets and live
  /// ranges as for the workspace), then every offset and the total scaled by
  /// the size, which keeps them apart. One allocation instead of one per
  /// buffer, and the same bytes again on the next run, which malloc hands
  /// back without fresh page faults.
  void planArena(func::FuncOp func, Value size, MutableArrayRef<Buffer> group) {
    if (group.size() < 2)
      return;
    int64_t unitTotal = place(group);
    Location loc = func.getLoc();
    OpBuilder b(&getContext());
    if (Operation *def = size.getDefiningOp())
      b.setInsertionPointAfter(def);
    else
      b.setInsertionPointToStart(&func.getBody().front());
    Value bytes = b.create<arith::MulIOp>(loc, size, b.create<arith::ConstantIndexOp>(loc, unitTotal));
    Value arena = b.create<memref::AllocOp>(
        loc, MemRefType::get({ShapedType::kDynamic}, b.getI8Type()), ValueRange{bytes},
        b.getI64IntegerAttr(kAlignment));
    ++arenas;
    for (Buffer &buffer : group) {
      b.setInsertionPoint(buffer.alloc);
      Value offset = b.create<arith::MulIOp>(
          loc, size, b.create<arith::ConstantIndexOp>(loc, buffer.offset));
      Value view = b.create<memref::ViewOp>(buffer.alloc.getLoc(), buffer.alloc.getType(), arena,
                                            offset, buffer.alloc.getDynamicSizes());
      buffer.alloc.replaceAllUsesWith(view);
      buffer.alloc.erase();
      ++perRun;
    }
  }

  /// Buffers planned into per-run allocations by planArena, and those
  /// allocations.
  unsigned perRun = 0, arenas = 0;
  /// The bytes of the workspace's buffers, each in its own aligned slot.
  int64_t unshared = 0;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<kiln::abi::ModelABI> abi = kiln::abi::readABI(module);
    if (failed(abi))
      return signalPassFailure();
    // Entries that share a function share its plan.
    llvm::StringMap<std::pair<int64_t, int64_t>> planned;
    for (kiln::abi::Entry &entry : abi->entries) {
      auto it = planned.find(entry.function);
      if (it == planned.end()) {
        auto func = module.lookupSymbol<func::FuncOp>(entry.function);
        int64_t bytes = 0;
        unshared = 0;
        if (func) {
          unsigned before = countAllocs(func);
          perRun = arenas = 0;
          bytes = planFunction(func);
          // The report: how many buffers the workspace holds, how many share
          // a per-run allocation sized by a dynamic dim, and how many are
          // left to run-time allocation of their own (the per-run
          // allocations, other dynamically shaped buffers, and any that
          // escape the function).
          unsigned runtime = countAllocs(func);
          unsigned planned = before - perRun - (runtime - arenas);
          Builder b(func.getContext());
          func->setAttr("kiln.memory",
                        b.getDictionaryAttr(
                            {b.getNamedAttr("planned", b.getI64IntegerAttr(planned)),
                             b.getNamedAttr("per_run", b.getI64IntegerAttr(perRun)),
                             b.getNamedAttr("runtime", b.getI64IntegerAttr(runtime - arenas)),
                             b.getNamedAttr("unshared", b.getI64IntegerAttr(unshared))}));
        }
        it = planned.try_emplace(entry.function, bytes, unshared).first;
      }
      entry.workspace = it->second.first;
      entry.unshared = it->second.second;
    }
    kiln::abi::writeABI(module, *abi);
  }
};

} // namespace
