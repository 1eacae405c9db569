//===- Bufferization.h - tensors to buffers, for every target --*- C++ -*-===//

#ifndef KILN_COMPILER_CODEGEN_COMMON_BUFFERIZATION_H
#define KILN_COMPILER_CODEGEN_COMMON_BUFFERIZATION_H

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace kiln {

/// Adds One-Shot Bufferize across function boundaries, with identity layouts
/// on function signatures, then turns memref results into out-parameters in
/// functions whose results are all statically shaped: the model function
/// takes one contiguous buffer per input and per output, which is what the C
/// entry points (kiln-emit-entry-point) pass it. A function with a
/// dynamically shaped result keeps its results (kiln-lower-entry-abi).
void addBufferizationPasses(mlir::OpPassManager &pm);

} // namespace kiln

#endif // KILN_COMPILER_CODEGEN_COMMON_BUFFERIZATION_H
