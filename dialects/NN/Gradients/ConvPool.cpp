//===- ConvPool.cpp - gradient rules of the ConvPool family ----------------------===//

#include "dialects/NN/Gradients/GradientRules.h"

using namespace mlir;
using namespace kiln::nn;

void kiln::nn::registerConvPoolGradients(MLIRContext *ctx) {}
