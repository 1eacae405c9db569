//===- EntryPoint.cpp - the model's ABI description and C entry points ---===//

#include "compiler/Codegen/Common/ModelABI.h"
#include "compiler/Codegen/Common/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringSet.h"

#include <set>

namespace kiln {
#define GEN_PASS_DEF_RECORDSIGNATUREPASS
#define GEN_PASS_DEF_EMITENTRYPOINTPASS
#include "compiler/Codegen/Common/Passes.h.inc"
} // namespace kiln

using namespace mlir;
namespace abi = kiln::abi;

namespace {
struct RecordSignaturePass
    : kiln::impl::RecordSignaturePassBase<RecordSignaturePass> {
  using Base::Base;

  /// Describes one argument or result; emits an error and fails when its type
  /// has no place in the ABI or in code generation.
  FailureOr<abi::TensorSpec> describe(func::FuncOp fn, StringRef kind, unsigned index,
                                      StringRef name, Type type, DictionaryAttr attrs) {
    auto rt = dyn_cast<RankedTensorType>(type);
    StringRef dtype = rt ? abi::dtypeName(rt.getElementType()) : "";
    if (!rt || dtype.empty())
      return fn.emitError() << "expects the model's " << kind << " '" << name
                            << "' to be a ranked tensor of f32, f64, f16, bf16, bool, i8, i16, i32, i64, ui8, "
                               "ui16, ui32 or ui64, "
                               "found "
                            << type;
    auto dimNames = attrs ? attrs.getAs<ArrayAttr>("kiln.dim_names") : ArrayAttr();
    abi::TensorSpec spec{name.str(), dtype.str(), {}};
    for (auto [axis, size] : llvm::enumerate(rt.getShape())) {
      if (!ShapedType::isDynamic(size)) {
        spec.shape.push_back({size, ""});
        continue;
      }
      // A dynamic dim is named by `kiln.dim_names` (e.g. ONNX's dim_param),
      // or gets a name of its own; "" in kiln.dim_names leaves that dim
      // unnamed (an input with a dim_param on some dims only).
      std::string symbol =
          ((kind == "input" ? "in" : "out") + Twine(index) + "_d" + Twine(axis)).str();
      auto unnamed = [&] {
        auto given = dyn_cast<StringAttr>(dimNames[axis]);
        return given && given.getValue().empty();
      };
      if (dimNames && axis < dimNames.size() && !unnamed()) {
        auto given = dyn_cast<StringAttr>(dimNames[axis]);
        if (!given || !abi::isIdentifier(given.getValue()))
          return fn.emitError() << "expects kiln.dim_names of the model's " << kind << " '"
                                << name << "' to name dim " << axis
                                << " with an identifier, found " << dimNames[axis];
        symbol = given.getValue().str();
      }
      spec.shape.push_back({0, symbol});
    }
    return spec;
  }

  /// Gives each entry the bounds of `kiln.dim_bounds` (kiln-compile's
  /// --dim-bound) on symbols its inputs have; every bound must find one.
  LogicalResult recordBounds(ModuleOp module, abi::ModelABI &description) {
    Attribute attr = module->getAttr("kiln.dim_bounds");
    if (!attr)
      return success();
    auto bounds = dyn_cast<DictionaryAttr>(attr);
    if (!bounds)
      return module.emitError() << "expects kiln.dim_bounds to be a dictionary {SYMBOL = N}, found "
                                << attr;
    std::set<std::string> symbols;
    for (const abi::Entry &entry : description.entries)
      for (const abi::TensorSpec &v : entry.inputs)
        for (const abi::Dim &d : v.shape)
          if (d.isSymbolic())
            symbols.insert(d.symbol);
    for (NamedAttribute bound : bounds) {
      StringRef symbol = bound.getName().getValue();
      auto value = dyn_cast<IntegerAttr>(bound.getValue());
      if (!value || !value.getType().isInteger(64) || value.getInt() < 1)
        return module.emitError() << "expects the bound of '" << symbol
                                  << "' in kiln.dim_bounds to be an i64 >= 1, found "
                                  << bound.getValue();
      if (!symbols.count(symbol.str())) {
        std::string known;
        for (const std::string &s : symbols)
          known += (known.empty() ? "" : ", ") + s;
        return module.emitError() << "expects bounded symbol '" << symbol
                                  << "' to be a symbolic dim of an input, found none (the inputs' "
                                     "symbols: "
                                  << (known.empty() ? "none" : known) << ")";
      }
      for (abi::Entry &entry : description.entries)
        for (const abi::TensorSpec &v : entry.inputs)
          for (const abi::Dim &d : v.shape)
            if (d.symbol == symbol)
              entry.bounds[d.symbol] = value.getInt();
    }
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    abi::ModelABI description;
    llvm::StringSet<> names;
    bool ok = true;
    for (auto fn : module.getOps<func::FuncOp>()) {
      if (!fn.isPublic() || fn.isExternal())
        continue;
      auto given = fn->getAttrOfType<StringAttr>("kiln.entry_name");
      std::string name = given ? given.str() : fn.getSymName().str();
      if (!abi::isIdentifier(name)) {
        fn.emitError() << "expects an entry name of letters, digits and '_' not starting with a "
                          "digit, found '"
                       << name << "'";
        ok = false;
        continue;
      }
      if (!names.insert(name).second) {
        fn.emitError() << "expects distinct entry names, found '" << name << "' twice";
        ok = false;
        continue;
      }
      abi::Entry entry{name, fn.getSymName().str(), {}, {}, 0};
      for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
        auto attr = fn.getArgAttrOfType<StringAttr>(i, "kiln.name");
        std::string valueName = attr ? attr.str() : "input_" + std::to_string(i);
        FailureOr<abi::TensorSpec> spec = describe(fn, "input", i, valueName,
                                                   fn.getArgumentTypes()[i], fn.getArgAttrDict(i));
        if (succeeded(spec))
          entry.inputs.push_back(std::move(*spec));
        ok &= succeeded(spec);
      }
      auto resultNames = fn->getAttrOfType<ArrayAttr>("kiln.result_names");
      for (unsigned i = 0; i < fn.getNumResults(); ++i) {
        StringAttr attr = resultNames && i < resultNames.size()
                              ? dyn_cast<StringAttr>(resultNames[i])
                              : StringAttr();
        std::string valueName = attr ? attr.str() : "output_" + std::to_string(i);
        FailureOr<abi::TensorSpec> spec = describe(fn, "output", i, valueName,
                                                   fn.getResultTypes()[i], fn.getResultAttrDict(i));
        if (succeeded(spec))
          entry.outputs.push_back(std::move(*spec));
        ok &= succeeded(spec);
      }
      description.entries.push_back(std::move(entry));
    }
    if (ok && description.entries.empty()) {
      module.emitError("expects at least one public function (an entry point), found none");
      ok = false;
    }
    if (!ok || failed(recordBounds(module, description)))
      return signalPassFailure();
    abi::writeABI(module, description);
  }
};

struct EmitEntryPointPass
    : kiln::impl::EmitEntryPointPassBase<EmitEntryPointPass> {
  using EmitEntryPointPassBase::EmitEntryPointPassBase;

  /// Checks that the entry's function takes the buffers its description says.
  LogicalResult checkEntry(ModuleOp module, const abi::Entry &entry) {
    auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(entry.function);
    if (!fn)
      return module.emitError() << "expects the function @" << entry.function << " of entry '"
                                << entry.name << "' in the LLVM dialect, found none";
    // Inputs, outputs, the workspace if any, dims and error: all pointers.
    size_t expected = entry.inputs.size() + entry.outputs.size() + (entry.workspace ? 1 : 0) + 2;
    auto ptr = LLVM::LLVMPointerType::get(module.getContext());
    ArrayRef<Type> params = fn.getFunctionType().getParams();
    if (params.size() != expected || llvm::any_of(params, [&](Type t) { return t != ptr; }) ||
        !fn.getFunctionType().getReturnType().isInteger(32))
      return fn.emitError() << "expects the function of entry '" << entry.name << "' to take "
                            << expected
                            << " pointers (inputs, outputs, the workspace if any, dims and "
                               "error; after kiln-lower-entry-abi) and return an i32 status, "
                               "found "
                            << fn.getFunctionType();
    std::string runName = "kiln_run_" + entry.name;
    if (module.lookupSymbol(runName))
      return module.emitError() << "expects no symbol named '" << runName
                                << "' before the entry points are emitted, found one";
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<abi::ModelABI> description = abi::readABI(module);
    if (failed(description))
      return signalPassFailure();
    for (const abi::Entry &entry : description->entries)
      if (failed(checkEntry(module, entry)))
        return signalPassFailure();

    MLIRContext *ctx = &getContext();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    Location loc = module.getLoc();
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());

    // One exported `int32_t kiln_run_<entry>(void **buffers, int64_t *dims,
    // const char **error)` per entry, unpacking the buffers into the (now
    // internal, so it cannot clash at link time) function. A dynamically
    // shaped output gets its slot's address: the function stores the
    // pointer it hands over there.
    auto i32 = IntegerType::get(ctx, 32);
    SmallVector<std::string> runNames;
    for (const abi::Entry &entry : description->entries) {
      auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(entry.function);
      fn.setLinkage(LLVM::Linkage::Internal);
      runNames.push_back("kiln_run_" + entry.name);
      auto runFn = b.create<LLVM::LLVMFuncOp>(
          loc, runNames.back(), LLVM::LLVMFunctionType::get(i32, {ptr, ptr, ptr}));
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(runFn.addEntryBlock(b));
      Value buffers = runFn.getArgument(0);
      size_t numBuffers = fn.getNumArguments() - 2;
      SmallVector<Value> args;
      for (size_t i = 0; i < numBuffers; ++i) {
        Value slot = b.create<LLVM::GEPOp>(loc, ptr, ptr, buffers,
                                           ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
        size_t output = i - entry.inputs.size();
        bool handedOver = i >= entry.inputs.size() && output < entry.outputs.size() &&
                          llvm::any_of(entry.outputs[output].shape,
                                       [](const abi::Dim &d) { return d.isSymbolic(); });
        args.push_back(handedOver ? slot : b.create<LLVM::LoadOp>(loc, ptr, slot).getResult());
      }
      args.push_back(runFn.getArgument(1));
      args.push_back(runFn.getArgument(2));
      Value status = b.create<LLVM::CallOp>(loc, fn, args).getResult();
      b.create<LLVM::ReturnOp>(loc, status);
    }

    // The CPU features, in the list's order whatever the option's, so that
    // one set always gives the same bytes.
    SmallVector<StringRef> requested;
    StringRef(cpuFeatures).split(requested, ',', -1, /*KeepEmpty=*/false);
    static const char *const known[] = {
#define KILN_CPU_FEATURE(name, ...) name,
#include "runtime/kiln_cpu_features.def"
#undef KILN_CPU_FEATURE
    };
    for (StringRef f : requested)
      if (!llvm::is_contained(known, f)) {
        module.emitError() << "expects cpu-features from the list in "
                              "runtime/kiln_cpu_features.def, found '"
                           << f << "'";
        return signalPassFailure();
      }
    std::vector<std::string> features;
    for (const char *f : known)
      if (llvm::is_contained(requested, StringRef(f)))
        features.push_back(f);

    // The signature text, generated from the description in one place.
    std::string bytes = abi::serializeSignature(*description, ArrayRef<std::string>(features));
    bytes.push_back('\0');
    auto textType = LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8), bytes.size());
    b.create<LLVM::GlobalOp>(loc, textType, /*isConstant=*/true, LLVM::Linkage::Internal,
                             "kiln_signature_text", b.getStringAttr(bytes));
    returnAddressOf(b, loc, "kiln_entry_signature", "kiln_signature_text");

    // The run functions in signature order, NULL-terminated.
    auto tableType = LLVM::LLVMArrayType::get(ptr, runNames.size() + 1);
    auto table = b.create<LLVM::GlobalOp>(loc, tableType, /*isConstant=*/true,
                                          LLVM::Linkage::Internal, "kiln_entry_table",
                                          Attribute());
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&table.getInitializerRegion().emplaceBlock());
      Value array = b.create<LLVM::UndefOp>(loc, tableType);
      for (auto [i, name] : llvm::enumerate(runNames)) {
        Value fnAddr = b.create<LLVM::AddressOfOp>(loc, ptr, name);
        array = b.create<LLVM::InsertValueOp>(loc, array, fnAddr, i);
      }
      Value null = b.create<LLVM::ZeroOp>(loc, ptr);
      array = b.create<LLVM::InsertValueOp>(loc, array, null, runNames.size());
      b.create<LLVM::ReturnOp>(loc, array);
    }
    returnAddressOf(b, loc, "kiln_entry_functions", "kiln_entry_table");
  }

  /// Adds an exported `ptr name()` that returns the address of global `target`.
  static void returnAddressOf(OpBuilder &b, Location loc, StringRef name, StringRef target) {
    auto ptr = LLVM::LLVMPointerType::get(b.getContext());
    auto fn = b.create<LLVM::LLVMFuncOp>(loc, name, LLVM::LLVMFunctionType::get(ptr, {}));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(fn.addEntryBlock(b));
    b.create<LLVM::ReturnOp>(loc, b.create<LLVM::AddressOfOp>(loc, ptr, target));
  }
};
} // namespace
