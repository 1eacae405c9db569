//===- NormalizeGradient.h - backward of (x - mean) * inv_std --*- C++ -*-===//
//
// Private to dialects/NN/Gradients: the gradients shared by the ops that
// normalize with their own statistics (layer, instance and training-mode
// batch norm; Normalization.cpp and Training.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECTS_NN_GRADIENTS_NORMALIZEGRADIENT_H
#define KILN_DIALECTS_NN_GRADIENTS_NORMALIZEGRADIENT_H

#include "dialects/NN/IR/NNGradient.h"

namespace kiln::nn {

/// Statistics of `x` over `axes`, kept as size-1 dims: the mean and
/// 1 / sqrt(E[(x - mean)^2] + epsilon).
struct NormalizeStats {
  mlir::Value mean, invStd;
};
NormalizeStats computeNormalizeStats(GradientEmitter &e, mlir::Value x,
                                     llvm::ArrayRef<int64_t> axes, double epsilon);

/// x_hat = (x - mean) * invStd, broadcast to x's shape.
mlir::Value normalized(GradientEmitter &e, mlir::Value x, const NormalizeStats &stats);

/// The gradient with respect to x of x_hat = (x - mean(x)) * invStd(x), the
/// statistics over `axes`, given dx_hat (x's shape):
/// invStd * (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat)).
mlir::Value normalizeInputGradient(GradientEmitter &e, mlir::Value dxHat, mlir::Value xHat,
                                   mlir::Value invStd, llvm::ArrayRef<int64_t> axes);

/// The gradients of a norm with per-channel `scale` ([C], along dimension 1)
/// normalizing `x` with its own statistics over `axes` (1 not among them):
/// y = x_hat * scale + bias. Only the flagged ones are built (null otherwise).
struct ChannelNormGrads {
  mlir::Value input, scale, bias;
};
ChannelNormGrads channelNormGradient(GradientEmitter &e, mlir::Value x, mlir::Value dy,
                                     mlir::Value scale, llvm::ArrayRef<int64_t> axes,
                                     double epsilon, bool input, bool scaleGrad, bool bias);

/// `v` of shape [C] reshaped to [1, C, 1, ...] of rank `rank`, to broadcast
/// along dimension 1.
mlir::Value alongChannels(GradientEmitter &e, mlir::Value v, int64_t rank);

/// Every dimension of a rank-`rank` tensor except those listed.
llvm::SmallVector<int64_t> allAxesBut(int64_t rank, llvm::ArrayRef<int64_t> keep);

} // namespace kiln::nn

#endif // KILN_DIALECTS_NN_GRADIENTS_NORMALIZEGRADIENT_H
