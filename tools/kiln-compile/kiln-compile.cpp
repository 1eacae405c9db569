//===- kiln-compile.cpp - compile a model ahead of time ------------------===//
//
//   kiln-compile MODEL(.onnx|.onnxtxt|.mlir) -o OUT.so     shared library
//   kiln-compile MODEL -o OUT                              executable
//   kiln-compile MODEL --emit=nn|linalg|llvm-dialect|llvm-ir|asm|obj [-o FILE]
//   kiln-compile MODEL --target=cpu ...                    the code generation target
//
// Every error goes through MLIR's diagnostics: errors in IR or in the model
// carry their location; the tool's own errors (command line, files, linking)
// have none and print as `kiln-compile: error: ...`.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/ONNX/ONNXImporter.h"
#include "compiler/InitAll.h"
#include "compiler/Target/Target.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

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
cl::list<std::string> inputShapes("input-shape",
                                  cl::desc("Static shape for a graph input: NAME=DxDxD"),
                                  cl::value_desc("NAME=DxD..."), cl::cat(category));
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
      if (p.getAsInteger(10, d) || d < 0)
        return emitError(UnknownLoc::get(&context))
               << "--input-shape '" << spec << "': '" << p << "' is not a dimension size";
      shape.push_back(d);
    }
    if (!options.inputShapes.try_emplace(name, shape).second)
      return emitError(UnknownLoc::get(&context))
             << "--input-shape expects each input once, found '" << name << "' twice";
  }
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

OwningOpRef<ModuleOp> loadModel(MLIRContext &context, llvm::SourceMgr &sourceMgr) {
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
  return kiln::importONNXFile(inputFile, context, options);
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "Kiln: compile an ONNX or nn-dialect model ahead of time\n");

  DialectRegistry registry;
  kiln::registerKilnDialects(registry);
  kiln::registerKilnPasses();
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  ToolDiagnosticHandler diagHandler(sourceMgr, &context);

  if (emit == Emit::None && outputFile.empty())
    return fail(context, "expects -o OUT.so, -o OUT (executable) or --emit=STAGE, found none");
  kiln::TargetOptions targetOptions;
  targetOptions.cpu = mcpu;
  targetOptions.features = mattr;
  targetOptions.runtimeLibDir = runtimeLibDir(argv[0]);
  std::unique_ptr<kiln::Target> target = kiln::createTarget(targetName, targetOptions, &context);
  if (!target)
    return 1;

  context.loadAllAvailableDialects();
  OwningOpRef<ModuleOp> module = loadModel(context, sourceMgr);
  if (!module || failed(verify(*module)))
    return 1;

  if (emit == Emit::NN) {
    PassManager pm(&context);
    pm.addPass(createCanonicalizerPass());
    if (failed(pm.run(*module)))
      return 1;
    return printModule(*module);
  }

  PassManager pm(&context);
  kiln::PipelineEnd end =
      emit == Emit::Linalg ? kiln::PipelineEnd::Linalg : kiln::PipelineEnd::TargetIR;
  if (failed(target->buildPipeline(pm, end)) || failed(pm.run(*module)))
    return 1;
  if (emit == Emit::Linalg || emit == Emit::LLVMDialect)
    return printModule(*module);

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

  // Link: an object in a temporary file, then the target's linker.
  llvm::SmallString<128> objPath;
  int fd;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile("kiln-model", "o", fd, objPath))
    return fail(context, "cannot create a temporary object file: " + ec.message());
  llvm::FileRemover remover(objPath);
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    if (failed(target->emit(*module, kiln::EmitKind::Object, os)))
      return 1;
  }
  auto kind = llvm::StringRef(outputFile).ends_with(".so") ? kiln::ArtifactKind::SharedLibrary
                                                           : kiln::ArtifactKind::Executable;
  return failed(target->link(objPath, outputFile, kind)) ? 1 : 0;
}
