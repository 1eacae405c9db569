//===- kiln-compile.cpp - compile a model ahead of time ------------------===//
//
//   kiln-compile MODEL(.onnx|.onnxtxt|.mlir) -o OUT.so     shared library
//   kiln-compile MODEL -o OUT                              executable
//   kiln-compile MODEL --emit=nn|linalg|llvm-dialect|llvm-ir|asm|obj [-o FILE]
//   kiln-compile MODEL --target=cpu ...                    the code generation target
//   kiln-compile MODEL --input-shape x=?x3x8x8 --dim-bound N=64 ...
//                                 keep dim 0 of x symbolic, at most 64 at run time
//   kiln-compile MODEL --train --loss=... --label=NAME --optimizer=... -o TRAIN.so
//                                 a training artifact (docs/training.md)
//   kiln-compile MODEL ... --report   each entry's planned workspace against the sum
//                                 of its planned buffers, what is allocated at
//                                 run time and why, and the buffers live at the
//                                 peak of planned bytes
//   kiln-compile MODEL ... --mlir-timing [--mlir-timing-display=tree]
//                                 the time of each stage (import, each pass,
//                                 LLVM translation, optimization, code
//                                 generation, linking) on stderr
//
// Every error goes through MLIR's diagnostics: errors in IR or in the model
// carry their location; the tool's own errors (command line, files, linking)
// have none and print as `kiln-compile: error: ...`.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/ONNX/Importer.h"
#include "compiler/Import/ONNX/ONNXImporter.h"
#include "compiler/InitAll.h"
#include "compiler/Target/Target.h"
#include "dialects/NN/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA256.h"
#include "tools/common/ModelDigest.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <set>

using namespace mlir;
namespace cl = llvm::cl;

namespace {
enum class Emit { None, NN, Linalg, LLVMDialect, LLVMIR, Asm, Obj };

cl::OptionCategory category("kiln-compile options");
cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx | model.onnxtxt | model.mlir>"),
                               cl::Required, cl::cat(category));
cl::opt<std::string> outputFile("o", cl::desc("Output: OUT.so (shared library), OUT (executable), "
                                              "or the file for --emit (default: stdout)"),
                                cl::value_desc("path"), cl::cat(category));
cl::opt<Emit> emit(
    "emit", cl::desc("Print (or write with -o) one stage instead of linking"),
    cl::values(clEnumValN(Emit::NN, "nn", "the nn dialect after import"),
               clEnumValN(Emit::Linalg, "linalg", "linalg on tensors"),
               clEnumValN(Emit::LLVMDialect, "llvm-dialect", "the LLVM dialect"),
               clEnumValN(Emit::LLVMIR, "llvm-ir", "optimized LLVM IR"),
               clEnumValN(Emit::Asm, "asm", "target assembly"),
               clEnumValN(Emit::Obj, "obj", "a relocatable object file")),
    cl::init(Emit::None), cl::cat(category));
cl::opt<std::string> targetName("target",
                                cl::desc("Code generation target: cpu (default); cuda is not "
                                         "implemented yet"),
                                cl::init("cpu"), cl::cat(category));
cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("Shape for a graph input: NAME=DxDxD; a dim given as ? stays symbolic (named by the "
             "model's dim_param, else inK_dA), a size specializes it"),
    cl::value_desc("NAME=DxD..."), cl::cat(category));
cl::list<std::string> dimBounds(
    "dim-bound",
    cl::desc("Largest value a symbolic dim may take at run time: SYMBOL=N, N >= 1 (repeatable)"),
    cl::value_desc("SYMBOL=N"), cl::cat(category));
cl::opt<int64_t> batch("batch",
                      cl::desc("Pin dim 0 of every graph input to B (a training batch)"),
                      cl::value_desc("B"), cl::init(0), cl::cat(category));
cl::opt<bool> report("report",
                     cl::desc("Print each entry's planned workspace bytes (at the --dim-bound "
                              "bounds) against the sum of all its planned buffers, the "
                              "buffers allocated at run time and why, and the buffers live "
                              "where the most planned bytes are"),
                     cl::cat(category));

// Training (docs/training.md): the options of nn-build-training.
cl::OptionCategory trainCategory("kiln-compile training options (with --train)");
cl::opt<bool> train("train",
                    cl::desc("Build a training artifact: entries init, train_step, eval, infer"),
                    cl::cat(trainCategory));
cl::opt<std::string> lossName("loss",
                              cl::desc("softmax-cross-entropy | nll | mse | bce-logits "
                                       "(of the model's first output)"),
                              cl::cat(trainCategory));
cl::opt<std::string> labelName("label", cl::desc("Name of the new input holding the targets"),
                               cl::cat(trainCategory));
cl::opt<std::string> optimizerName("optimizer", cl::desc("sgd | rmsprop | adam | adamw"),
                                   cl::init("sgd"), cl::cat(trainCategory));
cl::opt<double> lr("lr", cl::desc("Learning rate (default 0.01)"), cl::init(0.01),
                   cl::cat(trainCategory));
cl::opt<double> momentum("momentum", cl::desc("SGD momentum (default 0)"), cl::init(0.0),
                         cl::cat(trainCategory));
cl::opt<bool> nesterov("nesterov", cl::desc("SGD with Nesterov momentum"), cl::cat(trainCategory));
cl::opt<double> weightDecay("weight-decay",
                            cl::desc("L2 penalty; decoupled for adamw (default 0; 0.01 for "
                                     "adamw, as torch.optim.AdamW)"),
                            cl::init(0.0), cl::cat(trainCategory));
cl::opt<double> beta1("beta1", cl::desc("Adam beta1 (default 0.9)"), cl::init(0.9),
                      cl::cat(trainCategory));
cl::opt<double> beta2("beta2", cl::desc("Adam beta2 (default 0.999)"), cl::init(0.999),
                      cl::cat(trainCategory));
cl::opt<double> eps("eps", cl::desc("Adam/RMSProp epsilon (default 1e-8)"), cl::init(1e-8),
                    cl::cat(trainCategory));
cl::opt<double> alpha("alpha", cl::desc("RMSProp smoothing constant (default 0.99)"),
                      cl::init(0.99), cl::cat(trainCategory));
cl::opt<double> clipNorm("clip-norm", cl::desc("Clip gradients to this global L2 norm"),
                         cl::init(0.0), cl::cat(trainCategory));
cl::opt<std::string> freezeRegex("freeze",
                                 cl::desc("Parameters whose name matches (extended regex, "
                                          "searched) are not trained"),
                                 cl::cat(trainCategory));
cl::opt<int64_t> seed("seed", cl::desc("Mixed into every dropout's seed (default 0)"),
                      cl::init(0), cl::cat(trainCategory));

cl::opt<std::string> mcpu("mcpu", cl::desc("Target CPU (default: the host's)"), cl::cat(category));
cl::opt<std::string> mattr("mattr", cl::desc("Target features, e.g. +avx2,-avx512f (default: the host's)"),
                           cl::cat(category));

/// Prints located diagnostics as MLIR does (`file:line:col: error: ...`, with
/// the source line) and unlocated ones, the tool's own, as
/// `kiln-compile: error: ...`.
class ToolDiagnosticHandler : public SourceMgrDiagnosticHandler {
public:
  ToolDiagnosticHandler(llvm::SourceMgr &mgr, MLIRContext *context)
      : SourceMgrDiagnosticHandler(mgr, context) {
    setHandler([this](Diagnostic &diag) {
      if (!isa<UnknownLoc>(diag.getLocation())) {
        emitDiagnostic(diag);
        return;
      }
      print(diag);
      for (Diagnostic &note : diag.getNotes())
        print(note);
    });
  }

private:
  static void print(Diagnostic &diag) {
    llvm::StringRef severity = "error";
    switch (diag.getSeverity()) {
    case DiagnosticSeverity::Note:
      severity = "note";
      break;
    case DiagnosticSeverity::Warning:
      severity = "warning";
      break;
    case DiagnosticSeverity::Remark:
      severity = "remark";
      break;
    case DiagnosticSeverity::Error:
      break;
    }
    llvm::errs() << "kiln-compile: " << severity << ": " << diag << "\n";
  }
};

/// Shows MLIR's timing options (registered by registerDefaultTimingManagerCLOptions)
/// in --help next to the tool's own.
void showTimingOptions() {
  llvm::StringMap<cl::Option *> &options = cl::getRegisteredOptions();
  for (llvm::StringRef name : {"mlir-timing", "mlir-timing-display", "mlir-output-format"})
    if (cl::Option *o = options.lookup(name))
      o->addCategory(category);
}

/// A pass manager with the command line's pass-manager options (IR printing,
/// statistics...) that times its passes under `timing`.
LogicalResult configurePassManager(PassManager &pm, TimingScope &timing) {
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  pm.enableTiming(timing);
  return success();
}

/// Reports a tool error (no location) and returns the exit status.
int fail(MLIRContext &context, const llvm::Twine &message) {
  emitError(UnknownLoc::get(&context)) << message;
  return 1;
}

LogicalResult parseInputShapes(MLIRContext &context, kiln::ONNXImportOptions &options) {
  for (const std::string &spec : inputShapes) {
    auto [name, dims] = llvm::StringRef(spec).rsplit('=');
    if (name.empty() || dims.empty())
      return emitError(UnknownLoc::get(&context))
             << "--input-shape expects NAME=DxDx..., found '" << spec << "'";
    llvm::SmallVector<int64_t> shape;
    llvm::SmallVector<llvm::StringRef> parts;
    dims.split(parts, 'x');
    for (llvm::StringRef p : parts) {
      int64_t d;
      if (p == "?") {
        shape.push_back(ShapedType::kDynamic);
        continue;
      }
      if (p.getAsInteger(10, d) || d < 0)
        return emitError(UnknownLoc::get(&context))
               << "--input-shape '" << spec << "': '" << p
               << "' is not a dimension size or '?'";
      shape.push_back(d);
    }
    if (!options.inputShapes.try_emplace(name, shape).second)
      return emitError(UnknownLoc::get(&context))
             << "--input-shape expects each input once, found '" << name << "' twice";
  }
  return success();
}

/// Reads --dim-bound SYMBOL=N, checked before the model is read.
LogicalResult parseDimBounds(MLIRContext &context, llvm::SmallVectorImpl<NamedAttribute> &bounds) {
  llvm::StringSet<> seen;
  Builder b(&context);
  for (const std::string &spec : dimBounds) {
    auto [symbol, value] = llvm::StringRef(spec).split('=');
    int64_t bound;
    bool identifier = !symbol.empty() && !llvm::isDigit(symbol.front()) &&
                      llvm::all_of(symbol, [](char c) { return llvm::isAlnum(c) || c == '_'; });
    if (!identifier || !llvm::StringRef(spec).contains('='))
      return emitError(UnknownLoc::get(&context))
             << "--dim-bound expects SYMBOL=N with SYMBOL an identifier, found '" << spec << "'";
    // No tensor may have more elements than kMaxElements (docs/onnx-import.md),
    // so neither may one dim; a larger bound sized the memory plan for nothing.
    if (value.getAsInteger(10, bound) || bound < 1 ||
        bound > kiln::onnx_import::kMaxElements)
      return emitError(UnknownLoc::get(&context))
             << "--dim-bound expects a bound N from 1 to " << kiln::onnx_import::kMaxElements
             << " (2^31, the most elements a tensor may have) in SYMBOL=N, found '" << value
             << "' for '" << symbol << "'";
    if (!seen.insert(symbol).second)
      return emitError(UnknownLoc::get(&context))
             << "--dim-bound expects each symbol once, found '" << symbol << "' twice";
    bounds.push_back(b.getNamedAttr(symbol, b.getI64IntegerAttr(bound)));
  }
  return success();
}

/// Stores the bounds as the module attribute `kiln.dim_bounds`, which
/// kiln-record-signature turns into the entries' bounds. A symbol must be a
/// symbolic input dim, named as kiln-record-signature names it (kiln.dim_names,
/// else inK_dA); checked here too, so the message needs no IR.
LogicalResult attachDimBounds(ModuleOp module, llvm::ArrayRef<NamedAttribute> bounds) {
  if (bounds.empty())
    return success();
  std::set<std::string> symbols;
  for (auto fn : module.getOps<func::FuncOp>()) {
    if (!fn.isPublic() || fn.isExternal())
      continue;
    for (auto [i, type] : llvm::enumerate(fn.getArgumentTypes())) {
      auto rt = dyn_cast<RankedTensorType>(type);
      auto names = fn.getArgAttrOfType<ArrayAttr>(i, "kiln.dim_names");
      for (auto [axis, size] : llvm::enumerate(rt ? rt.getShape() : llvm::ArrayRef<int64_t>())) {
        if (!ShapedType::isDynamic(size))
          continue;
        auto given = names && axis < names.size() ? dyn_cast<StringAttr>(names[axis]) : StringAttr();
        symbols.insert(given && !given.getValue().empty()
                           ? given.str()
                           : "in" + std::to_string(i) + "_d" + std::to_string(axis));
      }
    }
  }
  for (const NamedAttribute &bound : bounds) {
    if (symbols.count(bound.getName().str()))
      continue;
    std::string known;
    for (const std::string &s : symbols)
      known += (known.empty() ? "" : ", ") + s;
    return emitError(UnknownLoc::get(module.getContext()))
           << "--dim-bound names '" << bound.getName().getValue()
           << "', which is no symbolic input dim of the model (its symbols: "
           << (known.empty() ? "none" : known) << ")";
  }
  module->setAttr("kiln.dim_bounds", DictionaryAttr::get(module.getContext(), bounds));
  return success();
}

/// Opens the output (stdout when no -o) for a textual or binary stage.
std::unique_ptr<llvm::ToolOutputFile> openOutput(MLIRContext &context, bool binary) {
  std::string error;
  std::string path = outputFile.empty() ? "-" : outputFile.getValue();
  if (binary && path == "-") {
    fail(context, "--emit=obj expects -o FILE: an object is not written to stdout");
    return nullptr;
  }
  auto out = openOutputFile(path, &error);
  if (!out)
    fail(context, error);
  return out;
}

int printModule(ModuleOp module) {
  auto out = openOutput(*module.getContext(), false);
  if (!out)
    return 1;
  module.print(out->os());
  out->os() << "\n";
  out->keep();
  return 0;
}

std::string runtimeLibDir(const char *argv0) {
  static int anchor;
  std::string exe = llvm::sys::fs::getMainExecutable(argv0, &anchor);
  llvm::SmallString<256> dir(llvm::sys::path::parent_path(llvm::sys::path::parent_path(exe)));
  llvm::sys::path::append(dir, "lib");
  return std::string(dir);
}

/// `maxWeightBytes`: the target's limit when code is emitted, else 0.
OwningOpRef<ModuleOp> loadModel(MLIRContext &context, llvm::SourceMgr &sourceMgr,
                                uint64_t maxWeightBytes) {
  // A device or a FIFO as the model would be read without end (/dev/zero
  // grew to 19 GB) or block: only a regular file, or "-" for stdin.
  llvm::sys::fs::file_status status;
  if (inputFile != "-" && !llvm::sys::fs::status(inputFile, status) &&
      !llvm::sys::fs::is_regular_file(status)) {
    fail(context, "expects the model '" + inputFile + "' to be a regular file, found " +
                      (llvm::sys::fs::is_directory(status) ? "a directory"
                                                           : "a device, FIFO or socket"));
    return nullptr;
  }
  if (llvm::StringRef(inputFile).ends_with(".mlir")) {
    std::string error;
    auto file = openInputFile(inputFile, &error);
    if (!file) {
      fail(context, error);
      return nullptr;
    }
    sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
    return parseSourceFile<ModuleOp>(sourceMgr, &context);
  }
  kiln::ONNXImportOptions options;
  if (failed(parseInputShapes(context, options)))
    return nullptr;
  options.markParameters = train;
  options.batchSize = batch;
  options.maxWeightBytes = maxWeightBytes;
  return kiln::importONNXFile(inputFile, context, options);
}

/// Options given without --train, or --train without what it needs.
LogicalResult checkTrainingFlags(MLIRContext &context) {
  if (batch.getNumOccurrences() && batch <= 0)
    return emitError(UnknownLoc::get(&context))
           << "--batch expects B >= 1, found " << static_cast<int64_t>(batch);
  if (!train) {
    cl::Option *trainingOnly[] = {&lossName, &labelName, &optimizerName, &lr,    &momentum,
                                  &nesterov, &weightDecay, &beta1,         &beta2, &eps,
                                  &alpha,    &clipNorm,    &freezeRegex,   &seed};
    for (cl::Option *o : trainingOnly)
      if (o->getNumOccurrences())
        return emitError(UnknownLoc::get(&context))
               << "--" << o->ArgStr << " is a training option: it needs --train";
    return success();
  }
  if (lossName.empty() || labelName.empty())
    return emitError(UnknownLoc::get(&context))
           << "--train expects --loss=softmax-cross-entropy|nll|mse|bce-logits and --label=NAME";
  // An empty pattern would freeze everything (an empty regex matches every
  // name); it is refused rather than read as "no --freeze".
  if (freezeRegex.getNumOccurrences() && freezeRegex.empty())
    return emitError(UnknownLoc::get(&context))
           << "--freeze expects a pattern, found an empty one (leave it out to train every "
              "parameter)";
  // No --clip-norm is no clipping; a given norm of 0 would mean no update
  // at all (torch's clip_grad_norm_), not "off".
  if (clipNorm.getNumOccurrences() && !(clipNorm > 0 && std::isfinite(clipNorm)))
    return emitError(UnknownLoc::get(&context))
           << "--clip-norm expects a finite norm > 0 (leave it out for no clipping), found "
           << static_cast<double>(clipNorm);
  if (llvm::StringRef(inputFile).ends_with(".mlir"))
    return emitError(UnknownLoc::get(&context))
           << "--train expects an ONNX model, found an .mlir file (run the pass "
              "nn-build-training with kiln-opt instead)";
  // An optimizer constant the chosen optimizer does not read is an error,
  // not silently ignored.
  llvm::StringRef opt = optimizerName;
  bool adam = opt == "adam" || opt == "adamw";
  struct {
    cl::Option *flag;
    bool used;
    const char *by;
  } constants[] = {{&momentum, opt == "sgd", "sgd"},
                   {&nesterov, opt == "sgd", "sgd"},
                   {&beta1, adam, "adam and adamw"},
                   {&beta2, adam, "adam and adamw"},
                   {&eps, adam || opt == "rmsprop", "adam, adamw and rmsprop"},
                   {&alpha, opt == "rmsprop", "rmsprop"}};
  for (const auto &c : constants)
    if (c.flag->getNumOccurrences() && !c.used)
      return emitError(UnknownLoc::get(&context))
             << "--" << c.flag->ArgStr << " is read only by --optimizer=" << c.by
             << ", found --optimizer=" << opt;
  return success();
}

/// The digest of the input model (tools/common/ModelDigest.h: the file and
/// its external data files) that a training artifact records for `kiln-run
/// --save` to check; empty for stdin or a file that is not regular (which
/// --save cannot read back anyway). Read before the import: a file changed
/// while compiling then fails the check instead of passing it. An external
/// data file that cannot be read sets `deferred`, reported only if the
/// import (whose own checks on external data say more) succeeds.
FailureOr<std::string> sourceDigest(MLIRContext &context, std::string &deferred) {
  if (inputFile == "-" || !llvm::sys::fs::is_regular_file(inputFile))
    return std::string();
  auto buffer = llvm::MemoryBuffer::getFile(inputFile, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return emitError(UnknownLoc::get(&context))
           << "cannot read '" << inputFile << "': " << buffer.getError().message();
  std::string bytes = (*buffer)->getBuffer().str();
  onnx::ModelProto model;
  // A text model (which --save refuses) or one protobuf cannot parse: the
  // file's bytes alone.
  if (bytes.size() > static_cast<size_t>(INT32_MAX) ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return llvm::toHex(llvm::SHA256::hash(llvm::arrayRefFromStringRef(bytes)),
                       /*LowerCase=*/true);
  std::string dir = llvm::sys::path::parent_path(inputFile).str();
  std::string digest;
  if (!kiln::tools::modelDigest(bytes, model, dir.empty() ? "." : dir, digest, deferred))
    return std::string();
  return digest;
}

/// nn-build-training with the command line's options.
LogicalResult buildTraining(ModuleOp module, TimingScope &timing, StringRef digest) {
  kiln::nn::NNBuildTrainingPassOptions o;
  o.loss = lossName;
  o.label = labelName;
  o.optimizer = optimizerName;
  o.lr = lr;
  o.momentum = momentum;
  o.nesterov = nesterov;
  // torch.optim.AdamW's default weight decay is 0.01; the others' is 0.
  o.weightDecay = weightDecay.getNumOccurrences() == 0 && optimizerName == "adamw"
                      ? 0.01
                      : double(weightDecay);
  o.beta1 = beta1;
  o.beta2 = beta2;
  o.eps = eps;
  o.alpha = alpha;
  o.clipNorm = clipNorm;
  o.freeze = freezeRegex;
  o.seed = seed;
  llvm::SmallString<256> source(inputFile);
  llvm::sys::fs::make_absolute(source);
  o.source = std::string(source);
  o.sourceSha256 = digest.str();
  PassManager pm(module.getContext());
  if (failed(configurePassManager(pm, timing)))
    return failure();
  pm.addPass(kiln::nn::createNNBuildTrainingPass(o));
  return pm.run(module);
}

/// --report: per entry, the planned workspace (sized at the bounds that
/// sized it) against the sum of its planned buffers, then every buffer left
/// to allocation at run time, grouped by why, with the bytes when known. It
/// reads kiln.abi and the kiln.memory attribute kiln-plan-memory leaves on
/// each entry's function.
void printReport(ModuleOp module) {
  auto abi = module->getAttrOfType<DictionaryAttr>("kiln.abi");
  auto entries = abi ? abi.getAs<ArrayAttr>("entries") : ArrayAttr();
  if (!entries)
    entries = ArrayAttr::get(module.getContext(), {});
  auto memoryOf = [&](DictionaryAttr e) {
    auto function = e.getAs<FlatSymbolRefAttr>("function");
    Operation *func = function ? module.lookupSymbol(function.getAttr()) : nullptr;
    return func ? func->getAttrOfType<DictionaryAttr>("kiln.memory") : DictionaryAttr();
  };
  auto count = [](DictionaryAttr d, StringRef key) -> int64_t {
    auto v = d ? d.getAs<IntegerAttr>(key) : IntegerAttr();
    return v ? v.getInt() : 0;
  };
  llvm::outs() << "| entry | planned arena (bytes) | sum of planned buffers (bytes) | arena / sum "
                  "| planned buffers | sized at |\n"
               << "| --- | ---: | ---: | ---: | ---: | --- |\n";
  for (Attribute a : entries) {
    auto e = cast<DictionaryAttr>(a);
    auto name = e.getAs<StringAttr>("name");
    auto ws = e.getAs<IntegerAttr>("workspace");
    auto unshared = e.getAs<IntegerAttr>("unshared");
    int64_t w = ws ? ws.getInt() : 0, u = unshared ? unshared.getInt() : 0;
    llvm::outs() << "| " << (name ? name.getValue() : "?") << " | " << w << " | " << u << " | ";
    if (u > 0)
      llvm::outs() << llvm::format("%.3f", double(w) / double(u));
    else
      llvm::outs() << "-";
    DictionaryAttr memory = memoryOf(e);
    int64_t bounded = count(memory, "bounded");
    llvm::outs() << " | " << count(memory, "planned") + bounded;
    if (bounded)
      llvm::outs() << " (" << bounded << " at the bounds)";
    llvm::outs() << " | ";
    // The bounds the workspace was sized at: those of the symbols the
    // bounded buffers rest on.
    auto symbols = memory ? memory.getAs<ArrayAttr>("bounded_symbols") : ArrayAttr();
    auto bounds = e.getAs<DictionaryAttr>("bounds");
    if (!symbols || symbols.empty())
      llvm::outs() << (w ? "static sizes" : "-");
    else
      llvm::interleave(
          symbols,
          [&](Attribute s) {
            StringRef symbol = cast<StringAttr>(s).getValue();
            auto bound = bounds ? bounds.getAs<IntegerAttr>(symbol) : IntegerAttr();
            llvm::outs() << symbol << "=" << (bound ? bound.getInt() : 0);
          },
          [&] { llvm::outs() << ", "; });
    llvm::outs() << " |\n";
  }

  llvm::outs() << "\n| entry | allocated at run time | bytes (at the bounds) | why |\n"
               << "| --- | ---: | ---: | --- |\n";
  for (Attribute a : entries) {
    auto e = cast<DictionaryAttr>(a);
    auto name = e.getAs<StringAttr>("name");
    DictionaryAttr memory = memoryOf(e);
    auto rows = memory ? memory.getAs<ArrayAttr>("runtime_buffers") : ArrayAttr();
    if (!rows || rows.empty()) {
      llvm::outs() << "| " << (name ? name.getValue() : "?") << " | 0 | 0 | none |\n";
      continue;
    }
    for (Attribute r : rows) {
      auto row = cast<DictionaryAttr>(r);
      auto why = row.getAs<StringAttr>("why");
      auto bytes = row.getAs<IntegerAttr>("bytes");
      llvm::outs() << "| " << (name ? name.getValue() : "?") << " | " << count(row, "count")
                   << " | ";
      if (bytes)
        llvm::outs() << bytes.getInt();
      else
        llvm::outs() << "unknown";
      llvm::outs() << " | " << (why ? why.getValue() : "?") << " |\n";
    }
  }

  // Where the most planned bytes are live at once (a bound no placement can
  // beat), and the buffers live there, largest first.
  auto peakOf = [&](DictionaryAttr e) {
    auto function = e.getAs<FlatSymbolRefAttr>("function");
    Operation *func = function ? module.lookupSymbol(function.getAttr()) : nullptr;
    return func ? func->getAttrOfType<DictionaryAttr>("kiln.memory_peak") : DictionaryAttr();
  };
  auto cell = [](StringRef text) {
    std::string s;
    for (char c : text)
      s += c == '|' ? std::string("\\|") : std::string(1, c);
    return s;
  };
  llvm::outs() << "\n| entry | live at the peak (bytes) | at op | of ops | buffers live there |\n"
               << "| --- | ---: | ---: | ---: | ---: |\n";
  for (Attribute a : entries) {
    auto e = cast<DictionaryAttr>(a);
    auto name = e.getAs<StringAttr>("name");
    DictionaryAttr peak = peakOf(e);
    llvm::outs() << "| " << (name ? name.getValue() : "?") << " | ";
    if (!peak) {
      llvm::outs() << "0 | - | - | 0 |\n";
      continue;
    }
    llvm::outs() << count(peak, "bytes") << " | " << count(peak, "op") << " | "
                 << count(peak, "ops") << " | " << count(peak, "count") << " |\n";
  }
  llvm::outs() << "\n| entry | live at the peak (bytes) | buffer | live over ops | first used by "
                  "| at |\n"
               << "| --- | ---: | --- | --- | --- | --- |\n";
  for (Attribute a : entries) {
    auto e = cast<DictionaryAttr>(a);
    auto name = e.getAs<StringAttr>("name");
    DictionaryAttr peak = peakOf(e);
    auto buffers = peak ? peak.getAs<ArrayAttr>("buffers") : ArrayAttr();
    if (!buffers)
      continue;
    for (Attribute b : buffers) {
      auto buffer = cast<DictionaryAttr>(b);
      auto text = [&](StringRef key) {
        auto v = buffer.getAs<StringAttr>(key);
        return cell(v ? v.getValue() : "");
      };
      llvm::outs() << "| " << (name ? name.getValue() : "?") << " | " << count(buffer, "bytes")
                   << " | " << text("type") << " | " << count(buffer, "from") << "-"
                   << count(buffer, "to") << " | " << text("first_user") << " | " << text("loc")
                   << " |\n";
    }
    int64_t listed = static_cast<int64_t>(buffers.size());
    if (count(peak, "count") > listed)
      llvm::outs() << "| " << (name ? name.getValue() : "?") << " | " << count(peak, "rest_bytes")
                   << " | " << count(peak, "count") - listed << " smaller buffers | | | |\n";
  }
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerDefaultTimingManagerCLOptions();
  registerPassManagerCLOptions();
  showTimingOptions();
  cl::HideUnrelatedOptions({&category, &trainCategory});
  cl::ParseCommandLineOptions(argc, argv,
                              "Kiln: compile an ONNX or nn-dialect model ahead of time\n");

  // Declared before the context, so that its report, printed when it is
  // destroyed, counts the context's teardown too (as "Rest").
  DefaultTimingManager timingManager;
  applyDefaultTimingManagerCLOptions(timingManager);
  TimingScope timing = timingManager.getRootScope();

  DialectRegistry registry;
  kiln::registerKilnDialects(registry);
  kiln::registerKilnPasses();
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  ToolDiagnosticHandler diagHandler(sourceMgr, &context);

  if (emit == Emit::None && outputFile.empty())
    return fail(context, "expects -o OUT.so, -o OUT (executable) or --emit=STAGE, found none");
  // The output replaces its file only once complete, so -o naming the model
  // itself (or a link to it) would replace the model with the artifact.
  if (!outputFile.empty() && outputFile != "-" && inputFile != "-") {
    llvm::sys::fs::UniqueID in, out;
    if (!llvm::sys::fs::getUniqueID(inputFile, in) && !llvm::sys::fs::getUniqueID(outputFile, out) &&
        in == out)
      return fail(context, "expects -o to name a file other than the model '" + inputFile +
                               "', found the model itself");
  }
  kiln::TargetOptions targetOptions;
  targetOptions.cpu = mcpu;
  targetOptions.features = mattr;
  targetOptions.runtimeLibDir = runtimeLibDir(argv[0]);
  targetOptions.recordMemoryPeak = report;
  std::unique_ptr<kiln::Target> target = kiln::createTarget(targetName, targetOptions, &context);
  if (!target)
    return 1;
  target->setTiming(&timing);

  context.loadAllAvailableDialects();
  llvm::SmallVector<NamedAttribute> bounds;
  if (failed(parseDimBounds(context, bounds)))
    return 1;
  if (failed(checkTrainingFlags(context)))
    return 1;
  std::string digest, digestError;
  if (train) {
    FailureOr<std::string> d = sourceDigest(context, digestError);
    if (failed(d))
      return 1;
    digest = *d;
  }
  TimingScope importTiming = timing.nest("Import");
  // An artifact or object whose weights its code cannot address is
  // refused before the weights are read, not by the linker.
  bool emitsCode = emit == Emit::None || emit == Emit::Obj;
  OwningOpRef<ModuleOp> module =
      loadModel(context, sourceMgr, emitsCode ? target->maxWeightBytes() : 0);
  if (!module || failed(verify(*module)) || failed(attachDimBounds(*module, bounds)))
    return 1;
  importTiming.stop();
  if (train && !digestError.empty()) {
    emitError(UnknownLoc::get(&context)) << digestError;
    return 1;
  }
  if (train) {
    TimingScope trainingTiming = timing.nest("Build training");
    if (failed(buildTraining(*module, trainingTiming, digest)))
      return 1;
  }

  TimingScope printTiming;
  if (emit == Emit::NN) {
    PassManager pm(&context);
    TimingScope pipelineTiming = timing.nest("MLIR passes");
    if (failed(configurePassManager(pm, pipelineTiming)))
      return 1;
    pm.addPass(createCanonicalizerPass());
    if (failed(pm.run(*module)))
      return 1;
    pipelineTiming.stop();
    printTiming = timing.nest("Print MLIR");
    return printModule(*module);
  }

  PassManager pm(&context);
  TimingScope pipelineTiming = timing.nest("MLIR passes");
  if (failed(configurePassManager(pm, pipelineTiming)))
    return 1;
  kiln::PipelineEnd end =
      emit == Emit::Linalg ? kiln::PipelineEnd::Linalg : kiln::PipelineEnd::TargetIR;
  if (failed(target->buildPipeline(pm, end)) || failed(pm.run(*module)))
    return 1;
  pipelineTiming.stop();
  if (report)
    printReport(*module);
  if (emit == Emit::Linalg || emit == Emit::LLVMDialect) {
    printTiming = timing.nest("Print MLIR");
    return printModule(*module);
  }

  if (emit != Emit::None) {
    auto out = openOutput(context, emit == Emit::Obj);
    if (!out)
      return 1;
    kiln::EmitKind kind = emit == Emit::LLVMIR ? kiln::EmitKind::LLVMIR
                          : emit == Emit::Asm  ? kiln::EmitKind::Assembly
                                               : kiln::EmitKind::Object;
    if (failed(target->emit(*module, kind, out->os())))
      return 1;
    out->keep();
    return 0;
  }

  auto kind = llvm::StringRef(outputFile).ends_with(".so") ? kiln::ArtifactKind::SharedLibrary
                                                           : kiln::ArtifactKind::Executable;
  return failed(target->emitArtifact(*module, outputFile, kind)) ? 1 : 0;
}
