//===- SumBlocks.cpp - long float sums in nested blocks -------------------===//
//
// Step 0 of kiln-cpu-tile-and-vectorize (Passes.td; docs/lowering-choices.md,
// "Long float sums"): a float sum that adds more than `sum-block` elements
// into one output is tiled into blocks that sum into zeros, each block's sum
// then added to the output, so no f32 running total grows past a block.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/CPU/PartialTiles.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <algorithm>
#include <limits>

using namespace mlir;
using kiln::cpu::hasTileableMaps;
using kiln::cpu::tileLinalgOp;

namespace {

/// A blocked float sum (step 0 of the pass) has blocks kSumLevelFactor
/// times larger than the next smaller, in up to kSumLevels levels from
/// `sum-block` up: each total adds at most about kSumLevelFactor block sums
/// below 2^36 elements.
constexpr int64_t kSumLevelFactor = 64;
constexpr size_t kSumLevels = 5;

/// Whether `op` is a float sum into each of its inits: a generic, not a
/// contraction, whose body uses each init's block argument once, as an
/// operand of the `arith.addf` it yields for that init (a sum and a sum of
/// squares fused into one generic are two such sums).
bool isFloatSum(linalg::LinalgOp op) {
  if (!isa<linalg::GenericOp>(op.getOperation()) || op.getNumDpsInits() == 0 ||
      op.getNumReductionLoops() == 0 || linalg::isaContractionOpInterface(op))
    return false;
  auto yield = cast<linalg::YieldOp>(op->getRegion(0).front().getTerminator());
  for (OpOperand &init : op.getDpsInitsMutable()) {
    if (!isa<FloatType>(getElementTypeOrSelf(init.get().getType())))
      return false;
    BlockArgument acc = op.getMatchingBlockArgument(&init);
    Value yielded = yield->getOperand(init.getOperandNumber() - op.getNumDpsInputs());
    auto add = yielded.getDefiningOp<arith::AddFOp>();
    if (!add || !acc.hasOneUse() || (add.getLhs() != acc && add.getRhs() != acc))
      return false;
  }
  return true;
}

} // namespace

FailureOr<linalg::LinalgOp> kiln::cpu::blockLargeSum(RewriterBase &rewriter, linalg::LinalgOp op,
                                                     int64_t block) {
  if (!isFloatSum(op) || !hasTileableMaps(op))
    return failure();
  // From the innermost reduction loop outwards: loops that fit in a block
  // whole stay whole; the first that does not is split into tiles that fill
  // a block; reduction loops outside it step one at a time.
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<int64_t> sizes(ranges.size(), 0);
  std::optional<unsigned> split;
  int64_t inner = 1;
  for (unsigned d = ranges.size(); d-- > 0;) {
    if (iterators[d] != utils::IteratorType::reduction)
      continue;
    if (split) {
      sizes[d] = 1;
      continue;
    }
    if (!ShapedType::isDynamic(ranges[d]) && inner * ranges[d] <= block) {
      inner *= ranges[d];
      continue;
    }
    split = d;
    int64_t tile = std::max<int64_t>(1, block / inner);
    // A divisor of a static extent near the tile keeps every block static.
    if (!ShapedType::isDynamic(ranges[d]))
      for (int64_t t = tile; t > tile / 2; --t)
        if (ranges[d] % t == 0) {
          tile = t;
          break;
        }
    sizes[d] = tile;
  }
  if (!split)
    return failure();
  // Dynamic parallel loops but the innermost step one at a time (as the
  // pass's dynamic step would tile them anyway), so that a block's zeros
  // have a static shape, planned in the workspace instead of allocated at
  // every block.
  for (unsigned d = 0; d + 1 < ranges.size(); ++d)
    if (iterators[d] == utils::IteratorType::parallel && ShapedType::isDynamic(ranges[d]))
      sizes[d] = 1;
  // A dynamic innermost parallel loop would give each block dynamically
  // sized zeros: an allocation and copies of the whole accumulator per
  // block (a ReduceSum over axis 0 of [A, B], both symbolic, took 782 ms
  // instead of 2.3 ms). Such sums keep one running total per element.
  if (iterators.back() == utils::IteratorType::parallel && ShapedType::isDynamic(ranges.back()))
    return failure();
  FailureOr<linalg::LinalgOp> tiled = tileLinalgOp(rewriter, op, sizes);
  if (failed(tiled))
    return failure();

  // The block sums into zeros; its sums are then added to the running totals.
  linalg::LinalgOp blockSum = *tiled;
  Location loc = blockSum.getLoc();
  for (OpOperand &init : blockSum.getDpsInitsMutable()) {
    Value total = init.get();
    auto type = cast<RankedTensorType>(total.getType());
    rewriter.setInsertionPoint(blockSum);
    Value empty = rewriter.create<tensor::EmptyOp>(
        loc, tensor::getMixedSizes(rewriter, loc, total), type.getElementType());
    Value zero =
        rewriter.create<arith::ConstantOp>(loc, rewriter.getZeroAttr(type.getElementType()));
    Value zeros = rewriter.create<linalg::FillOp>(loc, zero, empty).getResult(0);
    rewriter.modifyOpInPlace(blockSum, [&] { init.set(zeros); });
    rewriter.setInsertionPointAfter(blockSum);
    Value partial = blockSum.getTiedOpResult(&init);
    AffineMap identity = rewriter.getMultiDimIdentityMap(type.getRank());
    auto sum = rewriter.create<linalg::GenericOp>(
        loc, type, ValueRange{partial}, ValueRange{total},
        ArrayRef<AffineMap>{identity, identity},
        SmallVector<utils::IteratorType>(type.getRank(), utils::IteratorType::parallel),
        [](OpBuilder &b, Location l, ValueRange args) {
          b.create<linalg::YieldOp>(l, b.create<arith::AddFOp>(l, args[1], args[0]).getResult());
        });
    rewriter.replaceAllUsesExcept(partial, sum.getResult(0), sum);
  }
  return blockSum;
}

bool kiln::cpu::blockLongSums(RewriterBase &rewriter, func::FuncOp func, int64_t sumBlock) {
  SmallVector<linalg::LinalgOp> pools;
  func.walk([&](linalg::LinalgOp op) {
    if (!isa<linalg::PoolingNchwSumOp, linalg::PoolingNcwSumOp>(op.getOperation()) ||
        !op.hasPureTensorSemantics())
      return;
    auto window = dyn_cast<RankedTensorType>(op.getDpsInputOperand(1)->get().getType());
    if (window && window.hasStaticShape() && window.getNumElements() > sumBlock)
      pools.push_back(op);
  });
  for (linalg::LinalgOp pool : pools) {
    rewriter.setInsertionPoint(pool);
    (void)linalg::generalizeNamedOp(rewriter, pool);
  }
  SmallVector<linalg::LinalgOp> sums;
  func.walk([&](linalg::LinalgOp op) {
    if (op.hasPureTensorSemantics() && op.getNumReductionLoops() > 0)
      sums.push_back(op);
  });
  bool blocked = false;
  for (linalg::LinalgOp op : sums) {
    // Blocks within blocks, kSumLevelFactor times smaller each, outermost
    // first, so no total adds more than about that many block sums; one
    // level below `sumBlock` when the innermost loop is parallel, where
    // each vector lane adds its elements one after another (a reduced
    // innermost loop adds the lanes of each vector as a tree).
    //
    // Where the innermost loop is parallel, each block also fills and adds
    // a whole row of accumulators, which a level that runs one block
    // (a short sum) pays for nothing: with a dynamic reduced length, which
    // may be short, only the `sumBlock` level (ReduceSum over axis 0 of a
    // symbolic [A, 2^20] at A = 8 took 16.9 ms with every level, 1.7 ms
    // with none).
    bool innerParallel = op.getIteratorTypesArray().back() == utils::IteratorType::parallel;
    bool dynamicLength = llvm::any_of(llvm::zip(op.getStaticLoopRanges(),
                                                op.getIteratorTypesArray()),
                                      [](auto loop) {
                                        return ShapedType::isDynamic(std::get<0>(loop)) &&
                                               std::get<1>(loop) ==
                                                   utils::IteratorType::reduction;
                                      });
    SmallVector<int64_t> levels{sumBlock};
    while (!(innerParallel && dynamicLength) && levels.size() < kSumLevels &&
           levels.back() <= std::numeric_limits<int64_t>::max() / kSumLevelFactor)
      levels.push_back(levels.back() * kSumLevelFactor);
    std::reverse(levels.begin(), levels.end());
    if (innerParallel && !dynamicLength && sumBlock / kSumLevelFactor > 1)
      levels.push_back(sumBlock / kSumLevelFactor);
    FailureOr<linalg::LinalgOp> current = op;
    for (int64_t block : levels) {
      FailureOr<linalg::LinalgOp> inner = kiln::cpu::blockLargeSum(rewriter, *current, block);
      if (succeeded(inner)) {
        current = inner;
        blocked = true;
      }
    }
  }
  return blocked;
}
