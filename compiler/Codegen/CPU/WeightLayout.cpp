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

/// The f32 values and shape of `v` when it is a constant, or static slices
/// and reshapes of one (a recurrent layer's per-direction weights), computed
/// here whatever their size; nothing otherwise. `root` is the constant.
std::optional<std::pair<SmallVector<float>, SmallVector<int64_t>>>
evaluateWeight(Value v, ConstantOp &root) {
  if (auto constant = v.getDefiningOp<ConstantOp>()) {
    auto type = cast<RankedTensorType>(constant.getType());
    std::optional<SmallVector<float>> values = constantFloats(constant.getValue());
    if (!values || !type.hasStaticShape())
      return std::nullopt;
    root = constant;
    return std::make_pair(std::move(*values), SmallVector<int64_t>(type.getShape()));
  }
  if (auto reshape = v.getDefiningOp<ReshapeOp>()) {
    auto in = evaluateWeight(reshape.getInput(), root);
    if (!in || !reshape.getType().hasStaticShape())
      return std::nullopt;
    return std::make_pair(std::move(in->first), SmallVector<int64_t>(reshape.getType().getShape()));
  }
  if (auto slice = v.getDefiningOp<SliceOp>()) {
    auto in = evaluateWeight(slice.getInput(), root);
    if (!in || !slice.getType().hasStaticShape())
      return std::nullopt;
    ArrayRef<int64_t> shape = in->second, offsets = slice.getOffsets(),
                      sizes = slice.getType().getShape(), strides = slice.getStrides();
    int64_t rank = shape.size(), count = slice.getType().getNumElements();
    SmallVector<int64_t> inStrides(rank, 1);
    for (int64_t d = rank - 2; d >= 0; --d)
      inStrides[d] = inStrides[d + 1] * shape[d + 1];
    SmallVector<float> out;
    out.reserve(count);
    SmallVector<int64_t> pos(rank, 0);
    for (int64_t i = 0; i < count; ++i) {
      int64_t at = 0;
      for (int64_t d = 0; d < rank; ++d)
        at += (offsets[d] + pos[d] * strides[d]) * inStrides[d];
      out.push_back(in->first[at]);
      for (int64_t d = rank - 1; d >= 0 && ++pos[d] == sizes[d]; --d)
        pos[d] = 0;
    }
    return std::make_pair(std::move(out), SmallVector<int64_t>(sizes));
  }
  return std::nullopt;
}

/// Transposes the constant `b` of a `trans_b` gemm once, at compile time, so
/// the product reads it along the output's contiguous dimension. `b` may be
/// a constant read only by this gemm, or static slices and reshapes of a
/// constant read only by this gemm (the constant itself goes once its other
/// readers are rewritten too). Leaves the gemm alone otherwise, and for
/// anything but 2-D f32.
void pretransposeB(GemmOp gemm, RewriterBase &rewriter) {
  if (!gemm.getTransB() || !gemm.getB().hasOneUse())
    return;
  auto type = cast<RankedTensorType>(gemm.getB().getType());
  if (type.getRank() != 2 || !type.hasStaticShape())
    return;
  ConstantOp constant;
  auto evaluated = evaluateWeight(gemm.getB(), constant);
  if (!evaluated)
    return;
  const SmallVector<float> &values = evaluated->first;
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  SmallVector<float> transposed(values.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      transposed[c * rows + r] = values[r * cols + c];
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
  Operation *old = gemm.getB().getDefiningOp();
  rewriter.setInsertionPoint(constant);
  Value b = rewriter.create<ConstantOp>(constant.getLoc(), newValue);
  rewriter.modifyOpInPlace(gemm, [&] {
    gemm.getBMutable().assign(b);
    gemm.setTransB(false);
  });
  // The chain from the constant, as far as nothing else reads it.
  while (old && old->use_empty()) {
    Operation *next = old->getNumOperands() ? old->getOperand(0).getDefiningOp() : nullptr;
    rewriter.eraseOp(old);
    old = next;
  }
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
