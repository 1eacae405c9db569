//===- kiln-compile.cpp - compile a model ahead of time ------------------===//
//
//   kiln-compile MODEL(.onnx|.onnxtxt|.mlir) -o OUT.so     shared library
//   kiln-compile MODEL -o OUT                              executable
//   kiln-compile MODEL --emit=nn|linalg|llvm-dialect|llvm-ir|asm|obj [-o FILE]
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/ONNX/ONNXImporter.h"
#include "compiler/InitAll.h"
#include "compiler/Pipelines/Pipelines.h"
#include "compiler/Target/Target.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
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
cl::opt<std::string> target("target", cl::desc("cpu (default) or cuda"), cl::init("cpu"),
                            cl::cat(category));
cl::list<std::string> inputShapes("input-shape",
                                  cl::desc("Static shape for a graph input: NAME=DxDxD"),
                                  cl::value_desc("NAME=DxD..."), cl::cat(category));
cl::opt<std::string> mcpu("mcpu", cl::desc("Target CPU (default: the host's)"), cl::cat(category));
cl::opt<std::string> mattr("mattr", cl::desc("Target features, e.g. +avx2,-avx512f (default: the host's)"),
                           cl::cat(category));

int fail(const llvm::Twine &message) {
  llvm::errs() << "kiln-compile: error: " << message << "\n";
  return 1;
}

LogicalResult parseInputShapes(kiln::ONNXImportOptions &options) {
  for (const std::string &spec : inputShapes) {
    auto [name, dims] = llvm::StringRef(spec).rsplit('=');
    if (name.empty() || dims.empty()) {
      fail("--input-shape expects NAME=DxDx..., found '" + spec + "'");
      return failure();
    }
    llvm::SmallVector<int64_t> shape;
    llvm::SmallVector<llvm::StringRef> parts;
    dims.split(parts, 'x');
    for (llvm::StringRef p : parts) {
      int64_t d;
      if (p.getAsInteger(10, d) || d < 0) {
        fail("--input-shape '" + spec + "': '" + p + "' is not a dimension size");
        return failure();
      }
      shape.push_back(d);
    }
    options.inputShapes[name] = shape;
  }
  return success();
}

/// Opens the output (stdout when no -o) for a textual or binary stage.
std::unique_ptr<llvm::ToolOutputFile> openOutput(bool binary) {
  std::string error;
  std::string path = outputFile.empty() ? "-" : outputFile.getValue();
  if (binary && path == "-") {
    fail("--emit=obj needs -o FILE");
    return nullptr;
  }
  auto out = openOutputFile(path, &error);
  if (!out)
    fail(error);
  return out;
}

int printModule(ModuleOp module) {
  auto out = openOutput(false);
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
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "Kiln: compile an ONNX or nn-dialect model ahead of time\n");
  if (target != "cpu" && target != "cuda")
    return fail("--target must be cpu or cuda, found '" + target + "'");
  if (target == "cuda")
    return fail("--target=cuda is not implemented yet (CPU only in this version)");
  if (emit == Emit::None && outputFile.empty())
    return fail("give -o OUT.so, -o OUT (executable) or --emit=STAGE");

  DialectRegistry registry;
  kiln::registerKilnDialects(registry);
  kiln::registerKilnPasses();
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);

  OwningOpRef<ModuleOp> module;
  if (llvm::StringRef(inputFile).ends_with(".mlir")) {
    std::string error;
    auto file = openInputFile(inputFile, &error);
    if (!file)
      return fail(error);
    sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
    module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  } else {
    kiln::ONNXImportOptions options;
    if (failed(parseInputShapes(options)))
      return 1;
    module = kiln::importONNXFile(inputFile, context, options);
  }
  if (!module)
    return 1;
  if (failed(verify(*module)))
    return fail("the imported module does not verify");

  kiln::CPUTargetOptions targetOptions{mcpu, mattr};
  kiln::CPUVectorShape vectorShape;
  std::string targetError;
  if (failed(kiln::queryVectorShape(targetOptions, vectorShape, targetError)))
    return fail(targetError);
  kiln::CPUPipelineOptions pipelineOptions;
  pipelineOptions.vectorWidth = vectorShape.vectorWidth;
  pipelineOptions.vectorRegisters = vectorShape.vectorRegisters;

  auto runPipeline = [&](auto build) {
    PassManager pm(&context);
    if (failed(build(pm)))
      return failure();
    return pm.run(*module);
  };
  auto emitPipelineError = [&](const llvm::Twine &message) {
    return emitError(UnknownLoc::get(&context)) << message;
  };

  if (emit == Emit::NN) {
    PassManager pm(&context);
    pm.addPass(createCanonicalizerPass());
    if (failed(pm.run(*module)))
      return 1;
    return printModule(*module);
  }
  if (failed(runPipeline([](OpPassManager &pm) {
        kiln::buildCPULinalgPipeline(pm);
        return success();
      })))
    return 1;
  if (emit == Emit::Linalg)
    return printModule(*module);
  if (failed(runPipeline([&](OpPassManager &pm) {
        return kiln::buildCPULLVMPipeline(pm, pipelineOptions, emitPipelineError);
      })))
    return 1;
  if (emit == Emit::LLVMDialect)
    return printModule(*module);

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      kiln::translateAndOptimize(*module, llvmContext, targetOptions);
  if (!llvmModule)
    return 1;
  if (emit == Emit::LLVMIR) {
    auto out = openOutput(false);
    if (!out)
      return 1;
    llvmModule->print(out->os(), nullptr);
    out->keep();
    return 0;
  }
  std::string error;
  if (emit == Emit::Asm || emit == Emit::Obj) {
    auto out = openOutput(emit == Emit::Obj);
    if (!out)
      return 1;
    if (failed(kiln::emitMachineCode(*llvmModule, targetOptions,
                                     emit == Emit::Obj ? kiln::EmitKind::Object
                                                       : kiln::EmitKind::Assembly,
                                     out->os(), error)))
      return fail(error);
    out->keep();
    return 0;
  }

  // Link: an object in a temporary file, then the system driver.
  llvm::SmallString<128> objPath;
  int fd;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile("kiln-model", "o", fd, objPath))
    return fail("cannot create a temporary object file: " + ec.message());
  llvm::FileRemover remover(objPath);
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    if (failed(kiln::emitMachineCode(*llvmModule, targetOptions, kiln::EmitKind::Object, os,
                                     error)))
      return fail(error);
  }
  auto kind = llvm::StringRef(outputFile).ends_with(".so") ? kiln::ArtifactKind::SharedLibrary
                                                           : kiln::ArtifactKind::Executable;
  if (failed(kiln::linkArtifact(objPath, outputFile, kind, runtimeLibDir(argv[0]), error)))
    return fail(error);
  return 0;
}
