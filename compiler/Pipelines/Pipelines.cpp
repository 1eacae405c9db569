//===- Pipelines.cpp - Kiln's named pass pipelines -----------------------===//
//
// The pipelines are written as textual pass pipelines: the text is the one
// definition, and it is what `kiln-opt` would run.
//
//===----------------------------------------------------------------------===//

#include "compiler/Pipelines/Pipelines.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/FormatVariadic.h"

#include <string>

using namespace mlir;

static constexpr const char *kLinalgPipeline =
    "kiln-record-signature,"
    "canonicalize,"
    "func.func(kiln-cpu-weight-layout),"
    "convert-nn-to-linalg,"
    "canonicalize,"
    "func.func(kiln-fuse-elementwise),"
    "canonicalize,cse";

// `%s` is replaced by the tile-and-vectorize options.
static constexpr const char *kLLVMPipeline =
    "func.func(kiln-cpu-tile-and-vectorize{%s}),"
    "loop-invariant-subset-hoisting,"
    "canonicalize,cse,"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "buffer-results-to-out-params,"
    "canonicalize,"
    "kiln-plan-memory,"
    "kiln-outline-parallel-loops,"
    "buffer-deallocation-pipeline,"
    "func.func(kiln-lower-strided-copies),"
    "func.func(kiln-cpu-lower-vectors),"
    "func.func(convert-vector-to-scf{full-unroll=true}),"
    "func.func(convert-linalg-to-loops),"
    "lower-affine,"
    "convert-scf-to-cf,"
    "canonicalize,cse,"
    "convert-math-to-llvm,"
    "convert-math-to-libm,"
    "convert-vector-to-llvm,"
    "expand-strided-metadata,"
    "lower-affine,"
    "finalize-memref-to-llvm,"
    "convert-arith-to-llvm,"
    "convert-index-to-llvm,"
    "convert-func-to-llvm{use-bare-ptr-memref-call-conv=1},"
    "convert-cf-to-llvm,"
    "reconcile-unrealized-casts,"
    "kiln-emit-parallel-launchers,"
    "kiln-emit-entry-point,"
    "canonicalize";

LogicalResult kiln::buildCPULinalgPipeline(OpPassManager &pm) {
  return parsePassPipeline(kLinalgPipeline, pm);
}

LogicalResult kiln::buildCPULLVMPipeline(OpPassManager &pm, const CPUCodegenOptions &options) {
  std::string text = kLLVMPipeline;
  std::string tiling = llvm::formatv("vector-width={0} vector-registers={1}",
                                     options.vectorWidth, options.vectorRegisters);
  text.replace(text.find("%s"), 2, tiling);
  return parsePassPipeline(text, pm);
}

LogicalResult kiln::buildCPUPipeline(OpPassManager &pm, const CPUCodegenOptions &options) {
  if (failed(buildCPULinalgPipeline(pm)))
    return failure();
  return buildCPULLVMPipeline(pm, options);
}

namespace {
struct CPUPipelineOptions : PassPipelineOptions<CPUPipelineOptions> {
  Option<int64_t> vectorWidth{*this, "vector-width",
                              llvm::cl::desc("f32 lanes per vector register"),
                              llvm::cl::init(8)};
  Option<int64_t> vectorRegisters{*this, "vector-registers",
                                  llvm::cl::desc("Vector registers of the target"),
                                  llvm::cl::init(16)};
  kiln::CPUCodegenOptions get() const { return {vectorWidth, vectorRegisters}; }
};
} // namespace

void kiln::registerKilnPipelines() {
  auto reg = [](const char *name, const char *summary,
                LogicalResult (*build)(OpPassManager &)) {
    PassPipelineRegistration<>(name, summary, [build](OpPassManager &pm) {
      // Registered pipelines cannot report errors; the texts are constants
      // checked by the lit tests that run them.
      (void)build(pm);
    });
  };
  reg("kiln-cpu-linalg-pipeline", "Lower nn to linalg on tensors", buildCPULinalgPipeline);
  PassPipelineRegistration<CPUPipelineOptions>(
      "kiln-cpu-llvm-pipeline", "Lower linalg on tensors to the LLVM dialect",
      [](OpPassManager &pm, const CPUPipelineOptions &options) {
        (void)buildCPULLVMPipeline(pm, options.get());
      });
  PassPipelineRegistration<CPUPipelineOptions>(
      "kiln-cpu-pipeline", "Lower nn to the LLVM dialect for the CPU",
      [](OpPassManager &pm, const CPUPipelineOptions &options) {
        (void)buildCPUPipeline(pm, options.get());
      });
}
