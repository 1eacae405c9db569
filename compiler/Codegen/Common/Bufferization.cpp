//===- Bufferization.cpp - tensors to buffers, for every target ----------===//

#include "compiler/Codegen/Common/Bufferization.h"

#include "compiler/Codegen/Common/Passes.h"

#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"

using namespace mlir;

/// Dynamically shaped results cannot be out-parameters (the caller does not
/// know their size): functions with one keep all their results, which
/// kiln-lower-entry-abi hands over instead.
static bool hasOnlyStaticResults(func::FuncOp *fn) {
  return llvm::all_of(fn->getResultTypes(), [](Type t) {
    auto shaped = dyn_cast<ShapedType>(t);
    return !shaped || shaped.hasStaticShape();
  });
}

void kiln::addBufferizationPasses(OpPassManager &pm) {
  bufferization::OneShotBufferizationOptions options;
  options.bufferizeFunctionBoundaries = true;
  // A Loop's carried tensors (scf.while) may change buffers per iteration
  // (a carried value computed afresh); the deallocation pipeline frees them.
  options.allowReturnAllocsFromLoops = true;
  options.setFunctionBoundaryTypeConversion(
      bufferization::LayoutMapOption::IdentityLayoutMap);
  // One-Shot Bufferize would take some partial vector writes for whole ones
  // and skip copying the old contents (see the pass).
  pm.addNestedPass<func::FuncOp>(kiln::createExpandPartialTransferWritesPass());
  // After the last CSE: one buffer per user of a merged empty tensor or fill.
  pm.addNestedPass<func::FuncOp>(kiln::createCloneSharedFillsPass());
  // Results handed over to the caller must not share a buffer.
  pm.addNestedPass<func::FuncOp>(kiln::createCopySharedResultsPass());
  pm.addPass(bufferization::createOneShotBufferizePass(options));
  bufferization::BufferResultsToOutParamsOpts outParams;
  outParams.filterFn = hasOnlyStaticResults;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
}
