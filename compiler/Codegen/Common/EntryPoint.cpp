//===- EntryPoint.cpp - the model's signature and C entry points ---------===//

#include "compiler/Codegen/Common/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringExtras.h"

namespace kiln {
#define GEN_PASS_DEF_RECORDSIGNATUREPASS
#define GEN_PASS_DEF_EMITENTRYPOINTPASS
#include "compiler/Codegen/Common/Passes.h.inc"
} // namespace kiln

using namespace mlir;

static constexpr llvm::StringLiteral kSignatureAttr = "kiln.signature";
static constexpr llvm::StringLiteral kEntryAttr = "kiln.entry";

/// The runtime's dtype name for an element type, or "" when it has none.
static StringRef dtypeName(Type t) {
  if (t.isF32())
    return "f32";
  if (t.isF64())
    return "f64";
  if (t.isSignlessInteger(1))
    return "bool";
  if (t.isSignlessInteger(8))
    return "i8";
  if (t.isSignlessInteger(16))
    return "i16";
  if (t.isSignlessInteger(32))
    return "i32";
  if (t.isSignlessInteger(64))
    return "i64";
  return "";
}

/// Percent-encodes bytes the signature's line format cannot hold.
static std::string encodeName(StringRef name) {
  std::string out;
  for (unsigned char c : name) {
    if (c <= 0x20 || c == '%' || c >= 0x7f) {
      out += '%';
      out += llvm::hexdigit(c >> 4);
      out += llvm::hexdigit(c & 15);
    } else {
      out += c;
    }
  }
  return out;
}

namespace {
struct RecordSignaturePass
    : kiln::impl::RecordSignaturePassBase<RecordSignaturePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> entries;
    for (auto fn : module.getOps<func::FuncOp>())
      if (fn.isPublic() && !fn.isExternal())
        entries.push_back(fn);
    if (entries.size() != 1) {
      module.emitError("expects exactly one public function (the model), found ")
          << entries.size();
      return signalPassFailure();
    }
    func::FuncOp fn = entries.front();
    std::string text = "kiln-model 1\n";
    auto line = [&](Location loc, StringRef kind, StringRef name, Type type) {
      auto rt = dyn_cast<RankedTensorType>(type);
      StringRef dtype = rt ? dtypeName(rt.getElementType()) : "";
      if (!rt || !rt.hasStaticShape() || dtype.empty()) {
        emitError(loc) << "expects the model's " << kind << " '" << name
                       << "' to be a static tensor of f32, f64, bool, i8, i16, "
                          "i32 or i64, found "
                       << type;
        return false;
      }
      if (rt.getNumElements() == 0) {
        // The bare-pointer calling convention has no layout for them.
        emitError(loc) << "the model's " << kind << " '" << name << "' has no elements ("
                       << type << "); zero-element inputs and outputs are not supported";
        return false;
      }
      std::string dims = rt.getRank() == 0 ? "scalar" : "";
      for (auto [i, d] : llvm::enumerate(rt.getShape()))
        dims += (i ? "x" : "") + std::to_string(d);
      text += (kind + " " + encodeName(name) + " " + dtype + " " + dims + "\n").str();
      return true;
    };
    auto resultNames = fn->getAttrOfType<ArrayAttr>("kiln.result_names");
    bool ok = true;
    for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
      auto name = fn.getArgAttrOfType<StringAttr>(i, "kiln.name");
      ok &= line(fn.getLoc(), "input",
                 name ? name.getValue().str() : "input_" + std::to_string(i),
                 fn.getArgumentTypes()[i]);
    }
    for (unsigned i = 0; i < fn.getNumResults(); ++i) {
      StringAttr name = resultNames && i < resultNames.size()
                            ? dyn_cast<StringAttr>(resultNames[i])
                            : StringAttr();
      ok &= line(fn.getLoc(), "output",
                 name ? name.getValue().str() : "output_" + std::to_string(i),
                 fn.getResultTypes()[i]);
    }
    if (!ok)
      return signalPassFailure();
    Builder b(&getContext());
    module->setAttr(kSignatureAttr, b.getStringAttr(text));
    module->setAttr(kEntryAttr, b.getStringAttr(fn.getSymName()));
  }
};

struct EmitEntryPointPass
    : kiln::impl::EmitEntryPointPassBase<EmitEntryPointPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto text = module->getAttrOfType<StringAttr>(kSignatureAttr);
    auto entryName = module->getAttrOfType<StringAttr>(kEntryAttr);
    if (!text || !entryName) {
      module.emitError("expects the kiln.signature and kiln.entry module "
                       "attributes (run kiln-record-signature first)");
      return signalPassFailure();
    }
    auto entry = module.lookupSymbol<LLVM::LLVMFuncOp>(entryName.getValue());
    if (!entry) {
      module.emitError("expects the model function '")
          << entryName.getValue() << "' lowered to the LLVM dialect";
      return signalPassFailure();
    }
    MLIRContext *ctx = &getContext();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    for (Type t : entry.getFunctionType().getParams()) {
      if (t != ptr) {
        entry.emitError("expects the model function to take only pointers "
                        "(bare-pointer calling convention), found ")
            << t;
        return signalPassFailure();
      }
    }
    entry.setLinkage(LLVM::Linkage::Internal);

    Location loc = module.getLoc();
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    std::string bytes = text.getValue().str();
    bytes.push_back('\0');
    auto arrayType = LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8), bytes.size());
    b.create<LLVM::GlobalOp>(loc, arrayType, /*isConstant=*/true, LLVM::Linkage::Internal,
                             "kiln_signature_text", b.getStringAttr(bytes));

    auto sigFn = b.create<LLVM::LLVMFuncOp>(loc, "kiln_entry_signature",
                                            LLVM::LLVMFunctionType::get(ptr, {}));
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(sigFn.addEntryBlock(b));
      Value addr = b.create<LLVM::AddressOfOp>(loc, ptr, "kiln_signature_text");
      b.create<LLVM::ReturnOp>(loc, addr);
    }

    auto voidType = LLVM::LLVMVoidType::get(ctx);
    auto runFn = b.create<LLVM::LLVMFuncOp>(loc, "kiln_entry_run",
                                            LLVM::LLVMFunctionType::get(voidType, {ptr}));
    b.setInsertionPointToStart(runFn.addEntryBlock(b));
    Value buffers = runFn.getArgument(0);
    SmallVector<Value> args;
    for (unsigned i = 0; i < entry.getNumArguments(); ++i) {
      Value slot = b.create<LLVM::GEPOp>(loc, ptr, ptr, buffers,
                                         ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
      args.push_back(b.create<LLVM::LoadOp>(loc, ptr, slot));
    }
    b.create<LLVM::CallOp>(loc, entry, args);
    b.create<LLVM::ReturnOp>(loc, ValueRange{});
  }
};
} // namespace
