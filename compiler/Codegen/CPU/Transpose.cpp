//===- Transpose.cpp - transposes in square register tiles ----------------===//
//
// A transpose that moves the input's innermost dim away from the output's
// innermost (NCHW -> NHWC, the weight gradients' channels-last copies)
// vectorizes along the output's innermost dim with one gather per vector: a
// scalar load and an insert per element. Here such a transpose is cut into
// square tiles of one vector's lanes on each side; each tile is read as
// whole rows of the input, transposed in registers by rounds of
// interleaving shuffles, and written as whole rows of the output.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/CPU/Transpose.h"
#include "compiler/Codegen/CPU/PartialTiles.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <numeric>

using namespace mlir;

namespace kiln::cpu {

linalg::TransposeOp mergeTransposeDims(RewriterBase &rewriter, linalg::TransposeOp op) {
  auto inType = dyn_cast<RankedTensorType>(op.getInput().getType());
  auto outType = dyn_cast<RankedTensorType>(op.getInit().getType());
  if (!inType || !outType || !inType.hasStaticShape() || !op.hasPureTensorSemantics())
    return op;
  ArrayRef<int64_t> perm = op.getPermutation();
  int64_t rank = perm.size();
  // Runs of output dims reading consecutive input dims, in output order:
  // (first input dim, length).
  SmallVector<std::pair<int64_t, int64_t>> runs;
  for (int64_t j = 0; j < rank;) {
    int64_t k = j + 1;
    while (k < rank && perm[k] == perm[k - 1] + 1)
      ++k;
    runs.push_back({perm[j], k - j});
    j = k;
  }
  if (static_cast<int64_t>(runs.size()) == rank)
    return op;
  SmallVector<int64_t> byInput(runs.size());
  std::iota(byInput.begin(), byInput.end(), 0);
  llvm::sort(byInput, [&](int64_t x, int64_t y) { return runs[x].first < runs[y].first; });
  SmallVector<ReassociationIndices> inGroups, outGroups;
  SmallVector<int64_t> inputPosition(runs.size());
  for (auto [position, run] : llvm::enumerate(byInput)) {
    inputPosition[run] = position;
    ReassociationIndices group;
    for (int64_t i = 0; i < runs[run].second; ++i)
      group.push_back(runs[run].first + i);
    inGroups.push_back(group);
  }
  SmallVector<int64_t> merged;
  int64_t dim = 0;
  for (auto [run, extent] : llvm::enumerate(runs)) {
    ReassociationIndices group;
    for (int64_t i = 0; i < extent.second; ++i)
      group.push_back(dim++);
    outGroups.push_back(group);
    merged.push_back(inputPosition[run]);
  }
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  Value input = rewriter.create<tensor::CollapseShapeOp>(loc, op.getInput(), inGroups);
  Value init = rewriter.create<tensor::CollapseShapeOp>(loc, op.getInit(), outGroups);
  auto transpose = rewriter.create<linalg::TransposeOp>(loc, input, init, merged);
  Value result =
      rewriter.create<tensor::ExpandShapeOp>(loc, outType, transpose.getResult()[0], outGroups);
  rewriter.replaceOp(op, result);
  return transpose;
}

std::optional<std::pair<unsigned, unsigned>> squareTransposeDims(linalg::TransposeOp op,
                                                                 int64_t vectorWidth) {
  auto inType = dyn_cast<RankedTensorType>(op.getInput().getType());
  auto outType = dyn_cast<RankedTensorType>(op.getInit().getType());
  if (!inType || !outType || !outType.hasStaticShape() || !op.hasPureTensorSemantics() ||
      vectorWidth < 2 || !llvm::isPowerOf2_64(vectorWidth) ||
      !inType.getElementType().isIntOrFloat() ||
      inType.getElementType().getIntOrFloatBitWidth() != 32)
    return std::nullopt;
  ArrayRef<int64_t> perm = op.getPermutation();
  unsigned rank = perm.size(), b = rank - 1;
  unsigned a = llvm::find(perm, static_cast<int64_t>(rank - 1)) - perm.begin();
  if (a == b || outType.getDimSize(a) % vectorWidth || outType.getDimSize(b) % vectorWidth)
    return std::nullopt;
  return std::make_pair(a, b);
}

LogicalResult transposeInSquareTiles(RewriterBase &rewriter, linalg::TransposeOp op,
                                     int64_t vectorWidth) {
  std::optional<std::pair<unsigned, unsigned>> dims = squareTransposeDims(op, vectorWidth);
  if (!dims)
    return failure();
  auto [a, b] = *dims;
  unsigned rank = op.getPermutation().size();
  SmallVector<int64_t> sizes(rank, 1);
  sizes[a] = sizes[b] = vectorWidth;
  FailureOr<linalg::TransposeOp> tiled = tileNamedOp(rewriter, op, sizes);
  if (failed(tiled))
    return failure();
  linalg::TransposeOp tile = *tiled;

  // The tile as two rank-reduced squares: input rows along input dim
  // perm[b] (columns its innermost), output rows along a (columns b).
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(tile);
  Location loc = tile.getLoc();
  Type elem = getElementTypeOrSelf(tile.getInput().getType());
  auto square = RankedTensorType::get({vectorWidth, vectorWidth}, elem);
  auto vectorType = VectorType::get({vectorWidth, vectorWidth}, elem);
  SmallVector<OpFoldResult> zeros(rank, rewriter.getIndexAttr(0)),
      ones(rank, rewriter.getIndexAttr(1));
  auto tileSizes = [&](Value v) {
    SmallVector<OpFoldResult> s;
    for (int64_t d : cast<RankedTensorType>(v.getType()).getShape())
      s.push_back(rewriter.getIndexAttr(d));
    return s;
  };
  Value in = rewriter.create<tensor::ExtractSliceOp>(loc, square, tile.getInput(), zeros,
                                                     tileSizes(tile.getInput()), ones);
  Value zero = rewriter.create<arith::ConstantIndexOp>(loc, 0);
  bool inBounds[2] = {true, true};
  Value block = rewriter.create<vector::TransferReadOp>(loc, vectorType, in,
                                                        ValueRange{zero, zero},
                                                        ArrayRef<bool>(inBounds));

  // Each round interleaves row i with row i + n/2 (low halves into row 2i,
  // high halves into 2i + 1): on the 2 log2(n) bits of an element's (row,
  // column) index that is a rotation by one bit, so log2(n) rounds swap row
  // and column bits.
  int64_t n = vectorWidth;
  SmallVector<Value> rows;
  for (int64_t i = 0; i < n; ++i)
    rows.push_back(rewriter.create<vector::ExtractOp>(loc, block, i));
  SmallVector<int64_t> low, high;
  for (int64_t i = 0; i < n / 2; ++i) {
    low.append({i, n + i});
    high.append({n / 2 + i, n + n / 2 + i});
  }
  for (int64_t round = 1; round < n; round *= 2) {
    SmallVector<Value> next;
    for (int64_t i = 0; i < n / 2; ++i) {
      next.push_back(rewriter.create<vector::ShuffleOp>(loc, rows[i], rows[i + n / 2], low));
      next.push_back(rewriter.create<vector::ShuffleOp>(loc, rows[i], rows[i + n / 2], high));
    }
    rows = std::move(next);
  }
  Value transposed = block;
  for (int64_t i = 0; i < n; ++i)
    transposed = rewriter.create<vector::InsertOp>(loc, rows[i], transposed, i);

  Value init = tile.getInit();
  Value out = rewriter.create<tensor::ExtractSliceOp>(loc, square, init, zeros, tileSizes(init),
                                                      ones);
  Value written = rewriter.create<vector::TransferWriteOp>(loc, transposed, out,
                                                           ValueRange{zero, zero},
                                                           ArrayRef<bool>(inBounds))
                      .getResult();
  rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(tile, written, init, zeros, tileSizes(init),
                                                     ones);
  return success();
}

} // namespace kiln::cpu
