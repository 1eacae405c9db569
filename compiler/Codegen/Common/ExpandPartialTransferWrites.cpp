//===- ExpandPartialTransferWrites.cpp - writes bufferization misjudges ===//
//
// MLIR 19's One-Shot Bufferize decides that a vector.transfer_write on a
// static tensor, unmasked and at index 0 everywhere, overwrites the whole
// tensor (so it does not read it) when no tensor dim is larger than the
// vector dim at the same position, comparing the two shapes from the front
// and ignoring the permutation map. A rank-reduced write (vector<7> into
// tensor<3x7>, what dropping unit dims leaves) or a transposed one passes
// that test while writing only part of the tensor. When such a write then
// bufferizes out of place, the new buffer gets no copy of the old contents:
// the rest of it is uninitialized. Here every write the test misjudges gets
// a vector of the tensor's rank, in the tensor's dim order (a transpose and a
// shape_cast), with an identity map: the test is exact for those. Writes it
// judges correctly, all of them in ordinary models, are left as they are.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Common/Passes.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

namespace kiln {
#define GEN_PASS_DEF_EXPANDPARTIALTRANSFERWRITESPASS
#include "compiler/Codegen/Common/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// Whether One-Shot Bufferize (MLIR 19) takes `write` for a write of its whole
/// destination: its test, restated.
bool bufferizationSeesFullWrite(vector::TransferWriteOp write) {
  auto type = dyn_cast<RankedTensorType>(write.getSource().getType());
  if (!type || !type.hasStaticShape() || write.getMask())
    return false;
  if (!llvm::all_of(write.getIndices(), [](Value v) { return isConstantIntValue(v, 0); }))
    return false;
  for (auto [dim, lanes] : llvm::zip(type.getShape(), write.getVectorType().getShape()))
    if (dim > lanes)
      return false;
  return true;
}

/// Whether `write`, unmasked and at the origin, writes every element of its
/// static destination: each tensor dim is one the vector spans whole, or a
/// unit dim.
bool writesWholeTensor(vector::TransferWriteOp write) {
  auto type = cast<RankedTensorType>(write.getSource().getType());
  if (type.getNumElements() == 0)
    return true;
  SmallVector<int64_t> spanned(type.getRank(), 1);
  for (auto [i, expr] : llvm::enumerate(write.getPermutationMap().getResults())) {
    auto dim = dyn_cast<AffineDimExpr>(expr);
    if (!dim)
      return false;
    spanned[dim.getPosition()] = write.getVectorType().getDimSize(i);
  }
  for (auto [dim, lanes] : llvm::zip(type.getShape(), spanned))
    if (dim > lanes)
      return false;
  return true;
}

/// Rewrites `write` to store a vector of its destination's rank through an
/// identity map: the vector's dims in the order of the tensor dims they map
/// to, unit dims for the tensor dims it does not span.
void expandToTensorRank(RewriterBase &rewriter, vector::TransferWriteOp write) {
  auto type = cast<RankedTensorType>(write.getSource().getType());
  VectorType vectorType = write.getVectorType();
  AffineMap map = write.getPermutationMap();
  int64_t vectorRank = vectorType.getRank();
  SmallVector<int64_t> order = llvm::to_vector(llvm::seq<int64_t>(0, vectorRank));
  llvm::sort(order, [&](int64_t a, int64_t b) {
    return map.getDimPosition(a) < map.getDimPosition(b);
  });
  SmallVector<int64_t> shape(type.getRank(), 1);
  SmallVector<bool> inBounds(type.getRank(), true);
  for (int64_t i = 0; i < vectorRank; ++i) {
    shape[map.getDimPosition(i)] = vectorType.getDimSize(i);
    inBounds[map.getDimPosition(i)] = write.isDimInBounds(i);
  }

  Location loc = write.getLoc();
  rewriter.setInsertionPoint(write);
  Value vector = write.getVector();
  if (!llvm::is_sorted(order))
    vector = rewriter.create<vector::TransposeOp>(loc, vector, order);
  auto fullType = VectorType::get(shape, vectorType.getElementType());
  // A 0-d vector is broadcast; shape_cast takes vectors of rank 1 or more.
  if (vectorRank == 0)
    vector = rewriter.create<vector::BroadcastOp>(loc, fullType, vector);
  else if (vector.getType() != fullType)
    vector = rewriter.create<vector::ShapeCastOp>(loc, fullType, vector);
  rewriter.replaceOpWithNewOp<vector::TransferWriteOp>(write, vector, write.getSource(),
                                                       write.getIndices(), inBounds);
}

struct ExpandPartialTransferWritesPass
    : kiln::impl::ExpandPartialTransferWritesPassBase<ExpandPartialTransferWritesPass> {
  void runOnOperation() override {
    SmallVector<vector::TransferWriteOp> misjudged;
    getOperation().walk([&](vector::TransferWriteOp write) {
      if (!write.getVectorType().isScalable() && bufferizationSeesFullWrite(write) &&
          !writesWholeTensor(write))
        misjudged.push_back(write);
    });
    IRRewriter rewriter(&getContext());
    for (vector::TransferWriteOp write : misjudged)
      expandToTensorRank(rewriter, write);
  }
};

} // namespace
