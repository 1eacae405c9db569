//===- Recurrent.cpp - gradient rules of the Recurrent family ----------------------===//

#include "dialects/NN/Gradients/GradientRules.h"

using namespace mlir;
using namespace kiln::nn;

void kiln::nn::registerRecurrentGradients(MLIRContext *ctx) {}
