//===- Passes.h - nn-level passes ------------------------------*- C++ -*-===//

#ifndef KILN_DIALECTS_NN_TRANSFORMS_PASSES_H
#define KILN_DIALECTS_NN_TRANSFORMS_PASSES_H

#include "dialects/NN/IR/NNOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

namespace kiln::nn {

#define GEN_PASS_DECL
#include "dialects/NN/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dialects/NN/Transforms/Passes.h.inc"

/// Decompositions of the semantic ops into primitive nn ops, one entry per
/// op family (the family files of dialects/NN).
void populateNNDecomposeConvPoolPatterns(mlir::RewritePatternSet &patterns);
void populateNNDecomposeDataMovementPatterns(mlir::RewritePatternSet &patterns);
void populateNNDecomposeLossPatterns(mlir::RewritePatternSet &patterns);
void populateNNDecomposeNormalizationPatterns(mlir::RewritePatternSet &patterns);
void populateNNDecomposeReductionPatterns(mlir::RewritePatternSet &patterns);
void populateNNDecomposeRecurrentPatterns(mlir::RewritePatternSet &patterns);
void populateNNDecomposeQuantizedPatterns(mlir::RewritePatternSet &patterns);
void populateNNDecomposeTrainingPatterns(mlir::RewritePatternSet &patterns);

/// Every decomposition above.
void populateNNDecomposePatterns(mlir::RewritePatternSet &patterns);

} // namespace kiln::nn

#endif // KILN_DIALECTS_NN_TRANSFORMS_PASSES_H
