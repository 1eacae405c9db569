//===- WeightGradConv.cpp - weight-gradient-shaped convolutions for the CPU ===//
//
// A convolution whose kernel is large and whose output is small is the
// shape of a weight gradient: the nn gradient rule of a stride-1 convolution
// with 32-pixel rows correlates the input, batch and
// channels swapped ([C, N, H, W], zero-padded), with the output gradient as
// the kernel ([F, N, P, Q], also swapped), giving [C, F, KH, KW]
// (dialects/NN/Gradients/ConvPool.cpp). Neither the direct convolution (its
// output rows are KW pixels wide) nor im2col (a copy of KH x KW times the
// input) suits it. Here the reduction's pixels are the vector lanes: each
// step multiplies one vector of an output-gradient row by the matching
// window of an input row, for a block of (channel, filter) pairs, into
// vectors of partial sums, which are added across lanes once at the end.
// The swaps and the pad are read through: the input and the output gradient
// are read in place in NCHW (one whole input row per step, each window a
// shuffle of it with zeros past either end; rows outside the input skipped),
// so the transposes and the padded copy are dead. The loops run over images
// outermost, so that one image's rows stay in L1 while a block visits all
// KH x KW kernel positions. The images are split into two groups (an
// scf.forall: two threads sum different images), each into partial sums of
// its own; on one thread the loop order is unchanged.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/CPU/WeightGradConv.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace {

/// Largest kernel window (the weight's KH x KW) this form takes.
constexpr int64_t kMaxWindow = 49;
/// Rows wider than this many vectors are not read whole (32 pixels with 4
/// lanes).
constexpr int64_t kMaxRowVectors = 8;
/// The images are split into this many groups, each summed into partial
/// sums of its own by one iteration of an scf.forall (the threads' share).
/// Two: each group adds a copy of the partial sums that the final lane sum
/// reads, and the machines this is measured on have two cores.
constexpr int64_t kImageGroups = 2;

bool allOnes(DenseIntElementsAttr attr) {
  return llvm::all_of(attr.getValues<int64_t>(), [](int64_t v) { return v == 1; });
}

/// A [A, N, X, Y] operand as the tensor it is read from: itself, or the
/// [N, A, X, Y] input of a transpose swapping the first two dims.
struct Swappable {
  Value tensor;
  bool swapped = false;
};

Swappable throughSwap(Value v) {
  if (auto t = v.getDefiningOp<linalg::TransposeOp>())
    if (t.getPermutation() == ArrayRef<int64_t>{1, 0, 2, 3})
      return {t.getInput(), true};
  return {v, false};
}

/// The convolution's operands as read: the input unpadded (its pads) and
/// both operands through their swaps.
struct Operands {
  Swappable input, kernel;
  int64_t top = 0, left = 0;
  int64_t height = 0, width = 0;
};

Operands matchOperands(linalg::Conv2DNchwFchwOp conv) {
  Operands ops;
  Value input = conv.getInputs()[0];
  if (std::optional<kiln::cpu::ZeroPadded> padded = kiln::cpu::matchZeroPadded(input)) {
    input = padded->source;
    ops.top = padded->top;
    ops.left = padded->left;
  }
  auto type = cast<RankedTensorType>(input.getType());
  ops.height = type.getDimSize(2);
  ops.width = type.getDimSize(3);
  ops.input = throughSwap(input);
  ops.kernel = throughSwap(conv.getInputs()[1]);
  return ops;
}

} // namespace

std::optional<kiln::cpu::WeightGradConvPlan>
kiln::cpu::planWeightGradConv(linalg::Conv2DNchwFchwOp conv, const DirectConvTarget &target) {
  if (!isStaticF32Conv(conv) || !allOnes(conv.getStrides()) || !allOnes(conv.getDilations()))
    return std::nullopt;
  auto kType = cast<RankedTensorType>(conv.getInputs()[1].getType());
  auto outType = cast<RankedTensorType>(conv.getOutputs()[0].getType());
  int64_t a = outType.getDimSize(0), b = outType.getDimSize(1);
  int64_t kh = outType.getDimSize(2), kw = outType.getDimSize(3);
  int64_t p = kType.getDimSize(2), q = kType.getDimSize(3);
  int64_t lanes = target.vectorWidth;
  // Kernel rows of whole vectors, input rows of a few.
  Operands ops = matchOperands(conv);
  int64_t lineWidth = llvm::alignTo(ops.width, lanes);
  if (kh * kw > kMaxWindow || q % lanes != 0 || q > kMaxRowVectors * lanes ||
      lineWidth > kMaxRowVectors * lanes || p * q < 16 * kh * kw)
    return std::nullopt;
  // The register block: aBlock x bBlock accumulators, plus one input row per
  // block row (its vectors) and one kernel vector per block column loaded
  // each step. The most accumulators, then the fewest loads per
  // multiply-add.
  // A chunk's window needs at most the two vectors of the row around it.
  int64_t rowRegs = std::min<int64_t>(lineWidth / lanes, 2);
  WeightGradConvPlan plan;
  int64_t best = 0;
  for (int64_t x = 1; x <= std::min<int64_t>(a, 8); ++x) {
    if (a % x != 0)
      continue;
    for (int64_t y = 1; y <= std::min<int64_t>(b, 8); ++y) {
      if (b % y != 0 || x * y + x * rowRegs + y > target.vectorRegisters)
        continue;
      if (x * y > best || (x * y == best && x + y < plan.aBlock + plan.bBlock)) {
        best = x * y;
        plan.aBlock = x;
        plan.bBlock = y;
      }
    }
  }
  // Fewer accumulators than this leave the FMA units waiting on latency.
  if (best < 4)
    return std::nullopt;
  return plan;
}

LogicalResult kiln::cpu::convToWeightGrad(RewriterBase &rewriter, linalg::Conv2DNchwFchwOp conv,
                                          const WeightGradConvPlan &plan,
                                          const DirectConvTarget &target) {
  Value init = conv.getOutputs()[0];
  auto kType = cast<RankedTensorType>(conv.getInputs()[1].getType());
  auto outType = cast<RankedTensorType>(init.getType());
  int64_t numA = outType.getDimSize(0), numB = outType.getDimSize(1);
  int64_t kh = outType.getDimSize(2), kw = outType.getDimSize(3);
  int64_t images = kType.getDimSize(1), p = kType.getDimSize(2), q = kType.getDimSize(3);
  int64_t lanes = target.vectorWidth, ab = plan.aBlock, bb = plan.bBlock;
  Operands ops = matchOperands(conv);
  int64_t width = ops.width, lineWidth = llvm::alignTo(width, lanes);
  Type elem = outType.getElementType();
  Location loc = conv.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  rewriter.setInsertionPoint(conv);

  auto idx = [&](OpBuilder &b, Location l, int64_t v) -> Value {
    return b.create<arith::ConstantIndexOp>(l, v);
  };
  auto laneType = VectorType::get({lanes}, elem);
  auto lineType = VectorType::get({lineWidth}, elem);
  auto blockType = VectorType::get({ab, bb, lanes}, elem);
  Value zero = rewriter.create<arith::ConstantOp>(loc, rewriter.getZeroAttr(elem));
  // The images in `groups` groups (threads sum different images), each
  // with partial sums [A, B, KH, KW, lanes] of its own, zero to start:
  // [groups, A, B, KH, KW, lanes]. One group when the images do not split.
  int64_t groups = target.parallel && images % kImageGroups == 0 ? kImageGroups : 1;
  int64_t groupImages = images / groups;
  auto partialType = RankedTensorType::get({numA, numB, kh, kw, lanes}, elem);
  auto groupedType = RankedTensorType::get({groups, numA, numB, kh, kw, lanes}, elem);
  Value partials =
      rewriter
          .create<linalg::FillOp>(loc, zero,
                                  rewriter.create<tensor::EmptyOp>(loc, groupedType.getShape(),
                                                                   elem)
                                      .getResult())
          .getResult(0);
  // A block's accumulators are dims (0, 1, 4) of the partial sums.
  AffineMap blockMap = AffineMap::get(
      5, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx), getAffineDimExpr(4, ctx)}, ctx);
  AffineMap rowMap = AffineMap::get(4, 0, {getAffineDimExpr(3, ctx)}, ctx);
  AffineExpr s0, s1;
  bindSymbols(ctx, s0, s1);

  // Element [a, n, row, col] of an operand read as `s`: [n, a, row, col] when
  // swapped.
  auto readRow = [&](OpBuilder &b, Location l, const Swappable &s, Value a, Value n, Value row,
                     Value col, VectorType type, bool inBounds) -> Value {
    SmallVector<Value> indices = s.swapped ? SmallVector<Value>{n, a, row, col}
                                           : SmallVector<Value>{a, n, row, col};
    return b.create<vector::TransferReadOp>(l, type, s.tensor, indices,
                                            AffineMapAttr::get(rowMap), zero, Value(),
                                            b.getBoolArrayAttr({inBounds}));
  };

  // Kernel position (i, j) for image n and the block at (a0, b0): the
  // accumulators read, the kernel rows whose input row is inside swept, the
  // accumulators written back. Column j is static: each chunk's window of the
  // input row is a shuffle with zeros past either end.
  auto position = [&](OpBuilder &b, Location l, Value n, Value a0, Value b0, Value i, int64_t j,
                      Value sums) -> Value {
    Value c0 = idx(b, l, 0), cj = idx(b, l, j);
    Value block = b.create<vector::TransferReadOp>(
        l, blockType, sums, ValueRange{a0, b0, i, cj, c0}, AffineMapAttr::get(blockMap), zero,
        Value(), b.getBoolArrayAttr({true, true, true}));
    SmallVector<Value> accs;
    for (int64_t x = 0; x < ab; ++x)
      for (int64_t y = 0; y < bb; ++y)
        accs.push_back(b.create<vector::ExtractOp>(l, block, ArrayRef<int64_t>{x, y}));
    // Kernel rows p whose input row i + p - top lies in [0, height).
    AffineMap lbMap = AffineMap::get(0, 1, {b.getAffineConstantExpr(0), ops.top - s0}, ctx);
    AffineMap ubMap =
        AffineMap::get(0, 1, {b.getAffineConstantExpr(p), ops.height + ops.top - s0}, ctx);
    Value lb = b.create<affine::AffineMaxOp>(l, lbMap, ValueRange{i});
    Value ub = b.create<affine::AffineMinOp>(l, ubMap, ValueRange{i});
    // Lane l of chunk k reads input column k * lanes + l + j - left.
    int64_t shift = j - ops.left;
    auto loop = b.create<scf::ForOp>(
        l, lb, ub, idx(b, l, 1), accs,
        [&](OpBuilder &t, Location tl, Value row, ValueRange args) {
          Value inRow = affine::makeComposedAffineApply(t, tl, s0 + s1 - ops.top, {i, row});
          SmallVector<Value> lines;
          for (int64_t x = 0; x < ab; ++x) {
            Value ax = affine::makeComposedAffineApply(t, tl, s0 + x, {a0});
            lines.push_back(readRow(t, tl, ops.input, ax, n, inRow, idx(t, tl, 0), lineType,
                                    lineWidth == width));
          }
          Value zeros = t.create<arith::ConstantOp>(
              tl, DenseElementsAttr::get(lineType, t.getZeroAttr(elem)));
          SmallVector<Value> next(args.begin(), args.end());
          for (int64_t k = 0; k < q / lanes; ++k) {
            SmallVector<int64_t> picked;
            bool identity = lineWidth == lanes;
            for (int64_t lane = 0; lane < lanes; ++lane) {
              int64_t col = k * lanes + lane + shift;
              picked.push_back(col >= 0 && col < width ? col : lineWidth);
              identity &= picked.back() == lane;
            }
            SmallVector<Value> windows;
            for (Value line : lines)
              windows.push_back(identity ? line
                                         : t.create<vector::ShuffleOp>(tl, line, zeros, picked)
                                               .getResult());
            for (int64_t y = 0; y < bb; ++y) {
              Value by = affine::makeComposedAffineApply(t, tl, s0 + y, {b0});
              Value g = readRow(t, tl, ops.kernel, by, n, row, idx(t, tl, k * lanes), laneType,
                                /*inBounds=*/true);
              for (int64_t x = 0; x < ab; ++x)
                next[x * bb + y] = t.create<vector::FMAOp>(tl, windows[x], g, next[x * bb + y]);
            }
          }
          t.create<scf::YieldOp>(tl, next);
        });
    Value packed = b.create<arith::ConstantOp>(
        l, DenseElementsAttr::get(blockType, b.getZeroAttr(elem)));
    for (int64_t x = 0; x < ab; ++x)
      for (int64_t y = 0; y < bb; ++y)
        packed = b.create<vector::InsertOp>(l, loop.getResult(x * bb + y), packed,
                                            ArrayRef<int64_t>{x, y});
    return b
        .create<vector::TransferWriteOp>(l, packed, sums, ValueRange{a0, b0, i, cj, c0},
                                         AffineMapAttr::get(blockMap), Value(),
                                         b.getBoolArrayAttr({true, true, true}))
        .getResult();
  };

  // Group g's images [g * groupImages, (g + 1) * groupImages), in the loop
  // order above, into its own partial sums.
  SmallVector<OpFoldResult> groupOffsets(6, rewriter.getIndexAttr(0));
  SmallVector<OpFoldResult> groupSizes{rewriter.getIndexAttr(1)}, unitStrides(6, rewriter.getIndexAttr(1));
  for (int64_t d : partialType.getShape())
    groupSizes.push_back(rewriter.getIndexAttr(d));
  auto forall = rewriter.create<scf::ForallOp>(
      loc, ArrayRef<OpFoldResult>{rewriter.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{rewriter.getIndexAttr(groups)},
      ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1)}, ValueRange{partials}, std::nullopt);
  {
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(forall.getBody());
    Value g = forall.getInductionVars()[0];
    Value shared = forall.getRegionIterArgs()[0];
    SmallVector<OpFoldResult> at(groupOffsets);
    at[0] = g;
    Value mine = rewriter.create<tensor::ExtractSliceOp>(loc, partialType, shared, at, groupSizes,
                                                         unitStrides);
    Value first = affine::makeComposedAffineApply(rewriter, loc, s0 * groupImages, {g});
    Value last = affine::makeComposedAffineApply(rewriter, loc, s0 * groupImages + groupImages,
                                                 {g});
    scf::LoopNest nest = scf::buildLoopNest(
        rewriter, loc,
        ValueRange{first, idx(rewriter, loc, 0), idx(rewriter, loc, 0), idx(rewriter, loc, 0)},
        ValueRange{last, idx(rewriter, loc, numA), idx(rewriter, loc, numB),
                   idx(rewriter, loc, kh)},
        ValueRange{idx(rewriter, loc, 1), idx(rewriter, loc, ab), idx(rewriter, loc, bb),
                   idx(rewriter, loc, 1)},
        ValueRange{mine},
        [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange args) -> scf::ValueVector {
          Value sums = args[0];
          for (int64_t j = 0; j < kw; ++j)
            sums = position(b, l, ivs[0], ivs[1], ivs[2], ivs[3], j, sums);
          return {sums};
        });
    rewriter.setInsertionPointToStart(forall.getTerminator().getBody());
    rewriter.create<tensor::ParallelInsertSliceOp>(loc, nest.results.front(), shared, at,
                                                   groupSizes, unitStrides);
  }

  // out[a, b, i, j] += the sum over the groups and lanes of
  // partials[g, a, b, i, j, :].
  SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(6),
                              AffineMap::get(6, 0,
                                             {getAffineDimExpr(1, ctx), getAffineDimExpr(2, ctx),
                                              getAffineDimExpr(3, ctx), getAffineDimExpr(4, ctx)},
                                             ctx)};
  SmallVector<utils::IteratorType> iters{utils::IteratorType::reduction};
  iters.append(4, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  auto sum = rewriter.create<linalg::GenericOp>(
      loc, TypeRange{outType}, ValueRange{forall.getResult(0)}, ValueRange{init}, maps, iters,
      [](OpBuilder &b, Location l, ValueRange args) {
        b.create<linalg::YieldOp>(l, b.create<arith::AddFOp>(l, args[0], args[1]).getResult());
      });
  rewriter.replaceOp(conv, sum.getResult(0));
  return success();
}
