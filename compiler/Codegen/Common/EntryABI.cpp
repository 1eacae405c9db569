//===- EntryABI.cpp - entry functions in the shape of the run-function ABI ===//
//
// Two passes on buffers bring each entry function to the shape that
// kiln-emit-entry-point wraps as `int32_t kiln_run_<entry>(void **buffers,
// int64_t *dims, const char **error)` (docs/model-abi.md):
//
//   kiln-entry-checks-to-errors, before deallocations are inserted, turns the
//   entry's run-time checks (cf.assert) into an early return of status 1 with
//   the message stored through the `error` argument, so that the ownership-
//   based deallocation frees what is live on that path like on any other.
//
//   kiln-lower-entry-abi, after deallocation, gives dynamic inputs their
//   sizes from the `dims` argument, writes every output's dims there, hands
//   each dynamically shaped result over as a pointer stored in its buffers
//   slot, and copies statically shaped results into their out-parameters.
//
// Every memref argument left is statically shaped, so the bare-pointer
// calling convention still applies and static entries keep their code.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Common/ModelABI.h"
#include "compiler/Codegen/Common/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

namespace kiln {
#define GEN_PASS_DEF_ENTRYCHECKSTOERRORSPASS
#define GEN_PASS_DEF_LOWERENTRYABIPASS
#include "compiler/Codegen/Common/Passes.h.inc"
} // namespace kiln

using namespace mlir;
namespace abi = kiln::abi;

namespace {

/// The entry functions of the module, each once (entries may share one).
FailureOr<SmallVector<std::pair<const abi::Entry *, func::FuncOp>>>
entryFunctions(ModuleOp module, const abi::ModelABI &description) {
  SmallVector<std::pair<const abi::Entry *, func::FuncOp>> result;
  llvm::StringSet<> seen;
  for (const abi::Entry &entry : description.entries) {
    if (!seen.insert(entry.function).second)
      continue;
    auto fn = module.lookupSymbol<func::FuncOp>(entry.function);
    if (!fn || fn.isExternal())
      return module.emitError() << "expects the function @" << entry.function << " of entry '"
                                << entry.name << "' with a body, found none";
    result.push_back({&entry, fn});
  }
  return result;
}

/// The ONNX node an op came from, from the NameLoc the importer gives it
/// (possibly inside a fused or call-site location), escaped as the
/// importer shows model strings (llvm::printEscapedString); empty when none.
std::string nodeName(Location loc) {
  if (auto named = dyn_cast<NameLoc>(loc)) {
    std::string name;
    llvm::raw_string_ostream os(name);
    llvm::printEscapedString(named.getName().getValue(), os);
    return name;
  }
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations()) {
      std::string name = nodeName(inner);
      if (!name.empty())
        return name;
    }
  if (auto site = dyn_cast<CallSiteLoc>(loc))
    return nodeName(site.getCallee());
  return "";
}

/// A memref of `type` with every dim of size 0: what the error path returns
/// for a result (the runtime discards it).
Value emptyBuffer(OpBuilder &b, Location loc, MemRefType type) {
  SmallVector<int64_t> shape(type.getRank(), 0);
  SmallVector<Value> sizes;
  Value zero;
  for (int64_t size : type.getShape())
    if (ShapedType::isDynamic(size)) {
      if (!zero)
        zero = b.create<arith::ConstantIndexOp>(loc, 0);
      sizes.push_back(zero);
    }
  // Aligned to the element's size (a power of two): with no alignment the
  // LLVM lowering asks aligned_alloc for 16 bytes of alignment but, since
  // zero-element memrefs count as a multiple of any alignment, does not
  // round the byte size (one element) up to it, which C11 and
  // AddressSanitizer reject (`make test-sanitize`).
  uint64_t bytes = std::max<uint64_t>(1, type.getElementTypeBitWidth() / 8);
  return b.create<memref::AllocOp>(loc, type, sizes,
                                   b.getI64IntegerAttr(llvm::PowerOf2Ceil(bytes)));
}

/// The most bytes a run-time allocation may ask for (2^62): far beyond any
/// machine, and low enough that aligned_alloc's rounding up cannot wrap.
constexpr int64_t kMaxAllocationBytes = int64_t(1) << 62;

/// The most an empty buffer's dims may multiply to, counting 0 as 1: the
/// runtime's limit on an input's (2^31, the most elements a tensor may have).
constexpr int64_t kMaxEmptyExtent = int64_t(1) << 31;

/// Whether a run-time check at `op` can fail the run: at the entry's top
/// level, or nested only in the scf loops and branches whose checks
/// kiln-entry-checks-to-errors records (EntryChecksToErrorsPass::lower).
bool checkable(Operation *op, func::FuncOp fn) {
  for (Operation *p = op->getParentOp(); p != fn.getOperation(); p = p->getParentOp())
    if (!p || !isa<scf::ForOp, scf::WhileOp, scf::IfOp, scf::IndexSwitchOp,
                   scf::ExecuteRegionOp>(p))
      return false;
  return true;
}

/// Values of `types` for the terminator of `block` when the rest of the
/// block is skipped: false for an scf.condition's condition (the loop
/// stops), what the region received where the types agree (an scf.for's
/// iter_args, a while region's arguments), else zeros, empty buffers and,
/// for a statically shaped buffer, a new one of its type. Built with `b`
/// when given; false when a type has no such value (a buffer with a
/// layout).
bool fallbackValues(OpBuilder *b, Location loc, Block *block, TypeRange types,
                    SmallVectorImpl<Value> *values) {
  Operation *parent = block->getParentOp();
  if (isa<scf::ConditionOp>(block->getTerminator())) {
    if (b)
      values->push_back(b->create<arith::ConstantIntOp>(loc, 0, 1));
    types = types.drop_front();
  }
  ValueRange args = block->getArguments();
  if (isa<scf::ForOp>(parent))
    args = args.drop_front(); // the induction variable
  bool passThrough =
      isa<scf::ForOp, scf::WhileOp>(parent) && llvm::equal(TypeRange(args), types);
  for (auto [i, type] : llvm::enumerate(types)) {
    if (passThrough) {
      if (b)
        values->push_back(args[i]);
      continue;
    }
    if (auto memref = dyn_cast<MemRefType>(type)) {
      if (!memref.getLayout().isIdentity())
        return false;
      // A statically shaped buffer cannot be empty: a new one of its type
      // (its size known at compile time), never read (the run has failed).
      if (b)
        values->push_back(memref.hasStaticShape()
                              ? b->create<memref::AllocOp>(loc, memref).getResult()
                              : emptyBuffer(*b, loc, memref));
      continue;
    }
    if (!isa<IntegerType, IndexType, FloatType, VectorType>(type))
      return false;
    if (b)
      values->push_back(b->create<arith::ConstantOp>(loc, b->getZeroAttr(type)));
  }
  return true;
}

/// Guards each run-time allocation (a `memref.alloc` with dynamic sizes,
/// aligned_alloc once lowered) of `fn` with two checks that become error
/// returns (or, in loop and branch bodies, a recorded failure) below:
/// before it, that its byte size neither wraps nor passes
/// kMaxAllocationBytes; after it, that the pointer is not NULL (unless the
/// size is 0). In a loop or branch body a failed check cannot stop the body,
/// so there the buffer is allocated empty when its size fails, and the rest
/// of the block after it runs only when both checks pass (an scf.if; else
/// the block's terminator gets fallbackValues, discarded with the run).
/// Allocations elsewhere (inside ops other than scf loops and branches, or
/// whose block yields a buffer with a layout) are left as they are. Statically
/// shaped allocations (and the planned workspace, which the runtime
/// allocates and checks at load) get nothing.
/// Returns how many allocations were left unguarded.
unsigned guardAllocations(func::FuncOp fn) {
  SmallVector<memref::AllocOp> allocs;
  fn.walk([&](memref::AllocOp alloc) {
    if (!alloc.getDynamicSizes().empty())
      allocs.push_back(alloc);
  });
  unsigned unguarded = 0;
  // Later ones first: an allocation's guard moves the rest of its block
  // into a branch, and one guarded before stays where it was placed.
  for (memref::AllocOp alloc : llvm::reverse(allocs)) {
    if (!checkable(alloc, fn)) {
      ++unguarded;
      continue;
    }
    bool nested = alloc->getParentOp() != fn.getOperation();
    Location loc = alloc.getLoc();
    MemRefType type = alloc.getType();
    Type element = type.getElementType();
    int64_t elementBytes =
        element.isIntOrFloat() ? std::max<int64_t>(1, (element.getIntOrFloatBitWidth() + 7) / 8)
                               : 8;
    int64_t staticBytes = elementBytes, staticExtent = 1;
    for (int64_t size : type.getShape())
      if (!ShapedType::isDynamic(size)) {
        staticBytes = size == 0                                  ? 0
                      : staticBytes > kMaxAllocationBytes / size ? kMaxAllocationBytes + 1
                                                                 : staticBytes * size;
        staticExtent = std::min(kMaxEmptyExtent + 1, staticExtent * std::max<int64_t>(size, 1));
      }
    if (staticBytes == 0)
      continue; // always empty
    Block *block = alloc->getBlock();
    Operation *terminator = block->getTerminator();
    if (nested &&
        !fallbackValues(nullptr, loc, block, terminator->getOperandTypes(), nullptr)) {
      ++unguarded;
      continue;
    }
    std::string typeText;
    llvm::raw_string_ostream(typeText) << type;
    std::string name = nodeName(loc);
    std::string what = (name.empty() ? "" : "node '" + name + "': ") +
                       "could not allocate a run-time buffer of type " + typeText;
    // A buffer no one node owns says what it is (kiln-plan-memory's shared one).
    if (auto described = alloc->getAttrOfType<StringAttr>("kiln.buffer"))
      what = ("could not allocate " + described.getValue() + " of type " + typeText).str();
    OpBuilder b(alloc);
    auto i64 = b.getI64Type();
    auto c = [&](int64_t v) { return b.create<arith::ConstantIntOp>(loc, v, 64).getResult(); };
    auto cmp = [&](arith::CmpIPredicate p, Value x, Value y) {
      return b.create<arith::CmpIOp>(loc, p, x, y).getResult();
    };
    // bytes = staticBytes * each dynamic size, checked against the limit
    // before each product (sizes are never negative); a 0 size anywhere
    // makes the buffer empty whatever the others are.
    // The extent (dims multiplied, 0 counted as 1) of an empty buffer is
    // held like an input's: the loops over an empty tensor still run over
    // its other dims (a run-time reshape of an empty input to [2^62, 0], or
    // two empty inputs broadcast to [2^31, 2^31, 0], looped for centuries).
    Value bytes = c(staticBytes), extent = c(staticExtent);
    Value fits = cmp(arith::CmpIPredicate::sle, bytes, c(kMaxAllocationBytes));
    Value extentFits = cmp(arith::CmpIPredicate::sle, extent, c(kMaxEmptyExtent));
    Value empty = b.create<arith::ConstantIntOp>(loc, 0, 1);
    for (Value size : alloc.getDynamicSizes()) {
      Value x = b.create<arith::IndexCastOp>(loc, i64, size);
      Value zero = cmp(arith::CmpIPredicate::eq, x, c(0));
      Value safeX = b.create<arith::SelectOp>(loc, zero, c(1), x);
      Value within = cmp(arith::CmpIPredicate::sle, bytes,
                         b.create<arith::DivSIOp>(loc, c(kMaxAllocationBytes), safeX));
      fits = b.create<arith::AndIOp>(loc, fits, within);
      Value extentWithin = cmp(arith::CmpIPredicate::sle, extent,
                               b.create<arith::DivSIOp>(loc, c(kMaxEmptyExtent), safeX));
      extentFits = b.create<arith::AndIOp>(loc, extentFits, extentWithin);
      empty = b.create<arith::OrIOp>(loc, empty, zero);
      bytes = b.create<arith::MulIOp>(loc, bytes, x);
      // Bounded by the check above before it can wrap: safeX <= limit / extent.
      extent = b.create<arith::SelectOp>(loc, extentWithin,
                                         b.create<arith::MulIOp>(loc, extent, safeX),
                                         c(kMaxEmptyExtent + 1));
    }
    Value notEmpty = b.create<arith::XOrIOp>(loc, empty, b.create<arith::ConstantIntOp>(loc, 1, 1));
    Value bytesOk = b.create<arith::OrIOp>(loc, fits, empty);
    Value extentOk = b.create<arith::OrIOp>(loc, notEmpty, extentFits);
    b.create<cf::AssertOp>(loc, bytesOk, what + ": its size is over 2^62 bytes");
    b.create<cf::AssertOp>(loc, extentOk,
                           what + ": it is empty, but its dims, counting 0 as 1, multiply past "
                                  "2^31 (the loops over it would still run that often)");
    Value sizeOk = b.create<arith::AndIOp>(loc, bytesOk, extentOk);
    if (nested) {
      // An oversized buffer is allocated empty; nothing below touches it.
      Value none = b.create<arith::ConstantIndexOp>(loc, 0);
      SmallVector<Value> sizes;
      for (Value size : alloc.getDynamicSizes())
        sizes.push_back(b.create<arith::SelectOp>(loc, sizeOk, size, none));
      alloc.getDynamicSizesMutable().assign(sizes);
    }
    b.setInsertionPointAfter(alloc);
    Value address = b.create<arith::IndexCastOp>(
        loc, i64, b.create<memref::ExtractAlignedPointerAsIndexOp>(loc, alloc.getResult()));
    Value allocated = b.create<arith::OrIOp>(loc, cmp(arith::CmpIPredicate::ne, address, c(0)),
                                             empty);
    b.create<cf::AssertOp>(loc, allocated, what + ": out of memory");
    if (!nested)
      continue;
    // The rest of the block runs only with a buffer.
    Value go = b.create<arith::AndIOp>(loc, sizeOk, allocated);
    b.setInsertionPoint(terminator);
    auto branch = b.create<scf::IfOp>(loc, terminator->getOperandTypes(), go,
                                      /*addThenBlock=*/true, /*addElseBlock=*/true);
    Block *then = branch.thenBlock();
    then->getOperations().splice(then->end(), block->getOperations(),
                                 std::next(Block::iterator(go.getDefiningOp())),
                                 Block::iterator(branch));
    OpBuilder t = OpBuilder::atBlockEnd(then);
    t.create<scf::YieldOp>(loc, terminator->getOperands());
    OpBuilder e = OpBuilder::atBlockEnd(branch.elseBlock());
    SmallVector<Value> fallback;
    (void)fallbackValues(&e, loc, block, terminator->getOperandTypes(), &fallback);
    e.create<scf::YieldOp>(loc, fallback);
    terminator->setOperands(branch.getResults());
  }
  return unguarded;
}

struct EntryChecksToErrorsPass
    : kiln::impl::EntryChecksToErrorsPassBase<EntryChecksToErrorsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<abi::ModelABI> description = abi::readABI(module);
    if (failed(description))
      return signalPassFailure();
    auto entries = entryFunctions(module, *description);
    if (failed(entries))
      return signalPassFailure();
    unsigned counter = 0;
    for (auto [entry, fn] : *entries)
      if (failed(lower(fn, counter)))
        return signalPassFailure();
    // Checks anywhere else have no error path to take.
    WalkResult stray = module.walk([&](cf::AssertOp check) {
      auto fn = check->getParentOfType<func::FuncOp>();
      check.emitError() << "expects run-time checks only in entry functions, found one in @"
                        << (fn ? fn.getSymName() : StringRef("?"));
      return WalkResult::interrupt();
    });
    if (stray.wasInterrupted())
      signalPassFailure();
  }

  LogicalResult lower(func::FuncOp fn, unsigned &counter) {
    guardAllocations(fn);
    SmallVector<cf::AssertOp> checks, nestedChecks;
    WalkResult misplaced = fn.walk([&](cf::AssertOp check) {
      if (check->getParentOp() == fn.getOperation()) {
        checks.push_back(check);
        return WalkResult::advance();
      }
      // Nested checks record their failure and are tested after the
      // top-level op around them; that needs regions that run in order, once
      // per entry into them: scf loops and branches.
      for (Operation *p = check->getParentOp(); p != fn.getOperation(); p = p->getParentOp())
        if (!isa<scf::ForOp, scf::WhileOp, scf::IfOp, scf::IndexSwitchOp, scf::ExecuteRegionOp>(
                p)) {
          check.emitError() << "expects run-time checks at the top level of the entry function "
                               "or in scf loops and branches, found one inside '"
                            << p->getName() << "'";
          return WalkResult::interrupt();
        }
      nestedChecks.push_back(check);
      return WalkResult::advance();
    });
    if (misplaced.wasInterrupted())
      return failure();
    for (Type t : fn.getResultTypes())
      if (!isa<MemRefType>(t))
        return fn.emitError() << "expects the results of an entry function to be memrefs, found "
                              << t;

    MLIRContext *ctx = fn.getContext();
    Location loc = fn.getLoc();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    OpBuilder b(ctx);
    SmallVector<Type> resultTypes(fn.getResultTypes());
    unsigned errorIndex = fn.getNumArguments();
    fn.insertArgument(errorIndex, ptr,
                      b.getDictionaryAttr(b.getNamedAttr("kiln.name", b.getStringAttr("error"))),
                      loc);
    fn.insertResult(fn.getNumResults(), b.getI32Type(), DictionaryAttr());
    Value error = fn.getArgument(errorIndex);
    fn.walk([&](func::ReturnOp ret) {
      b.setInsertionPoint(ret);
      Value ok = b.create<arith::ConstantIntOp>(ret.getLoc(), 0, 32);
      ret.getOperandsMutable().append(ok);
    });

    // A check in a loop or branch body cannot branch out of it. It records
    // its message in `*error` instead (the first failure's stays), a loop
    // (scf.while) around it stops once one is recorded, and after the
    // top-level op that holds it, a check of `*error == NULL` takes the
    // error path below with the recorded message. The rest of the body goes
    // on after a failure (an scf.for to its end); what it computes is
    // discarded, and every access in it is still clamped into its buffer.
    struct Check {
      Operation *at; // the cf.assert, or the last op of the test after a region
      Value ok;      // true when the check passes
      Value message; // after a region: the recorded message (else from the assert)
    };
    SmallVector<Check> all;
    for (cf::AssertOp check : checks)
      all.push_back({check, check.getArg(), Value()});
    if (!nestedChecks.empty()) {
      b.setInsertionPointToStart(&fn.getBody().front());
      Value null = b.create<LLVM::ZeroOp>(loc, ptr);
      b.create<LLVM::StoreOp>(loc, null, error);
      llvm::SetVector<Operation *> holders;
      llvm::SetVector<scf::WhileOp> loops;
      for (cf::AssertOp check : nestedChecks) {
        Location at = check.getLoc();
        b.setInsertionPoint(check);
        Value failed = b.create<arith::XOrIOp>(at, check.getArg(),
                                               b.create<arith::ConstantIntOp>(at, 1, 1));
        auto record = b.create<scf::IfOp>(at, failed, /*withElseRegion=*/false);
        // Filled once inserted: createGlobalString looks for the module.
        OpBuilder t = record.getThenBodyBuilder();
        Value text = LLVM::createGlobalString(at, t, ("kiln_check_" + Twine(counter++)).str(),
                                              (check.getMsg() + Twine('\0')).str(),
                                              LLVM::Linkage::Internal);
        Value seen = t.create<LLVM::LoadOp>(at, ptr, error);
        Value first = t.create<LLVM::ICmpOp>(at, LLVM::ICmpPredicate::eq, seen,
                                             t.create<LLVM::ZeroOp>(at, ptr));
        t.create<LLVM::StoreOp>(at, t.create<LLVM::SelectOp>(at, first, text, seen), error);
        holders.insert(fn.getBody().findAncestorOpInRegion(*check));
        for (auto loop = check->getParentOfType<scf::WhileOp>(); loop;
             loop = loop->getParentOfType<scf::WhileOp>())
          loops.insert(loop);
        check.erase();
      }
      for (scf::WhileOp loop : loops) {
        scf::ConditionOp cond = loop.getConditionOp();
        b.setInsertionPoint(cond);
        Location l = cond.getLoc();
        Value none = b.create<LLVM::ICmpOp>(l, LLVM::ICmpPredicate::eq,
                                            b.create<LLVM::LoadOp>(l, ptr, error),
                                            b.create<LLVM::ZeroOp>(l, ptr));
        cond.getConditionMutable().assign(
            b.create<arith::AndIOp>(l, cond.getCondition(), none).getResult());
      }
      for (Operation *holder : holders) {
        b.setInsertionPointAfter(holder);
        Location l = holder->getLoc();
        Value message = b.create<LLVM::LoadOp>(l, ptr, error);
        Value ok = b.create<LLVM::ICmpOp>(l, LLVM::ICmpPredicate::eq, message,
                                          b.create<LLVM::ZeroOp>(l, ptr));
        all.push_back({ok.getDefiningOp(), ok, message});
      }
    }
    if (all.empty())
      return success();

    // One error block for all checks: store the message, return status 1
    // (and empty buffers for the results).
    Block *failBlock = new Block();
    fn.getBody().push_back(failBlock);
    Value message = failBlock->addArgument(ptr, loc);
    b.setInsertionPointToStart(failBlock);
    b.create<LLVM::StoreOp>(loc, message, error);
    SmallVector<Value> results;
    for (Type t : resultTypes)
      results.push_back(emptyBuffer(b, loc, cast<MemRefType>(t)));
    results.push_back(b.create<arith::ConstantIntOp>(loc, 1, 32));
    b.create<func::ReturnOp>(loc, results);

    for (Check &check : all) {
      Block *before = check.at->getBlock();
      Block *after = before->splitBlock(check.at->getNextNode());
      b.setInsertionPointToEnd(before);
      Value text = check.message;
      auto assertOp = dyn_cast<cf::AssertOp>(check.at);
      // The message global lives in the module; createGlobalString puts it there.
      if (assertOp)
        text = LLVM::createGlobalString(check.at->getLoc(), b,
                                        ("kiln_check_" + Twine(counter++)).str(),
                                        (assertOp.getMsg() + Twine('\0')).str(),
                                        LLVM::Linkage::Internal);
      // Values live across the branch travel as `after`'s block arguments
      // where MLIR 19's ownership-based deallocation would otherwise read
      // freed memory: it computes liveness once, then rebuilds every
      // scf.for/if/while (and call) with extra ownership results and erases
      // the old op, so a result of one that is live out of its block stays
      // in the live-in sets as a dangling Value. The freed storage is reused
      // by new ops, and a branch's dealloc then retains whatever took its
      // place (an i1 of a Loop's scf.while in test_loop11, a crash on an
      // scf.for's vector). Every non-memref value crosses as an argument;
      // memrefs only when such an op defines them, so static entries keep
      // their code (test/Codegen/Common/entry-checks-to-errors.mlir).
      SmallVector<Value> crossing;
      auto usedAfter = [&](OpOperand &use) {
        Operation *owner = fn.getBody().findAncestorOpInRegion(*use.getOwner());
        return owner && owner->getBlock() != before && owner->getBlock() != failBlock;
      };
      auto consider = [&](Value v) {
        Operation *def = v.getDefiningOp();
        bool rebuilt = def && (def->getNumRegions() > 0 || isa<CallOpInterface>(def));
        bool travels = !isa<BaseMemRefType>(v.getType()) || rebuilt;
        if (travels && !(def && def->hasTrait<OpTrait::ConstantLike>()) &&
            llvm::any_of(v.getUses(), usedAfter))
          crossing.push_back(v);
      };
      if (!before->isEntryBlock())
        for (BlockArgument arg : before->getArguments())
          consider(arg);
      for (Operation &op : *before)
        for (Value r : op.getResults())
          consider(r);
      for (Value v : crossing)
        v.replaceUsesWithIf(after->addArgument(v.getType(), v.getLoc()), usedAfter);
      b.create<cf::CondBranchOp>(check.at->getLoc(), check.ok, after, crossing, failBlock,
                                 ValueRange{text});
      if (assertOp)
        assertOp.erase();
    }
    return success();
  }
};

/// Row-major strides of `type` as fold results: constants where the type
/// knows them, else products of `sizes`.
SmallVector<OpFoldResult> rowMajorStrides(OpBuilder &b, Location loc, MemRefType type,
                                          ArrayRef<OpFoldResult> sizes) {
  SmallVector<OpFoldResult> strides(type.getRank());
  OpFoldResult running = b.getIndexAttr(1);
  for (int64_t d = type.getRank() - 1; d >= 0; --d) {
    strides[d] = running;
    std::optional<int64_t> a = getConstantIntValue(running), s = getConstantIntValue(sizes[d]);
    if (a && s) {
      running = b.getIndexAttr(*a * *s);
      continue;
    }
    auto asValue = [&](OpFoldResult v) -> Value {
      if (auto value = dyn_cast<Value>(v))
        return value;
      return b.create<arith::ConstantIndexOp>(loc, *getConstantIntValue(v));
    };
    running = b.create<arith::MulIOp>(loc, asValue(running), asValue(sizes[d])).getResult();
  }
  return strides;
}

/// Whether `value` is a buffer whose aligned pointer is the one the
/// allocation returned (the CPU pipeline lowers allocations to aligned_alloc,
/// so that holds for aligned ones too), or a reshape of one.
bool isHandOverable(Value value) {
  while (Operation *def = value.getDefiningOp()) {
    if (auto alloc = dyn_cast<memref::AllocOp>(def))
      return alloc.getType().getLayout().isIdentity();
    if (isa<bufferization::CloneOp>(def))
      return true;
    if (isa<memref::CollapseShapeOp, memref::ExpandShapeOp, memref::CastOp>(def)) {
      value = def->getOperand(0);
      continue;
    }
    return false;
  }
  return false;
}

/// Gives `arg` the placeholder type `memref<1xT>` (a bare pointer) and makes
/// its uses see it as `type` with `sizes`, row-major.
void reinterpret(OpBuilder &b, Location loc, BlockArgument arg, MemRefType type,
                 ArrayRef<OpFoldResult> sizes) {
  SmallVector<OpFoldResult> strides = rowMajorStrides(b, loc, type, sizes);
  arg.setType(MemRefType::get({1}, type.getElementType()));
  auto view =
      b.create<memref::ReinterpretCastOp>(loc, type, arg, b.getIndexAttr(0), sizes, strides);
  arg.replaceAllUsesExcept(view.getResult(), view);
}

/// Whether the bare-pointer convention can pass a buffer of `type`.
bool isBare(MemRefType type) { return type.hasStaticShape() && type.getNumElements() > 0; }

struct LowerEntryABIPass : kiln::impl::LowerEntryABIPassBase<LowerEntryABIPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<abi::ModelABI> description = abi::readABI(module);
    if (failed(description))
      return signalPassFailure();
    auto entries = entryFunctions(module, *description);
    if (failed(entries))
      return signalPassFailure();
    for (auto [entry, fn] : *entries)
      if (failed(lower(*entry, fn)))
        return signalPassFailure();
  }

  LogicalResult lower(const abi::Entry &entry, func::FuncOp fn) {
    MLIRContext *ctx = fn.getContext();
    Location loc = fn.getLoc();
    OpBuilder b(ctx);
    unsigned numInputs = entry.inputs.size(), numOutputs = entry.outputs.size();
    bool hasWorkspace = entry.workspace > 0;
    // Results still in the signature (dynamically shaped ones kept them all),
    // or out-parameters after the inputs; then the workspace and `error`.
    unsigned numResults = fn.getNumResults();
    bool resultsInSignature = numResults > 1;
    unsigned expectedArgs =
        numInputs + (resultsInSignature ? 0 : numOutputs) + (hasWorkspace ? 1 : 0) + 1;
    if (fn.getNumArguments() != expectedArgs ||
        numResults != (resultsInSignature ? numOutputs + 1 : 1) ||
        !fn.getResultTypes().back().isInteger(32) ||
        !isa<LLVM::LLVMPointerType>(fn.getArgumentTypes().back()))
      return fn.emitError() << "expects entry function @" << fn.getSymName() << " of entry '"
                            << entry.name
                            << "' to take its inputs, outputs, workspace and error pointer and "
                               "return a status (after kiln-entry-checks-to-errors), found "
                            << fn.getFunctionType();

    int64_t numDims = 0;
    for (const auto *values : {&entry.inputs, &entry.outputs})
      for (const abi::TensorSpec &v : *values)
        numDims += v.shape.size();
    auto dimsType = MemRefType::get({numDims}, b.getI64Type());
    unsigned dimsIndex = fn.getNumArguments() - 1;
    fn.insertArgument(dimsIndex, dimsType,
                      b.getDictionaryAttr(b.getNamedAttr("kiln.name", b.getStringAttr("dims"))),
                      loc);
    Value dims = fn.getArgument(dimsIndex);
    Block &body = fn.getBody().front();

    // Dynamic inputs: a static placeholder type (one pointer at the C
    // boundary) reinterpreted with the sizes the runtime wrote. Zero-element
    // buffers, which the bare-pointer convention cannot take, too.
    b.setInsertionPointToStart(&body);
    int64_t dimOffset = 0;
    for (unsigned i = 0; i < numInputs; ++i) {
      BlockArgument arg = fn.getArgument(i);
      auto type = dyn_cast<MemRefType>(arg.getType());
      if (!type)
        return fn.emitError() << "expects input " << i << " of entry '" << entry.name
                              << "' to be a memref, found " << arg.getType();
      int64_t base = dimOffset;
      dimOffset += type.getRank();
      if (type.hasStaticShape() && type.getNumElements() > 0)
        continue;
      if (!type.getLayout().isIdentity())
        return fn.emitError() << "expects input " << i << " of entry '" << entry.name
                              << "' to have the identity layout, found " << type;
      SmallVector<OpFoldResult> sizes;
      for (auto [d, size] : llvm::enumerate(type.getShape())) {
        if (!ShapedType::isDynamic(size)) {
          sizes.push_back(b.getIndexAttr(size));
          continue;
        }
        Value at = b.create<arith::ConstantIndexOp>(loc, base + d);
        Value loaded = b.create<memref::LoadOp>(loc, dims, at);
        sizes.push_back(
            b.create<arith::IndexCastOp>(loc, b.getIndexType(), loaded).getResult());
      }
      reinterpret(b, loc, arg, type, sizes);
    }

    // Which outputs the runtime expects handed over: those with a symbolic
    // dim in the signature (kiln-emit-entry-point passes their slots).
    SmallVector<bool> handedOver;
    for (const abi::TensorSpec &v : entry.outputs)
      handedOver.push_back(
          llvm::any_of(v.shape, [](const abi::Dim &d) { return d.isSymbolic(); }));

    // Outputs: slots at their calling position for results still returned.
    SmallVector<Type> resultTypes(fn.getResultTypes().drop_back());
    if (resultsInSignature) {
      for (auto [j, t] : llvm::enumerate(resultTypes)) {
        auto type = dyn_cast<MemRefType>(t);
        if (!type || !type.getLayout().isIdentity())
          return fn.emitError() << "expects result " << j << " of entry '" << entry.name
                                << "' to be an identity-layout memref, found " << t;
        Type slot = handedOver[j] ? MemRefType::get({1}, b.getI64Type()) : Type(type);
        fn.insertArgument(numInputs + j, slot,
                          b.getDictionaryAttr(b.getNamedAttr(
                              "kiln.name", b.getStringAttr(entry.outputs[j].name))),
                          loc);
      }
    }

    // An output the signature gives a symbolic dim is handed over even when
    // its type became static (the runtime passes it a slot, not a buffer):
    // its out-parameter becomes a buffer of our own and the slot.
    SmallVector<Value> ownBuffers(numOutputs);
    b.setInsertionPointToStart(&body);
    if (!resultsInSignature)
      for (unsigned j = 0; j < numOutputs; ++j) {
        BlockArgument arg = fn.getArgument(numInputs + j);
        auto type = dyn_cast<MemRefType>(arg.getType());
        if (!type || !handedOver[j])
          continue;
        ownBuffers[j] = b.create<memref::AllocOp>(loc, type, b.getI64IntegerAttr(64));
        arg.replaceAllUsesWith(ownBuffers[j]);
        arg.setType(MemRefType::get({1}, b.getI64Type()));
      }

    // Zero-element static outputs: placeholders, like zero-element inputs.
    for (unsigned j = 0; j < numOutputs; ++j) {
      BlockArgument arg = fn.getArgument(numInputs + j);
      auto type = dyn_cast<MemRefType>(arg.getType());
      if (type && type.hasStaticShape() && !isBare(type) && !handedOver[j]) {
        SmallVector<OpFoldResult> sizes;
        for (int64_t size : type.getShape())
          sizes.push_back(b.getIndexAttr(size));
        reinterpret(b, loc, arg, type, sizes);
      }
    }

    SmallVector<func::ReturnOp> returns;
    fn.walk([&](func::ReturnOp ret) { returns.push_back(ret); });
    for (func::ReturnOp ret : returns) {
      Location rloc = ret.getLoc();
      b.setInsertionPoint(ret);
      int64_t outOffset = dimOffset;
      for (unsigned j = 0; j < numOutputs; ++j) {
        Value out = fn.getArgument(numInputs + j);
        // The view of a reinterpreted out-parameter.
        if (out.hasOneUse())
          if (auto view = dyn_cast<memref::ReinterpretCastOp>(*out.getUsers().begin()))
            out = view.getResult();
        Value value = resultsInSignature ? ret.getOperand(j) : ownBuffers[j] ? ownBuffers[j] : out;
        auto type = cast<MemRefType>(value.getType());
        if (resultsInSignature && !handedOver[j]) {
          b.create<memref::CopyOp>(rloc, value, out);
          b.create<memref::DeallocOp>(rloc, value);
        } else if (resultsInSignature || ownBuffers[j]) {
          if (!isHandOverable(value)) {
            // A view or an alias: hand over a fresh copy instead.
            SmallVector<Value> sizes;
            for (auto [d, size] : llvm::enumerate(type.getShape()))
              if (ShapedType::isDynamic(size))
                sizes.push_back(b.create<memref::DimOp>(rloc, value, d));
            Value fresh = b.create<memref::AllocOp>(rloc, type, sizes);
            b.create<memref::CopyOp>(rloc, value, fresh);
            b.create<memref::DeallocOp>(rloc, value);
            value = fresh;
          }
          Value address = b.create<memref::ExtractAlignedPointerAsIndexOp>(rloc, value);
          Value asInt = b.create<arith::IndexCastOp>(rloc, b.getI64Type(), address);
          Value zero = b.create<arith::ConstantIndexOp>(rloc, 0);
          b.create<memref::StoreOp>(rloc, asInt, out, zero);
        }
        for (auto [d, size] : llvm::enumerate(type.getShape())) {
          Value dim = ShapedType::isDynamic(size)
                          ? b.create<arith::IndexCastOp>(
                                 rloc, b.getI64Type(), b.create<memref::DimOp>(rloc, value, d))
                                .getResult()
                          : b.create<arith::ConstantIntOp>(rloc, size, 64).getResult();
          Value at = b.create<arith::ConstantIndexOp>(rloc, outOffset + d);
          b.create<memref::StoreOp>(rloc, dim, dims, at);
        }
        outOffset += type.getRank();
      }
      Value status = ret.getOperands().back();
      b.create<func::ReturnOp>(rloc, status);
      ret.erase();
    }
    if (resultsInSignature) {
      llvm::BitVector erase(fn.getNumResults());
      erase.set(0, numOutputs);
      fn.eraseResults(erase);
    }
    // Placeholder argument types changed in place.
    fn.setType(FunctionType::get(ctx, fn.getBody().getArgumentTypes(), fn.getResultTypes()));
    return success();
  }
};

} // namespace
