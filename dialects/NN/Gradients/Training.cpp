//===- Training.cpp - gradient rules of the Training family ----------------------===//

#include "dialects/NN/Gradients/GradientRules.h"

using namespace mlir;
using namespace kiln::nn;

void kiln::nn::registerTrainingGradients(MLIRContext *ctx) {}
