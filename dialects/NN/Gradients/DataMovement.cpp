//===- DataMovement.cpp - gradient rules of the DataMovement family ----------------------===//

#include "dialects/NN/Gradients/GradientRules.h"

using namespace mlir;
using namespace kiln::nn;

void kiln::nn::registerDataMovementGradients(MLIRContext *ctx) {}
