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

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace kiln {

/// nn on tensors -> linalg/tensor/arith on tensors, fused where elementwise
/// ops meet (kiln-cpu-linalg-pipeline).
mlir::LogicalResult buildCPULinalgPipeline(mlir::OpPassManager &pm);

/// linalg on tensors -> LLVM dialect with the C entry points
/// (kiln-cpu-llvm-pipeline): bufferization, loops, LLVM lowering.
mlir::LogicalResult buildCPULLVMPipeline(mlir::OpPassManager &pm);

/// Both of the above (kiln-cpu-pipeline).
mlir::LogicalResult buildCPUPipeline(mlir::OpPassManager &pm);

/// Registers the pipelines above by name.
void registerKilnPipelines();

} // namespace kiln

#endif // KILN_COMPILER_PIPELINES_PIPELINES_H
