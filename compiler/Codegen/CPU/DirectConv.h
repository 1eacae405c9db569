//===- DirectConv.h - direct (im2col-free) convolution for the CPU --------===//

#ifndef KILN_CODEGEN_CPU_DIRECTCONV_H
#define KILN_CODEGEN_CPU_DIRECTCONV_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>

namespace kiln::cpu {

/// The target's vector shape and the pass's choices a direct convolution
/// plans with.
struct DirectConvTarget {
  int64_t vectorWidth = 8;
  int64_t vectorRegisters = 16;
  bool parallel = true;
};

/// The blocks of a direct convolution: a register block of `rows` output
/// channels by `cols` output pixels of `outRows` output rows (`vectorCols`
/// lanes: whole vectors, the extra lanes of a narrow row never stored; two
/// whole rows of half a vector share one), and input channels in cache
/// blocks of `channelBlock`.
struct DirectConvPlan {
  int64_t rows = 1;
  int64_t cols = 1;
  int64_t outRows = 1;
  int64_t vectorCols = 1;
  int64_t channelBlock = 1;
};

/// The weights one register block reads in one input-channel cache block
/// (rows x channelBlock x KH x KW floats) are kept under this many bytes, so
/// they stay in L1 while the block sweeps the output rows.
constexpr int64_t kDirectConvWeightBlockBytes = 16 * 1024;

/// A 4-D input zero-padded in its spatial dims (2 and 3) the way the nn
/// lowering pads (padSpatial): inserted into an empty tensor whose border is
/// then filled with zeros band by band, or inserted into a tensor filled with
/// zeros. `top` and `left` are the pads before the first row and column.
struct ZeroPadded {
  mlir::Value source;
  int64_t top = 0, left = 0;
};

/// The unpadded input behind `padded`, when every element outside it is a
/// zero written by a fill: the bands are disjoint rectangles of the border
/// whose areas add up to the border's.
std::optional<ZeroPadded> matchZeroPadded(mlir::Value padded);

/// Whether `conv` has static shapes and f32 operands and result, which the
/// direct and the weight-gradient forms read and write as f32 vectors.
bool isStaticF32Conv(mlir::linalg::Conv2DNchwFchwOp conv);

/// The cost rule: a plan when `conv` (static shapes, input already padded) is
/// better convolved directly than by im2col, nullopt otherwise. See
/// docs/lowering-choices.md, "Convolution: direct or im2col".
std::optional<DirectConvPlan> planDirectConv(mlir::linalg::Conv2DNchwFchwOp conv,
                                             const DirectConvTarget &target);

/// Rewrites `conv` into loops over register blocks whose step, one input
/// channel at one kernel offset, is a `rows x 1 x cols` contraction of the
/// weights against a row of the padded input read in place (no im2col
/// buffer), vectorized, with the blocks of `plan`. A convolution whose
/// blocks are whole output rows, on an input zero-padded by the nn
/// lowering's pattern, reads the unpadded input instead (each kernel column
/// picked out of one whole input row read, rows outside the input skipped),
/// leaving the pad dead. On failure it has emitted an error.
mlir::LogicalResult convToDirect(mlir::RewriterBase &rewriter,
                                   mlir::linalg::Conv2DNchwFchwOp conv,
                                   const DirectConvPlan &plan, const DirectConvTarget &target);

} // namespace kiln::cpu

#endif // KILN_CODEGEN_CPU_DIRECTCONV_H
