//===- NormalizeGradient.h - per-channel norm gradients --------*- C++ -*-===//
//
// Private to dialects/NN/Gradients: the gradient of the per-channel norms
// that normalize with their own statistics (instance norm in
// Normalization.cpp, training-mode batch norm in Training.cpp), and the
// per-channel helpers Loss.cpp shares.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECTS_NN_GRADIENTS_NORMALIZEGRADIENT_H
#define KILN_DIALECTS_NN_GRADIENTS_NORMALIZEGRADIENT_H

#include "dialects/NN/IR/NNGradient.h"

namespace kiln::nn {

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
