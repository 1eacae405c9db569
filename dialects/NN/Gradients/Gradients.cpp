//===- Gradients.cpp - every family's gradient rules ----------------------===//

#include "dialects/NN/Gradients/Gradients.h"
#include "dialects/NN/Gradients/GradientRules.h"

#include "mlir/IR/DialectRegistry.h"

void kiln::nn::registerNNGradients(mlir::DialectRegistry &registry) {
  registry.addExtension(+[](mlir::MLIRContext *ctx, NNDialect *) {
    registerElementwiseGradients(ctx);
    registerContractionGradients(ctx);
    registerConvPoolGradients(ctx);
    registerNormalizationGradients(ctx);
    registerLossGradients(ctx);
    registerReductionGradients(ctx);
    registerDataMovementGradients(ctx);
    registerRecurrentGradients(ctx);
    registerTrainingGradients(ctx);
  });
}
