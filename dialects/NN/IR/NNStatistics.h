//===- NNStatistics.h - batch statistics built from nn ops ------*- C++ -*-===//
//
// The mean and variance of a training-mode batch norm, built once by the
// forward's decomposition (nn-decompose) and again by the gradient rule
// (channelNormGradient), with the same ops so that CSE shares them.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECTS_NN_IR_NNSTATISTICS_H
#define KILN_DIALECTS_NN_IR_NNSTATISTICS_H

#include "mlir/IR/Builders.h"

namespace kiln::nn {

struct BatchStatistics {
  mlir::Value mean, variance;
};

/// The mean and the biased variance (the ONNX BatchNormalization-15 and
/// PyTorch training-mode definition, E[(x - mean)^2]) of float tensor `x`
/// over `axes` (the batch, dimension 0, first, then the others, ascending),
/// kept as size-1 dims: [1, C, 1, ...] for batch norm's [N, C, ...].
///
/// One pass over `x`: with `s` the first element of each channel (a slice),
/// mean = s + E[x - s] and variance = max(E[(x - s)^2] - E[x - s]^2, 0).
/// Both means read `x - s`, so they fuse into one loop (two passes took a
/// third more time on a ResNet-style CNN's batch norms). The shift keeps the
/// subtraction from cancelling: E[x - s]^2 is about the variance when `s` is
/// a typical element, not mean^2 as in the unshifted E[x^2] - E[x]^2 (the
/// "shifted data" algorithm; Chan, Golub and LeVeque, "Algorithms for
/// computing the sample variance", 1983). A reduced dim that is empty or
/// sized at run time has no first element to shift by: the two passes
/// E[x], then E[(x - mean)^2], instead. Each mean is the batch's first
/// (which keeps the innermost dim parallel and leaves 1/N of the data) and
/// then the rest's.
BatchStatistics buildBatchStatistics(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                                     llvm::ArrayRef<int64_t> axes);

} // namespace kiln::nn

#endif // KILN_DIALECTS_NN_IR_NNSTATISTICS_H
