//===- Gradients.h - registration of the nn gradient rules -----*- C++ -*-===//

#ifndef KILN_DIALECTS_NN_GRADIENTS_GRADIENTS_H
#define KILN_DIALECTS_NN_GRADIENTS_GRADIENTS_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace kiln::nn {

/// Attaches every nn op's gradient rule (GradientOpInterface) when the nn
/// dialect is loaded into a context built from `registry`.
void registerNNGradients(mlir::DialectRegistry &registry);

} // namespace kiln::nn

#endif // KILN_DIALECTS_NN_GRADIENTS_GRADIENTS_H
