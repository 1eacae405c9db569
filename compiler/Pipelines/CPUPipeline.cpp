//===- CPUPipeline.cpp - nn to the LLVM dialect for the CPU --------------===//
//
// The order matters in three places: weights get their CPU layout before the
// conversion to linalg; tiling and vectorization run on tensors, before
// bufferization; memory planning runs after `buffer-results-to-out-params`
// and before deallocations are inserted, and parallel loops are outlined
// after it, so captured buffers are already views of the workspace. Run-time
// checks become error returns before deallocation (so the error path frees
// what it must), and the entry functions take the ABI's dims and hand over
// dynamic outputs after it (docs/model-abi.md).
//
//===----------------------------------------------------------------------===//

#include "compiler/Pipelines/Pipelines.h"

#include "compiler/Codegen/CPU/Passes.h"
#include "compiler/Codegen/Common/Bufferization.h"
#include "compiler/Codegen/Common/Passes.h"
#include "compiler/Conversion/Passes.h"
#include "dialects/NN/Transforms/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/BufferizationToMemRef/BufferizationToMemRef.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void kiln::buildCPULinalgPipeline(OpPassManager &pm) {
  pm.addPass(createRecordSignaturePass());
  // Before the first canonicalize, so the primitive ops of a decomposition
  // are folded together with the rest of the graph.
  pm.addPass(nn::createNNDecomposePass());
  pm.addPass(createCanonicalizerPass());
  // On nn ops, before elementwise fusion makes equal computations differ: a
  // training step's backward recomputes forward values (batch and instance
  // norm statistics, x_hat) with the ops their decomposition used.
  pm.addPass(createCSEPass());
  // After CSE, which leaves each value at its first computation: a value
  // first needed much later (a backward pass's gradient of one branch) is
  // computed just before, so its buffer is not live in between.
  pm.addNestedPass<func::FuncOp>(nn::createNNShortenLiveRangesPass());
  pm.addPass(createCPUWeightLayoutPass());
  pm.addPass(createConvertNNToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  // Run-time shapes as scalars the canonicalizer folds, before fusion sees
  // the gathers of run-time Slices (slices once their starts are known).
  pm.addNestedPass<func::FuncOp>(createFoldShapeArithmeticPass());
  pm.addNestedPass<func::FuncOp>(createFuseElementwisePass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

LogicalResult kiln::buildCPULLVMPipeline(OpPassManager &pm, const CPUPipelineOptions &options,
                                         PipelineErrorHandler emitError) {
  int64_t width = options.vectorWidth, registers = options.vectorRegisters;
  if (width < 1 || !llvm::isPowerOf2_64(width))
    return emitError("the CPU pipeline expects vector-width to be a power of two, found " +
                     llvm::Twine(width));
  if (registers < 1)
    return emitError("the CPU pipeline expects vector-registers to be at least 1, found " +
                     llvm::Twine(registers));

  CPUTileAndVectorizePassOptions tiling;
  tiling.vectorWidth = width;
  tiling.numVectorRegisters = registers;
  pm.addNestedPass<func::FuncOp>(createCPUTileAndVectorizePass(tiling));
  pm.addPass(createLoopInvariantSubsetHoistingPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  addBufferizationPasses(pm);
  // CSE first: a slice written back where it was read (a tile of a dynamic
  // batch loop) bufferizes to a copy between two equal subviews, which
  // canonicalization drops once they are one value.
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  // Static buffers inside loops (the per-image temporaries of a kernel under
  // a dynamic batch loop) move out of them, where the workspace can hold them.
  pm.addNestedPass<func::FuncOp>(bufferization::createBufferLoopHoistingPass());
  PlanMemoryPassOptions planning;
  planning.recordPeak = options.recordMemoryPeak;
  pm.addPass(createPlanMemoryPass(planning));
  pm.addPass(createEntryChecksToErrorsPass());
  // Pads and concats copy rows (memcpy) instead of elements, the large ones
  // in parallel loops, so before those are outlined; copies that later
  // passes add are lowered where the pass runs again below.
  LowerStridedCopiesPassOptions rowCopies;
  rowCopies.parallel = true;
  pm.addNestedPass<func::FuncOp>(createLowerStridedCopiesPass(rowCopies));
  pm.addPass(createOutlineParallelLoopsPass());
  bufferization::buildBufferDeallocationPipeline(
      pm, bufferization::BufferDeallocationPipelineOptions());
  // The general deallocation case calls a `dealloc_helper` function over
  // dynamically sized memrefs, which the bare-pointer calling convention
  // cannot express: it is inlined (with no cleanup pipeline, so nothing else
  // changes; the parallel launchers are declarations and stay calls).
  pm.addPass(createInlinerPass({}, [](OpPassManager &) {}));
  pm.addPass(createLowerEntryABIPass());
  pm.addPass(createBufferizationToMemRefPass());

  // Loops and 1-D vectors on buffers.
  pm.addNestedPass<func::FuncOp>(createLowerStridedCopiesPass());
  pm.addNestedPass<func::FuncOp>(createCPULowerVectorsPass());
  pm.addNestedPass<func::FuncOp>(
      createConvertVectorToSCFPass(VectorTransferToSCFOptions().enableFullUnroll()));
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertSCFToCFPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // The LLVM dialect, with bare pointers for memrefs: the C entry points pass
  // one pointer per tensor.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  // Reductions of one vector as a tree of vector adds, not one lane after
  // another: LLVM's ordered `vector.reduce.fadd` is a chain of scalar adds,
  // slower and, over a long vector, less accurate (docs/lowering-choices.md).
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.reassociateFPReductions = true;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // aligned_alloc, so that the pointer of an aligned allocation is the one
  // free() takes: kiln-lower-entry-abi hands such pointers to the runtime.
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useAlignedAlloc = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  ConvertFuncToLLVMPassOptions funcToLLVM;
  funcToLLVM.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcToLLVM));
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createEmitParallelLaunchersPass());
  EmitEntryPointPassOptions entryPoint;
  entryPoint.cpuFeatures = options.cpuFeatures;
  pm.addPass(createEmitEntryPointPass(entryPoint));
  pm.addPass(createCanonicalizerPass());
  return success();
}

LogicalResult kiln::buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options,
                                     PipelineErrorHandler emitError) {
  buildCPULinalgPipeline(pm);
  return buildCPULLVMPipeline(pm, options, emitError);
}
