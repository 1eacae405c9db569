//===- Reduction.cpp - gradient rules of the Reduction family ----------------------===//

#include "dialects/NN/Gradients/GradientRules.h"

using namespace mlir;
using namespace kiln::nn;

void kiln::nn::registerReductionGradients(MLIRContext *ctx) {}
