//===- Contraction.cpp - gradient rules of the Contraction family ----------------------===//

#include "dialects/NN/Gradients/GradientRules.h"

using namespace mlir;
using namespace kiln::nn;

void kiln::nn::registerContractionGradients(MLIRContext *ctx) {}
