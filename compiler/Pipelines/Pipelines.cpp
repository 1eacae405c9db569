//===- Pipelines.cpp - registering Kiln's pipelines by name --------------===//
//
// Registered through registerPassPipeline rather than PassPipelineRegistration
// because a builder here can fail (options no target has) and its message
// must reach the user: PassPipelineRegistration's builders cannot report.
//
//===----------------------------------------------------------------------===//

#include "compiler/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

namespace {
/// Registers `build` as the pipeline `name` whose options parse into
/// `Options`; a failed build fails `--pass-pipeline` with its message.
template <typename Options>
void registerPipeline(StringRef name, StringRef summary,
                      LogicalResult (*build)(OpPassManager &, const Options &,
                                             kiln::PipelineErrorHandler)) {
  registerPassPipeline(
      name, summary,
      [build](OpPassManager &pm, StringRef text,
              function_ref<LogicalResult(const Twine &)> errorHandler) {
        // The option parser reports what it cannot parse.
        Options options;
        if (failed(options.parseFromString(text)))
          return failure();
        // Kiln's pipelines hold module passes; nested under another op,
        // adding them would abort instead of failing.
        if (pm.getOpAnchorName() != ModuleOp::getOperationName())
          return errorHandler("the Kiln pipelines expect to run on builtin.module, found '" +
                              pm.getOpAnchorName() + "'");
        return build(pm, options, errorHandler);
      },
      [](function_ref<void(const detail::PassOptions &)> printOptions) {
        printOptions(Options());
      });
}
} // namespace

void kiln::registerKilnPipelines() {
  PassPipelineRegistration<>("kiln-cpu-linalg-pipeline",
                             "Lower nn to linalg on tensors for the CPU", buildCPULinalgPipeline);
  registerPipeline<CPUPipelineOptions>("kiln-cpu-llvm-pipeline",
                                       "Lower linalg on tensors to the LLVM dialect for the CPU",
                                       buildCPULLVMPipeline);
  registerPipeline<CPUPipelineOptions>("kiln-cpu-pipeline",
                                       "Lower nn to the LLVM dialect for the CPU",
                                       buildCPUPipeline);
}
