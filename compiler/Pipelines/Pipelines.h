//===- Pipelines.h - Kiln's named pass pipelines ---------------*- C++ -*-===//
//
// Each pipeline is one C++ function that adds passes through their create
// functions, configured by an options struct. The same function is registered
// by name, so `kiln-opt --pass-pipeline='builtin.module(NAME{OPTIONS})'`
// runs exactly what kiln-compile runs.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_PIPELINES_PIPELINES_H
#define KILN_COMPILER_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/Twine.h"

#include <cstdint>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace kiln {

/// Receives the message of a pipeline that cannot be built from its options;
/// returns failure (mlir::emitError and the pass registry's handler both fit).
using PipelineErrorHandler = llvm::function_ref<mlir::LogicalResult(const llvm::Twine &)>;

/// The vector shape of the CPU that code generation tiles for; kiln-compile
/// takes it from the target machine.
struct CPUPipelineOptions : mlir::PassPipelineOptions<CPUPipelineOptions> {
  Option<int64_t> vectorWidth{*this, "vector-width",
                              llvm::cl::desc("f32 lanes per vector register (8: AVX2, 16: AVX-512)"),
                              llvm::cl::init(8)};
  Option<int64_t> vectorRegisters{*this, "vector-registers",
                                  llvm::cl::desc("Vector registers of the target (16: AVX2, 32: AVX-512)"),
                                  llvm::cl::init(16)};
  Option<std::string> cpuFeatures{
      *this, "cpu-features",
      llvm::cl::desc("CPU features the code may use, comma-separated LLVM names, recorded in "
                     "the signature (runtime/kiln_cpu_features.def)"),
      llvm::cl::init("")};
  Option<bool> recordMemoryPeak{
      *this, "record-memory-peak",
      llvm::cl::desc("Record the buffers live at the peak of planned bytes (kiln.memory_peak)"),
      llvm::cl::init(false)};
};

/// nn on tensors -> linalg/tensor/arith on tensors, weights in the CPU's
/// layout, elementwise ops fused (kiln-cpu-linalg-pipeline).
void buildCPULinalgPipeline(mlir::OpPassManager &pm);

/// linalg on tensors -> the LLVM dialect with the C entry points
/// (kiln-cpu-llvm-pipeline): tiling and vectorization, bufferization, memory
/// planning, parallel loops, LLVM lowering. Fails, through `emitError`, on
/// options no CPU has.
mlir::LogicalResult buildCPULLVMPipeline(mlir::OpPassManager &pm,
                                         const CPUPipelineOptions &options,
                                         PipelineErrorHandler emitError);

/// Both of the above (kiln-cpu-pipeline): what kiln-compile --target=cpu runs.
mlir::LogicalResult buildCPUPipeline(mlir::OpPassManager &pm, const CPUPipelineOptions &options,
                                     PipelineErrorHandler emitError);

/// Registers the pipelines above by name, with their options.
void registerKilnPipelines();

} // namespace kiln

#endif // KILN_COMPILER_PIPELINES_PIPELINES_H
