//===- DirectConv.cpp - direct (im2col-free) convolution for the CPU ------===//
//
// A static linalg.conv_2d_nchw_fchw is tiled (upstream TilingInterface) into
// register blocks of output channels x pixels of one output row, with the
// input channels in cache blocks and, inside, single steps of one input
// channel at one kernel offset. Each step reads its input row in place from
// the padded input (a slice, not a copy) and is one small contraction that
// the linalg vectorizer turns into a row of outer-product FMAs; the
// accumulators are hoisted out of the step loops after bufferization, as
// for the im2col path's contraction. The cost rule that picks this path
// over im2col is planDirectConv.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/CPU/DirectConv.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

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

/// Tiles `op` with `sizes` (0 = untiled) in loop order `interchange` (when
/// given); returns the tiled convolution.
FailureOr<linalg::Conv2DNchwFchwOp> tileConv(RewriterBase &rewriter, linalg::Conv2DNchwFchwOp op,
                                             ArrayRef<int64_t> sizes,
                                             ArrayRef<int64_t> interchange = {},
                                             bool parallel = false) {
  if (llvm::all_of(sizes, [](int64_t s) { return s == 0; }))
    return op;
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
  auto result = dyn_cast<linalg::Conv2DNchwFchwOp>(tiled->tiledOps.front());
  if (!result)
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  return result;
}

/// A rank-reducing slice of all of `source` (static shape) with `strides`,
/// of type `type`.
Value reduceRank(OpBuilder &b, Location loc, Value source, RankedTensorType type,
                 ArrayRef<int64_t> sizes, ArrayRef<int64_t> strides) {
  auto srcType = cast<RankedTensorType>(source.getType());
  SmallVector<OpFoldResult> offsets(srcType.getRank(), b.getIndexAttr(0));
  return b.create<tensor::ExtractSliceOp>(loc, type, source, offsets,
                                          getAsIndexOpFoldResult(b.getContext(), sizes),
                                          getAsIndexOpFoldResult(b.getContext(), strides));
}

} // namespace

std::optional<kiln::cpu::DirectConvPlan>
kiln::cpu::planDirectConv(linalg::Conv2DNchwFchwOp conv, const DirectConvTarget &target) {
  auto inType = dyn_cast<RankedTensorType>(conv.getInputs()[0].getType());
  auto fType = dyn_cast<RankedTensorType>(conv.getInputs()[1].getType());
  auto outType = dyn_cast<RankedTensorType>(conv.getOutputs()[0].getType());
  if (!inType || !fType || !outType || !inType.hasStaticShape() || !fType.hasStaticShape() ||
      !outType.hasStaticShape() || !outType.getElementType().isF32())
    return std::nullopt;
  int64_t vw = target.vectorWidth;
  int64_t c = inType.getDimSize(1), f = fType.getDimSize(0);
  int64_t kh = fType.getDimSize(2), kw = fType.getDimSize(3);
  int64_t ow = outType.getDimSize(3);
  // A pointwise convolution needs no im2col copy already.
  if (kh * kw == 1)
    return std::nullopt;
  // Strided steps would read their input row with a stride (scalar loads).
  if (llvm::any_of(conv.getStrides().getValues<int64_t>(), [](int64_t s) { return s != 1; }))
    return std::nullopt;
  DirectConvPlan plan;
  // The row of output pixels is the vector dimension, in blocks of one or
  // two whole vectors. Rows narrower than whole vectors (28, 14 and 7 pixels
  // with 16 lanes) stay with im2col, which pads OH*OW instead: masked steps
  // sent the later vector lowering into an endless rewrite (to be fixed).
  if (ow % vw != 0)
    return std::nullopt;
  plan.cols = ow % (2 * vw) == 0 ? 2 * vw : vw;
  int64_t regsPerRow = plan.cols / vw;
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
  SmallVector<int64_t> strides(conv.getStrides().getValues<int64_t>());
  Location convLoc = conv.getLoc();
  auto tilingFailed = [&] {
    emitError(convLoc) << "expects a direct convolution's loops to tile";
    return failure();
  };

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
    current = tileConv(rewriter, *current, {0, plan.rows * perBlock, 0, 0, 0, 0, 0}, {},
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
                              unlessWhole(1, ranges[2]),
                              unlessWhole(plan.cols, ranges[3]),
                              unlessWhole(plan.channelBlock, ranges[4]),
                              0,
                              0};
  current = tileConv(rewriter, *current, blocks, {0, 1, 4, 2, 3, 5, 6});
  if (failed(current))
    return tilingFailed();
  // Single steps: one input channel at one kernel offset.
  current = tileConv(rewriter, *current,
                     {0, 0, 0, 0, unlessWhole(1, plan.channelBlock), unlessWhole(1, kh),
                      unlessWhole(1, kw)});
  if (failed(current))
    return tilingFailed();

  // The step: out[0, r, 0, p] += w[r, 0, 0, 0] * in[0, 0, 0, p * stride] as
  // a contraction over a unit dimension, on rank-reduced slices.
  linalg::Conv2DNchwFchwOp step = *current;
  auto stepOut = cast<RankedTensorType>(step.getOutputs()[0].getType());
  auto stepIn = cast<RankedTensorType>(step.getInputs()[0].getType());
  auto stepW = cast<RankedTensorType>(step.getInputs()[1].getType());
  int64_t rows = plan.rows, cols = plan.cols;
  if (stepOut.getShape() != ArrayRef<int64_t>{1, rows, 1, cols} ||
      stepW.getShape() != ArrayRef<int64_t>{rows, 1, 1, 1} || stepIn.getDimSize(0) != 1 ||
      stepIn.getDimSize(1) != 1 || stepIn.getDimSize(2) != 1) {
    step->emitOpError("expects a direct convolution step of ")
        << rows << "x" << cols << " outputs, found " << stepOut;
    return failure();
  }
  Type elem = stepOut.getElementType();
  Location loc = step.getLoc();
  rewriter.setInsertionPoint(step);
  Value w2 = reduceRank(rewriter, loc, step.getInputs()[1], RankedTensorType::get({rows, 1}, elem),
                        {rows, 1, 1, 1}, {1, 1, 1, 1});
  Value in2 = reduceRank(rewriter, loc, step.getInputs()[0], RankedTensorType::get({1, cols}, elem),
                         {1, 1, 1, cols}, {1, 1, 1, strides[1]});
  Value out4 = step.getOutputs()[0];
  Value out2 = reduceRank(rewriter, loc, out4, RankedTensorType::get({rows, cols}, elem),
                          {1, rows, 1, cols}, {1, 1, 1, 1});
  MLIRContext *ctx = rewriter.getContext();
  AffineExpr dr, dp, dk;
  bindDims(ctx, dr, dp, dk);
  SmallVector<AffineMap> maps{AffineMap::get(3, 0, {dr, dk}, ctx),
                              AffineMap::get(3, 0, {dk, dp}, ctx),
                              AffineMap::get(3, 0, {dr, dp}, ctx)};
  auto contraction = rewriter.create<linalg::GenericOp>(
      loc, out2.getType(), ValueRange{w2, in2}, out2, maps,
      ArrayRef<utils::IteratorType>{utils::IteratorType::parallel, utils::IteratorType::parallel,
                                    utils::IteratorType::reduction},
      [](OpBuilder &b, Location l, ValueRange args) {
        Value prod = b.create<arith::MulFOp>(l, args[0], args[1]);
        b.create<linalg::YieldOp>(l, b.create<arith::AddFOp>(l, args[2], prod).getResult());
      });
  Value result = rewriter.create<tensor::InsertSliceOp>(
      loc, contraction.getResult(0), out4,
      getAsIndexOpFoldResult(ctx, SmallVector<int64_t>{0, 0, 0, 0}),
      getAsIndexOpFoldResult(ctx, SmallVector<int64_t>{1, rows, 1, cols}),
      getAsIndexOpFoldResult(ctx, SmallVector<int64_t>{1, 1, 1, 1}));
  rewriter.replaceOp(step, result);

  if (failed(linalg::vectorize(rewriter, contraction))) {
    contraction->emitOpError("expects the direct convolution step to vectorize");
    return failure();
  }
  return success();
}
