//===- NNFolds.cpp - nn dialect folders and canonicalization -------------===//
//
// Kept apart from the op definitions: these are the rewrites that are free
// (no arithmetic on tensor data beyond reinterpreting dense constants).
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/NNOps.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace kiln::nn;

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    if (getType().hasStaticShape())
      return dense.reshape(getType());
  return {};
}

namespace {
/// reshape(reshape(x)) -> reshape(x): only the last shape matters.
struct FoldReshapeChain : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto producer = op.getInput().getDefiningOp<ReshapeOp>();
    if (!producer)
      return rewriter.notifyMatchFailure(op, "input is not a reshape");
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), producer.getInput());
    return success();
  }
};

/// flatten is a reshape whose shape is computed from the axis.
struct FlattenToReshape : OpRewritePattern<FlattenOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FlattenOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), op.getInput());
    return success();
  }
};
} // namespace

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<FoldReshapeChain>(context);
}

namespace {
/// The f32 values of a dense or resource-backed constant, or nothing.
std::optional<SmallVector<float>> constantFloats(ElementsAttr value) {
  if (!value.getElementType().isF32())
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(value))
    return llvm::to_vector(dense.getValues<float>());
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(value)) {
    std::optional<ArrayRef<float>> data = resource.tryGetAsArrayRef();
    if (data && data->size() == static_cast<size_t>(value.getNumElements()))
      return llvm::to_vector(*data);
  }
  return std::nullopt;
}

/// `nn.gemm` with `trans_b` on a constant used nowhere else: transpose the
/// constant once at compile time so the product reads `b` row by row, along
/// the output's contiguous dimension (the layout vectorized code wants).
struct PretransposeConstantB : OpRewritePattern<GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GemmOp op, PatternRewriter &rewriter) const override {
    if (!op.getTransB())
      return failure();
    auto constant = op.getB().getDefiningOp<ConstantOp>();
    if (!constant || !constant->hasOneUse())
      return failure();
    auto type = cast<RankedTensorType>(constant.getType());
    if (type.getRank() != 2 || !type.hasStaticShape())
      return failure();
    std::optional<SmallVector<float>> values = constantFloats(constant.getValue());
    if (!values)
      return failure();
    int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
    SmallVector<float> transposed(values->size());
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        transposed[c * rows + r] = (*values)[r * cols + c];
    auto newType = RankedTensorType::get({cols, rows}, type.getElementType());
    ElementsAttr newValue;
    if (auto resource = dyn_cast<DenseResourceElementsAttr>(constant.getValue())) {
      AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
          ArrayRef<char>(reinterpret_cast<const char *>(transposed.data()),
                         transposed.size() * sizeof(float)),
          alignof(float));
      newValue = DenseResourceElementsAttr::get(
          newType, (resource.getRawHandle().getKey() + "_transposed").str(), std::move(blob));
    } else {
      newValue = DenseElementsAttr::get(newType, ArrayRef<float>(transposed));
    }
    rewriter.setInsertionPoint(constant);
    Value b = rewriter.create<ConstantOp>(constant.getLoc(), newValue);
    rewriter.modifyOpInPlace(op, [&] {
      op.getBMutable().assign(b);
      op.setTransB(false);
    });
    rewriter.eraseOp(constant);
    return success();
  }
};
} // namespace

void GemmOp::getCanonicalizationPatterns(RewritePatternSet &results, MLIRContext *context) {
  results.add<PretransposeConstantB>(context);
}

void FlattenOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<FlattenToReshape>(context);
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  for (auto [i, p] : llvm::enumerate(getPerm()))
    if (static_cast<int64_t>(i) != p)
      return {};
  return getInput();
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1 && getInputs().front().getType() == getType())
    return getInputs().front();
  return {};
}
