//===- Pipelines.h - Kiln's named pass pipelines ---------------*- C++ -*-===//
//
// Each pipeline is one function that fills a pass manager, and is also
// registered by name so `kiln-opt --pass-pipeline='builtin.module(NAME)'`
// reproduces exactly what kiln-compile runs.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_PIPELINES_PIPELINES_H
#define KILN_COMPILER_PIPELINES_PIPELINES_H

#include "mlir/Support/LogicalResult.h"

#include <cstdint>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace kiln {

/// The vector shape of the target that CPU code generation tiles for.
struct CPUCodegenOptions {
  /// f32 lanes per vector register (8 for AVX2, 16 for AVX-512).
  int64_t vectorWidth = 8;
  /// Vector registers available (16 for AVX2, 32 for AVX-512).
  int64_t vectorRegisters = 16;
};

/// nn on tensors -> linalg/tensor/arith on tensors, fused where elementwise
/// ops meet (kiln-cpu-linalg-pipeline).
mlir::LogicalResult buildCPULinalgPipeline(mlir::OpPassManager &pm);

/// linalg on tensors -> LLVM dialect with the C entry points
/// (kiln-cpu-llvm-pipeline): bufferization, loops, LLVM lowering.
mlir::LogicalResult buildCPULLVMPipeline(mlir::OpPassManager &pm,
                                         const CPUCodegenOptions &options = {});

/// Both of the above (kiln-cpu-pipeline).
mlir::LogicalResult buildCPUPipeline(mlir::OpPassManager &pm,
                                     const CPUCodegenOptions &options = {});

/// Registers the pipelines above by name.
void registerKilnPipelines();

} // namespace kiln

#endif // KILN_COMPILER_PIPELINES_PIPELINES_H
