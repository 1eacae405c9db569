//===- ConvertNNToLinalg.cpp - the convert-nn-to-linalg pass -------------===//
//
// Lowers every nn op to linalg/tensor/arith/math on tensors with the
// patterns of each op family (one file per family in this folder). Dynamic
// sizes become tensor.dim and index arithmetic (the ops' reified shapes), and
// what the types cannot promise (operands that must agree or broadcast) a
// cf.assert naming the node; a static shape builds the same fixed set of
// upstream ops as before, with no check.
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
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/TypeUtilities.h"
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
  populateNNToLinalgSamplingPatterns(patterns);
  populateNNToLinalgIndexingPatterns(patterns);
  populateNNToLinalgTrainingPatterns(patterns);
  populateNNToLinalgLinearAlgebraPatterns(patterns);
}

namespace {

/// Ops whose lowering needs a size at compile time that a dynamic dimension
/// hides: average and max pooling over dynamic spatial dimensions in ceil
/// mode (its extra end padding, and the average's divisors, are computed at
/// compile time), 3-D windows, a dynamic weight,
/// tiling a dynamic dimension (an indexing map cannot take `i mod size` of a
/// run-time size), and losses over a dynamic class count.
bool needsStaticSizes(Operation *op) {
  auto dynamicAt = [](Value v, int64_t from) {
    auto t = cast<RankedTensorType>(v.getType());
    for (int64_t d = from; d < t.getRank(); ++d)
      if (t.isDynamicDim(d))
        return true;
    return false;
  };
  if (isa<ConvOp, MaxPoolOp, AveragePoolOp>(op)) {
    Value in = op->getOperand(0);
    if (cast<RankedTensorType>(in.getType()).getRank() == 5)
      return dynamicAt(in, 0) || dynamicAt(op->getResult(0), 0);
    if (auto conv = dyn_cast<ConvOp>(op))
      return dynamicAt(conv.getWeight(), 0);
    if (auto pool = dyn_cast<MaxPoolOp>(op)) {
      if (!isa<FloatType>(pool.getType().getElementType()))
        return dynamicAt(in, 0);
      return pool.getCeilMode() && dynamicAt(in, 2);
    }
    return cast<AveragePoolOp>(op).getCeilMode() && dynamicAt(in, 2);
  }
  if (auto tile = dyn_cast<TileOp>(op))
    return llvm::any_of(llvm::enumerate(tile.getRepeats()), [&](auto e) {
      return e.value() != 1 && tile.getInput().getType().isDynamicDim(e.index());
    });
  if (auto loss = dyn_cast<NLLLossOp>(op))
    return loss.getInput().getType().isDynamicDim(1);
  // Max pooling's indices are flat positions over the spatial sizes.
  if (auto indices = dyn_cast<MaxPoolIndicesOp>(op))
    return dynamicAt(indices.getInput(), 2);
  if (isa<ResizeOp, GatherNDOp>(op))
    return dynamicAt(op->getOperand(0), 0) || dynamicAt(op->getOperand(1), 0);
  return false;
}

/// f16 and bf16 tensors are stored in their type and computed in f32: every
/// nn op but constants and casts that reads one gets its half-float operands
/// cast to f32 and its half-float results cast back, so the lowering only
/// ever converts them (nn.cast; docs/lowering-choices.md).
void computeHalfFloatsInF32(ModuleOp module) {
  auto isHalf = [](Type t) {
    Type e = getElementTypeOrSelf(t);
    return e.isF16() || e.isBF16();
  };
  SmallVector<Operation *> ops;
  module.walk([&](Operation *op) {
    if (isa<NNDialect>(op->getDialect()) && !isa<ConstantOp, CastOp>(op) &&
        llvm::any_of(op->getOperandTypes(), isHalf))
      ops.push_back(op);
  });
  for (Operation *op : ops) {
    OpBuilder b(op);
    Type f32 = b.getF32Type();
    for (OpOperand &operand : op->getOpOperands()) {
      auto t = cast<RankedTensorType>(operand.get().getType());
      if (isHalf(t))
        operand.set(b.create<CastOp>(op->getLoc(), t.clone(f32), operand.get()));
    }
    b.setInsertionPointAfter(op);
    for (OpResult r : op->getResults()) {
      auto t = dyn_cast<RankedTensorType>(r.getType());
      if (!t || !isHalf(t))
        continue;
      r.setType(t.clone(f32));
      auto back = b.create<CastOp>(op->getLoc(), t, r);
      r.replaceAllUsesExcept(back, back);
    }
  }
}

/// `type` with every unsigned integer (also as a tensor element or in a
/// function type) made signless.
Type signless(Type type) {
  if (auto it = dyn_cast<IntegerType>(type))
    return it.isSignless() ? type : IntegerType::get(type.getContext(), it.getWidth());
  if (auto tt = dyn_cast<RankedTensorType>(type))
    return tt.clone(signless(tt.getElementType()));
  if (auto ft = dyn_cast<FunctionType>(type)) {
    SmallVector<Type> ins, outs;
    for (Type t : ft.getInputs())
      ins.push_back(signless(t));
    for (Type t : ft.getResults())
      outs.push_back(signless(t));
    return FunctionType::get(type.getContext(), ins, outs);
  }
  return type;
}

/// Unsigned integer types end with the nn ops: arith, linalg and LLVM take
/// signless integers, and the lowering has already chosen the unsigned ops
/// (divui, cmpi ult, uitofp, ...) where the nn types were unsigned. Every
/// type, constant and signature becomes signless; the identity casts that
/// converted between the two signednesses of one width go away.
void dropSignedness(ModuleOp module) {
  SmallVector<UnrealizedConversionCastOp> casts;
  module.walk([&](Operation *op) {
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          arg.setType(signless(arg.getType()));
    for (OpResult r : op->getResults())
      r.setType(signless(r.getType()));
    if (auto fn = dyn_cast<func::FuncOp>(op))
      fn.setFunctionType(cast<FunctionType>(signless(fn.getFunctionType())));
    if (auto c = dyn_cast<arith::ConstantOp>(op)) {
      Attribute value = c.getValue();
      Type type = signless(cast<TypedAttr>(value).getType());
      if (type == cast<TypedAttr>(value).getType())
        return;
      if (auto i = dyn_cast<IntegerAttr>(value))
        c.setValueAttr(IntegerAttr::get(type, i.getValue()));
      else if (auto dense = dyn_cast<DenseElementsAttr>(value))
        c.setValueAttr(cast<TypedAttr>(dense.bitcast(cast<ShapedType>(type).getElementType())));
      else if (auto blob = dyn_cast<DenseResourceElementsAttr>(value))
        c.setValueAttr(cast<TypedAttr>(
            DenseResourceElementsAttr::get(cast<ShapedType>(type), blob.getRawHandle())));
    }
    if (auto cast = dyn_cast<UnrealizedConversionCastOp>(op))
      casts.push_back(cast);
  });
  for (UnrealizedConversionCastOp cast : casts) {
    if (cast->getNumOperands() != 1 || cast->getNumResults() != 1 ||
        cast.getOperand(0).getType() != cast.getResult(0).getType())
      continue;
    cast.getResult(0).replaceAllUsesWith(cast.getOperand(0));
    cast.erase();
  }
}

struct ConvertNNToLinalgPass
    : kiln::impl::ConvertNNToLinalgPassBase<ConvertNNToLinalgPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Report every op the lowering cannot take before touching anything.
    bool bad = false;
    module.walk([&](Operation *op) {
      if (!isa<NNDialect>(op->getDialect()))
        return;
      if (!needsStaticSizes(op))
        return;
      op->emitOpError("expects static sizes here for code generation, found ")
          << op->getOperandTypes() << " (specialize symbolic dimensions with --input-shape)";
      bad = true;
    });
    if (bad)
      return signalPassFailure();
    computeHalfFloatsInF32(module);

    ConversionTarget target(getContext());
    target.addIllegalDialect<NNDialect>();
    target.addLegalDialect<arith::ArithDialect, cf::ControlFlowDialect, linalg::LinalgDialect,
                           math::MathDialect, scf::SCFDialect, tensor::TensorDialect,
                           func::FuncDialect>();
    RewritePatternSet patterns(&getContext());
    populateNNToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      return signalPassFailure();
    dropSignedness(module);

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
