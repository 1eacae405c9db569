//===- TileAndVectorize.cpp - CPU tiling and vectorization ---------------===//
//
// The CPU strategy on linalg-on-tensors: convolutions are convolved directly
// where DirectConv.cpp's rule takes them, else become im2col plus a
// contraction; contractions are tiled into cache and register blocks and
// vectorized into outer products; other vectorizable ops are tiled along
// their innermost loop and vectorized. See the pass description in
// Passes.td for the tile shapes.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/CPU/Passes.h"
#include "compiler/Codegen/CPU/ContractUnitDims.h"
#include "compiler/Codegen/CPU/DirectConv.h"
#include "compiler/Codegen/CPU/Im2col.h"
#include "compiler/Codegen/CPU/PartialTiles.h"
#include "compiler/Codegen/CPU/Transpose.h"
#include "compiler/Codegen/CPU/WeightGradConv.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <limits>

namespace kiln {
#define GEN_PASS_DEF_CPUTILEANDVECTORIZEPASS
#include "compiler/Codegen/CPU/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using kiln::cpu::loopUpperBound;
using kiln::cpu::unmaskComputations;
using kiln::cpu::blockDynamicCols;
using kiln::cpu::blockDynamicRows;
using kiln::cpu::isDynamicReductionContraction;
using kiln::cpu::kMaxMaskedExtent;
using kiln::cpu::splitDynamicInnermost;

namespace {

using kiln::cpu::tileLinalgOp;

/// A contraction's parallel loop gets at least this many iterations when its
/// columns allow, so that threads can share them out evenly.
constexpr int64_t kParallelBlocks = 8;

/// Ops with fewer loop iterations than this run on one thread: a dispatch to
/// the pool costs microseconds.
constexpr int64_t kParallelMinIterations = 1 << 16;

/// A partial column block of at most vector-width / kDotProductShare columns
/// (at run time) is computed as dot products (partialColumnsAsDotProducts).
/// Each column is then one pass over the left-hand side, which the masked
/// vectors of columns make once per block: measured on `W[256,512] @
/// x[512,N]` with 16 lanes, 4.5 us a column against 27 us a block of up to
/// 16: break-even at about 6 columns.
constexpr int64_t kDotProductShare = 4;

/// Reduction loops of a contraction run inside its register blocks, from the
/// innermost outwards, until they make at least this many steps together
/// (see `innerK` in tileContraction).
constexpr int64_t kShortReduction = 64;

/// The product of the loop extents (saturating), a measure of an op's work.
int64_t iterationCount(linalg::LinalgOp op) {
  int64_t total = 1;
  for (int64_t r : op.getStaticLoopRanges())
    total = r > 0 && total > std::numeric_limits<int64_t>::max() / r ? std::numeric_limits<int64_t>::max() : total * r;
  return total;
}

//===----------------------------------------------------------------------===//
// Tiling
//===----------------------------------------------------------------------===//

/// A tile for a loop of `extent`: the whole loop when it is at most `cap`;
/// otherwise the largest divisor of `extent` that is at most `cap` and a
/// multiple of `multiple` (so vectors fill whole registers), else the largest
/// power-of-two divisor below `multiple`.
int64_t pickTile(int64_t extent, int64_t cap, int64_t multiple = 1) {
  if (ShapedType::isDynamic(extent) || extent <= 0)
    return 1;
  if (extent <= cap)
    return extent;
  for (int64_t t = cap - cap % multiple; t >= multiple; t -= multiple)
    if (extent % t == 0)
      return t;
  int64_t t = 1;
  while (t * 2 < multiple && extent % (t * 2) == 0)
    t *= 2;
  return t;
}


/// The upper bound of each loop of `op`: its extent when static, the bound
/// `loopUpperBound` proves when dynamic (nullopt when unbounded or above
/// kMaxMaskedExtent).
SmallVector<std::optional<int64_t>> loopBounds(linalg::LinalgOp op) {
  SmallVector<std::optional<int64_t>> bounds;
  for (auto [d, r] : llvm::enumerate(op.getStaticLoopRanges())) {
    std::optional<int64_t> b = ShapedType::isDynamic(r) ? loopUpperBound(op, d) : r;
    bounds.push_back(b && *b <= kMaxMaskedExtent ? b : std::nullopt);
  }
  return bounds;
}

/// Tiles every dynamic loop of `op` but the innermost by 1 (sequential loops,
/// in loop order) and returns the op inside, whose extents are static there:
/// a dynamic batch becomes an outer loop around the static-shape kernel, so
/// that kernel is the one a static batch of 1 gets.
/// A loop with a constant bound (a partial tile) is left whole: it is
/// vectorized with a mask.
FailureOr<linalg::LinalgOp> peelDynamicLoops(RewriterBase &rewriter, linalg::LinalgOp op) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<std::optional<int64_t>> bounds = loopBounds(op);
  // Only a contraction's column loop is masked when not innermost (the other
  // loops of its register block are static).
  std::optional<unsigned> maskable;
  if (linalg::isaContractionOpInterface(op))
    if (FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
        succeeded(dims) && !dims->n.empty())
      maskable = dims->n.back();
  SmallVector<int64_t> sizes(ranges.size(), 0);
  for (size_t d = 0; d + 1 < ranges.size(); ++d)
    if (ShapedType::isDynamic(ranges[d]) && !(bounds[d] && maskable == d))
      sizes[d] = 1;
  return tileLinalgOp(rewriter, op, sizes);
}

/// An elementwise generic (static, all loops parallel) whose innermost loop
/// is shorter than `target` gets its trailing loops merged, as far as every
/// operand is contiguous along them, until the merged loop holds at least
/// `target` iterations or only the outermost loop is left: the strided
/// input gradient's interleave `[N, C, P, 2, P, 2]` was vectorized 2 lanes
/// at a time. Returns the merged op, or `op` when nothing merges.
linalg::LinalgOp mergeShortInnerLoops(RewriterBase &rewriter, linalg::LinalgOp op,
                                      int64_t target) {
  // Only whole tensors: an op already tiled (inside a loop over a dynamic
  // dim) reads slices, whose collapse would bufferize to a copy.
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic || !isa<func::FuncOp>(op->getParentOp()) || !generic.hasPureTensorSemantics() ||
      generic.getNumLoops() != generic.getNumParallelLoops() || generic.getNumLoops() < 2)
    return op;
  SmallVector<int64_t> ranges = generic.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic) || ranges.back() >= target)
    return op;
  int64_t numLoops = ranges.size(), first = numLoops - 1, extent = ranges.back();
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  if (!llvm::all_of(maps, [](AffineMap m) { return m.isProjectedPermutation(); }))
    return op;
  auto groupsFrom = [&](int64_t start) {
    SmallVector<ReassociationIndices> groups;
    for (int64_t d = 0; d < start; ++d)
      groups.push_back({d});
    ReassociationIndices tail;
    for (int64_t d = start; d < numLoops; ++d)
      tail.push_back(d);
    groups.push_back(tail);
    return groups;
  };
  while (first > 1 && extent < target &&
         linalg::areDimSequencesPreserved(maps, groupsFrom(first - 1))) {
    --first;
    extent *= ranges[first];
  }
  if (first == numLoops - 1)
    return op;
  rewriter.setInsertionPoint(op);
  FailureOr<linalg::CollapseResult> collapsed =
      linalg::collapseOpIterationDims(op, groupsFrom(first), rewriter);
  if (failed(collapsed))
    return op;
  rewriter.replaceOp(op, collapsed->results);
  return collapsed->collapsedOp;
}

struct TileAndVectorizePass
    : kiln::impl::CPUTileAndVectorizePassBase<TileAndVectorizePass> {
  using CPUTileAndVectorizePassBase::CPUTileAndVectorizePassBase;

  /// Tile sizes are divided by these options: zero or less is refused here
  /// rather than trapping later.
  LogicalResult initialize(MLIRContext *context) override {
    for (auto [name, value] : {std::pair<StringRef, int64_t>{"vector-width", vectorWidth},
                               {"vector-registers", numVectorRegisters},
                               {"reduction-block", reductionBlock},
                               {"inner-tile", innerTile},
                               {"sum-block", sumBlock}})
      if (value < 1)
        return emitError(UnknownLoc::get(context))
               << getArgument() << " expects " << name << " to be at least 1, found " << value;
    return success();
  }

  void runOnOperation() override;

private:
  /// Tiles a contraction into register blocks; returns the innermost op.
  FailureOr<linalg::LinalgOp> tileContraction(RewriterBase &rewriter, linalg::LinalgOp op);
  /// Vectorizes a partial tile (a dynamic loop with a constant bound: a
  /// contraction's column block, an elementwise op's or a reduction's
  /// innermost tile) at its bound, with masks.
  LogicalResult vectorizePartialTile(RewriterBase &rewriter, linalg::LinalgOp op);
  /// Vectorizes a tiled op: whole when static; at the bounds of its dynamic
  /// loops (partial or ragged tiles) with masks.
  LogicalResult vectorizeTile(RewriterBase &rewriter, linalg::LinalgOp op);
  /// Tiles any other op along its innermost loop; returns the tiled op.
  FailureOr<linalg::LinalgOp> tileInnermost(RewriterBase &rewriter, linalg::LinalgOp op);
  /// Splits the outermost parallel loop of extent >= 2 (not the innermost
  /// loop when `keepInnermost`, none of `keep`) into blocks run by an
  /// scf.forall.
  FailureOr<linalg::LinalgOp> splitAmongThreads(RewriterBase &rewriter, linalg::LinalgOp op,
                                                bool keepInnermost, ArrayRef<unsigned> keep = {});
};

FailureOr<linalg::LinalgOp>
TileAndVectorizePass::tileContraction(RewriterBase &rewriter, linalg::LinalgOp op) {
  FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.empty() || dims->n.empty() || dims->k.empty())
    return failure();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  unsigned numLoops = ranges.size();
  unsigned mDim = dims->m.back(), nDim = dims->n.back(), kDim = dims->k.back();
  // The vectorized dimension must be the innermost of the result.
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (outMap.getNumResults() == 0 || outMap.getResults().back() != getAffineDimExpr(nDim, op.getContext()))
    return failure();

  // Register block: cols lanes wide, as many rows as the accumulators allow
  // while leaving registers for the right-hand side row and a broadcast. A
  // partial column block (dynamic, below a bound) is one masked block of the
  // bound rounded up to whole vectors.
  bool maskedCols = ShapedType::isDynamic(ranges[nDim]);
  std::optional<int64_t> colBound = maskedCols ? loopUpperBound(op, nDim) : std::nullopt;
  if (maskedCols && !colBound)
    return failure();
  int64_t cols = maskedCols ? llvm::alignTo(*colBound, vectorWidth)
                            : pickTile(ranges[nDim], 2 * vectorWidth, vectorWidth);
  // Static columns with no divisor of whole vectors (127, or 1000 with 16
  // lanes) got blocks narrower than one vector, down to single columns.
  // They get blocks of one register block instead, the last one ragged: each
  // block is masked at its width (all true but in the last).
  bool raggedCols = !maskedCols && ranges[nDim] > 2 * vectorWidth && cols < vectorWidth;
  if (raggedCols)
    cols = 2 * vectorWidth;
  int64_t regsPerRow = (cols + vectorWidth - 1) / vectorWidth;
  int64_t maxRows = std::max<int64_t>(1, (numVectorRegisters - regsPerRow - 2) / regsPerRow);
  int64_t rows = pickTile(ranges[mDim], std::min<int64_t>(maxRows, 16));
  // A dynamic reduction is not cache-blocked: its steps run whole.
  int64_t kBlock = ShapedType::isDynamic(ranges[kDim]) ? ranges[kDim]
                                                      : pickTile(ranges[kDim], reductionBlock);
  // Reduction loops outside the innermost one normally run outside the
  // register blocks (cache blocks of the reduction). Over a short innermost
  // reduction, such as the 7, 8 or 16 pixel columns of a per-offset weight
  // gradient (a reduction over images, rows and columns), that stores and
  // reloads the accumulators every few steps. There the reduction loops go
  // inside the register block from the innermost outwards until they make
  // kShortReduction steps together: the 8x8 images' rows and images, the
  // 16x16 images' rows only (one image of both operands, 64 KiB, stays in
  // cache while the register blocks sweep it; all 16 images would not).
  SmallVector<unsigned> innerK{kDim};
  if (!ShapedType::isDynamic(ranges[kDim]) && ranges[kDim] < kShortReduction) {
    int64_t steps = ranges[kDim];
    for (unsigned d : llvm::reverse(ArrayRef<unsigned>(dims->k).drop_back())) {
      if (steps >= kShortReduction || ShapedType::isDynamic(ranges[d]))
        break;
      innerK.push_back(d);
      steps *= ranges[d];
    }
  }
  bool shortReductionInside = innerK.size() > 1;

  auto isOneOf = [](ArrayRef<unsigned> list, unsigned d) { return llvm::is_contained(list, d); };
  FailureOr<linalg::LinalgOp> current = op;
  // Level 0, the parallel loop (an scf.forall): blocks of whole register
  // tiles, enough to share among threads, split along the dimension that
  // makes each thread read only its share of the larger operand (columns when
  // the right-hand side is larger, rows when the left-hand side is).
  if (parallel && !maskedCols && !ShapedType::isDynamic(ranges[kDim]) &&
      iterationCount(op) >= kParallelMinIterations) {
    auto extent = [&](ArrayRef<unsigned> ds) {
      int64_t e = 1;
      for (unsigned d : ds)
        e *= ranges[d];
      return e;
    };
    int64_t lhsSize = extent(dims->m) * extent(dims->k);
    int64_t rhsSize = extent(dims->n) * extent(dims->k);
    unsigned splitDim = lhsSize > rhsSize ? mDim : nDim;
    int64_t unit = splitDim == mDim ? rows : cols;
    int64_t tiles = ranges[splitDim] / unit;
    if (tiles < 2) {
      splitDim = splitDim == mDim ? nDim : mDim;
      unit = splitDim == mDim ? rows : cols;
      tiles = ranges[splitDim] / unit;
    }
    if (tiles >= 2) {
      int64_t perBlock = 1;
      for (int64_t d = tiles; d >= 1; --d) {
        if (tiles % d == 0 && tiles / d >= std::min<int64_t>(tiles, kParallelBlocks)) {
          perBlock = d;
          break;
        }
      }
      SmallVector<int64_t> level0(numLoops, 0);
      level0[splitDim] = unit * perBlock;
      current = tileLinalgOp(rewriter, op, level0, {}, /*parallel=*/true);
      if (failed(current))
        return failure();
    }
  }

  // Level 1: batch dimensions and the reduction cache block.
  SmallVector<int64_t> level1(numLoops, 0);
  for (unsigned d = 0; d < numLoops; ++d)
    if (isOneOf(dims->batch, d) || (isOneOf(dims->k, d) && !isOneOf(innerK, d)))
      level1[d] = 1;
  level1[kDim] = kBlock == ranges[kDim] || shortReductionInside ? 0 : kBlock;
  // Ragged columns not yet split by the parallel loop: blocks of `cols`.
  if (raggedCols && !ShapedType::isDynamic(current->getStaticLoopRanges()[nDim]))
    level1[nDim] = cols;
  current = tileLinalgOp(rewriter, *current, level1);
  if (failed(current))
    return failure();

  // Level 2: register blocks, column (n) loops outside row (m) loops.
  SmallVector<int64_t> level2(numLoops, 0), order;
  for (unsigned d = 0; d < numLoops; ++d) {
    if (isOneOf(dims->n, d))
      level2[d] = d == nDim ? (maskedCols || raggedCols ? 0 : cols) : 1;
    else if (isOneOf(dims->m, d))
      level2[d] = d == mDim ? rows : 1;
  }
  for (unsigned d = 0; d < numLoops; ++d)
    if (!isOneOf(dims->m, d) && !isOneOf(dims->k, d))
      order.push_back(d);
  for (unsigned d : dims->m)
    order.push_back(d);
  for (unsigned d : dims->k)
    order.push_back(d);
  current = tileLinalgOp(rewriter, *current, level2, order);
  if (failed(current))
    return failure();

  // Level 3: single reduction steps (of every reduction loop, outermost
  // first, when they run inside the register block).
  SmallVector<int64_t> level3(numLoops, 0);
  level3[kDim] = 1;
  for (unsigned d : innerK)
    level3[d] = 1;
  return tileLinalgOp(rewriter, *current, level3);
}

/// Ops that read or write bools, or gather, stay scalar (see runOnOperation).
bool staysScalar(linalg::LinalgOp op) {
  return llvm::any_of(op->getOperandTypes(),
                      [](Type t) { return getElementTypeOrSelf(t).isInteger(1); }) ||
         !op->getRegion(0).getOps<tensor::ExtractOp>().empty();
}

LogicalResult TileAndVectorizePass::vectorizePartialTile(RewriterBase &rewriter,
                                                         linalg::LinalgOp op) {
  if (staysScalar(op))
    return failure();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  unsigned numLoops = ranges.size();
  // The one loop allowed to be dynamic: a contraction's columns, any other
  // op's innermost loop.
  unsigned maskedDim = numLoops - 1;
  bool contraction = linalg::isaContractionOpInterface(op);
  if (contraction) {
    FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
    if (failed(dims) || dims->n.empty())
      return failure();
    maskedDim = dims->n.back();
  }
  if (contraction && isDynamicReductionContraction(op)) {
    FailureOr<linalg::LinalgOp> tiled = tileContraction(rewriter, op);
    if (failed(tiled))
      return failure();
    return vectorizeTile(rewriter, *tiled);
  }
  for (unsigned d = 0; d < numLoops; ++d)
    if (ShapedType::isDynamic(ranges[d]) && d != maskedDim)
      return failure();
  // Few columns: dot products along the reduction, chosen at run time.
  if (contraction) {
    FailureOr<linalg::LinalgOp> wide =
        kiln::cpu::partialColumnsAsDotProducts(
        rewriter, op, vectorWidth, std::max<int64_t>(1, vectorWidth / kDotProductShare));
    if (succeeded(wide))
      op = *wide;
  }
  std::optional<int64_t> bound = loopUpperBound(op, maskedDim);
  if (!bound || *bound > kMaxMaskedExtent)
    return failure();
  FailureOr<linalg::LinalgOp> tiled = op;
  if (contraction) {
    tiled = tileContraction(rewriter, op);
  } else {
    // Other loops must be single iterations (splitDynamicInnermost made
    // them so), so that the vector is one row of the bound's lanes.
    for (unsigned d = 0; d + 1 < numLoops; ++d)
      if (ranges[d] != 1)
        return failure();
  }
  if (failed(tiled))
    return failure();
  return vectorizeTile(rewriter, *tiled);
}

LogicalResult TileAndVectorizePass::vectorizeTile(RewriterBase &rewriter, linalg::LinalgOp op) {
  // A reduction whose body reads no input element and no index (a sum of a
  // constant: ReduceSum of a ConstantOfShape of ones) is vectorized by MLIR
  // 19 as one scalar step per vector of elements (5 ones summed to 1); it
  // stays scalar.
  bool readsNothing =
      llvm::all_of(op.getDpsInputOperands(),
                   [&](OpOperand *in) { return op.getMatchingBlockArgument(in).use_empty(); }) &&
      op->getRegion(0).getOps<linalg::IndexOp>().empty();
  if (op.getNumReductionLoops() > 0 && readsNothing)
    return failure();
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  if (!llvm::any_of(sizes, ShapedType::isDynamic))
    return linalg::vectorize(rewriter, op);
  // bfloat16 partial tiles stay scalar: on a CPU without AVX512-BF16 LLVM
  // legalizes a masked bf16 load through __truncsfbf2, which Debian's GCC 12
  // runtime lacks, and the artifact would not load (docs/lowering-choices.md).
  if (llvm::any_of(op->getOperandTypes(),
                   [](Type t) { return getElementTypeOrSelf(t).isBF16(); }))
    return failure();
  // Each dynamic loop at its bound, rounded up to whole vectors.
  for (auto [d, size] : llvm::enumerate(sizes)) {
    if (!ShapedType::isDynamic(size))
      continue;
    std::optional<int64_t> bound = loopUpperBound(op, d);
    if (!bound || *bound > kMaxMaskedExtent)
      return failure();
    size = llvm::alignTo(*bound, vectorWidth);
  }
  // Explicit non-scalable flags: with none, MLIR 19 builds mask types whose
  // scalable-dim list is empty, a type distinct from (though printed like)
  // the one the transfers infer, and the masked transfers fail to verify.
  SmallVector<bool> scalable(sizes.size(), false);
  if (failed(linalg::vectorizeOpPrecondition(op, sizes, scalable)))
    return failure();
  return linalg::vectorize(rewriter, op, sizes, scalable);
}

FailureOr<linalg::LinalgOp>
TileAndVectorizePass::tileInnermost(RewriterBase &rewriter, linalg::LinalgOp op) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ranges.empty())
    return op;
  SmallVector<int64_t> sizes(ranges.size(), 1);
  int64_t inner = pickTile(ranges.back(), innerTile, vectorWidth);
  // No divisor of whole vectors (1000 with 16 lanes gave 8, 127 gave 1):
  // tiles of `innerTile`, the last one ragged, each masked at its length.
  if (ranges.back() > innerTile && inner < vectorWidth)
    inner = std::max<int64_t>(vectorWidth, innerTile - innerTile % vectorWidth);
  sizes.back() = inner == ranges.back() ? 0 : inner;
  // Loops of extent 1 need no tiling.
  for (size_t d = 0; d + 1 < ranges.size(); ++d)
    if (ranges[d] == 1)
      sizes[d] = 0;
  // An outermost reduction under parallel loops (a sum over the batch into
  // a [C, H, W] accumulator: batch-norm statistics) becomes the innermost
  // loop: the accumulator vector's read and write are then invariant in it
  // and hoisted out after bufferization, so each is read and written once
  // rather than once per step (the loop order put the whole accumulator
  // between two steps, re-read from L2 with a store per input vector).
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (ranges.size() >= 2 && iterators.front() == utils::IteratorType::reduction &&
      ranges.front() > 1 &&
      llvm::all_of(ArrayRef(iterators).drop_front(),
                   [](utils::IteratorType t) { return t == utils::IteratorType::parallel; })) {
    SmallVector<int64_t> order;
    for (size_t d = 1; d < ranges.size(); ++d)
      order.push_back(d);
    order.push_back(0);
    return tileLinalgOp(rewriter, op, sizes, order);
  }
  return tileLinalgOp(rewriter, op, sizes);
}

FailureOr<linalg::LinalgOp>
TileAndVectorizePass::splitAmongThreads(RewriterBase &rewriter, linalg::LinalgOp op,
                                        bool keepInnermost, ArrayRef<unsigned> keep) {
  if (!parallel || iterationCount(op) < kParallelMinIterations)
    return op;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  size_t candidates = keepInnermost ? ranges.size() - 1 : ranges.size();
  for (size_t d = 0; d < candidates; ++d) {
    if (iterators[d] != utils::IteratorType::parallel || ranges[d] < 2 ||
        llvm::is_contained(keep, d))
      continue;
    int64_t blocks = ranges[d];
    for (int64_t b = std::min(ranges[d], kParallelBlocks); b <= ranges[d]; ++b) {
      if (ranges[d] % b == 0) {
        blocks = b;
        break;
      }
    }
    SmallVector<int64_t> sizes(ranges.size(), 0);
    sizes[d] = ranges[d] / blocks;
    return tileLinalgOp(rewriter, op, sizes, {}, /*parallel=*/true);
  }
  return op;
}

void TileAndVectorizePass::runOnOperation() {
  func::FuncOp func = getOperation();
  MLIRContext *ctx = &getContext();
  IRRewriter rewriter(ctx);

  // Dynamic loops first: what is left inside is static but for the
  // innermost loop. Two rounds: a contraction's dynamic rows are first split
  // into blocks of kRowBlock (static contractions of that many rows) and a
  // remainder, which the second round, like every other dynamic op, splits
  // into single rows.
  auto collectDynamic = [&] {
    SmallVector<linalg::LinalgOp> ops;
    func.walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() &&
          llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic))
        ops.push_back(op);
    });
    return ops;
  };
  auto canonicalize = [&] {
    // Sizes of `min(1, ub - iv)` in those loops are 1, and those of the full
    // tiles constants: fold them, so the slices and the ops on them get static
    // types.
    RewritePatternSet patterns(ctx);
    scf::populateSCFForLoopCanonicalizationPatterns(patterns);
    tensor::populateFoldTensorEmptyPatterns(patterns);
    for (Dialect *dialect : ctx->getLoadedDialects())
      dialect->getCanonicalizationPatterns(patterns);
    for (RegisteredOperationName name : ctx->getRegisteredOperations())
      name.getCanonicalizationPatterns(patterns, ctx);
    return applyPatternsAndFoldGreedily(func, std::move(patterns));
  };
  // Long float sums in blocks of `sumBlock` elements, before the dynamic
  // loops are split: a dynamic sum's block is itself a dynamic loop. A sum
  // pooling whose window holds more than a block (an AveragePool over a whole
  // large image) becomes the generic it names first, a sum like the others
  // (pooling stays scalar code either way).
  if (kiln::cpu::blockLongSums(rewriter, func, sumBlock) && failed(canonicalize()))
    return signalPassFailure();
  // Convolutions with dynamic sizes: one image at a time, then im2col over
  // a dynamic column count, which the steps below block and mask.
  {
    bool batched = false;
    SmallVector<linalg::Conv2DNchwFchwOp> dynamicConvs;
    func.walk([&](linalg::Conv2DNchwFchwOp conv) { dynamicConvs.push_back(conv); });
    for (linalg::Conv2DNchwFchwOp conv : dynamicConvs)
      batched |= succeeded(kiln::cpu::tileDynamicConvBatch(rewriter, conv));
    if (batched && failed(canonicalize()))
      return signalPassFailure();
    dynamicConvs.clear();
    func.walk([&](linalg::Conv2DNchwFchwOp conv) { dynamicConvs.push_back(conv); });
    for (linalg::Conv2DNchwFchwOp conv : dynamicConvs)
      (void)kiln::cpu::dynamicConvToIm2col(rewriter, conv);
  }
  // Pooling with a dynamic output size: rows of vectors, the last masked.
  {
    SmallVector<linalg::LinalgOp> pools;
    func.walk([&](linalg::LinalgOp op) {
      if (isa<linalg::PoolingNchwMaxOp, linalg::PoolingNchwSumOp>(op.getOperation()))
        pools.push_back(op);
    });
    for (linalg::LinalgOp pool : pools)
      (void)kiln::cpu::vectorizeDynamicPooling(rewriter, pool, vectorWidth);
  }
  SmallVector<linalg::LinalgOp> dynamicOps = collectDynamic();
  if (!dynamicOps.empty()) {
    bool blocked = false;
    for (linalg::LinalgOp op : dynamicOps)
      blocked |= succeeded(blockDynamicRows(rewriter, op));
    if (blocked && failed(canonicalize()))
      return signalPassFailure();
    // A contraction's dynamic columns: blocks of one register block's width,
    // and a masked partial block.
    bool colsBlocked = false;
    for (linalg::LinalgOp op : collectDynamic())
      colsBlocked |= succeeded(blockDynamicCols(rewriter, op, 2 * vectorWidth, vectorWidth));
    if (colsBlocked && failed(canonicalize()))
      return signalPassFailure();
    for (linalg::LinalgOp op : collectDynamic()) {
      FailureOr<linalg::LinalgOp> peeled = peelDynamicLoops(rewriter, op);
      if (succeeded(peeled) && !isDynamicReductionContraction(*peeled))
        (void)splitDynamicInnermost(rewriter, *peeled,
                                    std::max<int64_t>(vectorWidth, innerTile - innerTile % vectorWidth));
    }
    if (failed(canonicalize()))
      return signalPassFailure();
  }

  SmallVector<linalg::Conv2DNchwFchwOp> convs;
  func.walk([&](linalg::Conv2DNchwFchwOp conv) { convs.push_back(conv); });
  kiln::cpu::DirectConvTarget convTarget{vectorWidth, numVectorRegisters, parallel};
  for (linalg::Conv2DNchwFchwOp conv : convs) {
    // A weight gradient's shape (a large kernel, a small output): pixels in
    // lanes, partial sums added across lanes at the end.
    if (std::optional<kiln::cpu::WeightGradConvPlan> plan =
            directConv ? kiln::cpu::planWeightGradConv(conv, convTarget) : std::nullopt) {
      if (failed(kiln::cpu::convToWeightGrad(rewriter, conv, *plan, convTarget)))
        return signalPassFailure();
      continue;
    }
    // Direct where the rule prefers it (no im2col buffer), else im2col.
    if (std::optional<kiln::cpu::DirectConvPlan> plan =
            directConv ? kiln::cpu::planDirectConv(conv, convTarget) : std::nullopt) {
      if (failed(kiln::cpu::convToDirect(rewriter, conv, *plan, convTarget)))
        return signalPassFailure();
      continue;
    }
    FailureOr<linalg::Conv2DNchwFchwOp> perImage = kiln::cpu::tileConvBatch(rewriter, conv);
    (void)kiln::cpu::convToIm2colContraction(rewriter, succeeded(perImage) ? *perImage : conv, vectorWidth);
  }

  SmallVector<linalg::LinalgOp> ops;
  func.walk([&](linalg::LinalgOp op) {
    if (op.hasPureTensorSemantics())
      ops.push_back(op);
  });
  bool masked = false;
  for (linalg::LinalgOp op : ops) {
    // Static shapes, and the partial tiles the steps above left (vectorized
    // with masks); only what the vectorizer accepts whole; the rest is left
    // for scalar loops.
    if (op.getNumLoops() == 0)
      continue;
    if (llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic)) {
      masked |= succeeded(vectorizePartialTile(rewriter, op));
      continue;
    }
    // Vectors of i1 are bit-packed in memory while a tensor of i1 (bool)
    // holds one byte per element, so ops reading or writing bools stay
    // scalar (byte loads and stores; LLVM does not widen them either).
    bool touchesBool = llvm::any_of(op->getOperandTypes(), [](Type t) {
      return getElementTypeOrSelf(t).isInteger(1);
    });
    // Gathers (a tensor.extract in the body) also stay scalar: the
    // vector.gather they vectorize into is not lowered well for the CPU
    // (multi-dimensional index vectors loop in the vector lowering).
    bool gathers = !op->getRegion(0).getOps<tensor::ExtractOp>().empty();
    if (!touchesBool && !gathers)
      op = mergeShortInnerLoops(rewriter, op, innerTile);
    if (touchesBool || gathers || failed(linalg::vectorizeOpPrecondition(op))) {
      // Scalar loops, but still shared among threads.
      (void)splitAmongThreads(rewriter, op, /*keepInnermost=*/false);
      continue;
    }
    // Transposes that move the innermost dim: square tiles transposed in
    // registers (Transpose.cpp), the threads sharing another dim.
    if (auto transpose = dyn_cast<linalg::TransposeOp>(op.getOperation())) {
      transpose = kiln::cpu::mergeTransposeDims(rewriter, transpose);
      op = transpose;
      if (std::optional<std::pair<unsigned, unsigned>> square =
              kiln::cpu::squareTransposeDims(transpose, vectorWidth)) {
        FailureOr<linalg::LinalgOp> split = splitAmongThreads(
            rewriter, transpose, /*keepInnermost=*/true, {square->first, square->second});
        auto inner = succeeded(split) ? dyn_cast<linalg::TransposeOp>(split->getOperation())
                                      : linalg::TransposeOp();
        if (inner && succeeded(kiln::cpu::transposeInSquareTiles(rewriter, inner, vectorWidth)))
          continue;
        // Already split: only the innermost tiling is left.
        if (succeeded(split))
          if (FailureOr<linalg::LinalgOp> tiled = tileInnermost(rewriter, *split); succeeded(tiled))
            (void)vectorizeTile(rewriter, *tiled);
        continue;
      }
    }
    FailureOr<linalg::LinalgOp> tiled = failure();
    if (linalg::isaContractionOpInterface(op))
      tiled = tileContraction(rewriter, op);
    if (failed(tiled)) {
      tiled = splitAmongThreads(rewriter, op, /*keepInnermost=*/true);
      if (succeeded(tiled))
        tiled = tileInnermost(rewriter, *tiled);
    }
    if (failed(tiled))
      continue;
    masked |= llvm::any_of(tiled->getStaticLoopRanges(), ShapedType::isDynamic);
    if (failed(vectorizeTile(rewriter, *tiled)))
      continue;
  }

  // Masked transfers in the form the later patterns and the LLVM lowering
  // take: a transfer with a mask operand instead of one inside vector.mask.
  if (masked) {
    unmaskComputations(func);
    RewritePatternSet patterns(ctx);
    vector::populateVectorMaskLoweringPatternsForSideEffectingOps(patterns);
    vector::MaskOp::getCanonicalizationPatterns(patterns, ctx);
    vector::CreateMaskOp::getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsAndFoldGreedily(func, std::move(patterns))))
      return signalPassFailure();
  }
  // Clean up in two rounds. First fold slices into transfers and turn
  // multiply-reductions into contractions, absorbing the broadcasts and
  // transposes of their operands into the contraction's maps; only then drop
  // the unit dimensions tiling left behind (dropping them first would put
  // extracts between the contraction and the broadcasts it should absorb),
  // unit reduction dims of contractions included.
  {
    RewritePatternSet patterns(ctx);
    tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(patterns);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateVectorReductionToContractPatterns(patterns);
    vector::populateSinkVectorBroadcastPatterns(patterns);
    vector::TransferReadOp::getCanonicalizationPatterns(patterns, ctx);
    vector::TransferWriteOp::getCanonicalizationPatterns(patterns, ctx);
    vector::ContractionOp::getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsAndFoldGreedily(func, std::move(patterns))))
      return signalPassFailure();
  }
  {
    RewritePatternSet patterns(ctx);
    vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
    vector::populateVectorTransferDropUnitDimsPatterns(patterns);
    kiln::cpu::populateDropContractUnitReductionDimsPatterns(patterns);
    vector::TransferReadOp::getCanonicalizationPatterns(patterns, ctx);
    vector::TransferWriteOp::getCanonicalizationPatterns(patterns, ctx);
    vector::ContractionOp::getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsAndFoldGreedily(func, std::move(patterns))))
      return signalPassFailure();
  }
}

} // namespace
