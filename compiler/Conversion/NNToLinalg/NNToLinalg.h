//===- NNToLinalg.h - nn-to-linalg patterns by op family -------*- C++ -*-===//
//
// One entry point per op family, each defined in the family's own file;
// populateNNToLinalgPatterns (compiler/Conversion/Passes.h) adds them all.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_CONVERSION_NNTOLINALG_NNTOLINALG_H
#define KILN_COMPILER_CONVERSION_NNTOLINALG_NNTOLINALG_H

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace kiln {

/// Unary, binary, comparison and logic ops, where, cast, is_nan/is_inf,
/// trilu (Elementwise.cpp).
void populateNNToLinalgElementwisePatterns(mlir::RewritePatternSet &patterns);
/// matmul, gemm, einsum (Contraction.cpp).
void populateNNToLinalgContractionPatterns(mlir::RewritePatternSet &patterns);
/// conv and every pooling op (ConvPool.cpp).
void populateNNToLinalgConvPoolPatterns(mlir::RewritePatternSet &patterns);
/// batch_norm, softmax, log_softmax (Normalization.cpp).
void populateNNToLinalgNormalizationPatterns(mlir::RewritePatternSet &patterns);
/// reduce_*, cumsum, arg_max/arg_min (Reduction.cpp).
void populateNNToLinalgReductionPatterns(mlir::RewritePatternSet &patterns);
/// constant, reshapes, transpose, concat, slice, gathers, pad, expand, tile
/// (DataMovement.cpp).
void populateNNToLinalgDataMovementPatterns(mlir::RewritePatternSet &patterns);
/// nll_loss (Loss.cpp).
void populateNNToLinalgLossPatterns(mlir::RewritePatternSet &patterns);
/// dynamic_reshape/expand/unsqueeze/squeeze/slice/tile, constant_of_shape,
/// range: shapes read at run time, checked with cf.assert (ShapeOperands.cpp).
void populateNNToLinalgShapeOperandPatterns(mlir::RewritePatternSet &patterns);
/// dynamic_resize, grid_sample, roi_align: interpolation at computed
/// coordinates (Sampling.cpp).
void populateNNToLinalgSamplingPatterns(mlir::RewritePatternSet &patterns);
/// border_pad, top_k, scatters, one_hot, non_zero, compress, unique,
/// max_pool_indices, max_unpool, non_max_suppression: indices and sizes that
/// are data (Indexing*.cpp).
void populateNNToLinalgIndexingPatterns(mlir::RewritePatternSet &patterns);

/// dropout: a counter-based random mask (Training.cpp).
void populateNNToLinalgTrainingPatterns(mlir::RewritePatternSet &patterns);
/// det: LU with partial pivoting in scf loops (LinearAlgebra.cpp).
void populateNNToLinalgLinearAlgebraPatterns(mlir::RewritePatternSet &patterns);

} // namespace kiln

#endif // KILN_COMPILER_CONVERSION_NNTOLINALG_NNTOLINALG_H
