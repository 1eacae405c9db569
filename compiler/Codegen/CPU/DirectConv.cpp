//===- DirectConv.cpp - direct (im2col-free) convolution for the CPU ------===//
//
// A static linalg.conv_2d_nchw_fchw is tiled (upstream TilingInterface) into
// an scf.forall over blocks of output channels, then register blocks of
// output channels x pixels of one output row (two rows of half a vector),
// with the input channels in cache blocks. Each register block becomes an
// scf.for nest over (input channel, kh, kw) that carries the accumulator as
// a vector; each step is one rows x 1 x lanes vector.contract of a filter
// column with input rows read in place from the padded input (no im2col
// buffer; at stride 2 twice the lanes, every other one kept by a shuffle).
// When a register block is a whole output row (or two), a zero-padded input
// is read unpadded instead: the block's whole input rows once per (channel,
// kernel row), each kernel column's window picked out of them with zeros
// past either end, so the pad's copy of the whole input is dead.
// The cost rule that picks this path over im2col is planDirectConv
// (docs/lowering-choices.md).
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/CPU/DirectConv.h"
#include "compiler/Codegen/CPU/PartialTiles.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

#include <tuple>

using namespace mlir;

namespace {

/// Fewer loop iterations than this run on one thread (as for contractions).
constexpr int64_t kParallelMinIterations = 1 << 16;
/// The parallel loop gets at least this many blocks when the channels allow.
constexpr int64_t kParallelBlocks = 8;

/// The largest divisor of `extent` that is at most `cap` (at least 1).
int64_t largestDivisorAtMost(int64_t extent, int64_t cap) {
  for (int64_t t = std::min(extent, cap); t > 1; --t)
    if (extent % t == 0)
      return t;
  return 1;
}

/// The tensor `v` is a window of, through a chain of tensor.extract_slice
/// ops (the tiling's), with the window's offsets in it summed into
/// `offsets`; null if a slice in the chain has other strides or drops dims.
Value sliceRoot(OpBuilder &b, Location loc, Value v, SmallVectorImpl<OpFoldResult> &offsets) {
  auto rank = cast<RankedTensorType>(v.getType()).getRank();
  offsets.assign(rank, b.getIndexAttr(0));
  while (auto slice = v.getDefiningOp<tensor::ExtractSliceOp>()) {
    if (!slice.hasUnitStride() || slice.getSourceType().getRank() != rank)
      return Value();
    AffineExpr s0, s1;
    bindSymbols(b.getContext(), s0, s1);
    for (auto [acc, off] : llvm::zip(offsets, slice.getMixedOffsets()))
      acc = affine::makeComposedFoldedAffineApply(b, loc, s0 + s1, {acc, off});
    v = slice.getSource();
  }
  return v;
}

} // namespace

std::optional<kiln::cpu::ZeroPadded> kiln::cpu::matchZeroPadded(Value padded) {
  auto type = dyn_cast<RankedTensorType>(padded.getType());
  if (!type || type.getRank() != 4 || !type.hasStaticShape())
    return std::nullopt;
  auto isZeroFill = [](Value v) {
    auto fill = v.getDefiningOp<linalg::FillOp>();
    return fill && matchPattern(fill.getInputs()[0], m_AnyZeroFloat());
  };
  // [row begin, row end, column begin, column end] of each band.
  SmallVector<std::array<int64_t, 4>> bands;
  Value v = padded;
  tensor::InsertSliceOp interior;
  while (auto insert = v.getDefiningOp<tensor::InsertSliceOp>()) {
    if (!insert.hasUnitStride() ||
        ShapedType::isDynamicShape(insert.getStaticOffsets()) ||
        ShapedType::isDynamicShape(insert.getStaticSizes()))
      return std::nullopt;
    ArrayRef<int64_t> off = insert.getStaticOffsets(), size = insert.getStaticSizes();
    if (off[0] != 0 || off[1] != 0 || size[0] != type.getDimSize(0) ||
        size[1] != type.getDimSize(1))
      return std::nullopt;
    if (!isZeroFill(insert.getSource())) {
      interior = insert;
      break;
    }
    bands.push_back({off[2], off[2] + size[2], off[3], off[3] + size[3]});
    v = insert.getDest();
  }
  if (!interior)
    return std::nullopt;
  auto sourceType = dyn_cast<RankedTensorType>(interior.getSource().getType());
  if (!sourceType || !sourceType.hasStaticShape() ||
      ArrayRef<int64_t>(interior.getStaticSizes()) != sourceType.getShape())
    return std::nullopt;
  int64_t top = interior.getStaticOffsets()[2], left = interior.getStaticOffsets()[3];
  int64_t h = sourceType.getDimSize(2), w = sourceType.getDimSize(3);
  // Padded into a tensor of zeros: every border element is a zero already.
  if (isZeroFill(interior.getDest()) && bands.empty())
    return ZeroPadded{interior.getSource(), top, left};
  if (!interior.getDest().getDefiningOp<tensor::EmptyOp>())
    return std::nullopt;
  int64_t area = 0;
  for (auto [i, a] : llvm::enumerate(bands)) {
    // Outside the interior rows or columns, and apart from the others.
    if (a[0] < top + h && a[1] > top && a[2] < left + w && a[3] > left)
      return std::nullopt;
    for (const auto &b : llvm::ArrayRef(bands).drop_front(i + 1))
      if (a[0] < b[1] && b[0] < a[1] && a[2] < b[3] && b[2] < a[3])
        return std::nullopt;
    area += (a[1] - a[0]) * (a[3] - a[2]);
  }
  if (area != type.getDimSize(2) * type.getDimSize(3) - h * w)
    return std::nullopt;
  return ZeroPadded{interior.getSource(), top, left};
}

bool kiln::cpu::isStaticF32Conv(linalg::Conv2DNchwFchwOp conv) {
  return llvm::all_of(conv->getOperandTypes(), [](Type t) {
    auto type = dyn_cast<RankedTensorType>(t);
    return type && type.hasStaticShape() && type.getElementType().isF32();
  });
}

std::optional<kiln::cpu::DirectConvPlan>
kiln::cpu::planDirectConv(linalg::Conv2DNchwFchwOp conv, const DirectConvTarget &target) {
  if (!isStaticF32Conv(conv))
    return std::nullopt;
  auto inType = cast<RankedTensorType>(conv.getInputs()[0].getType());
  auto fType = cast<RankedTensorType>(conv.getInputs()[1].getType());
  auto outType = cast<RankedTensorType>(conv.getOutputs()[0].getType());
  int64_t vw = target.vectorWidth;
  int64_t c = inType.getDimSize(1), f = fType.getDimSize(0);
  int64_t kh = fType.getDimSize(2), kw = fType.getDimSize(3);
  int64_t oh = outType.getDimSize(2), ow = outType.getDimSize(3);
  // A pointwise convolution needs no im2col copy already.
  if (kh * kw == 1)
    return std::nullopt;
  // A stride-2 row is read as twice the lanes, contiguous, and its even
  // lanes picked by a shuffle: one two-source permute (vpermt2ps) with 16
  // lanes; with 8 (AVX2) it took 1.00-1.17x im2col's time, so only wide
  // vectors take it. A larger stride would waste more of each load than
  // im2col's one strided copy costs.
  int64_t maxStride = vw >= 16 ? 2 : 1;
  if (llvm::any_of(conv.getStrides().getValues<int64_t>(),
                   [&](int64_t s) { return s > maxStride; }))
    return std::nullopt;
  DirectConvPlan plan;
  // The row of output pixels is the vector dimension, in blocks of one or
  // two whole vectors; a row narrower than that (28 or 14 pixels with 16
  // lanes) is one block of whole vectors whose extra lanes are never
  // stored, when at least 3/4 of the lanes are used (not 7 of 16).
  if (ow % vw == 0) {
    plan.cols = ow % (2 * vw) == 0 ? 2 * vw : vw;
    plan.vectorCols = plan.cols;
  } else if (2 * ow == vw && oh % 2 == 0) {
    // Rows of half a vector (8 pixels with 16 lanes): two output rows per
    // register block, each step's input vector the two rows' inputs joined.
    plan.cols = ow;
    plan.outRows = 2;
    plan.vectorCols = vw;
  } else {
    // A narrow row at stride 2 (its doubled read masked as a whole) measured
    // slower than im2col on ResNet-18's 14-pixel rows (1.05-1.14x).
    int64_t padded = llvm::alignTo(ow, vw);
    if (padded > 2 * vw || 4 * ow < 3 * padded || conv.getStrides().getValues<int64_t>()[1] != 1)
      return std::nullopt;
    plan.cols = ow;
    plan.vectorCols = padded;
  }
  int64_t regsPerRow = plan.vectorCols / vw;
  int64_t maxRows = std::max<int64_t>(1, (target.vectorRegisters - regsPerRow - 2) / regsPerRow);
  plan.rows = largestDivisorAtMost(f, std::min<int64_t>(maxRows, 16));
  // Fewer than 4 rows: too few FMAs per loaded input vector; the im2col
  // contraction has the same rows but streams its columns from one buffer.
  if (plan.rows < 4)
    return std::nullopt;
  int64_t perChannel = plan.rows * kh * kw * 4;
  plan.channelBlock =
      largestDivisorAtMost(c, std::max<int64_t>(1, kDirectConvWeightBlockBytes / perChannel));
  return plan;
}

LogicalResult kiln::cpu::convToDirect(RewriterBase &rewriter, linalg::Conv2DNchwFchwOp conv,
                                        const DirectConvPlan &plan,
                                        const DirectConvTarget &target) {
  auto outType = cast<RankedTensorType>(conv.getOutputs()[0].getType());
  auto fType = cast<RankedTensorType>(conv.getInputs()[1].getType());
  auto inType = cast<RankedTensorType>(conv.getInputs()[0].getType());
  int64_t n = outType.getDimSize(0), f = outType.getDimSize(1), oh = outType.getDimSize(2),
          ow = outType.getDimSize(3), c = inType.getDimSize(1), kh = fType.getDimSize(2),
          kw = fType.getDimSize(3);
  Location convLoc = conv.getLoc();
  auto tilingFailed = [&] {
    emitError(convLoc) << "expects a direct convolution's loops to tile";
    return failure();
  };

  // A convolution whose register block is a whole output row, on a
  // zero-padded input no wider than that row's windows span, reads the
  // unpadded input: the pad (a copy of the whole input) is then dead. Each
  // step reads one whole input row and picks each kernel column's window out
  // of it, zeros past either end (vector.shuffle; at stride 2 the same
  // shuffle keeps every other lane); a row past the input's top or bottom
  // adds nothing (scf.if).
  std::optional<kiln::cpu::ZeroPadded> unpadded;
  {
    int64_t sw = conv.getStrides().getValues<int64_t>()[1];
    int64_t dw = conv.getDilations().getValues<int64_t>()[1];
    if (plan.cols == ow)
      if ((unpadded = matchZeroPadded(conv.getInputs()[0]))) {
        int64_t width = cast<RankedTensorType>(unpadded->source.getType()).getDimSize(3);
        // Two rows per block: each row read whole as one operand of the
        // shuffle (8 or 16 pixels with 16 lanes).
        if (width > (ow - 1) * sw + (kw - 1) * dw + 1 ||
            (plan.outRows == 2 &&
             (width > target.vectorWidth || width % (target.vectorWidth / 2) != 0)))
          unpadded.reset();
      }
  }
  Value paddedInput = conv.getInputs()[0];
  // An output that starts as zeros (a zero fill, the nn lowering's init)
  // starts from an empty tensor instead: the first input-channel block's
  // accumulators start at zero in registers. The fill wrote the whole output
  // once more (a memset per convolution, 3.6% of a ResNet-style CNN's
  // training step with the rest of the step's fills).
  bool zeroInit = false;
  if (auto fill = conv.getOutputs()[0].getDefiningOp<linalg::FillOp>();
      fill && matchPattern(fill.getInputs()[0], m_AnyZeroFloat())) {
    zeroInit = true;
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(conv);
    Value empty = rewriter.create<tensor::EmptyOp>(convLoc, outType.getShape(),
                                                   outType.getElementType());
    rewriter.modifyOpInPlace(conv, [&] { conv.getDpsInitsMutable()[0].assign(empty); });
  }

  // Loops (n, f, oh, ow, c, kh, kw). The parallel loop: blocks of whole
  // register-block rows of output channels, so each thread reads only its
  // share of the weights.
  FailureOr<linalg::Conv2DNchwFchwOp> current = conv;
  int64_t work = n * f * oh * ow * c * kh * kw;
  int64_t rowTiles = f / plan.rows;
  if (target.parallel && work >= kParallelMinIterations && rowTiles >= 2) {
    int64_t perBlock = 1;
    for (int64_t d = rowTiles; d >= 1; --d)
      if (rowTiles % d == 0 && rowTiles / d >= std::min<int64_t>(rowTiles, kParallelBlocks)) {
        perBlock = d;
        break;
      }
    current = kiln::cpu::tileNamedOp(rewriter, *current,
                                     {0, plan.rows * perBlock, 0, 0, 0, 0, 0}, {},
                                     /*parallel=*/true);
    if (failed(current))
      return tilingFailed();
  }
  // One image, one register block of channels, one cache block of input
  // channels (the weights it reads stay in L1), then one output row and a
  // block of its pixels.
  auto unlessWhole = [](int64_t size, int64_t extent) { return size >= extent ? 0 : size; };
  SmallVector<int64_t> ranges = current->getStaticLoopRanges();
  SmallVector<int64_t> blocks{unlessWhole(1, ranges[0]),
                              unlessWhole(plan.rows, ranges[1]),
                              unlessWhole(plan.outRows, ranges[2]),
                              unlessWhole(plan.cols, ranges[3]),
                              unlessWhole(plan.channelBlock, ranges[4]),
                              0,
                              0};
  current = kiln::cpu::tileNamedOp(rewriter, *current, blocks, {0, 1, 4, 2, 3, 5, 6});
  if (failed(current))
    return tilingFailed();

  // The register block: out[0, r, 0, p] += sum over (c, kh, kw) of
  // w[r, c, kh, kw] * in[0, c, kh*dh, p*sw + kw*dw], as loops over
  // the steps carrying the rows x cols accumulator as a vector, so it stays
  // in registers (a vectorized linalg step read and wrote its accumulator
  // through transfers with different maps, which no hoisting matched). Each
  // step is one rows x 1 x cols vector.contract, the im2col contraction's
  // step: its weights a column of the filter collapsed to [F, C*KH*KW] (a
  // view), its input a row of the padded input, read in place.
  linalg::Conv2DNchwFchwOp block = *current;
  int64_t rows = plan.rows, cols = plan.cols, lanes = plan.vectorCols, outRows = plan.outRows;
  // Lanes past the row's pixels (a narrow row) are read and computed, never
  // stored; two joined rows fill their lanes.
  bool inBounds = lanes == cols * outRows;
  auto blockOut = cast<RankedTensorType>(block.getOutputs()[0].getType());
  auto blockW = cast<RankedTensorType>(block.getInputs()[1].getType());
  if (blockOut.getShape() != ArrayRef<int64_t>{1, rows, outRows, cols} ||
      blockW.getShape() != ArrayRef<int64_t>{rows, blockW.getDimSize(1), kh, kw}) {
    block->emitOpError("expects a direct convolution block of ")
        << rows << "x" << outRows << "x" << cols << " outputs, found " << blockOut;
    return failure();
  }
  int64_t channels = blockW.getDimSize(1);
  SmallVector<int64_t> dilations(block.getDilations().getValues<int64_t>());
  int64_t strideH = block.getStrides().getValues<int64_t>()[0];
  int64_t strideW = block.getStrides().getValues<int64_t>()[1];
  Type elem = blockOut.getElementType();
  Location loc = block.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  rewriter.setInsertionPoint(block);

  // The block's filter offsets (f0, c0, 0, 0) through the tiling's slices.
  SmallVector<OpFoldResult> fOffsets;
  Value filter = sliceRoot(rewriter, loc, block.getInputs()[1], fOffsets);
  if (!filter) {
    block->emitOpError("expects the direct convolution's filter slices to have unit strides");
    return failure();
  }
  Value filter2D;
  {
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointAfterValue(filter);
    filter2D = rewriter.create<tensor::CollapseShapeOp>(
        loc, RankedTensorType::get({f, c * kh * kw}, elem), filter,
        ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}});
  }
  Value f0 = getValueOrCreateConstantIndexOp(rewriter, loc, fOffsets[0]);
  Value c0 = getValueOrCreateConstantIndexOp(rewriter, loc, fOffsets[1]);

  Value input = block.getInputs()[0], out = block.getOutputs()[0];
  // The block's input offsets in the padded input, through the slices.
  // Whole rows only.
  SmallVector<OpFoldResult> inOffsets;
  if (unpadded && (sliceRoot(rewriter, loc, input, inOffsets) != paddedInput ||
                   !isConstantIntValue(inOffsets[3], 0)))
    unpadded.reset();
  Value zero = rewriter.create<arith::ConstantOp>(loc, rewriter.getZeroAttr(elem));
  Value idx0 = rewriter.create<arith::ConstantIndexOp>(loc, 0);
  // The accumulator's rows and columns are dims 1 and 3 of the output tile
  // (and 2, the output rows, when two rows share the lanes: a [rows, 2,
  // cols] read cast to [rows, lanes]).
  AffineMap outMap =
      outRows == 1
          ? AffineMap::get(4, 0, {getAffineDimExpr(1, ctx), getAffineDimExpr(3, ctx)}, ctx)
          : AffineMap::get(4, 0,
                           {getAffineDimExpr(1, ctx), getAffineDimExpr(2, ctx),
                            getAffineDimExpr(3, ctx)},
                           ctx);
  // A narrow row's extra lanes: zeros read, sums of whatever follows the
  // input row (in bounds of the padded input or padding) computed, never
  // written back.
  auto accType = VectorType::get({rows, lanes}, elem);
  auto tileAccType = VectorType::get({rows, outRows, cols}, elem);
  auto readAcc = [&](OpBuilder &b, Location l) -> Value {
    if (outRows == 1)
      return b.create<vector::TransferReadOp>(
          l, accType, out, ValueRange{idx0, idx0, idx0, idx0}, AffineMapAttr::get(outMap), zero,
          /*mask=*/Value(), b.getBoolArrayAttr({true, inBounds}));
    Value tile = b.create<vector::TransferReadOp>(
        l, tileAccType, out, ValueRange{idx0, idx0, idx0, idx0}, AffineMapAttr::get(outMap),
        zero, /*mask=*/Value(), b.getBoolArrayAttr({true, true, true}));
    return b.create<vector::ShapeCastOp>(l, accType, tile);
  };
  Value acc;
  if (!zeroInit) {
    acc = readAcc(rewriter, loc);
  } else {
    Value zeros = rewriter.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(accType, rewriter.getZeroAttr(elem)));
    if (channels == c) {
      acc = zeros;
    } else {
      // Input-channel blocks: the first starts at zero, the others add to
      // what the ones before wrote.
      Value first = rewriter.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, c0, idx0);
      acc = rewriter
                .create<scf::IfOp>(
                    loc, first,
                    [&](OpBuilder &b, Location l) { b.create<scf::YieldOp>(l, zeros); },
                    [&](OpBuilder &b, Location l) { b.create<scf::YieldOp>(l, readAcc(b, l)); })
                .getResult(0);
    }
  }
  auto idx = [&](int64_t v) { return rewriter.create<arith::ConstantIndexOp>(loc, v).getResult(); };
  AffineExpr dr, dp, dk;
  bindDims(ctx, dr, dp, dk);
  SmallVector<AffineMap> contractMaps{AffineMap::get(3, 0, {dr, dk}, ctx),
                                      AffineMap::get(3, 0, {dk, dp}, ctx),
                                      AffineMap::get(3, 0, {dr, dp}, ctx)};
  ArrayAttr contractIters = rewriter.getArrayAttr(
      {vector::IteratorTypeAttr::get(ctx, vector::IteratorType::parallel),
       vector::IteratorTypeAttr::get(ctx, vector::IteratorType::parallel),
       vector::IteratorTypeAttr::get(ctx, vector::IteratorType::reduction)});
  // The unpadded input: loops over (input channel, kernel row); the block's
  // input rows are read once and each kernel column's window made from them.
  auto unpaddedStep = [&](OpBuilder &b, Location l, ValueRange ivs,
                          ValueRange args) -> scf::ValueVector {
    Value source = unpadded->source;
    auto sourceType = cast<RankedTensorType>(source.getType());
    int64_t height = sourceType.getDimSize(2), width = sourceType.getDimSize(3);
    // One row is read as whole vectors, the lanes past its end zeros (a
    // masked load): a 14- or 28-pixel row as 14 or 28 lanes was split into
    // pieces by the backend and ran 3% slower than the padded read. Two
    // rows are read as they are (half a vector or one each).
    int64_t readWidth = outRows == 1 ? llvm::alignTo(width, target.vectorWidth) : width;
    auto rowType = VectorType::get({readWidth}, elem);
    AffineExpr s0, s1, s2;
    bindSymbols(ctx, s0, s1, s2);
    Value zeroIdx = b.create<arith::ConstantIndexOp>(l, 0);
    Value heightIdx = b.create<arith::ConstantIndexOp>(l, height);
    // Input row of output row j at this kernel row, and whether it is inside.
    auto inputRow = [&](OpBuilder &t, Location tl, int64_t j) -> std::pair<Value, Value> {
      Value row = affine::makeComposedAffineApply(
          t, tl, s0 + s1 * dilations[0] + j * strideH - unpadded->top,
          {getValueOrCreateConstantIndexOp(t, tl, inOffsets[2]), ivs[1]});
      Value inside = t.create<arith::AndIOp>(
          tl, t.create<arith::CmpIOp>(tl, arith::CmpIPredicate::sge, row, zeroIdx),
          t.create<arith::CmpIOp>(tl, arith::CmpIPredicate::slt, row, heightIdx));
      return {row, inside};
    };
    auto readRow = [&](OpBuilder &t, Location tl, Value row) -> Value {
      Value n0 = getValueOrCreateConstantIndexOp(t, tl, inOffsets[0]);
      Value channel = affine::makeComposedAffineApply(
          t, tl, s0 + s1, {getValueOrCreateConstantIndexOp(t, tl, inOffsets[1]), ivs[0]});
      return t.create<vector::TransferReadOp>(
          tl, rowType, source, ValueRange{n0, channel, row, zeroIdx},
          AffineMapAttr::get(AffineMap::get(4, 0, {getAffineDimExpr(3, ctx)}, ctx)), zero,
          Value(), t.getBoolArrayAttr({readWidth == width}));
    };
    // The kernel columns' contractions on `line` (the rows read, joined).
    auto accumulate = [&](OpBuilder &t, Location tl, Value line) -> Value {
      auto lineType = cast<VectorType>(line.getType());
      Value zeros = t.create<arith::ConstantOp>(
          tl, DenseElementsAttr::get(lineType, t.getZeroAttr(elem)));
      Value acc = args[0];
      for (int64_t j = 0; j < kw; ++j) {
        Value k = affine::makeComposedAffineApply(
            t, tl, (s0 + s1) * (kh * kw) + s2 * kw + j, {ivs[0], c0, ivs[1]});
        Value wv = t.create<vector::TransferReadOp>(
            tl, VectorType::get({rows, 1}, elem), filter2D, ValueRange{f0, k},
            AffineMapAttr::get(t.getMultiDimIdentityMap(2)), zero, Value(),
            t.getBoolArrayAttr({true, true}));
        // Lane p is output pixel q = p % cols of output row p / cols, which
        // reads input column q * sw + j * dw - left: lanes past either end,
        // and those past a narrow row's pixels (computed, never stored),
        // take a zero of the second operand.
        int64_t shift = j * dilations[1] - unpadded->left;
        SmallVector<int64_t> picked;
        bool identity = true;
        for (int64_t p = 0; p < lanes; ++p) {
          int64_t q = outRows == 1 ? p : p % cols, r = outRows == 1 ? 0 : p / cols;
          int64_t at = q * strideW + shift;
          picked.push_back(q < cols && at >= 0 && at < width ? r * readWidth + at
                                                             : lineType.getNumElements());
          identity &= picked.back() == p;
        }
        Value window = identity && lanes == lineType.getNumElements()
                           ? line
                           : t.create<vector::ShuffleOp>(tl, line, zeros, picked).getResult();
        Value iv2 = t.create<vector::BroadcastOp>(tl, VectorType::get({1, lanes}, elem), window);
        acc = t.create<vector::ContractionOp>(tl, wv, iv2, acc,
                                              t.getAffineMapArrayAttr(contractMaps),
                                              contractIters);
      }
      return acc;
    };
    if (outRows == 1) {
      // A row past the input's top or bottom adds nothing.
      Value row, inside;
      std::tie(row, inside) = inputRow(b, l, 0);
      auto branch = b.create<scf::IfOp>(
          l, inside,
          [&](OpBuilder &t, Location tl) {
            t.create<scf::YieldOp>(tl, accumulate(t, tl, readRow(t, tl, row)));
          },
          [&](OpBuilder &e, Location el) { e.create<scf::YieldOp>(el, args[0]); });
      return {branch.getResult(0)};
    }
    // Two rows: one past the input's top or bottom reads as zeros.
    Value zeroRow =
        b.create<arith::ConstantOp>(l, DenseElementsAttr::get(rowType, b.getZeroAttr(elem)));
    SmallVector<Value> lines;
    for (int64_t j = 0; j < outRows; ++j) {
      Value row, inside;
      std::tie(row, inside) = inputRow(b, l, j);
      lines.push_back(
          b.create<scf::IfOp>(
               l, inside,
               [&](OpBuilder &t, Location tl) { t.create<scf::YieldOp>(tl, readRow(t, tl, row)); },
               [&](OpBuilder &e, Location el) { e.create<scf::YieldOp>(el, zeroRow); })
              .getResult(0));
    }
    SmallVector<int64_t> joined = llvm::to_vector(llvm::seq<int64_t>(0, 2 * readWidth));
    return {accumulate(b, l, b.create<vector::ShuffleOp>(l, lines[0], lines[1], joined))};
  };
  scf::LoopNest nest =
      unpadded
          ? scf::buildLoopNest(rewriter, loc, ValueRange{idx(0), idx(0)},
                               ValueRange{idx(channels), idx(kh)}, ValueRange{idx(1), idx(1)},
                               ValueRange{acc}, unpaddedStep)
          : scf::buildLoopNest(
      rewriter, loc, ValueRange{idx(0), idx(0), idx(0)}, ValueRange{idx(channels), idx(kh), idx(kw)},
      ValueRange{idx(1), idx(1), idx(1)}, ValueRange{acc},
      [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange args) -> scf::ValueVector {
        AffineExpr ec, eh, ew, e0;
        bindSymbols(ctx, ec, eh, ew, e0);
        Value k = affine::makeComposedAffineApply(
            b, l, (e0 + ec) * (kh * kw) + eh * kw + ew, {ivs[0], ivs[1], ivs[2], c0});
        Value wv = b.create<vector::TransferReadOp>(
            l, VectorType::get({rows, 1}, elem), filter2D, ValueRange{f0, k},
            AffineMapAttr::get(b.getMultiDimIdentityMap(2)), zero, Value(),
            b.getBoolArrayAttr({true, true}));
        AffineExpr s0 = b.getAffineSymbolExpr(0);
        Value col = affine::makeComposedAffineApply(b, l, s0 * dilations[1], {ivs[2]});
        AffineMap rowMap = AffineMap::get(4, 0, {getAffineDimExpr(3, ctx)}, ctx);
        // Each output row's inputs: at stride 2, twice the pixels from the
        // first (the last one past the window, masked), of which every other
        // one is kept; two output rows' inputs are joined by the same shuffle.
        int64_t rowLanes = outRows == 1 ? lanes : cols;
        SmallVector<Value> rowInputs;
        for (int64_t j = 0; j < outRows; ++j) {
          Value row = affine::makeComposedAffineApply(
              b, l, s0 * dilations[0] + j * strideH, {ivs[1]});
          rowInputs.push_back(b.create<vector::TransferReadOp>(
              l, VectorType::get({rowLanes * strideW}, elem), input,
              ValueRange{idx0, ivs[0], row, col}, AffineMapAttr::get(rowMap), zero, Value(),
              b.getBoolArrayAttr({(inBounds || outRows > 1) && strideW == 1})));
        }
        Value iv = rowInputs.front();
        if (strideW != 1 || outRows > 1) {
          SmallVector<int64_t> picked;
          for (int64_t j = 0; j < outRows; ++j)
            for (int64_t p = 0; p < rowLanes; ++p)
              picked.push_back(j * rowLanes * strideW + p * strideW);
          iv = b.create<vector::ShuffleOp>(l, rowInputs.front(), rowInputs.back(), picked);
        }
        Value iv2 = b.create<vector::BroadcastOp>(l, VectorType::get({1, lanes}, elem), iv);
        Value next = b.create<vector::ContractionOp>(l, wv, iv2, args[0],
                                                     b.getAffineMapArrayAttr(contractMaps),
                                                     contractIters);
        return {next};
      });
  Value sums = nest.results.front();
  if (outRows > 1)
    sums = rewriter.create<vector::ShapeCastOp>(loc, tileAccType, sums);
  Value result =
      rewriter
          .create<vector::TransferWriteOp>(
              loc, sums, out, ValueRange{idx0, idx0, idx0, idx0}, AffineMapAttr::get(outMap),
              Value(),
              rewriter.getBoolArrayAttr(outRows == 1 ? ArrayRef<bool>{true, inBounds}
                                                     : ArrayRef<bool>{true, true, true}))
          .getResult();
  rewriter.replaceOp(block, result);
  return success();
}
