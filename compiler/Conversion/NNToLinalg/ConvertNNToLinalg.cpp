//===- ConvertNNToLinalg.cpp - the convert-nn-to-linalg pass -------------===//
//
// Lowers every nn op to linalg/tensor/arith/math on tensors with the
// patterns of each op family (one file per family in this folder). Shapes
// are static here (the importer specializes them), which keeps every
// lowering a fixed set of upstream ops that later tiling and vectorization
// passes understand.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NNToLinalg/NNToLinalg.h"
#include "compiler/Conversion/Passes.h"
#include "dialects/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_CONVERTNNTOLINALGPASS
#include "compiler/Conversion/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;
using namespace kiln::nn;

void kiln::populateNNToLinalgPatterns(RewritePatternSet &patterns) {
  populateNNToLinalgElementwisePatterns(patterns);
  populateNNToLinalgContractionPatterns(patterns);
  populateNNToLinalgConvPoolPatterns(patterns);
  populateNNToLinalgNormalizationPatterns(patterns);
  populateNNToLinalgReductionPatterns(patterns);
  populateNNToLinalgDataMovementPatterns(patterns);
  populateNNToLinalgLossPatterns(patterns);
  populateNNToLinalgShapeOperandPatterns(patterns);
}

namespace {

struct ConvertNNToLinalgPass
    : kiln::impl::ConvertNNToLinalgPassBase<ConvertNNToLinalgPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Report every op the lowering cannot take before touching anything.
    bool bad = false;
    module.walk([&](Operation *op) {
      if (!isa<NNDialect>(op->getDialect()))
        return;
      SmallVector<Type> types(op->getOperandTypes());
      // A shape read at run time lowers with dynamic sizes (ShapeOperands.cpp).
      if (!isa<DynamicReshapeOp, DynamicExpandOp, DynamicUnsqueezeOp, DynamicSqueezeOp,
               DynamicSliceOp, DynamicTileOp, ConstantOfShapeOp, RangeOp,
               DynamicReduceSumOp>(op))
        llvm::append_range(types, op->getResultTypes());
      for (Type t : types) {
        auto rt = dyn_cast<RankedTensorType>(t);
        if (!rt || rt.hasStaticShape())
          continue;
        op->emitOpError("expects static shapes for code generation, found ")
            << t << " (specialize symbolic dimensions with --input-shape)";
        bad = true;
        return;
      }
    });
    if (bad)
      return signalPassFailure();

    ConversionTarget target(getContext());
    target.addIllegalDialect<NNDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect, math::MathDialect,
                           tensor::TensorDialect, func::FuncDialect,
                           cf::ControlFlowDialect>();
    RewritePatternSet patterns(&getContext());
    populateNNToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      return signalPassFailure();

    // One-shot bufferization in MLIR 19 does not take tensor.concat: upstream's
    // decomposition turns it into inserts into an empty tensor. Only the
    // concats are rewritten (nothing else is folded or moved).
    SmallVector<Operation *> concats;
    module.walk([&](tensor::ConcatOp op) { concats.push_back(op); });
    if (concats.empty())
      return;
    RewritePatternSet decompose(&getContext());
    tensor::populateDecomposeTensorConcatPatterns(decompose);
    GreedyRewriteConfig config;
    config.strictMode = GreedyRewriteStrictness::ExistingOps;
    if (failed(applyOpPatternsAndFold(concats, std::move(decompose), config)))
      signalPassFailure();
  }
};

} // namespace
