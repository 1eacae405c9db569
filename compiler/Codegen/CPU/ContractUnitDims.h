//===- ContractUnitDims.h - contractions with one reduction dim ----------===//

#ifndef KILN_CODEGEN_CPU_CONTRACTUNITDIMS_H
#define KILN_CODEGEN_CPU_CONTRACTUNITDIMS_H

#include "mlir/IR/PatternMatch.h"

namespace kiln::cpu {

/// Rewrites a vector.contract with several reduction dims, all of extent 1
/// but at most one, into one with a single reduction dim: its operands are
/// vector.shape_casts without the unit dims. Tiling a contraction whose
/// reduction spans several loops (a convolution's weight gradient sums over
/// batch, rows and columns) leaves such contractions at register level; the
/// outer-product lowering takes only one reduction dim, and the generic
/// lowering unrolls the others element by element.
void populateDropContractUnitReductionDimsPatterns(mlir::RewritePatternSet &patterns);

} // namespace kiln::cpu

#endif // KILN_CODEGEN_CPU_CONTRACTUNITDIMS_H
