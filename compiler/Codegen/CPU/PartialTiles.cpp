//===- PartialTiles.cpp - masked partial tiles for the CPU ----------------===//
//
// Helpers of kiln-cpu-tile-and-vectorize for partial tiles: the constant
// bound of a dynamic tile size, the splits of dynamic loops, convolutions
// with dynamic sizes as im2col over a dynamic column count, and the removal
// of the masks the vectorizer puts on computations (see
// docs/lowering-choices.md, "Partial tiles").
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/CPU/PartialTiles.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"

#include <limits>

using namespace mlir;

namespace {

/// The identity of a reduction `kind` on `type` elements, or a null
/// attribute for a kind without one here.
TypedAttr reductionIdentity(vector::CombiningKind kind, Type type) {
  using Kind = vector::CombiningKind;
  if (auto f = dyn_cast<FloatType>(type)) {
    const llvm::fltSemantics &sem = f.getFloatSemantics();
    switch (kind) {
    case Kind::ADD: return FloatAttr::get(f, llvm::APFloat::getZero(sem));
    case Kind::MUL: return FloatAttr::get(f, llvm::APFloat::getOne(sem));
    case Kind::MAXNUMF:
    case Kind::MAXIMUMF: return FloatAttr::get(f, llvm::APFloat::getInf(sem, /*Negative=*/true));
    case Kind::MINNUMF:
    case Kind::MINIMUMF: return FloatAttr::get(f, llvm::APFloat::getInf(sem, /*Negative=*/false));
    default: return {};
    }
  }
  auto i = dyn_cast<IntegerType>(type);
  if (!i)
    return {};
  unsigned w = i.getWidth();
  switch (kind) {
  case Kind::ADD:
  case Kind::OR:
  case Kind::XOR:
  case Kind::MAXUI: return IntegerAttr::get(i, llvm::APInt::getZero(w));
  case Kind::MUL: return IntegerAttr::get(i, llvm::APInt(w, 1));
  case Kind::AND:
  case Kind::MINUI: return IntegerAttr::get(i, llvm::APInt::getAllOnes(w));
  case Kind::MAXSI: return IntegerAttr::get(i, llvm::APInt::getSignedMinValue(w));
  case Kind::MINSI: return IntegerAttr::get(i, llvm::APInt::getSignedMaxValue(w));
  default: return {};
  }
}

} // namespace

/// A constant upper bound (inclusive) of loop `d` of `op`, whose extent is
/// dynamic, when the IR proves one: the partial tile of a loop split into
/// tiles of T is at most T - 1 long. Such a loop is vectorized at that bound
/// with a mask rather than split further.
std::optional<int64_t> kiln::cpu::loopUpperBound(linalg::LinalgOp op, unsigned d) {
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    for (unsigned i = 0; i < map.getNumResults(); ++i) {
      auto dim = dyn_cast<AffineDimExpr>(map.getResult(i));
      if (!dim || dim.getPosition() != d)
        continue;
      FailureOr<int64_t> bound = ValueBoundsConstraintSet::computeConstantBound(
          presburger::BoundType::UB, ValueBoundsConstraintSet::Variable(operand.get(), i),
          /*stopCondition=*/nullptr, /*closedUB=*/true);
      if (succeeded(bound))
        return *bound;
    }
  }
  return std::nullopt;
}

bool kiln::cpu::hasTileableMaps(linalg::LinalgOp op) {
  bool tileable = true;
  for (AffineMap map : op.getIndexingMapsArray())
    for (AffineExpr result : map.getResults())
      result.walk([&](AffineExpr e) {
        if (e.getKind() != AffineExprKind::Mul)
          return;
        auto coefficient = dyn_cast<AffineConstantExpr>(cast<AffineBinaryOpExpr>(e).getRHS());
        if (!coefficient || coefficient.getValue() <= 0)
          tileable = false;
      });
  return tileable;
}

FailureOr<linalg::LinalgOp> kiln::cpu::tileLinalgOp(RewriterBase &rewriter, linalg::LinalgOp op,
                                                    ArrayRef<int64_t> sizes,
                                                    ArrayRef<int64_t> interchange, bool parallel) {
  if (llvm::all_of(sizes, [](int64_t s) { return s == 0; }))
    return op;
  if (!hasTileableMaps(op))
    return failure();
  scf::SCFTilingOptions options;
  if (parallel)
    options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  if (!interchange.empty())
    options.setInterchange(interchange);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled) || tiled->tiledOps.size() != 1)
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  auto result = dyn_cast<linalg::LinalgOp>(tiled->tiledOps.front());
  if (!result)
    return failure();
  return result;
}

/// Removes the masks the vectorizer puts on computations, keeping those on
/// loads and stores:
/// - a `vector.contract` or `vector.multi_reduction` whose mask is all true
///   along its reduction dims masks only result lanes, which reach memory
///   only through the masked transfer_write of the same op: computing them
///   changes nothing stored, and the unmasked contraction takes the usual
///   FMA lowering (a masked one would not become outer products);
/// - any other `vector.multi_reduction` (a dynamic reduction's partial tile)
///   reduces its source with masked-off lanes replaced by the kind's
///   identity. MLIR 19 lowers a masked reduction to a reduction of the
///   operand selected against a "neutral" value, and takes the smallest
///   denormal for maximumf, not -inf: a row of negative numbers got -1e-45.
void kiln::cpu::unmaskComputations(func::FuncOp func) {
  SmallVector<vector::MaskOp> masks;
  func.walk([&](vector::MaskOp mask) { masks.push_back(mask); });
  for (vector::MaskOp mask : masks) {
    Operation *inner = mask.getMaskableOp();
    auto create = mask.getMask().getDefiningOp<vector::CreateMaskOp>();
    if (!inner || !create || mask.hasPassthru())
      continue;
    auto maskType = cast<VectorType>(mask.getMask().getType());
    SmallVector<bool> reduction(maskType.getRank(), false);
    if (auto contract = dyn_cast<vector::ContractionOp>(inner)) {
      for (auto [d, it] : llvm::enumerate(contract.getIteratorTypesArray()))
        reduction[d] = it == vector::IteratorType::reduction;
    } else if (auto reduce = dyn_cast<vector::MultiDimReductionOp>(inner)) {
      for (auto [d, isReduced] : llvm::enumerate(reduce.getReductionMask()))
        reduction[d] = isReduced;
    } else {
      continue;
    }
    bool full = true;
    for (int64_t d = 0; d < maskType.getRank(); ++d) {
      if (!reduction[d])
        continue;
      std::optional<int64_t> size = getConstantIntValue(create.getOperand(d));
      full &= size && *size >= maskType.getDimSize(d);
    }
    auto reduce = dyn_cast<vector::MultiDimReductionOp>(inner);
    if (!full && !reduce)
      continue;
    OpBuilder b(mask);
    IRMapping mapping;
    if (!full) {
      auto sourceType = cast<VectorType>(reduce.getSource().getType());
      TypedAttr identity = reductionIdentity(reduce.getKind(), sourceType.getElementType());
      if (!identity || sourceType.getShape() != maskType.getShape())
        continue;
      Location loc = reduce.getLoc();
      Value neutral = b.create<arith::ConstantOp>(loc, SplatElementsAttr::get(sourceType, identity));
      Value source = b.create<arith::SelectOp>(loc, mask.getMask(), reduce.getSource(), neutral);
      mapping.map(reduce.getSource(), source);
    }
    Operation *clone = b.clone(*inner, mapping);
    mask->replaceAllUsesWith(clone->getResults());
    mask->erase();
  }
}

namespace {

/// Tiles `op` with `sizes` (0 = untiled) and peels the last, partial
/// iteration off the innermost tile loop into `partial`: the full tiles keep
/// static shapes, the partial one a dynamic size below its tile size.
LogicalResult tileAndPeel(RewriterBase &rewriter, linalg::LinalgOp op, ArrayRef<int64_t> sizes,
                          scf::ForOp &partial) {
  if (!kiln::cpu::hasTileableMaps(op))
    return failure();
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled) || tiled->loops.empty())
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  auto loop = dyn_cast<scf::ForOp>(tiled->loops.back().getOperation());
  if (!loop)
    return failure();
  return scf::peelForLoopAndSimplifyBounds(rewriter, loop, partial);
}

/// Rows of a contraction taken together when its row dimension is dynamic.
constexpr int64_t kRowBlock = 64;

} // namespace

/// Splits the dynamic row (m) loop of a contraction into blocks of kRowBlock
/// rows and peels the last, partial block off: each full block is a static
/// contraction that gets the register-blocked strategy (its right-hand side
/// read once per block, not once per row); the partial block is left
/// dynamic, to be split into single rows.
LogicalResult kiln::cpu::blockDynamicRows(RewriterBase &rewriter, linalg::LinalgOp op) {
  if (!linalg::isaContractionOpInterface(op))
    return failure();
  FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.empty())
    return failure();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  unsigned mDim = dims->m.back();
  if (!ShapedType::isDynamic(ranges[mDim]) || mDim + 1 == ranges.size())
    return failure();
  SmallVector<int64_t> sizes(ranges.size(), 0);
  sizes[mDim] = kRowBlock;
  scf::ForOp partial;
  return tileAndPeel(rewriter, op, sizes, partial);
}

/// Splits the dynamic column (n) loop of a contraction, the output's
/// innermost dimension, into blocks of `cols` columns (one register block
/// wide) and peels the last, partial block off: each full block is a static
/// contraction with the register-blocked strategy; the partial block keeps
/// a dynamic width below `cols` and is vectorized at `cols` lanes with masked
/// loads and stores of its right-hand side and accumulator. Before, each
/// column was a dot product of its own.
LogicalResult kiln::cpu::blockDynamicCols(RewriterBase &rewriter, linalg::LinalgOp op, int64_t cols,
                               int64_t vectorWidth) {
  if (!linalg::isaContractionOpInterface(op))
    return failure();
  FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
  if (failed(dims) || dims->n.empty())
    return failure();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  unsigned nDim = dims->n.back();
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  std::optional<int64_t> bound = loopUpperBound(op, nDim);
  if (!ShapedType::isDynamic(ranges[nDim]) || (bound && *bound <= cols) ||
      outMap.getNumResults() == 0 ||
      outMap.getResults().back() != getAffineDimExpr(nDim, op.getContext()))
    return failure();
  SmallVector<int64_t> sizes(ranges.size(), 0);
  sizes[nDim] = cols;
  scf::ForOp partial;
  if (failed(tileAndPeel(rewriter, op, sizes, partial)))
    return failure();
  // The partial block, below `cols` columns, again into one full vector and
  // a masked rest below one vector: a single column is then one masked
  // vector per row, not two.
  if (partial && cols > vectorWidth) {
    linalg::LinalgOp rest;
    partial.walk([&](linalg::LinalgOp inner) { rest = inner; });
    if (rest)
      (void)blockDynamicCols(rewriter, rest, vectorWidth, vectorWidth);
  }
  return success();
}

/// Whether `op` is a contraction whose one reduction dim is its innermost
/// loop and the only dynamic loop but a bounded column dim: the
/// register-blocked kernel takes it as it is, its reduction steps an
/// `scf.for` with a dynamic trip count (attention weights times values
/// over a dynamic sequence). Splitting that loop like an elementwise op's
/// would make every output element a dot product of its own.
bool kiln::cpu::isDynamicReductionContraction(linalg::LinalgOp op) {
  if (!linalg::isaContractionOpInterface(op))
    return false;
  FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.empty() || dims->n.empty() || dims->k.size() != 1)
    return false;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  unsigned kDim = dims->k.front();
  if (kDim + 1 != ranges.size() || !ShapedType::isDynamic(ranges[kDim]))
    return false;
  for (unsigned d = 0; d < kDim; ++d)
    if (ShapedType::isDynamic(ranges[d]) && !(d == dims->n.back() && loopUpperBound(op, d)))
      return false;
  return true;
}

/// Splits a dynamic innermost loop of `op` into tiles of `tileSize` (the
/// other loops into single iterations) and peels the last, partial tile off:
/// the full tiles have static shapes, so the usual strategy vectorizes them;
/// the partial one, shorter than `tileSize`, is vectorized at `tileSize`
/// lanes with a mask.
LogicalResult kiln::cpu::splitDynamicInnermost(RewriterBase &rewriter, linalg::LinalgOp op,
                                    int64_t tileSize) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ranges.empty() || !ShapedType::isDynamic(ranges.back()))
    return failure();
  // A bound that a masked vector covers is left to the mask; a larger one
  // (a block of a blocked sum) is split like an unbounded loop.
  if (std::optional<int64_t> bound = loopUpperBound(op, ranges.size() - 1);
      bound && *bound <= kMaxMaskedExtent)
    return failure();
  SmallVector<int64_t> sizes(ranges.size(), 1);
  for (size_t d = 0; d + 1 < ranges.size(); ++d)
    if (ranges[d] == 1)
      sizes[d] = 0;
  sizes.back() = tileSize;
  scf::ForOp partial;
  return tileAndPeel(rewriter, op, sizes, partial);
}


/// Whether `conv` has dynamic batch or spatial sizes and static channels and
/// filter: the convolutions the two steps below take.
static bool isDynamicSpatialConv(linalg::Conv2DNchwFchwOp conv) {
  auto in = dyn_cast<RankedTensorType>(conv.getInputs()[0].getType());
  auto filter = dyn_cast<RankedTensorType>(conv.getInputs()[1].getType());
  auto out = dyn_cast<RankedTensorType>(conv.getOutputs()[0].getType());
  return in && filter && out && filter.hasStaticShape() && !in.isDynamicDim(1) &&
         !out.isDynamicDim(1) && (!in.hasStaticShape() || !out.hasStaticShape());
}

/// A convolution with a dynamic batch, or a static one above 1 and dynamic
/// spatial sizes, runs one image at a time: an scf.for over the batch.
LogicalResult kiln::cpu::tileDynamicConvBatch(RewriterBase &rewriter,
                                              linalg::Conv2DNchwFchwOp conv) {
  auto in = cast<RankedTensorType>(conv.getInputs()[0].getType());
  if (!isDynamicSpatialConv(conv) || in.getDimSize(0) == 1)
    return failure();
  SmallVector<int64_t> sizes(conv.getNumLoops(), 0);
  sizes[0] = 1;
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  rewriter.setInsertionPoint(conv);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(conv.getOperation()), options);
  if (failed(tiled))
    return failure();
  rewriter.replaceOp(conv, tiled->replacements);
  return success();
}

/// One image's convolution with dynamic spatial sizes, as im2col plus a
/// contraction whose columns are the output pixels, a dynamic count:
///   cols[0, c, kh, kw, oh, ow] = input[0, c, oh*sh + kh*dh, ow*sw + kw*dw]
///   out[0, f, oh, ow] += filter[f, k] * cols[0, k, oh, ow]   (k = c*KH*KW)
/// (a 1x1 stride-1 convolution reads its input as the columns). The
/// contraction is the static strategy's, one output row at a time;
/// blockDynamicCols splits each row into register blocks and a masked
/// partial block, so every tile runs at full vector width. Before, the
/// spatial loops were split into single output pixels, each an im2col of
/// one column padded to a vector. (The rows are not flattened into OH*OW
/// columns: MLIR 19 crashes bufferizing an expand_shape that splits one
/// dynamic dim into two.)
LogicalResult kiln::cpu::dynamicConvToIm2col(RewriterBase &rewriter,
                                             linalg::Conv2DNchwFchwOp conv) {
  if (!isDynamicSpatialConv(conv))
    return failure();
  Value input = conv.getInputs()[0], filter = conv.getInputs()[1];
  Value init = conv.getOutputs()[0];
  auto inType = cast<RankedTensorType>(input.getType());
  auto fType = cast<RankedTensorType>(filter.getType());
  auto outType = cast<RankedTensorType>(init.getType());
  if (inType.getDimSize(0) != 1 || outType.getDimSize(0) != 1)
    return failure();
  SmallVector<int64_t> strides(conv.getStrides().getValues<int64_t>());
  SmallVector<int64_t> dilations(conv.getDilations().getValues<int64_t>());
  int64_t c = inType.getDimSize(1), f = fType.getDimSize(0);
  int64_t kh = fType.getDimSize(2), kw = fType.getDimSize(3), k = c * kh * kw;
  int64_t dyn = ShapedType::kDynamic;
  Type elem = outType.getElementType();
  Location loc = conv.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  rewriter.setInsertionPoint(conv);
  auto dimOf = [&](Value v, int64_t d) -> OpFoldResult {
    auto type = cast<RankedTensorType>(v.getType());
    if (!type.isDynamicDim(d))
      return rewriter.getIndexAttr(type.getDimSize(d));
    return rewriter.create<tensor::DimOp>(loc, v, d).getResult();
  };
  OpFoldResult oh = dimOf(init, 2), ow = dimOf(init, 3);

  auto colsType = RankedTensorType::get({1, k, dyn, dyn}, elem);
  Value cols;
  // A 1x1 stride-1 window reads each input pixel as one column (its output
  // has the input's spatial sizes).
  if (kh == 1 && kw == 1 && strides[0] == 1 && strides[1] == 1) {
    cols = rewriter.create<tensor::CastOp>(loc, colsType, input);
  } else {
    AffineMap inMap = im2colWindowMap(ctx, strides, dilations);
    Value empty = rewriter.create<tensor::EmptyOp>(
        loc, ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1), rewriter.getIndexAttr(c),
                                    rewriter.getIndexAttr(kh), rewriter.getIndexAttr(kw), oh, ow},
        elem);
    Value copied =
        rewriter
            .create<linalg::GenericOp>(
                loc, empty.getType(), input, empty,
                ArrayRef<AffineMap>{inMap, AffineMap::getMultiDimIdentityMap(6, ctx)},
                SmallVector<utils::IteratorType>(6, utils::IteratorType::parallel),
                [](OpBuilder &b, Location l, ValueRange args) {
                  b.create<linalg::YieldOp>(l, args[0]);
                })
            .getResult(0);
    // Collapsed to the exact type (an output dim may be static when only
    // the other is dynamic), then cast to the all-dynamic columns.
    auto copiedType = cast<RankedTensorType>(copied.getType());
    auto exactType = RankedTensorType::get(
        {1, k, copiedType.getDimSize(4), copiedType.getDimSize(5)}, elem);
    cols = rewriter.create<tensor::CollapseShapeOp>(
        loc, exactType, copied, ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}, {4}, {5}});
    if (exactType != colsType)
      cols = rewriter.create<tensor::CastOp>(loc, colsType, cols);
  }
  Value filter2D = rewriter.create<tensor::CollapseShapeOp>(
      loc, RankedTensorType::get({f, k}, elem), filter,
      ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}});

  AffineExpr dn, df, doh, dow, dk;
  bindDims(ctx, dn, df, doh, dow, dk);
  SmallVector<AffineMap> maps{AffineMap::get(5, 0, {df, dk}, ctx),
                              AffineMap::get(5, 0, {dn, dk, doh, dow}, ctx),
                              AffineMap::get(5, 0, {dn, df, doh, dow}, ctx)};
  SmallVector<utils::IteratorType> iters(4, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  Value result = rewriter
                     .create<linalg::GenericOp>(
                         loc, outType, ValueRange{filter2D, cols}, init, maps, iters,
                         [](OpBuilder &b, Location l, ValueRange args) {
                           Value prod = b.create<arith::MulFOp>(l, args[0], args[1]);
                           b.create<linalg::YieldOp>(
                               l, b.create<arith::AddFOp>(l, args[2], prod).getResult());
                         })
                     .getResult(0);
  rewriter.replaceOp(conv, result);
  return success();
}

AffineMap kiln::cpu::im2colWindowMap(MLIRContext *ctx, ArrayRef<int64_t> strides,
                                     ArrayRef<int64_t> dilations) {
  AffineExpr dn, dc, dkh, dkw, doh, dow;
  bindDims(ctx, dn, dc, dkh, dkw, doh, dow);
  return AffineMap::get(
      6, 0, {dn, dc, doh * strides[0] + dkh * dilations[0], dow * strides[1] + dkw * dilations[1]},
      ctx);
}

/// Before, a pooling op with a dynamic output size went the way of any
/// dynamic op: its dynamic loops tiled by 1, every output pixel a scalar
/// loop over the channels and the window (3.3x the pinned model's time for
/// a 3x3 stride-2 pooling of 64x112x112, whose static loops LLVM
/// vectorizes). Here each output row is cut into vectors of output pixels:
/// for a window position (kh, kw) the inputs of V pixels at stride s are
/// one contiguous read of s*V elements (masked at the row's end), and a
/// shuffle keeps every s-th lane.
LogicalResult kiln::cpu::vectorizeDynamicPooling(RewriterBase &rewriter, linalg::LinalgOp op,
                                                 int64_t vectorWidth) {
  bool isMax = isa<linalg::PoolingNchwMaxOp>(op.getOperation());
  if ((!isMax && !isa<linalg::PoolingNchwSumOp>(op.getOperation())) ||
      !op.hasPureTensorSemantics() || vectorWidth < 1)
    return failure();
  Value input = op.getDpsInputOperand(0)->get();
  Value window = op.getDpsInputOperand(1)->get();
  Value init = op.getDpsInitOperand(0)->get();
  auto inType = dyn_cast<RankedTensorType>(input.getType());
  auto winType = dyn_cast<RankedTensorType>(window.getType());
  auto outType = dyn_cast<RankedTensorType>(init.getType());
  if (!inType || !winType || !outType || !winType.hasStaticShape() ||
      !outType.getElementType().isF32() || inType.getElementType() != outType.getElementType() ||
      (!outType.isDynamicDim(2) && !outType.isDynamicDim(3)))
    return failure();
  auto strideAttr = op->getAttrOfType<DenseIntElementsAttr>("strides");
  auto dilationAttr = op->getAttrOfType<DenseIntElementsAttr>("dilations");
  if (!strideAttr || !dilationAttr)
    return failure();
  SmallVector<int64_t> strides(strideAttr.getValues<int64_t>());
  SmallVector<int64_t> dilations(dilationAttr.getValues<int64_t>());
  int64_t kh = winType.getDimSize(0), kw = winType.getDimSize(1);
  int64_t sh = strides[0], sw = strides[1], dh = dilations[0], dw = dilations[1];
  // Wider strides would read more than 4 vectors for each one kept.
  if (sw < 1 || sw > 4 || kh < 1 || kw < 1)
    return failure();
  int64_t lanes = vectorWidth, wide = sw * vectorWidth;

  Location loc = op.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  Type elem = outType.getElementType();
  rewriter.setInsertionPoint(op);
  auto size = [&](Value v, int64_t d) {
    return getValueOrCreateConstantIndexOp(rewriter, loc, tensor::getMixedSize(rewriter, loc, v, d));
  };
  Value n = size(init, 0), c = size(init, 1), oh = size(init, 2), ow = size(init, 3);
  Value iw = size(input, 3);
  Value zero = rewriter.create<arith::ConstantIndexOp>(loc, 0);
  Value one = rewriter.create<arith::ConstantIndexOp>(loc, 1);
  Value vec = rewriter.create<arith::ConstantIndexOp>(loc, lanes);
  Value wideC = rewriter.create<arith::ConstantIndexOp>(loc, wide);
  // The output pixels in whole vectors; the rest is one masked vector.
  Value full = rewriter.create<arith::SubIOp>(loc, ow, rewriter.create<arith::RemUIOp>(loc, ow, vec));
  auto identityAttr = isMax ? rewriter.getFloatAttr(elem, -std::numeric_limits<double>::infinity())
                            : rewriter.getFloatAttr(elem, 0.0);
  Value identity = rewriter.create<arith::ConstantOp>(loc, identityAttr);
  // An accumulator filled with one value (the usual -inf or 0) starts as a
  // splat of it rather than a read, and the loops write into the fill's
  // destination: every output element is written once, so the fill is dead.
  Value fillValue, dest = init;
  if (auto fill = init.getDefiningOp<linalg::FillOp>()) {
    if (fill.getInputs()[0].getType() == elem) {
      fillValue = fill.getInputs()[0];
      dest = fill.getOutputs()[0];
    }
  }
  auto vecType = VectorType::get({lanes}, elem);
  auto wideType = VectorType::get({wide}, elem);
  AffineMap rowMap = AffineMap::getMinorIdentityMap(4, 1, ctx);
  ArrayAttr inBounds = rewriter.getBoolArrayAttr({true});
  SmallVector<int64_t> keep;
  for (int64_t i = 0; i < lanes; ++i)
    keep.push_back(i * sw);

  // One vector of output pixels from w0: all `lanes` of them, or `count`.
  auto tile = [&](OpBuilder &b, Location l, Value dest, Value ni, Value ci, Value hi, Value w0,
                  Value count) -> Value {
    auto cst = [&](int64_t v) { return b.create<arith::ConstantIndexOp>(l, v).getResult(); };
    Value mask;
    if (count)
      mask = b.create<vector::CreateMaskOp>(l, VectorType::get({lanes}, b.getI1Type()), count);
    Value acc = fillValue ? b.create<vector::BroadcastOp>(l, vecType, fillValue).getResult()
                          : b.create<vector::TransferReadOp>(l, vecType, dest,
                                                              ValueRange{ni, ci, hi, w0},
                                                              AffineMapAttr::get(rowMap), identity,
                                                              mask, inBounds)
                                .getResult();
    Value w0s = b.create<arith::MulIOp>(l, w0, cst(sw));
    for (int64_t y = 0; y < kh; ++y) {
      Value row = b.create<arith::AddIOp>(l, b.create<arith::MulIOp>(l, hi, cst(sh)), cst(y * dh));
      for (int64_t x = 0; x < kw; ++x) {
        Value base = b.create<arith::AddIOp>(l, w0s, cst(x * dw));
        SmallVector<Value> at{ni, ci, row, base};
        Value v;
        if (sw == 1) {
          v = b.create<vector::TransferReadOp>(l, vecType, input, at, AffineMapAttr::get(rowMap),
                                               identity, mask, inBounds);
        } else {
          // s*V elements from base may pass the row's end by up to s - 1:
          // masked at it (every lane kept is inside).
          Value avail = b.create<arith::MinUIOp>(l, wideC, b.create<arith::SubIOp>(l, iw, base));
          Value wideMask =
              b.create<vector::CreateMaskOp>(l, VectorType::get({wide}, b.getI1Type()), avail);
          Value w = b.create<vector::TransferReadOp>(l, wideType, input, at,
                                                     AffineMapAttr::get(rowMap), identity,
                                                     wideMask, inBounds);
          v = b.create<vector::ShuffleOp>(l, w, w, keep);
        }
        acc = isMax ? b.create<arith::MaximumFOp>(l, acc, v).getResult()
                    : b.create<arith::AddFOp>(l, acc, v).getResult();
      }
    }
    return b
        .create<vector::TransferWriteOp>(l, dest.getType(), acc, dest, ValueRange{ni, ci, hi, w0},
                                         AffineMapAttr::get(rowMap), mask, inBounds)
        .getResult();
  };

  auto loop = [&](OpBuilder &b, Location l, Value ub, Value step, Value dest,
                  function_ref<Value(OpBuilder &, Location, Value, Value)> body) -> Value {
    return b
        .create<scf::ForOp>(l, zero, ub, step, ValueRange{dest},
                            [&](OpBuilder &nb, Location nl, Value iv, ValueRange args) {
                              nb.create<scf::YieldOp>(nl, body(nb, nl, iv, args[0]));
                            })
        .getResult(0);
  };
  Value result = loop(rewriter, loc, n, one, dest, [&](OpBuilder &b, Location l, Value ni, Value d0) {
    return loop(b, l, c, one, d0, [&](OpBuilder &b, Location l, Value ci, Value d1) {
      return loop(b, l, oh, one, d1, [&](OpBuilder &b, Location l, Value hi, Value d2) {
        Value whole = loop(b, l, full, vec, d2, [&](OpBuilder &b, Location l, Value w0, Value d3) {
          return tile(b, l, d3, ni, ci, hi, w0, Value());
        });
        Value rest = b.create<arith::SubIOp>(l, ow, full);
        Value any = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::ne, rest, zero);
        return b
            .create<scf::IfOp>(
                l, any,
                [&](OpBuilder &tb, Location tl) {
                  tb.create<scf::YieldOp>(tl, tile(tb, tl, whole, ni, ci, hi, full, rest));
                },
                [&](OpBuilder &eb, Location el) { eb.create<scf::YieldOp>(el, whole); })
            .getResult(0);
      });
    });
  });
  rewriter.replaceOp(op, result);
  return success();
}

/// The partial column block of a contraction `out[m, n] += lhs[m, k] *
/// rhs[k, n]` (static M and K, fewer than `vectorWidth` columns, a dynamic
/// count) as dot products along k: its columns are first copied into the
/// rows of a static [vectorWidth, K] buffer, then each output element is
/// `vectorWidth`-lane FMAs over a row of lhs and a row of that buffer, and
/// one horizontal sum. A masked vector of columns spends the same FMAs on
/// one column as on 16 (the N = 1 product `W[256,512] @ x[512,N]` took 1.5x
/// the pinned model's time); dot products spend r/vectorWidth of them on r
/// columns and read lhs along its rows.
FailureOr<linalg::LinalgOp>
kiln::cpu::partialColumnsAsDotProducts(RewriterBase &rewriter, linalg::LinalgOp op,
                                       int64_t vectorWidth, int64_t maxColumns) {
  if (!linalg::isaContractionOpInterface(op) || !op.hasPureTensorSemantics() ||
      op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 || vectorWidth < 2)
    return failure();
  FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
  if (failed(dims) || !dims->batch.empty() || dims->m.size() != 1 || dims->n.size() != 1 ||
      dims->k.size() != 1)
    return failure();
  unsigned mDim = dims->m[0], nDim = dims->n[0], kDim = dims->k[0];
  MLIRContext *ctx = rewriter.getContext();
  AffineExpr m = getAffineDimExpr(mDim, ctx), n = getAffineDimExpr(nDim, ctx),
             k = getAffineDimExpr(kDim, ctx);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps[0] != AffineMap::get(3, 0, {m, k}, ctx) || maps[1] != AffineMap::get(3, 0, {k, n}, ctx) ||
      maps[2] != AffineMap::get(3, 0, {m, n}, ctx))
    return failure();
  // The body: acc + a * b in f32.
  Block &body = op->getRegion(0).front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  if (!add || body.getOperations().size() != 3)
    return failure();
  Value lhs = op.getDpsInputOperand(0)->get(), rhs = op.getDpsInputOperand(1)->get();
  Value init = op.getDpsInitOperand(0)->get();
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  auto outType = cast<RankedTensorType>(init.getType());
  if (!lhsType.getElementType().isF32() || !rhsType.getElementType().isF32() ||
      !outType.getElementType().isF32() || !lhsType.hasStaticShape() ||
      rhsType.isDynamicDim(0) || outType.isDynamicDim(0) || !rhsType.isDynamicDim(1))
    return failure();
  std::optional<int64_t> bound = loopUpperBound(op, nDim);
  if (!bound || *bound > vectorWidth || maxColumns < 1)
    return failure();
  int64_t rowsM = lhsType.getDimSize(0), depth = lhsType.getDimSize(1);
  if (rowsM < 1 || depth < 1)
    return failure();
  int64_t rows = 1;
  for (int64_t r : {8, 4, 2})
    if (rowsM % r == 0) {
      rows = r;
      break;
    }

  Location loc = op.getLoc();
  Type f32 = rewriter.getF32Type();
  rewriter.setInsertionPoint(op);
  auto cst = [&](OpBuilder &b, int64_t v) { return b.create<arith::ConstantIndexOp>(loc, v).getResult(); };
  Value zero = cst(rewriter, 0), one = cst(rewriter, 1);
  Value cols = rewriter.create<tensor::DimOp>(loc, rhs, 1);
  Value buffer = rewriter.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{vectorWidth, depth}, f32);
  // Up to `maxColumns` columns here; wider blocks keep the masked vectors.
  Value few = rewriter.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ule, cols,
                                             cst(rewriter, maxColumns));
  auto branch = rewriter.create<scf::IfOp>(loc, TypeRange{outType}, few, /*withElseRegion=*/true);
  rewriter.setInsertionPointToStart(&branch.getElseRegion().front());
  auto wide = cast<linalg::LinalgOp>(rewriter.clone(*op.getOperation()));
  rewriter.create<scf::YieldOp>(loc, wide->getResults());
  rewriter.setInsertionPointToStart(&branch.getThenRegion().front());
  // The columns as rows: a static buffer, its first `cols` rows (made
  // outside the branch, so that the buffer leaves the loops and is planned).
  Value rowsOf = rewriter.create<tensor::ExtractSliceOp>(
      loc, buffer, ArrayRef<OpFoldResult>{rewriter.getIndexAttr(0), rewriter.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{cols, rewriter.getIndexAttr(depth)},
      ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1), rewriter.getIndexAttr(1)});
  Value rhsT =
      rewriter.create<linalg::TransposeOp>(loc, rhs, rowsOf, ArrayRef<int64_t>{1, 0}).getResult()[0];

  auto vecType = VectorType::get({vectorWidth}, f32);
  AffineMap rowMap = AffineMap::getMinorIdentityMap(2, 1, ctx);
  ArrayAttr inBounds = rewriter.getBoolArrayAttr({true});
  Value pad = rewriter.create<arith::ConstantOp>(loc, rewriter.getF32FloatAttr(0.0f));
  Value zeros = rewriter.create<arith::ConstantOp>(
      loc, DenseElementsAttr::get(vecType, rewriter.getF32FloatAttr(0.0f)));
  int64_t fullDepth = depth - depth % vectorWidth;
  Value tailMask;
  if (fullDepth != depth)
    tailMask = rewriter.create<vector::CreateMaskOp>(
        loc, VectorType::get({vectorWidth}, rewriter.getI1Type()), cst(rewriter, depth - fullDepth));

  // One step of `rows` dot products at k0, masked at the tail.
  auto step = [&](OpBuilder &b, Location l, Value j, Value m0, Value k0, ValueRange accs,
                  Value mask) {
    SmallVector<Value> next;
    Value x = b.create<vector::TransferReadOp>(l, vecType, rhsT, ValueRange{j, k0},
                                               AffineMapAttr::get(rowMap), pad, mask, inBounds);
    for (int64_t i = 0; i < rows; ++i) {
      Value row = b.create<arith::AddIOp>(l, m0, b.create<arith::ConstantIndexOp>(l, i));
      Value w = b.create<vector::TransferReadOp>(l, vecType, lhs, ValueRange{row, k0},
                                                 AffineMapAttr::get(rowMap), pad, mask, inBounds);
      next.push_back(b.create<vector::FMAOp>(l, w, x, accs[i]));
    }
    return next;
  };
  auto result =
      rewriter.create<scf::ForOp>(
          loc, zero, cols, one, ValueRange{init},
          [&](OpBuilder &b, Location l, Value j, ValueRange outJ) {
            auto perRows = b.create<scf::ForOp>(
                l, zero, cst(b, rowsM), cst(b, rows), outJ,
                [&](OpBuilder &b, Location l, Value m0, ValueRange outM) {
                  SmallVector<Value> accs(rows, zeros);
                  if (fullDepth > 0) {
                    auto loop = b.create<scf::ForOp>(
                        l, zero, cst(b, fullDepth), cst(b, vectorWidth), accs,
                        [&](OpBuilder &b, Location l, Value k0, ValueRange a) {
                          b.create<scf::YieldOp>(l, step(b, l, j, m0, k0, a, Value()));
                        });
                    accs.assign(loop.getResults().begin(), loop.getResults().end());
                  }
                  if (tailMask)
                    accs = step(b, l, j, m0, cst(b, fullDepth), accs, tailMask);
                  Value out = outM[0];
                  for (int64_t i = 0; i < rows; ++i) {
                    Value row = b.create<arith::AddIOp>(l, m0, b.create<arith::ConstantIndexOp>(l, i));
                    Value sum = b.create<vector::ReductionOp>(l, vector::CombiningKind::ADD, accs[i]);
                    Value old = b.create<tensor::ExtractOp>(l, out, ValueRange{row, j});
                    Value updated = b.create<arith::AddFOp>(l, old, sum);
                    out = b.create<tensor::InsertOp>(l, updated, out, ValueRange{row, j});
                  }
                  b.create<scf::YieldOp>(l, out);
                });
            b.create<scf::YieldOp>(l, perRows.getResults());
          });
  rewriter.create<scf::YieldOp>(loc, result.getResults());
  rewriter.replaceOp(op, branch.getResults());
  return wide;
}
