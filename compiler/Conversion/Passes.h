//===- Passes.h - Kiln conversion passes -----------------------*- C++ -*-===//

#ifndef KILN_COMPILER_CONVERSION_PASSES_H
#define KILN_COMPILER_CONVERSION_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
class ConversionTarget;
} // namespace mlir

namespace kiln {

#define GEN_PASS_DECL
#include "compiler/Conversion/Passes.h.inc"

/// Patterns that lower every nn op to linalg/tensor/arith/math on tensors.
void populateNNToLinalgPatterns(mlir::RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "compiler/Conversion/Passes.h.inc"

} // namespace kiln

#endif // KILN_COMPILER_CONVERSION_PASSES_H
