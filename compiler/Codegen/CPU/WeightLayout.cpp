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

/// The f32 values of a dense or resource-backed constant: the stored
/// values themselves where they are stored one by one (a resource blob, a
/// non-splat dense attribute), else a copy in `storage`.
std::optional<ArrayRef<float>> constantFloats(ElementsAttr value, std::vector<float> &storage) {
  if (!value.getElementType().isF32())
    return std::nullopt;
  auto count = static_cast<size_t>(value.getNumElements());
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(value)) {
    std::optional<ArrayRef<float>> data = resource.tryGetAsArrayRef();
    if (data && data->size() == count)
      return data;
    return std::nullopt;
  }
  auto dense = dyn_cast<DenseElementsAttr>(value);
  if (!dense)
    return std::nullopt;
  if (!dense.isSplat())
    return ArrayRef<float>(reinterpret_cast<const float *>(dense.getRawData().data()), count);
  storage.assign(dense.value_begin<float>(), dense.value_end<float>());
  return ArrayRef<float>(storage);
}

/// A weight's f32 values and shape: the constant's own values, or values
/// computed into `storage` (std::vector, so `values` survives a move).
struct EvaluatedWeight {
  ArrayRef<float> values;
  std::vector<float> storage;
  SmallVector<int64_t> shape;
};

/// The f32 values and shape of `v` when it is a constant, or static slices
/// and reshapes of one (a recurrent layer's per-direction weights), computed
/// here whatever their size; nothing otherwise. `root` is the constant.
std::optional<EvaluatedWeight> evaluateWeight(Value v, ConstantOp &root) {
  if (auto constant = v.getDefiningOp<ConstantOp>()) {
    auto type = cast<RankedTensorType>(constant.getType());
    EvaluatedWeight w;
    std::optional<ArrayRef<float>> values = constantFloats(constant.getValue(), w.storage);
    if (!values || !type.hasStaticShape())
      return std::nullopt;
    root = constant;
    w.values = *values;
    w.shape.assign(type.getShape().begin(), type.getShape().end());
    return w;
  }
  if (auto reshape = v.getDefiningOp<ReshapeOp>()) {
    auto in = evaluateWeight(reshape.getInput(), root);
    if (!in || !reshape.getType().hasStaticShape())
      return std::nullopt;
    in->shape.assign(reshape.getType().getShape().begin(), reshape.getType().getShape().end());
    return in;
  }
  if (auto slice = v.getDefiningOp<SliceOp>()) {
    auto in = evaluateWeight(slice.getInput(), root);
    if (!in || !slice.getType().hasStaticShape())
      return std::nullopt;
    ArrayRef<int64_t> shape = in->shape, offsets = slice.getOffsets(),
                      sizes = slice.getType().getShape(), strides = slice.getStrides();
    int64_t rank = shape.size(), count = slice.getType().getNumElements();
    SmallVector<int64_t> inStrides(rank, 1);
    for (int64_t d = rank - 2; d >= 0; --d)
      inStrides[d] = inStrides[d + 1] * shape[d + 1];
    EvaluatedWeight out;
    out.storage.reserve(count);
    SmallVector<int64_t> pos(rank, 0);
    for (int64_t i = 0; i < count; ++i) {
      int64_t at = 0;
      for (int64_t d = 0; d < rank; ++d)
        at += (offsets[d] + pos[d] * strides[d]) * inStrides[d];
      out.storage.push_back(in->values[at]);
      for (int64_t d = rank - 1; d >= 0 && ++pos[d] == sizes[d]; --d)
        pos[d] = 0;
    }
    out.values = out.storage;
    out.shape.assign(sizes.begin(), sizes.end());
    return out;
  }
  return std::nullopt;
}

/// How many times each resource blob is referenced from the module's
/// operations (their attributes, nested ones included), so a blob can be
/// released as soon as the last constant holding it is erased.
using ResourceUses = llvm::DenseMap<DialectResourceBlobManager::BlobEntry *, int64_t>;

void countResourceUses(Operation *op, ResourceUses &uses, int64_t delta) {
  for (NamedAttribute attr : op->getAttrs())
    attr.getValue().walk([&](DenseResourceElementsAttr resource) {
      if (auto *entry = resource.getRawHandle().getResource())
        uses[entry] += delta;
    });
}

/// Transposes the constant `b` of a `trans_b` gemm once, at compile time, so
/// the product reads it along the output's contiguous dimension. `b` may be
/// a constant read only by this gemm, or static slices and reshapes of a
/// constant read only by this gemm (the constant itself goes once its other
/// readers are rewritten too). Leaves the gemm alone otherwise, and for
/// anything but 2-D f32. A resource blob nothing references any more is
/// released at once, so a model of gemms holds each weight once, not twice.
void pretransposeB(GemmOp gemm, RewriterBase &rewriter, ResourceUses &uses) {
  if (!gemm.getTransB() || !gemm.getB().hasOneUse())
    return;
  auto type = cast<RankedTensorType>(gemm.getB().getType());
  if (type.getRank() != 2 || !type.hasStaticShape())
    return;
  ConstantOp constant;
  std::optional<EvaluatedWeight> evaluated = evaluateWeight(gemm.getB(), constant);
  if (!evaluated)
    return;
  ArrayRef<float> values = evaluated->values;
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  auto newType = RankedTensorType::get({cols, rows}, type.getElementType());
  // Written straight into the new blob (or, for a dense weight, a vector
  // the attribute copies).
  auto transposeInto = [&](float *out) {
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        out[c * rows + r] = values[r * cols + c];
  };
  ElementsAttr newValue;
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(constant.getValue())) {
    AsmResourceBlob blob = HeapAsmResourceBlob::allocate(values.size() * sizeof(float),
                                                         alignof(float));
    transposeInto(reinterpret_cast<float *>(blob.getMutableData().data()));
    newValue = DenseResourceElementsAttr::get(
        newType, (resource.getRawHandle().getKey() + "_transposed").str(), std::move(blob));
  } else {
    SmallVector<float> transposed(values.size());
    transposeInto(transposed.data());
    newValue = DenseElementsAttr::get(newType, ArrayRef<float>(transposed));
  }
  Operation *old = gemm.getB().getDefiningOp();
  rewriter.setInsertionPoint(constant);
  Value b = rewriter.create<ConstantOp>(constant.getLoc(), newValue);
  rewriter.modifyOpInPlace(gemm, [&] {
    gemm.getBMutable().assign(b);
    gemm.setTransB(false);
  });
  evaluated.reset(); // may point into the blob released below
  // The chain from the constant, as far as nothing else reads it.
  while (old && old->use_empty()) {
    Operation *next = old->getNumOperands() ? old->getOperand(0).getDefiningOp() : nullptr;
    countResourceUses(old, uses, -1);
    rewriter.eraseOp(old);
    old = next;
  }
  for (auto &[entry, count] : uses)
    if (count == 0 && entry->getBlob() && !entry->getBlob()->getData().empty())
      entry->setBlob(AsmResourceBlob());
}

struct CPUWeightLayoutPass : kiln::impl::CPUWeightLayoutPassBase<CPUWeightLayoutPass> {
  void runOnOperation() override {
    // The whole module at once: a weight may be read from several functions
    // (a training artifact's entries), and only the module knows when the
    // last reader of a blob is gone.
    ResourceUses uses;
    SmallVector<GemmOp> gemms;
    getOperation()->walk([&](Operation *op) {
      countResourceUses(op, uses, 1);
      if (auto gemm = dyn_cast<GemmOp>(op))
        gemms.push_back(gemm);
    });
    IRRewriter rewriter(&getContext());
    for (GemmOp gemm : gemms)
      pretransposeB(gemm, rewriter, uses);
  }
};

} // namespace
