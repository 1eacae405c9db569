//===- WeightLayout.cpp - constant weights in the layout CPU kernels read -===//
//
// Canonical nn keeps a weight as the model stores it; which layout a kernel
// reads fastest is a property of the target's code generation, decided here.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/CPU/Passes.h"

#include "dialects/NN/IR/NNOps.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/PatternMatch.h"

namespace kiln {
#define GEN_PASS_DEF_CPUWEIGHTLAYOUTPASS
#include "compiler/Codegen/CPU/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln::nn;

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

/// Transposes the constant `b` of a `trans_b` gemm once, at compile time, so
/// the product reads it along the output's contiguous dimension. Leaves the
/// gemm alone when `b` is not a 2-D f32 constant read only by this gemm.
void pretransposeB(GemmOp gemm, RewriterBase &rewriter) {
  if (!gemm.getTransB())
    return;
  auto constant = gemm.getB().getDefiningOp<ConstantOp>();
  if (!constant || !constant->hasOneUse())
    return;
  auto type = cast<RankedTensorType>(constant.getType());
  if (type.getRank() != 2 || !type.hasStaticShape())
    return;
  std::optional<SmallVector<float>> values = constantFloats(constant.getValue());
  if (!values)
    return;
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
  rewriter.modifyOpInPlace(gemm, [&] {
    gemm.getBMutable().assign(b);
    gemm.setTransB(false);
  });
  rewriter.eraseOp(constant);
}

struct CPUWeightLayoutPass : kiln::impl::CPUWeightLayoutPassBase<CPUWeightLayoutPass> {
  void runOnOperation() override {
    SmallVector<GemmOp> gemms;
    getOperation().walk([&](GemmOp gemm) { gemms.push_back(gemm); });
    IRRewriter rewriter(&getContext());
    for (GemmOp gemm : gemms)
      pretransposeB(gemm, rewriter);
  }
};

} // namespace
