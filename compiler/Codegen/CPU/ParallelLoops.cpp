//===- ParallelLoops.cpp - scf.forall to the runtime's thread pool -------===//
//
// Two steps, either side of the LLVM lowering: outline each parallel loop's
// body into a function taking the iteration index and the captured values
// (on buffers, before LLVM), then define the launcher that packs the captures
// and calls kiln_parallel_for with a trampoline (in the LLVM dialect, where
// every capture is a pointer or a scalar).
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

namespace kiln {
#define GEN_PASS_DEF_OUTLINEPARALLELLOOPSPASS
#define GEN_PASS_DEF_EMITPARALLELLAUNCHERSPASS
#include "compiler/Codegen/CPU/Passes.h.inc"
} // namespace kiln

using namespace mlir;

static constexpr llvm::StringLiteral kParallelBodyAttr = "kiln.parallel_body";
static constexpr llvm::StringLiteral kParallelFor = "kiln_parallel_for";

namespace {

/// Whether `value` can cross into the outlined function as one argument that
/// lowers to one pointer or scalar.
bool isSimpleCapture(Value value) {
  Type type = value.getType();
  if (auto memref = dyn_cast<MemRefType>(type))
    return memref.hasStaticShape() && memref.getLayout().isIdentity() &&
           !memref.getMemorySpace();
  return type.isIntOrIndexOrFloat();
}

/// Whether `value` is a strided buffer that can be rebuilt from its base
/// pointer and metadata on the other side (memref.reinterpret_cast).
bool isRebuildable(Value value) {
  auto memref = dyn_cast<MemRefType>(value.getType());
  return memref && memref.getRank() > 0 && !memref.getMemorySpace() &&
         memref.getElementType().isIntOrIndexOrFloat() && isStrided(memref);
}

struct OutlineParallelLoopsPass
    : kiln::impl::OutlineParallelLoopsPassBase<OutlineParallelLoopsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    IRRewriter rewriter(&getContext());
    SymbolTable symbols(module);

    SmallVector<scf::ForallOp> loops;
    module.walk([&](scf::ForallOp loop) { loops.push_back(loop); });
    // Inner loops first (post-order walk): nested ones become sequential, so
    // the outer ones see only scf.for inside.
    for (scf::ForallOp loop : loops) {
      bool nested = loop->getParentOfType<scf::ForallOp>() != nullptr;
      if (nested || failed(outline(rewriter, symbols, loop))) {
        rewriter.setInsertionPoint(loop);
        if (failed(scf::forallToForLoop(rewriter, loop))) {
          loop.emitError("cannot lower this scf.forall to a loop");
          return signalPassFailure();
        }
      }
    }
  }

  LogicalResult outline(RewriterBase &rewriter, SymbolTable &symbols, scf::ForallOp loop) {
    if (loop.getRank() != 1 || loop.getNumResults() != 0 || !loop.getOutputs().empty())
      return failure();
    auto parent = loop->getParentOfType<func::FuncOp>();
    if (!parent)
      return failure();
    llvm::SetVector<Value> captures;
    getUsedValuesDefinedAbove(loop.getRegion(), captures);
    // Dynamic bounds the body needs (the lower bound and step) travel too.
    for (OpFoldResult ofr : {loop.getMixedLowerBound()[0], loop.getMixedStep()[0]})
      if (auto v = dyn_cast<Value>(ofr))
        captures.insert(v);
    // Constants are cloned into the body rather than passed: loop bounds stay
    // known to LLVM there.
    SmallVector<Operation *> constants;
    captures.remove_if([&](Value v) {
      Operation *def = v.getDefiningOp();
      if (def && def->hasTrait<OpTrait::ConstantLike>() && def->getNumResults() == 1) {
        constants.push_back(def);
        return true;
      }
      return false;
    });
    // A strided or dynamically shaped buffer (a slice of a dynamic batch,
    // say) crosses as its base pointer plus the offset, sizes and strides the
    // type does not fix, and is rebuilt in the body.
    SmallVector<std::pair<Value, SmallVector<Value>>> rebuilt;
    for (Value v : SmallVector<Value>(captures.begin(), captures.end())) {
      if (isSimpleCapture(v) || !isRebuildable(v))
        continue;
      rewriter.setInsertionPoint(loop);
      auto meta = rewriter.create<memref::ExtractStridedMetadataOp>(loop.getLoc(), v);
      SmallVector<Value> parts{meta.getBaseBuffer(), meta.getOffset()};
      llvm::append_range(parts, meta.getSizes());
      llvm::append_range(parts, meta.getStrides());
      captures.remove(v);
      for (Value part : parts)
        captures.insert(part);
      rebuilt.push_back({v, parts});
    }
    if (!llvm::all_of(captures, isSimpleCapture))
      return failure();

    MLIRContext *ctx = &getContext();
    Location loc = loop.getLoc();
    Type index = rewriter.getIndexType();
    SmallVector<Type> captureTypes;
    for (Value v : captures)
      captureTypes.push_back(v.getType());

    // body(%i, captures...) runs iteration lb + i * step.
    SmallVector<Type> bodyInputs{index};
    bodyInputs.append(captureTypes);
    rewriter.setInsertionPoint(parent);
    std::string base = (parent.getSymName() + "_parallel").str();
    auto body = rewriter.create<func::FuncOp>(loc, base, FunctionType::get(ctx, bodyInputs, {}));
    body.setPrivate();
    symbols.insert(body);
    Block *entry = body.addEntryBlock();
    rewriter.setInsertionPointToStart(entry);
    auto asValue = [&](OpFoldResult ofr) -> Value {
      if (auto v = dyn_cast<Value>(ofr))
        return v;
      return rewriter.create<arith::ConstantIndexOp>(loc, *getConstantIntValue(ofr));
    };
    IRMapping mapping;
    for (auto [v, arg] : llvm::zip(captures, entry->getArguments().drop_front()))
      mapping.map(v, arg);
    for (Operation *constant : constants)
      rewriter.clone(*constant, mapping);
    for (auto &[value, parts] : rebuilt) {
      auto type = cast<MemRefType>(value.getType());
      SmallVector<int64_t> strides;
      int64_t offset;
      (void)getStridesAndOffset(type, strides, offset);
      // Static values from the type, so the body keeps what it knew.
      auto pick = [&](int64_t known, Value part) -> OpFoldResult {
        if (ShapedType::isDynamic(known))
          return mapping.lookup(part);
        return rewriter.getIndexAttr(known);
      };
      unsigned rank = type.getRank();
      SmallVector<OpFoldResult> sizes, strideValues;
      for (unsigned d = 0; d < rank; ++d) {
        sizes.push_back(pick(type.getDimSize(d), parts[2 + d]));
        strideValues.push_back(pick(strides[d], parts[2 + rank + d]));
      }
      Value view = rewriter.create<memref::ReinterpretCastOp>(
          loc, type, mapping.lookup(parts[0]), pick(offset, parts[1]), sizes, strideValues);
      mapping.map(value, view);
    }
    Value lb = mapping.lookupOrDefault(asValue(loop.getMixedLowerBound()[0]));
    Value step = mapping.lookupOrDefault(asValue(loop.getMixedStep()[0]));
    Value iv = rewriter.create<arith::AddIOp>(
        loc, lb, rewriter.create<arith::MulIOp>(loc, entry->getArgument(0), step));
    mapping.map(loop.getInductionVar(0), iv);
    for (Operation &op : loop.getBody()->without_terminator())
      rewriter.clone(op, mapping);
    rewriter.create<func::ReturnOp>(loc);

    // The launcher: declared here, defined in the LLVM dialect.
    SmallVector<Type> launchInputs{index};
    launchInputs.append(captureTypes);
    rewriter.setInsertionPoint(parent);
    auto launch = rewriter.create<func::FuncOp>(loc, (body.getSymName() + "_launch").str(),
                                                FunctionType::get(ctx, launchInputs, {}));
    launch.setPrivate();
    symbols.insert(launch);
    launch->setAttr(kParallelBodyAttr, FlatSymbolRefAttr::get(body.getSymNameAttr()));

    // n = ceildiv(ub - lb, step), computed where the loop was.
    rewriter.setInsertionPoint(loop);
    Value lbOuter = asValue(loop.getMixedLowerBound()[0]);
    Value ubOuter = asValue(loop.getMixedUpperBound()[0]);
    Value stepOuter = asValue(loop.getMixedStep()[0]);
    Value span = rewriter.create<arith::SubIOp>(loc, ubOuter, lbOuter);
    Value n = rewriter.create<arith::CeilDivSIOp>(loc, span, stepOuter);
    SmallVector<Value> args{n};
    args.append(captures.begin(), captures.end());
    rewriter.create<func::CallOp>(loc, launch, args);
    rewriter.eraseOp(loop);
    return success();
  }
};

struct EmitParallelLaunchersPass
    : kiln::impl::EmitParallelLaunchersPassBase<EmitParallelLaunchersPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    SmallVector<LLVM::LLVMFuncOp> launchers;
    for (auto fn : module.getOps<LLVM::LLVMFuncOp>())
      if (fn->hasAttr(kParallelBodyAttr) && fn.isExternal())
        launchers.push_back(fn);
    if (launchers.empty())
      return;

    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto i64 = IntegerType::get(ctx, 64);
    auto voidType = LLVM::LLVMVoidType::get(ctx);
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    auto runtimeFn = module.lookupSymbol<LLVM::LLVMFuncOp>(kParallelFor);
    if (!runtimeFn) {
      runtimeFn = b.create<LLVM::LLVMFuncOp>(
          module.getLoc(), kParallelFor, LLVM::LLVMFunctionType::get(voidType, {i64, ptr, ptr}),
          LLVM::Linkage::ExternWeak);
    }

    for (LLVM::LLVMFuncOp launch : launchers) {
      auto bodyRef = launch->getAttrOfType<FlatSymbolRefAttr>(kParallelBodyAttr);
      auto body = module.lookupSymbol<LLVM::LLVMFuncOp>(bodyRef);
      ArrayRef<Type> params = launch.getFunctionType().getParams();
      if (!body || params.empty() || params[0] != i64 ||
          body.getFunctionType().getParams() != params) {
        launch.emitError("expects the parallel body ")
            << bodyRef << " lowered with the launcher's (i64, captures...) signature";
        return signalPassFailure();
      }
      // Only its trampoline calls the body: internal, it is not exported,
      // and not inlined, it is not optimized and compiled twice (once
      // inlined, once for the symbol). Each call runs a whole block of the
      // parallel loop, so the call costs nothing that matters.
      body.setLinkage(LLVM::Linkage::Internal);
      body.setNoInline(true);
      Location loc = launch.getLoc();
      SmallVector<Type> fields(params.drop_front());
      auto contextType = LLVM::LLVMStructType::getLiteral(ctx, fields);

      // trampoline(begin, end, context): for i in [begin, end) body(i, fields...)
      b.setInsertionPointAfter(launch);
      auto tramp = b.create<LLVM::LLVMFuncOp>(
          loc, (launch.getName() + "_range").str(),
          LLVM::LLVMFunctionType::get(voidType, {i64, i64, ptr}), LLVM::Linkage::Internal);
      // Not inlined into the launcher's serial branch, a fallback taken only
      // without a runtime: there LLVM would unroll the loop over a constant
      // n and inline the body, and optimize and compile each kernel again
      // (a quarter of ResNet-18's LLVM time) for no gain on the pool's path.
      tramp.setNoInline(true);
      {
        OpBuilder::InsertionGuard guard(b);
        Block *entry = tramp.addEntryBlock(b);
        Block *header = b.createBlock(&tramp.getBody(), {}, {i64}, {loc});
        Block *loopBody = b.createBlock(&tramp.getBody());
        Block *exit = b.createBlock(&tramp.getBody());
        b.setInsertionPointToStart(entry);
        SmallVector<Value> values;
        for (auto [k, type] : llvm::enumerate(fields)) {
          Value slot = b.create<LLVM::GEPOp>(
              loc, ptr, contextType, entry->getArgument(2),
              ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(k)});
          values.push_back(b.create<LLVM::LoadOp>(loc, type, slot));
        }
        b.create<LLVM::BrOp>(loc, ValueRange{entry->getArgument(0)}, header);
        b.setInsertionPointToStart(header);
        Value i = header->getArgument(0);
        Value more = b.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::slt, i,
                                            entry->getArgument(1));
        b.create<LLVM::CondBrOp>(loc, more, loopBody, exit);
        b.setInsertionPointToStart(loopBody);
        SmallVector<Value> callArgs{i};
        callArgs.append(values);
        b.create<LLVM::CallOp>(loc, body, callArgs);
        Value one = b.create<LLVM::ConstantOp>(loc, i64, b.getI64IntegerAttr(1));
        Value next = b.create<LLVM::AddOp>(loc, i, one);
        b.create<LLVM::BrOp>(loc, ValueRange{next}, header);
        b.setInsertionPointToStart(exit);
        b.create<LLVM::ReturnOp>(loc, ValueRange{});
      }

      // launch(n, captures...): pack the captures, then the pool or, without
      // a runtime to call, the trampoline over [0, n).
      launch->removeAttr(kParallelBodyAttr);
      launch.setLinkage(LLVM::Linkage::Internal);
      OpBuilder::InsertionGuard guard(b);
      Block *entry = launch.addEntryBlock(b);
      Block *pool = b.createBlock(&launch.getBody());
      Block *serial = b.createBlock(&launch.getBody());
      Block *done = b.createBlock(&launch.getBody());
      b.setInsertionPointToStart(entry);
      Value one = b.create<LLVM::ConstantOp>(loc, i64, b.getI64IntegerAttr(1));
      Value context = b.create<LLVM::AllocaOp>(loc, ptr, contextType, one);
      for (auto [k, arg] : llvm::enumerate(entry->getArguments().drop_front())) {
        Value slot = b.create<LLVM::GEPOp>(loc, ptr, contextType, context,
                                           ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(k)});
        b.create<LLVM::StoreOp>(loc, arg, slot);
      }
      Value n = entry->getArgument(0);
      Value runtimeAddr = b.create<LLVM::AddressOfOp>(loc, ptr, runtimeFn.getName());
      Value null = b.create<LLVM::ZeroOp>(loc, ptr);
      Value missing = b.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::eq, runtimeAddr, null);
      b.create<LLVM::CondBrOp>(loc, missing, serial, pool);
      b.setInsertionPointToStart(pool);
      Value trampAddr = b.create<LLVM::AddressOfOp>(loc, ptr, tramp.getName());
      b.create<LLVM::CallOp>(loc, runtimeFn, ValueRange{n, trampAddr, context});
      b.create<LLVM::BrOp>(loc, ValueRange{}, done);
      b.setInsertionPointToStart(serial);
      Value zero = b.create<LLVM::ConstantOp>(loc, i64, b.getI64IntegerAttr(0));
      b.create<LLVM::CallOp>(loc, tramp, ValueRange{zero, n, context});
      b.create<LLVM::BrOp>(loc, ValueRange{}, done);
      b.setInsertionPointToStart(done);
      b.create<LLVM::ReturnOp>(loc, ValueRange{});
      b.setInsertionPointToEnd(module.getBody());
    }
  }
};

} // namespace
