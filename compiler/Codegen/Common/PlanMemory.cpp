//===- PlanMemory.cpp - intermediate buffers in one planned workspace -----===//
//
// Live ranges are positions in the model function's top-level block; buffers
// whose ranges intersect may not share bytes. Placement is greedy, largest
// buffer first, at the lowest free aligned offset. A dynamically shaped
// buffer takes part at its bytes at the entry's bounds when every size it
// has is bounded (SizeBounds.h): the runtime checks the inputs against the
// bounds before a run, so each run's buffer fits in its planned bytes.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Common/ModelABI.h"
#include "compiler/Codegen/Common/Passes.h"
#include "compiler/Codegen/Common/SizeBounds.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <limits>
#include <map>
#include <memory>

namespace kiln {
#define GEN_PASS_DEF_PLANMEMORYPASS
#include "compiler/Codegen/Common/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

constexpr int64_t kAlignment = 64;
/// The most bytes a buffer planned at its bounds may take (1 TiB, the limit
/// of run-time shapes): past it the bound is likely a typo, and the buffer
/// stays a run-time allocation.
constexpr int64_t kBoundedLimit = int64_t(1) << 40;
/// How many of the buffers live at the peak kiln.memory lists (the largest).
constexpr size_t kPeakBuffersListed = 16;

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

/// A buffer left to allocation at run time: why, and its bytes (at the
/// bounds for a bounded dynamic shape), -1 when unknown.
struct RuntimeBuffer {
  std::string why;
  int64_t bytes = -1;
};

/// The last top-level position where `alloc` or a view of it is used, or
/// nothing, with `why` set, when the buffer may escape the function
/// (returned, passed to a call, or turned into a memref by an op that is
/// not a view).
std::optional<unsigned> lastUse(memref::AllocOp alloc, Block &body,
                                const DenseMap<Operation *, unsigned> &position,
                                std::string &why, std::optional<unsigned> &result) {
  unsigned end = position.lookup(alloc);
  SmallVector<Value> worklist{alloc.getResult()};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      Operation *top = body.findAncestorOpInBlock(*user);
      if (!top || user->hasTrait<OpTrait::ReturnLike>() || isa<CallOpInterface>(user)) {
        why = isa<func::ReturnOp>(user) ? "output handed to the caller"
                                        : "escapes through " + user->getName().getStringRef().str();
        // The output is the whole buffer (not a piece of it) when only
        // reshapes lie between them.
        Value whole = value;
        while (whole != alloc.getResult() && whole.getDefiningOp() &&
               isa<memref::ExpandShapeOp, memref::CollapseShapeOp, memref::CastOp,
                   memref::ReshapeOp>(whole.getDefiningOp()))
          whole = whole.getDefiningOp()->getOperand(0);
        if (isa<func::ReturnOp>(user) && whole == alloc.getResult())
          result = use.getOperandNumber();
        return std::nullopt;
      }
      end = std::max(end, position.lookup(top));
      if (auto view = dyn_cast<ViewLikeOpInterface>(user)) {
        if (view.getViewSource() == value) {
          worklist.push_back(user->getResult(0));
          continue;
        }
      }
      // memref.reshape (a run-time Reshape) is a view of its source; its
      // shape operand is read where the reshape is, and not kept.
      if (auto reshape = dyn_cast<memref::ReshapeOp>(user)) {
        if (reshape.getSource() == value)
          worklist.push_back(reshape.getResult());
        continue;
      }
      if (llvm::any_of(user->getResultTypes(), [](Type t) { return isa<BaseMemRefType>(t); })) {
        why = "escapes through " + user->getName().getStringRef().str();
        return std::nullopt;
      }
    }
  }
  return end;
}

/// A short name for `loc`: the names of its name locations (an ONNX node's
/// name), else its first file:line:col, else empty.
std::string describeLoc(Location loc) {
  SmallVector<std::string> names;
  loc->walk([&](Location l) {
    if (auto name = dyn_cast<NameLoc>(l))
      if (!llvm::is_contained(names, name.getName().str()))
        names.push_back(name.getName().str());
    return WalkResult::advance();
  });
  if (!names.empty()) {
    std::string s = names.front();
    for (const std::string &n : llvm::drop_begin(names))
      s += ", " + n;
    return s;
  }
  std::string s;
  loc->walk([&](Location l) {
    if (auto file = dyn_cast<FileLineColLoc>(l)) {
      s = (file.getFilename().str() + ":" + std::to_string(file.getLine()) + ":" +
           std::to_string(file.getColumn()));
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return s;
}

/// The first top-level op after `alloc` that touches it or a view of it:
/// the kernel that writes it first.
Operation *firstUser(memref::AllocOp alloc, Block &body) {
  Operation *first = nullptr;
  SmallVector<Value> worklist{alloc.getResult()};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (isa<ViewLikeOpInterface, memref::ReshapeOp>(user) && user->getNumResults() == 1 &&
          isa<BaseMemRefType>(user->getResult(0).getType()) && user->getOperand(0) == value &&
          user->getBlock() == &body) {
        worklist.push_back(user->getResult(0));
        continue;
      }
      Operation *top = body.findAncestorOpInBlock(*user);
      if (top && (!first || top->isBeforeInBlock(first)))
        first = top;
    }
  }
  return first;
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

/// For a buffer with dynamic dims: its bytes per unit of the product of
/// their sizes, and the size values (sorted, so that buffers of the same
/// product in another order compare equal); nothing otherwise.
std::optional<std::pair<int64_t, SmallVector<Value>>> bytesPerUnit(memref::AllocOp alloc) {
  MemRefType type = alloc.getType();
  if (type.getNumDynamicDims() < 1 || !type.getLayout().isIdentity() ||
      type.getMemorySpace() || !type.getElementType().isIntOrFloat())
    return std::nullopt;
  int64_t bytes = std::max<int64_t>(1, (type.getElementType().getIntOrFloatBitWidth() + 7) / 8);
  for (int64_t size : type.getShape())
    if (!ShapedType::isDynamic(size))
      bytes *= size;
  // Sorted by where they are defined, not by address: the product's
  // operand order is in the emitted code, which must not change between
  // runs of the compiler (an artifact is byte-reproducible). Arguments
  // first, by number; then results, in their block's order (the sizes of a
  // top-level allocation are defined in the function's body).
  SmallVector<Value> factors(alloc.getDynamicSizes());
  llvm::sort(factors, [](Value a, Value b) {
    auto argA = dyn_cast<BlockArgument>(a), argB = dyn_cast<BlockArgument>(b);
    if (argA || argB)
      return argA && argB ? argA.getArgNumber() < argB.getArgNumber() : bool(argA);
    Operation *opA = a.getDefiningOp(), *opB = b.getDefiningOp();
    if (opA == opB)
      return cast<OpResult>(a).getResultNumber() < cast<OpResult>(b).getResultNumber();
    return opA->isBeforeInBlock(opB);
  });
  return std::make_pair(bytes, factors);
}

/// Bytes at the bounds of an output of signature `spec` whose elements are
/// `type`'s, or -1: the runtime checks every output's dims against the
/// signature after a run (a symbol is the value the inputs give it), so an
/// output of static and bounded dims holds at most this many bytes, whatever
/// the sizes the code computed for it (kiln_bind.c).
int64_t outputBytes(const kiln::abi::TensorSpec &spec, MemRefType type,
                    const std::map<std::string, int64_t> &bounds) {
  Type elem = type.getElementType();
  if (!elem.isIntOrFloat())
    return -1;
  int64_t bytes = std::max<int64_t>(1, (elem.getIntOrFloatBitWidth() + 7) / 8);
  for (const kiln::abi::Dim &dim : spec.shape) {
    int64_t size = dim.size;
    if (dim.isSymbolic()) {
      auto bound = bounds.find(dim.symbol);
      if (bound == bounds.end())
        return -1;
      size = bound->second;
    }
    if (size < 0 || llvm::MulOverflow(bytes, size, bytes) || bytes > kBoundedLimit)
      return -1;
  }
  return bytes;
}

/// Bytes of a buffer of `type`: static, or at the bounds; -1 when unknown.
int64_t knownBytes(kiln::SizeBoundAnalysis &sizes, memref::AllocOp alloc) {
  int64_t bytes = bufferBytes(alloc.getType());
  if (bytes >= 0)
    return bytes;
  kiln::SizeBound bound = sizes.bytesAtBounds(alloc.getType(), alloc.getDynamicSizes(),
                                              kBoundedLimit);
  return bound.known && bound.tight ? bound.hi : -1;
}

/// Bounds of buffer sizes case by case: each bounded symbol either 0 or 1
/// to its bound (at most kMaxSplitSymbols symbols). A case in which a
/// run-time check before the buffer always fails has no run that reaches
/// the buffer. ONNX Reshape's "a 0 copies the input's dim" makes a size
/// that is N, or another dim where N is 0: over all runs its largest value
/// is that dim, no tight bound; split, the case N = 0 either fails the
/// Reshape's element-count check or has no elements, and the size is tight
/// in the case where every symbol is positive.
class CaseSplit {
public:
  static constexpr size_t kMaxSplitSymbols = 4;

  CaseSplit(func::FuncOp func, ArrayRef<kiln::abi::TensorSpec> inputs,
            const std::map<std::string, int64_t> &bounds, Block &body) {
    if (bounds.empty() || bounds.size() > kMaxSplitSymbols)
      return;
    for (unsigned mask = 0; mask < (1u << bounds.size()); ++mask) {
      std::map<std::string, bool> positive;
      unsigned bit = 0;
      for (const auto &entry : bounds)
        positive[entry.first] = mask & (1u << bit++);
      Case c{std::make_unique<kiln::SizeBoundAnalysis>(func, inputs, bounds, positive)};
      // The first top-level check that always fails in this case.
      for (auto [i, op] : llvm::enumerate(body)) {
        auto check = dyn_cast<cf::AssertOp>(&op);
        if (!check)
          continue;
        const kiln::SizeBound &holds = c.sizes->get(check.getArg());
        if (holds.known && holds.hi == 0) {
          c.failsAt = i;
          break;
        }
      }
      cases.push_back(std::move(c));
    }
  }

  /// The bytes at the bounds of `alloc` (at `position` in the body), the
  /// largest over the cases that reach it, tight when the case of every
  /// symbol positive has that largest size and is tight; nothing when a
  /// case has no bound.
  std::optional<kiln::SizeBound> bytes(memref::AllocOp alloc, unsigned position) {
    if (cases.empty())
      return std::nullopt;
    std::optional<kiln::SizeBound> allPositive;
    int64_t largest = 0;
    for (auto [mask, c] : llvm::enumerate(cases)) {
      if (c.failsAt < position)
        continue;
      kiln::SizeBound b =
          c.sizes->bytesAtBounds(alloc.getType(), alloc.getDynamicSizes(), kBoundedLimit);
      if (!b.known)
        return std::nullopt;
      largest = std::max(largest, b.hi);
      if (mask + 1 == cases.size())
        allPositive = b;
    }
    if (!allPositive)
      return std::nullopt;
    allPositive->tight = allPositive->tight && allPositive->hi == largest;
    allPositive->hi = largest;
    return allPositive;
  }

private:
  struct Case {
    std::unique_ptr<kiln::SizeBoundAnalysis> sizes;
    unsigned failsAt = std::numeric_limits<unsigned>::max();
  };
  SmallVector<Case> cases;
};

struct PlanMemoryPass : kiln::impl::PlanMemoryPassBase<PlanMemoryPass> {
  using PlanMemoryPassBase::PlanMemoryPassBase;

  /// Places `func`'s buffers in a new workspace argument and returns its
  /// bytes, or 0 (and adds no argument) when there is nothing to place.
  /// `inputs` and `bounds` say what the function's input dims can be.
  int64_t planFunction(func::FuncOp func, ArrayRef<kiln::abi::TensorSpec> inputs,
                       ArrayRef<kiln::abi::TensorSpec> outputs,
                       const std::map<std::string, int64_t> &bounds) {
    if (func.isExternal() || !func.getBody().hasOneBlock())
      return 0;
    Block &body = func.getBody().front();
    if (func.getNumArguments() < inputs.size())
      inputs = {};
    kiln::SizeBoundAnalysis sizes(func, inputs, bounds);
    CaseSplit cases(func, inputs, bounds, body);

    DenseMap<Operation *, unsigned> position;
    for (auto [i, op] : llvm::enumerate(body))
      position[&op] = i;

    // Allocations in loops and branches stay run-time ones (static ones that
    // could move out did, in buffer-loop-hoisting).
    func.walk([&](memref::AllocOp alloc) {
      if (alloc->getBlock() != &body)
        runtime.push_back({"allocated inside " + alloc->getParentOp()->getName().getStringRef().str(),
                           knownBytes(sizes, alloc)});
    });

    SmallVector<Buffer> buffers;
    // Unbounded buffers by the product of dynamic sizes their bytes scale
    // with (in first-seen order).
    std::map<SmallVector<const void *>, unsigned> scaledIndex;
    SmallVector<std::pair<SmallVector<Value>, SmallVector<Buffer>>> scaled;
    llvm::DenseMap<Operation *, std::string> whyNotBounded;
    for (memref::AllocOp alloc : body.getOps<memref::AllocOp>()) {
      std::string why;
      std::optional<unsigned> result;
      std::optional<unsigned> end = lastUse(alloc, body, position, why, result);
      if (!end) {
        int64_t bytes = knownBytes(sizes, alloc);
        if (bytes < 0 && result && *result < outputs.size() &&
            func.getNumResults() == outputs.size())
          bytes = outputBytes(outputs[*result], alloc.getType(), bounds);
        runtime.push_back({why, bytes});
        continue;
      }
      int64_t bytes = bufferBytes(alloc.getType());
      if (bytes >= 0) {
        buffers.push_back({alloc, std::max<int64_t>(bytes, 1), position[alloc], *end});
        ++planned;
        continue;
      }
      MemRefType type = alloc.getType();
      kiln::SizeBound atBounds =
          sizes.bytesAtBounds(type, alloc.getDynamicSizes(), kBoundedLimit);
      if (!atBounds.known || !atBounds.tight)
        if (std::optional<kiln::SizeBound> split = cases.bytes(alloc, position[alloc]))
          atBounds = *split;
      if (atBounds.known && atBounds.tight && type.getLayout().isIdentity() &&
          !type.getMemorySpace()) {
        buffers.push_back({alloc, std::max<int64_t>(atBounds.hi, 1), position[alloc], *end});
        symbols.insert(atBounds.symbols.begin(), atBounds.symbols.end());
        ++bounded;
        continue;
      }
      why = !atBounds.known  ? atBounds.why
            : !atBounds.tight ? "size chosen at run time between shapes, not largest at the bounds"
                              : "a layout the planner does not place";
      if (auto unit = bytesPerUnit(alloc)) {
        SmallVector<const void *> key;
        for (Value v : unit->second)
          key.push_back(v.getAsOpaquePointer());
        auto [it, added] = scaledIndex.try_emplace(key, scaled.size());
        if (added)
          scaled.push_back({unit->second, {}});
        scaled[it->second].second.push_back(
            {alloc, std::max<int64_t>(unit->first, 1), position[alloc], *end});
        whyNotBounded[alloc] = why;
        continue;
      }
      runtime.push_back({why, -1});
    }
    for (auto &[factors, group] : scaled) {
      bool shared = planArena(func, factors, group, position);
      for (Buffer &b : group)
        runtime.push_back(
            {whyNotBounded[b.alloc] + (shared ? " (one allocation per run, shared)" : ""), -1});
    }
    if (buffers.empty())
      return 0;

    // What the workspace would take if no two buffers shared bytes.
    for (const Buffer &b : buffers)
      unshared += static_cast<int64_t>(llvm::alignTo(b.bytes, kAlignment));
    findPeak(buffers, body);
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
                                                  offsets[b.offset], b.alloc.getDynamicSizes());
      b.alloc.replaceAllUsesWith(view);
      b.alloc.erase();
    }
    return total;
  }

  /// Buffers whose bytes are the same product of run-time sizes (`factors`:
  /// one size, or several, as N*S for a batch and a sequence) times a
  /// constant share one allocation per run: planned for a product of 1
  /// (offsets and live ranges as for the workspace), then every offset and
  /// the total scaled by the product, which keeps them apart. One allocation
  /// instead of one per buffer, and the same bytes again on the next run,
  /// which malloc hands back without fresh page faults. Returns false
  /// (nothing changed) for a group of one.
  bool planArena(func::FuncOp func, ArrayRef<Value> factors, MutableArrayRef<Buffer> group,
                 const DenseMap<Operation *, unsigned> &position) {
    if (group.size() < 2)
      return false;
    int64_t unitTotal = place(group);
    Location loc = func.getLoc();
    OpBuilder b(&getContext());
    // After the last factor's definition (each is a top-level op's result,
    // as the allocations use them, or an argument).
    Operation *last = nullptr;
    for (Value v : factors)
      if (Operation *def = v.getDefiningOp())
        if (!last || position.lookup(def) > position.lookup(last))
          last = def;
    if (last)
      b.setInsertionPointAfter(last);
    else
      b.setInsertionPointToStart(&func.getBody().front());
    Value size = factors.front();
    for (Value v : factors.drop_front())
      size = b.create<arith::MulIOp>(loc, size, v);
    // One dim per factor and the unit's bytes last, so that the allocation
    // guard (kiln-entry-checks-to-errors) checks the whole product for
    // overflow, then viewed as the bytes the buffers' views need.
    SmallVector<int64_t> shape(factors.size(), ShapedType::kDynamic);
    shape.push_back(unitTotal);
    auto arenaAlloc = b.create<memref::AllocOp>(loc, MemRefType::get(shape, b.getI8Type()),
                                                factors, b.getI64IntegerAttr(kAlignment));
    // What the guard's messages call it: no one node owns it.
    std::string nodes;
    unsigned named = 0;
    for (Buffer &buffer : group) {
      std::string name;
      buffer.alloc.getLoc()->walk([&](Location l) {
        if (auto named = dyn_cast<NameLoc>(l))
          name = named.getName().str();
        return name.empty() ? WalkResult::advance() : WalkResult::interrupt();
      });
      if (name.empty() || nodes.find("'" + name + "'") != std::string::npos)
        continue;
      if (named++ < 3)
        nodes += (nodes.empty() ? "'" : ", '") + name + "'";
    }
    if (named > 3)
      nodes += " and " + std::to_string(named - 3) + " more";
    arenaAlloc->setAttr(
        "kiln.buffer",
        b.getStringAttr("the buffer shared by " + std::to_string(group.size()) +
                        " intermediate results sized at run time" +
                        (nodes.empty() ? std::string() : " (of " + nodes + ")")));
    ReassociationIndices all;
    for (int64_t d = 0; d <= static_cast<int64_t>(factors.size()); ++d)
      all.push_back(d);
    Value arena = b.create<memref::CollapseShapeOp>(loc, arenaAlloc.getResult(),
                                                    ArrayRef<ReassociationIndices>{all});
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
    return true;
  }

  /// The first top-level op where the most bytes of planned buffers are
  /// live at once (each rounded up to the alignment): no placement can take
  /// less. Every buffer live there, largest first (ties in program order),
  /// with its type, live range and the op that first uses it.
  void findPeak(MutableArrayRef<Buffer> buffers, Block &body) {
    unsigned numOps = 0;
    for (const Buffer &b : buffers)
      numOps = std::max(numOps, b.end + 1);
    SmallVector<int64_t> delta(numOps + 1, 0);
    for (const Buffer &b : buffers) {
      int64_t bytes = static_cast<int64_t>(llvm::alignTo(b.bytes, kAlignment));
      delta[b.start] += bytes;
      delta[b.end + 1] -= bytes;
    }
    int64_t live = 0;
    peakBytes = 0;
    for (unsigned i = 0; i < numOps; ++i) {
      live += delta[i];
      if (live > peakBytes) {
        peakBytes = live;
        peakOp = i;
      }
    }
    totalOps = static_cast<unsigned>(body.getOperations().size());
    peakBuffers.clear();
    for (Buffer &b : buffers) {
      if (b.start > peakOp || b.end < peakOp)
        continue;
      PeakBuffer p{static_cast<int64_t>(llvm::alignTo(b.bytes, kAlignment)), "", b.start, b.end,
                   "", ""};
      llvm::raw_string_ostream(p.type) << b.alloc.getType();
      if (Operation *user = firstUser(b.alloc, body)) {
        p.user = user->getName().getStringRef().str();
        p.loc = describeLoc(user->getLoc());
      }
      peakBuffers.push_back(std::move(p));
    }
    llvm::sort(peakBuffers, [](const PeakBuffer &a, const PeakBuffer &b) {
      return a.bytes != b.bytes ? a.bytes > b.bytes : a.start < b.start;
    });
  }

  /// A buffer live at the peak, for kiln.memory.
  struct PeakBuffer {
    int64_t bytes;
    std::string type;
    unsigned start, end;
    std::string user, loc;
  };
  int64_t peakBytes = 0;
  unsigned peakOp = 0, totalOps = 0;
  SmallVector<PeakBuffer> peakBuffers;

  /// What planFunction found, for kiln.memory: static buffers in the
  /// workspace, dynamic ones in it at their bounds (resting on `symbols`),
  /// buffers in per-run allocations, and every buffer allocated at run time
  /// (per-run ones included) with why.
  unsigned planned = 0, bounded = 0, perRun = 0;
  std::set<std::string> symbols;
  SmallVector<RuntimeBuffer> runtime;
  /// The bytes of the workspace's buffers, each in its own aligned slot.
  int64_t unshared = 0;

  /// kiln.memory: the counts, the unshared bytes, the bounded symbols the
  /// workspace was sized at, and the run-time allocations grouped by why
  /// (with their bytes at the bounds when every one has them).
  DictionaryAttr memoryAttr(MLIRContext *context) {
    Builder b(context);
    llvm::MapVector<StringRef, std::pair<int64_t, int64_t>> groups;
    for (const RuntimeBuffer &r : runtime) {
      auto &[count, bytes] = groups[r.why];
      ++count;
      bytes = bytes < 0 || r.bytes < 0 ? -1 : bytes + r.bytes;
    }
    SmallVector<Attribute> rows;
    for (auto &[why, group] : groups) {
      SmallVector<NamedAttribute> fields = {b.getNamedAttr("why", b.getStringAttr(why)),
                                            b.getNamedAttr("count", b.getI64IntegerAttr(group.first))};
      if (group.second >= 0)
        fields.push_back(b.getNamedAttr("bytes", b.getI64IntegerAttr(group.second)));
      rows.push_back(b.getDictionaryAttr(fields));
    }
    SmallVector<Attribute> names;
    for (const std::string &s : symbols)
      names.push_back(b.getStringAttr(s));
    // Buffers with a run-time allocation of their own.
    int64_t own = static_cast<int64_t>(runtime.size()) - perRun;
    SmallVector<NamedAttribute> fields = {
        b.getNamedAttr("planned", b.getI64IntegerAttr(planned)),
        b.getNamedAttr("bounded", b.getI64IntegerAttr(bounded)),
        b.getNamedAttr("per_run", b.getI64IntegerAttr(perRun)),
        b.getNamedAttr("runtime", b.getI64IntegerAttr(own)),
        b.getNamedAttr("unshared", b.getI64IntegerAttr(unshared))};
    if (!names.empty())
      fields.push_back(b.getNamedAttr("bounded_symbols", b.getArrayAttr(names)));
    if (!rows.empty())
      fields.push_back(b.getNamedAttr("runtime_buffers", b.getArrayAttr(rows)));
    return b.getDictionaryAttr(fields);
  }

  /// kiln.memory_peak, when buffers were planned: the peak's bytes, its op,
  /// the ops of the function's block, how many buffers are live there and
  /// the largest kPeakBuffersListed of them (the rest's bytes in
  /// rest_bytes).
  DictionaryAttr peakAttr(MLIRContext *context) {
    if (peakBytes == 0)
      return {};
    Builder b(context);
    SmallVector<Attribute> live;
    int64_t restBytes = 0;
    for (auto [i, p] : llvm::enumerate(peakBuffers)) {
      if (i >= kPeakBuffersListed) {
        restBytes += p.bytes;
        continue;
      }
      live.push_back(b.getDictionaryAttr({
          b.getNamedAttr("bytes", b.getI64IntegerAttr(p.bytes)),
          b.getNamedAttr("type", b.getStringAttr(p.type)),
          b.getNamedAttr("from", b.getI64IntegerAttr(p.start)),
          b.getNamedAttr("to", b.getI64IntegerAttr(p.end)),
          b.getNamedAttr("first_user", b.getStringAttr(p.user)),
          b.getNamedAttr("loc", b.getStringAttr(p.loc)),
      }));
    }
    SmallVector<NamedAttribute> peak = {
        b.getNamedAttr("bytes", b.getI64IntegerAttr(peakBytes)),
        b.getNamedAttr("op", b.getI64IntegerAttr(peakOp)),
        b.getNamedAttr("ops", b.getI64IntegerAttr(totalOps)),
        b.getNamedAttr("count", b.getI64IntegerAttr(peakBuffers.size())),
        b.getNamedAttr("buffers", b.getArrayAttr(live))};
    if (peakBuffers.size() > kPeakBuffersListed)
      peak.push_back(b.getNamedAttr("rest_bytes", b.getI64IntegerAttr(restBytes)));
    return b.getDictionaryAttr(peak);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<kiln::abi::ModelABI> abi = kiln::abi::readABI(module);
    if (failed(abi))
      return signalPassFailure();
    // Entries that share a function share its plan, made for bounds that
    // hold in all of them: a symbol bounded in each, at the largest bound.
    llvm::StringMap<std::map<std::string, int64_t>> functionBounds;
    for (kiln::abi::Entry &entry : abi->entries) {
      auto &fb = functionBounds[entry.function];
      for (const auto &[symbol, bound] : entry.bounds)
        fb[symbol] = std::max(fb[symbol], bound);
    }
    for (kiln::abi::Entry &entry : abi->entries) {
      auto &fb = functionBounds[entry.function];
      for (auto it = fb.begin(); it != fb.end();)
        it = entry.bounds.count(it->first) ? std::next(it) : fb.erase(it);
    }

    llvm::StringMap<std::pair<int64_t, int64_t>> plans;
    for (kiln::abi::Entry &entry : abi->entries) {
      auto it = plans.find(entry.function);
      if (it == plans.end()) {
        auto func = module.lookupSymbol<func::FuncOp>(entry.function);
        int64_t bytes = 0;
        planned = bounded = perRun = 0;
        unshared = 0;
        peakBytes = 0;
        peakOp = totalOps = 0;
        peakBuffers.clear();
        symbols.clear();
        runtime.clear();
        if (func) {
          bytes = planFunction(func, entry.inputs, entry.outputs, functionBounds[entry.function]);
          func->setAttr("kiln.memory", memoryAttr(func.getContext()));
          if (DictionaryAttr peak = peakAttr(func.getContext()); peak && recordPeak)
            func->setAttr("kiln.memory_peak", peak);
        }
        it = plans.try_emplace(entry.function, bytes, unshared).first;
      }
      entry.workspace = it->second.first;
      entry.unshared = it->second.second;
    }
    kiln::abi::writeABI(module, *abi);
  }
};

} // namespace
