//===- CPUTarget.cpp - the CPU implementation of kiln::Target ------------===//
//
// One target machine per compilation: it sizes the pipeline's tiles, then
// optimizes and emits the code, so the three always agree on the processor.
//
//===----------------------------------------------------------------------===//

#include "compiler/Target/CPU/CPUTarget.h"

#include "compiler/Pipelines/Pipelines.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;

namespace {
/// A file removed when it goes out of scope or when a signal ends the
/// process first (llvm::sys::RemoveFileOnSignal).
class TemporaryFile {
public:
  explicit TemporaryFile(llvm::StringRef path) : path(path.str()) {
    llvm::sys::RemoveFileOnSignal(path);
  }
  ~TemporaryFile() {
    llvm::sys::fs::remove(path);
    llvm::sys::DontRemoveFileOnSignal(path);
  }

private:
  std::string path;
};

class CPUTarget : public kiln::Target {
public:
  CPUTarget(const kiln::TargetOptions &options, MLIRContext *context,
            std::unique_ptr<llvm::TargetMachine> tm)
      : options(options), context(context), tm(std::move(tm)) {}

  llvm::StringRef name() const override { return "cpu"; }

  uint64_t maxWeightBytes() const override { return kiln::cpu::kMaxWeightBytes; }

  LogicalResult buildPipeline(OpPassManager &pm, kiln::PipelineEnd end) const override {
    if (end == kiln::PipelineEnd::Linalg) {
      kiln::buildCPULinalgPipeline(pm);
      return success();
    }
    kiln::cpu::VectorShape shape = kiln::cpu::queryVectorShape(*tm);
    kiln::CPUPipelineOptions pipelineOptions;
    pipelineOptions.vectorWidth = shape.vectorWidth;
    pipelineOptions.vectorRegisters = shape.vectorRegisters;
    pipelineOptions.recordMemoryPeak = options.recordMemoryPeak;
    pipelineOptions.cpuFeatures = kiln::cpu::queryCPUFeatures(*tm);
    return kiln::buildCPUPipeline(pm, pipelineOptions, [&](const llvm::Twine &message) {
      return emitError(UnknownLoc::get(context)) << message;
    });
  }

  LogicalResult emit(ModuleOp module, kiln::EmitKind kind,
                     llvm::raw_pwrite_stream &os) const override {
    // Freed explicitly below, so that the report times it.
    auto llvmContext = std::make_unique<llvm::LLVMContext>();
    std::unique_ptr<llvm::Module> llvmModule;
    {
      TimingScope translation = timeStage("Translate to LLVM IR");
      llvmModule = kiln::cpu::translateToLLVMIR(module, *llvmContext, *tm);
    }
    if (!llvmModule)
      return failure();
    {
      TimingScope optimization = timeStage("Optimize LLVM IR");
      if (failed(kiln::cpu::optimizeLLVMIR(module, *llvmModule, *tm, options.optLevel)))
        return failure();
    }
    if (kind == kiln::EmitKind::LLVMIR) {
      TimingScope printing = timeStage("Print LLVM IR");
      llvmModule->print(os, nullptr);
      return success();
    }
    std::string error;
    TimingScope codegen = timeStage("Generate machine code");
    if (failed(kiln::cpu::emitMachineCode(*llvmModule, *tm, kind, os, error)))
      return module.emitError(error);
    codegen.stop();
    TimingScope teardown = timeStage("Free LLVM IR");
    llvmModule.reset();
    llvmContext.reset();
    return success();
  }

  LogicalResult emitArtifact(ModuleOp module, llvm::StringRef outputPath,
                             kiln::ArtifactKind kind) const override {
    // The code and, when the object format allows, the weights in objects
    // of their own (WeightsObject.cpp): temporary files the linker reads.
    // Removed on every return and, should a signal (SIGINT, SIGTERM, a
    // crash) end the compile, by LLVM's signal handler.
    std::vector<std::string> objects;
    std::vector<std::unique_ptr<TemporaryFile>> removers;
    auto createObject = [&](llvm::StringRef prefix, int &fd) -> LogicalResult {
      llvm::SmallString<128> path;
      if (std::error_code ec = llvm::sys::fs::createTemporaryFile(prefix, "o", fd, path))
        return emitError(UnknownLoc::get(context))
               << "cannot create a temporary object file: " << ec.message();
      objects.push_back(std::string(path));
      removers.push_back(std::make_unique<TemporaryFile>(path));
      return success();
    };
    int fd;
    if (failed(createObject("kiln-model", fd)))
      return failure();
    llvm::raw_fd_ostream code(fd, /*shouldClose=*/true);
    if (kiln::cpu::canWriteWeightsObject(tm->getTargetTriple())) {
      std::vector<kiln::cpu::Weight> weights =
          kiln::cpu::externalizeWeights(module, kiln::cpu::kMinWeightBytes);
      if (!weights.empty()) {
        TimingScope writing = timeStage("Write weights object");
        int weightsFd;
        if (failed(createObject("kiln-weights", weightsFd)))
          return failure();
        llvm::raw_fd_ostream os(weightsFd, /*shouldClose=*/true);
        std::string error;
        if (failed(kiln::cpu::writeWeightsObject(weights, tm->getTargetTriple(), os, error)))
          return emitError(UnknownLoc::get(context)) << error;
        // Weights first: the linker then places the code object's read-only
        // data, the signature text among it, after them, near the end of the
        // file, where kiln_model_check_file looks for the version marker
        // first (it would otherwise read through all the weights).
        std::swap(objects[0], objects[1]);
      }
    }
    if (failed(emit(module, kiln::EmitKind::Object, code)))
      return failure();
    code.close();
    if (code.has_error()) {
      std::error_code ec = code.error();
      code.clear_error(); // reported here, not again when the stream is destroyed
      return emitError(UnknownLoc::get(context))
             << "cannot write the object file: " << ec.message();
    }
    TimingScope linking = timeStage("Link");
    std::string error;
    if (failed(kiln::cpu::linkArtifact(objects, outputPath, kind, options.runtimeLibDir, error)))
      return emitError(UnknownLoc::get(context)) << error;
    return success();
  }

private:
  kiln::TargetOptions options;
  MLIRContext *context;
  std::unique_ptr<llvm::TargetMachine> tm;
};
} // namespace

std::unique_ptr<kiln::Target> kiln::createCPUTarget(const TargetOptions &options,
                                                    MLIRContext *context) {
  std::string error;
  std::unique_ptr<llvm::TargetMachine> tm = cpu::createTargetMachine(options, error);
  if (!tm) {
    emitError(UnknownLoc::get(context)) << error;
    return nullptr;
  }
  return std::make_unique<CPUTarget>(options, context, std::move(tm));
}
