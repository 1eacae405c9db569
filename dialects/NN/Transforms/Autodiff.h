//===- Autodiff.h - reverse-mode differentiation of nn ops -----*- C++ -*-===//

#ifndef KILN_DIALECTS_NN_TRANSFORMS_AUTODIFF_H
#define KILN_DIALECTS_NN_TRANSFORMS_AUTODIFF_H

#include "mlir/IR/Builders.h"

namespace kiln::nn {

/// Builds, at `b`'s insertion point, the gradient of the scalar
/// sum_i <outputs[i], seeds[i]> (each seed has its output's type) with
/// respect to each value of `wrt`, by reverse-mode differentiation of the ops
/// before the insertion point in its block: each op's GradientOpInterface
/// rule, in reverse order, on the ops that lie between `wrt` and `outputs`.
/// Only float values carry gradients; a `wrt` value the outputs do not depend
/// on gets zeros. Fails with one error listing every op without a rule, or
/// when a rule fails or a value on the path has a dynamic shape.
mlir::FailureOr<llvm::SmallVector<mlir::Value>>
buildGradients(mlir::OpBuilder &b, llvm::ArrayRef<mlir::Value> outputs,
               llvm::ArrayRef<mlir::Value> seeds, llvm::ArrayRef<mlir::Value> wrt);

} // namespace kiln::nn

#endif // KILN_DIALECTS_NN_TRANSFORMS_AUTODIFF_H
