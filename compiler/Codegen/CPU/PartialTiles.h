//===- PartialTiles.h - masked partial tiles for the CPU ------------------===//

#ifndef KILN_CODEGEN_CPU_PARTIALTILES_H
#define KILN_CODEGEN_CPU_PARTIALTILES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>

namespace kiln::cpu {

/// The input map of a conv_2d_nchw_fchw's im2col copy over the iteration
/// space (n, c, kh, kw, oh, ow): input[n, c, oh*sh + kh*dh, ow*sw + kw*dw].
mlir::AffineMap im2colWindowMap(mlir::MLIRContext *ctx, llvm::ArrayRef<int64_t> strides,
                                llvm::ArrayRef<int64_t> dilations);

/// A constant upper bound (inclusive) of loop `d` of `op`, whose extent is
/// dynamic, when the IR proves one (the partial tile of a split loop).
std::optional<int64_t> loopUpperBound(mlir::linalg::LinalgOp op, unsigned d);

/// Whether upstream tiling computes the slices of `op`'s tiles correctly.
/// Linalg's TilingInterface (computeSliceParameters) takes a tile's slice of
/// an operand from the indexing map at the tile's first point and its size
/// from the map at the tile's last point, which holds only where every map
/// increases with every loop: a reversed read (`2 - d2`, a flipped kernel, a
/// slice with a negative step) would get a slice of 1 element for a tile of
/// 3, and an op that does not verify (upstream asserts positive coefficients
/// in debug builds). Ops with such maps are left untiled.
bool hasTileableMaps(mlir::linalg::LinalgOp op);

/// Tiles `op` with upstream tiling (scf::tileUsingSCF) by `sizes` (0 =
/// untiled), loops ordered by `interchange` when given, as scf.forall loops
/// when `parallel`, and returns the tiled op. An all-zero `sizes` returns
/// `op`; an op without tileable maps (above) fails and is left whole.
mlir::FailureOr<mlir::linalg::LinalgOp> tileLinalgOp(mlir::RewriterBase &rewriter,
                                                     mlir::linalg::LinalgOp op,
                                                     llvm::ArrayRef<int64_t> sizes,
                                                     llvm::ArrayRef<int64_t> interchange = {},
                                                     bool parallel = false);

/// tileLinalgOp for an op whose tiled form is the same named op (a
/// convolution, a transpose): fails unless it is.
template <typename OpTy>
mlir::FailureOr<OpTy> tileNamedOp(mlir::RewriterBase &rewriter, OpTy op,
                                  llvm::ArrayRef<int64_t> sizes,
                                  llvm::ArrayRef<int64_t> interchange = {},
                                  bool parallel = false) {
  mlir::FailureOr<mlir::linalg::LinalgOp> tiled =
      tileLinalgOp(rewriter, op, sizes, interchange, parallel);
  if (mlir::failed(tiled))
    return mlir::failure();
  auto result = llvm::dyn_cast<OpTy>(tiled->getOperation());
  if (!result)
    return mlir::failure();
  return result;
}

/// Dynamic loops longer than this are never vectorized whole with a mask.
constexpr int64_t kMaxMaskedExtent = 256;

/// Splits the dynamic row (m) loop of a contraction into blocks of 64 rows
/// and peels the last, partial block off: each full block is a static
/// contraction that gets the register-blocked strategy; the partial block is
/// left dynamic, to be split into single rows.
mlir::LogicalResult blockDynamicRows(mlir::RewriterBase &rewriter, mlir::linalg::LinalgOp op);

/// Splits the dynamic column (n) loop of a contraction into blocks of `cols`
/// columns and peels the last, partial block off, vectorized with masks.
mlir::LogicalResult blockDynamicCols(mlir::RewriterBase &rewriter, mlir::linalg::LinalgOp op,
                                     int64_t cols, int64_t vectorWidth);

/// Whether `op` is a contraction whose one reduction dim is its innermost
/// loop and its only dynamic loop but a bounded column dim (attention
/// weights times values over a dynamic sequence).
bool isDynamicReductionContraction(mlir::linalg::LinalgOp op);

/// Splits a dynamic innermost loop of `op` into tiles of `tileSize` (the
/// other loops into single iterations) and peels the last, partial tile off.
mlir::LogicalResult splitDynamicInnermost(mlir::RewriterBase &rewriter,
                                          mlir::linalg::LinalgOp op, int64_t tileSize);

/// Splits a float sum (a generic whose body yields `acc + f(inputs)`, not a
/// contraction) that adds more than `block` elements, or a dynamic count,
/// into each output element: its reduction loops are tiled so that each
/// tile adds at most `block` elements, and each tile sums into a fresh zero
/// accumulator that is then added to the running total. A running f32 total
/// over 2^25 ones stops at 2^24; blocked, each total is a sum of block sums.
/// Returns the op that sums one block; fails, leaving `op` alone, for ops
/// that are not such sums or add at most `block` elements.
mlir::FailureOr<mlir::linalg::LinalgOp> blockLargeSum(mlir::RewriterBase &rewriter,
                                                      mlir::linalg::LinalgOp op, int64_t block);

/// Step 0 of kiln-cpu-tile-and-vectorize: every float sum of `func` adding
/// more than `sumBlock` elements into one output (a sum pooling over such a
/// window first generalized), blocked in nested levels by blockLargeSum
/// (SumBlocks.cpp). Returns whether anything changed.
bool blockLongSums(mlir::RewriterBase &rewriter, mlir::func::FuncOp func, int64_t sumBlock);

/// Splits a convolution with dynamic sizes (static channels and filter)
/// into one image at a time when its batch is dynamic or above 1.
mlir::LogicalResult tileDynamicConvBatch(mlir::RewriterBase &rewriter,
                                         mlir::linalg::Conv2DNchwFchwOp conv);

/// Rewrites one image's convolution with dynamic spatial sizes into im2col
/// plus a contraction over a dynamic column count (OH*OW), which the column
/// blocking then vectorizes at full width with a masked last block.
mlir::LogicalResult dynamicConvToIm2col(mlir::RewriterBase &rewriter,
                                        mlir::linalg::Conv2DNchwFchwOp conv);

/// Max or sum pooling (`linalg.pooling_nchw_max` / `_sum`, f32) whose output
/// image size is dynamic, as loops over images, channels and output rows
/// around vectors of `vectorWidth` output pixels, the last one masked: each
/// window position is one contiguous (masked) read of `stride` vectors whose
/// every stride-th lane is kept by a shuffle. Fails (and leaves `op` alone)
/// for other pooling ops, static output sizes, or a stride above 4.
mlir::LogicalResult vectorizeDynamicPooling(mlir::RewriterBase &rewriter,
                                            mlir::linalg::LinalgOp op, int64_t vectorWidth);

/// The partial column block of a 2-D contraction (static rows and reduction
/// length, a dynamic column count of at most `vectorWidth`) as dot products
/// along the reduction when at run time it has at most `maxColumns` columns,
/// one output element per horizontal sum: a masked vector of columns would
/// spend a whole vector's FMAs on one column. Returns the op left for wider
/// blocks (the else branch of that run-time choice).
mlir::FailureOr<mlir::linalg::LinalgOp>
partialColumnsAsDotProducts(mlir::RewriterBase &rewriter, mlir::linalg::LinalgOp op,
                            int64_t vectorWidth, int64_t maxColumns);

/// Removes the masks the vectorizer puts on computations in `func`, keeping
/// those on loads and stores.
void unmaskComputations(mlir::func::FuncOp func);

} // namespace kiln::cpu

#endif // KILN_CODEGEN_CPU_PARTIALTILES_H
