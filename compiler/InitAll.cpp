//===- InitAll.cpp - one registration point for every Kiln tool ----------===//

#include "compiler/InitAll.h"

#include "compiler/Codegen/CPU/Passes.h"
#include "compiler/Codegen/Common/Passes.h"
#include "compiler/Conversion/Passes.h"
#include "compiler/Pipelines/Pipelines.h"
#include "dialects/NN/Gradients/Gradients.h"
#include "dialects/NN/IR/NNOps.h"
#include "dialects/NN/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

void kiln::registerKilnDialects(mlir::DialectRegistry &registry) {
  registry.insert<kiln::nn::NNDialect>();
  kiln::nn::registerNNGradients(registry);
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
}

void kiln::registerKilnPasses() {
  mlir::registerAllPasses();
  kiln::registerKilnConversionPasses();
  kiln::nn::registerKilnNNTransformsPasses();
  kiln::registerKilnCodegenCommonPasses();
  kiln::registerKilnCodegenCPUPasses();
  kiln::registerKilnPipelines();
}
