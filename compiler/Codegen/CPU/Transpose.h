//===- Transpose.h - transposes in square register tiles ------------------===//

#ifndef KILN_CODEGEN_CPU_TRANSPOSE_H
#define KILN_CODEGEN_CPU_TRANSPOSE_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace kiln::cpu {

/// Rewrites a static `linalg.transpose` into one on fewer dims: input dims
/// that stay adjacent and in order in the output are merged
/// (tensor.collapse_shape before, tensor.expand_shape after), so that
/// `[N, C, H, W] -> [N, H, W, C]` becomes `[N, C, H*W] -> [N, H*W, C]`.
/// Returns the new transpose, or `op` when nothing merges.
mlir::linalg::TransposeOp mergeTransposeDims(mlir::RewriterBase &rewriter,
                                             mlir::linalg::TransposeOp op);

/// The output dims a square tile spans: `{a, b}`, where output dim `a` is
/// the input's innermost dim and `b` is the output's innermost dim, when
/// both are whole multiples of `vectorWidth` (a power of two), the two
/// differ and the element type is 32 bits wide; nullopt otherwise (the
/// transpose then keeps the generic innermost tiling, a gather per vector).
std::optional<std::pair<unsigned, unsigned>> squareTransposeDims(mlir::linalg::TransposeOp op,
                                                                 int64_t vectorWidth);

/// Tiles `op` (squareTransposeDims holds) into `vectorWidth` x
/// `vectorWidth` tiles, every other dim by 1, and transposes each tile in
/// registers: `vectorWidth` row loads, log2(vectorWidth) rounds of
/// interleaving shuffles (`vectorWidth` shuffles each), `vectorWidth` row
/// stores. The tiled loops stay scf.for loops; the caller splits an outer
/// dim among threads first.
mlir::LogicalResult transposeInSquareTiles(mlir::RewriterBase &rewriter,
                                           mlir::linalg::TransposeOp op, int64_t vectorWidth);

} // namespace kiln::cpu

#endif // KILN_CODEGEN_CPU_TRANSPOSE_H
