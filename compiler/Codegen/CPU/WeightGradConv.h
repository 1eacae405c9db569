//===- WeightGradConv.h - weight-gradient-shaped convolutions for the CPU -===//

#ifndef KILN_CODEGEN_CPU_WEIGHTGRADCONV_H
#define KILN_CODEGEN_CPU_WEIGHTGRADCONV_H

#include "compiler/Codegen/CPU/DirectConv.h"

#include <optional>

namespace kiln::cpu {

/// The register block of a weight-gradient-shaped convolution: `aBlock`
/// output rows (the convolution's batch) by `bBlock` output channels, each
/// accumulator a vector of partial sums along the kernel's columns.
struct WeightGradConvPlan {
  int64_t aBlock = 1;
  int64_t bBlock = 1;
};

/// A plan when `conv` (static, f32, stride and dilation 1) has the shape of
/// a weight gradient: a kernel of P x Q positions (an output gradient's
/// pixels) much larger than its output's KH x KW positions (a weight's
/// window), with Q at least one vector. nullopt otherwise. See
/// docs/lowering-choices.md, "Weight gradient: pixels in lanes".
std::optional<WeightGradConvPlan> planWeightGradConv(mlir::linalg::Conv2DNchwFchwOp conv,
                                                     const DirectConvTarget &target);

/// Rewrites `conv`, out[a, b, i, j] = sum over (n, p, q) of
/// in[a, n, i + p, j + q] * kernel[b, n, p, q], into loops over n, register
/// blocks of (a, b), and (i, j), whose steps multiply-add one vector of `q`
/// of each of the block's input rows and kernel rows into aBlock x bBlock
/// vectors of partial sums (kept in a [A, B, KH, KW, lanes] tensor between
/// images), summed across lanes at the end. Each image's rows are read once
/// per block for all KH x KW positions, from L1. The images are split into
/// two groups (an scf.forall, the threads' share) when their number is even,
/// each with partial sums of its own, which the lane sum adds.
mlir::LogicalResult convToWeightGrad(mlir::RewriterBase &rewriter,
                                     mlir::linalg::Conv2DNchwFchwOp conv,
                                     const WeightGradConvPlan &plan,
                                     const DirectConvTarget &target);

} // namespace kiln::cpu

#endif // KILN_CODEGEN_CPU_WEIGHTGRADCONV_H
