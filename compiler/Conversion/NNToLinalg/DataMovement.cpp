//===- DataMovement.cpp - constants, reshapes, slices, gathers -----------===//
//
// Static data movement is tensor ops (reshapes, slices, inserts) or a copy
// generic read through an affine map; gathers extract inside a generic.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NNToLinalg/NNToLinalg.h"
#include "compiler/Conversion/NNToLinalg/IndexingUtils.h"
#include "compiler/Conversion/NNToLinalg/NNToLinalgUtils.h"
#include "dialects/NN/IR/NNOps.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::nn;
using namespace kiln::nntolinalg;

namespace {

struct ConstantLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, cast<TypedAttr>(op.getValue()));
    return success();
  }
};

/// Reshape and flatten. With a dynamic size the element counts are checked
/// at run time (the result's sizes were derived from the input's, so only a
/// remainder can break them).
template <typename Op>
struct ReshapeLikeLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    RankedTensorType type = op.getType();
    auto inType = cast<RankedTensorType>(input.getType());
    if (inType.hasStaticShape() && type.hasStaticShape()) {
      rewriter.replaceOp(op, reshapeTo(rewriter, loc, input, type));
      return success();
    }
    if constexpr (std::is_same_v<Op, FlattenOp>) {
      // Each side of the axis collapses into one dimension (counts agree by
      // construction).
      int64_t axis = normalizeAxis(op.getAxis(), inType.getRank());
      if (axis > 0 && axis < inType.getRank()) {
        SmallVector<ReassociationIndices> groups{
            llvm::to_vector(llvm::seq<int64_t>(0, axis)),
            llvm::to_vector(llvm::seq<int64_t>(axis, inType.getRank()))};
        rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(op, type, input, groups);
        return success();
      }
    }
    SmallVector<Value> dyn = *resultSizes(rewriter, op);
    Value count = rewriter.create<arith::ConstantIndexOp>(loc, 1);
    for (Value s : allSizes(rewriter, loc, input))
      count = rewriter.createOrFold<arith::MulIOp>(loc, count, s);
    Value outCount = rewriter.create<arith::ConstantIndexOp>(loc, 1);
    size_t next = 0;
    for (int64_t d : type.getShape())
      outCount = rewriter.createOrFold<arith::MulIOp>(
          loc, outCount,
          ShapedType::isDynamic(d) ? dyn[next++]
                                   : rewriter.create<arith::ConstantIndexOp>(loc, d).getResult());
    assertEqual(rewriter, loc, op, count, outCount,
                "expects the result to hold as many elements as the input");
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, input, type, dyn));
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    Value init = emptyTensor(rewriter, op.getLoc(), type, *resultSizes(rewriter, op));
    auto t = rewriter.create<linalg::TransposeOp>(op.getLoc(), adaptor.getInput(), init,
                                                  op.getPerm());
    rewriter.replaceOp(op, t.getResult());
    return success();
  }
};

/// tensor.concat; the pass decomposes it into inserts into an empty tensor
/// before it returns, since MLIR 19 cannot bufferize it.
struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    int64_t axis = normalizeAxis(op.getAxis(), op.getType().getRank());
    // Off the axis every operand has the first one's sizes.
    ValueRange inputs = adaptor.getInputs();
    for (Value v : inputs.drop_front()) {
      auto t = cast<RankedTensorType>(v.getType());
      auto first = cast<RankedTensorType>(inputs.front().getType());
      for (int64_t d = 0; d < t.getRank(); ++d)
        if (d != axis && (t.isDynamicDim(d) || first.isDynamicDim(d)))
          assertEqual(rewriter, op.getLoc(), op,
                      rewriter.createOrFold<tensor::DimOp>(op.getLoc(), v, d),
                      rewriter.createOrFold<tensor::DimOp>(op.getLoc(), inputs.front(), d),
                      "expects the operands to agree off the axis, in dim " + llvm::Twine(d));
    }
    rewriter.replaceOpWithNewOp<tensor::ConcatOp>(op, op.getType(), axis, adaptor.getInputs());
    return success();
  }
};

/// Forward windows are `tensor.extract_slice` (a view after bufferization);
/// a window with a negative stride is a generic reading
/// `offset + i * stride`.
struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    // A window in a dynamic dimension must lie inside it.
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    for (int64_t d = 0; d < inType.getRank(); ++d) {
      int64_t size = op.getSizes()[d];
      if (!inType.isDynamicDim(d) || size == 0 || ShapedType::isDynamic(size))
        continue;
      int64_t offset = op.getOffsets()[d];
      int64_t end = std::max(offset, offset + (size - 1) * op.getStrides()[d]) + 1;
      Value dim = rewriter.create<tensor::DimOp>(loc, adaptor.getInput(), d);
      Value inside = rewriter.create<arith::CmpIOp>(
          loc, arith::CmpIPredicate::sle, rewriter.create<arith::ConstantIndexOp>(loc, end), dim);
      rewriter.create<cf::AssertOp>(
          loc, inside,
          checkPrefix(op) + "expects dim " + std::to_string(d) + " of the input to hold " +
              std::to_string(end) + " elements");
    }
    // Whole dynamic dimensions.
    SmallVector<Value> dyn;
    for (auto [d, size] : llvm::enumerate(op.getSizes()))
      if (ShapedType::isDynamic(size))
        dyn.push_back(rewriter.create<tensor::DimOp>(loc, adaptor.getInput(), d));
    if (llvm::all_of(op.getStrides(), [](int64_t s) { return s > 0; })) {
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, type, adaptor.getInput(), ValueRange{}, dyn, ValueRange{}, op.getOffsets(),
          op.getSizes(), op.getStrides());
      return success();
    }
    SmallVector<AffineExpr> exprs;
    for (auto [d, offset, stride] : llvm::enumerate(op.getOffsets(), op.getStrides()))
      exprs.push_back(getAffineDimExpr(d, ctx) * stride + offset);
    SmallVector<AffineMap> maps{AffineMap::get(type.getRank(), 0, exprs, ctx)};
    rewriter.replaceOp(op, copied(rewriter, loc, type, adaptor.getInput(), maps, dyn));
    return success();
  }
};

/// An ONNX index into a dimension of size `dim` as an `index`: a negative
/// one counts from the end, and the result is clamped into `[0, dim)`.
/// A dynamic `dim` is read from `tensor`'s dimension `d`.
Value indexInRange(OpBuilder &b, Location l, Value k, int64_t dim, Value tensor = {},
                   int64_t d = 0) {
  Type it = k.getType();
  Value zero = scalar(b, l, it, 0), size, last;
  if (ShapedType::isDynamic(dim)) {
    size = b.create<arith::IndexCastOp>(l, it, b.create<tensor::DimOp>(l, tensor, d));
    last = b.create<arith::SubIOp>(l, size, scalar(b, l, it, 1));
  } else {
    size = scalar(b, l, it, static_cast<double>(dim));
  }
  Value negative = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::slt, k, zero);
  k = b.create<arith::SelectOp>(l, negative, b.create<arith::AddIOp>(l, k, size), k);
  k = b.create<arith::MaxSIOp>(l, k, zero);
  k = b.create<arith::MinSIOp>(l, k, last ? last : scalar(b, l, it, static_cast<double>(dim - 1)));
  return b.create<arith::IndexCastOp>(l, b.getIndexType(), k);
}

/// Whether `indices` is a constant whose every element lies in [-n, n - 1]
/// of a static dim n of `data` (`axis` as for requireIndicesInRange).
bool constantIndicesInRange(Value indices, Value data, int64_t axis) {
  DenseIntElementsAttr value;
  if (!matchPattern(indices, m_Constant(&value)))
    return false;
  ArrayRef<int64_t> shape = cast<RankedTensorType>(data.getType()).getShape();
  ArrayRef<int64_t> idxShape = value.getType().getShape();
  int64_t tuple = idxShape.empty() ? 1 : idxShape.back();
  int64_t p = 0;
  for (const APInt &v : value.getValues<APInt>()) {
    int64_t dim = axis >= 0 ? axis : -axis - 1 + (tuple > 0 ? p % tuple : 0);
    ++p;
    if (dim >= static_cast<int64_t>(shape.size()) || ShapedType::isDynamic(shape[dim]))
      return false;
    int64_t k = v.getSExtValue(), n = shape[dim];
    if (k < -n || k >= n)
      return false;
  }
  return true;
}

/// Fails the run, naming the node, unless every element `k` of `indices`
/// lies in [-n, n - 1], n being dim `axis` of `data` (for gather_nd, `axis`
/// < 0: the dim that the element's position in its index tuple names, after
/// -axis - 1 batch dims). ONNX makes an index outside that an error; in a
/// loop or branch body the check records the failure and the entry returns
/// it after the loop (kiln-entry-checks-to-errors). Constant indices need no
/// check when every one indexes a static dim and lies in its range (the
/// importer refuses those that do not); into a dynamic dim they are checked
/// at run time like any others. The extraction still clamps, so no read
/// leaves the buffer even while a failed body runs on.
void requireIndicesInRange(OpBuilder &b, Operation *op, Value indices, Value data,
                           int64_t axis) {
  if (constantIndicesInRange(indices, data, axis))
    return;
  Location loc = op->getLoc();
  Emitter e(b, op);
  Value ok = allOf(b, loc, indices, [&](OpBuilder &nb, Location l, Value k, ValueRange at) {
    Emitter in(nb, op);
    Value n = axis >= 0 ? in.dimI64(data, axis)
                        : in.toI64(nb.create<tensor::DimOp>(
                              l, data, in.add(at.back(), in.idx(-axis - 1))));
    k = in.toI64(k);
    return in.both(in.ge(k, in.sub(in.i64(0), n)), in.lt(k, n));
  });
  if (axis >= 0)
    e.require(ok, "expects indices along axis " + Twine(axis) +
                      " in [-size, size - 1], found one outside");
  else
    e.require(ok, "expects every index in [-size, size - 1] of the dim it indexes, found one "
                  "outside");
}

/// A generic over the indices reads each one and extracts the input element
/// at the same position with the axis coordinate replaced.
struct GatherElementsLowering : OpConversionPattern<GatherElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    auto inType = cast<RankedTensorType>(input.getType());
    int64_t rank = inType.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    auto idxType = cast<RankedTensorType>(adaptor.getIndices().getType());
    for (int64_t d = 0; d < rank; ++d) {
      if (d == axis || (!inType.isDynamicDim(d) && !idxType.isDynamicDim(d)))
        continue;
      Location loc = op.getLoc();
      Value fits = rewriter.create<arith::CmpIOp>(
          loc, arith::CmpIPredicate::ule,
          rewriter.createOrFold<tensor::DimOp>(loc, adaptor.getIndices(), d),
          rewriter.createOrFold<tensor::DimOp>(loc, input, d));
      rewriter.create<cf::AssertOp>(loc, fits,
                                    checkPrefix(op) + "expects dim " + std::to_string(d) +
                                        " of the indices to be no larger than the input's");
    }
    requireIndicesInRange(rewriter, op, adaptor.getIndices(), input, axis);
    Value result = elementwise(
        rewriter, op.getLoc(), op.getType(), adaptor.getIndices(),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          SmallVector<Value> at;
          for (int64_t d = 0; d < rank; ++d)
            at.push_back(d == axis ? indexInRange(b, l, a[0], inType.getDimSize(axis), input, axis)
                                   : b.create<linalg::IndexOp>(l, d).getResult());
          return b.create<tensor::ExtractOp>(l, input, at);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// A generic over the result (the outer dims are the index tuple's position,
/// the rest the slice's) extracts the tuple's elements from the indices,
/// then the input element they name.
struct GatherNDLowering : OpConversionPattern<GatherNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput(), indices = adaptor.getIndices();
    auto inType = cast<RankedTensorType>(input.getType());
    auto idxType = cast<RankedTensorType>(indices.getType());
    RankedTensorType type = op.getType();
    int64_t b = op.getBatchDims(), q = idxType.getRank(), m = idxType.getShape().back();
    requireIndicesInRange(rewriter, op, indices, input, -b - 1);
    Value init = rewriter.create<tensor::EmptyOp>(op.getLoc(), type.getShape(),
                                                  type.getElementType());
    SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(type.getRank())};
    SmallVector<utils::IteratorType> iters(type.getRank(), utils::IteratorType::parallel);
    auto generic = rewriter.create<linalg::GenericOp>(
        op.getLoc(), type, ValueRange{}, init, maps, iters,
        [&](OpBuilder &bld, Location l, ValueRange) {
          SmallVector<Value> tuplePos;
          for (int64_t d = 0; d < q - 1; ++d)
            tuplePos.push_back(bld.create<linalg::IndexOp>(l, d));
          SmallVector<Value> at;
          for (int64_t d = 0; d < b; ++d)
            at.push_back(tuplePos[d]);
          for (int64_t j = 0; j < m; ++j) {
            SmallVector<Value> pos(tuplePos);
            pos.push_back(bld.create<arith::ConstantIndexOp>(l, j));
            Value k = bld.create<tensor::ExtractOp>(l, indices, pos);
            at.push_back(indexInRange(bld, l, k, inType.getDimSize(b + j)));
          }
          for (int64_t d = b + m; d < inType.getRank(); ++d)
            at.push_back(bld.create<linalg::IndexOp>(l, q - 1 + d - (b + m)));
          bld.create<linalg::YieldOp>(l, bld.create<tensor::ExtractOp>(l, input, at).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// A generic over the result reads the batch entry's length and takes the
/// element at `length - 1 - t` along the time axis when `t < length`. A
/// length outside [0, T] fails the run (ONNX makes it an error; the generic
/// alone would clamp it); constant ones in range need no check.
struct ReverseSequenceLowering : OpConversionPattern<ReverseSequenceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReverseSequenceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank(), batch = op.getBatchAxis(), time = op.getTimeAxis();
    int64_t steps = type.getDimSize(time);
    if (type.isDynamicDim(batch))
      assertEqual(rewriter, op.getLoc(), op,
                  rewriter.createOrFold<tensor::DimOp>(op.getLoc(), adaptor.getLengths(), 0),
                  rewriter.create<tensor::DimOp>(op.getLoc(), input, batch),
                  "expects one length per batch entry");
    DenseIntElementsAttr known;
    bool inRange = !ShapedType::isDynamic(steps) &&
                   matchPattern(adaptor.getLengths(), m_Constant(&known)) &&
                   llvm::all_of(known.getValues<APInt>(), [&](const APInt &v) {
                     return v.sge(0) && v.sle(steps);
                   });
    if (!inRange) {
      Emitter e(rewriter, op);
      Value ok = allOf(rewriter, op.getLoc(), adaptor.getLengths(),
                       [&](OpBuilder &nb, Location, Value len, ValueRange) {
                         Emitter in(nb, op);
                         len = in.toI64(len);
                         return in.both(in.ge(len, in.i64(0)), in.le(len, in.dimI64(input, time)));
                       });
      e.require(ok, "expects sequence lengths in [0, the time axis size], found one outside");
    }
    SmallVector<AffineMap> maps{
        AffineMap::get(rank, 0, getAffineDimExpr(batch, rewriter.getContext())),
    };
    Value result = elementwise(
        rewriter, op.getLoc(), type, adaptor.getLengths(),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Type it = a[0].getType();
          Value nonNegative = b.create<arith::MaxSIOp>(l, a[0], scalar(b, l, it, 0));
          Value stepsV = ShapedType::isDynamic(steps)
                             ? b.create<arith::IndexCastOp>(
                                    l, it, b.create<tensor::DimOp>(l, input, time))
                                   .getResult()
                             : scalar(b, l, it, static_cast<double>(steps));
          Value len = b.create<arith::MinSIOp>(l, nonNegative, stepsV);
          len = b.create<arith::IndexCastOp>(l, b.getIndexType(), len);
          Value t = b.create<linalg::IndexOp>(l, time);
          Value inside = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::slt, t, len);
          Value mirrored = b.create<arith::SubIOp>(
              l, b.create<arith::SubIOp>(l, len, b.create<arith::ConstantIndexOp>(l, 1)), t);
          SmallVector<Value> at;
          for (int64_t d = 0; d < rank; ++d)
            at.push_back(d == time ? b.create<arith::SelectOp>(l, inside, mirrored, t).getResult()
                                   : b.create<linalg::IndexOp>(l, d).getResult());
          return b.create<tensor::ExtractOp>(l, input, at);
        },
        maps, dynamicSizes(rewriter, op.getLoc(), input));
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// A generic over the result reads each index, wraps a negative one, clamps
/// it into range and extracts the input element there.
struct GatherLowering : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    Value input = adaptor.getInput();
    auto inType = cast<RankedTensorType>(input.getType());
    auto idxType = cast<RankedTensorType>(adaptor.getIndices().getType());
    int64_t axis = normalizeAxis(op.getAxis(), inType.getRank());
    int64_t idxRank = idxType.getRank();
    SmallVector<AffineExpr> idxExprs;
    for (int64_t d = 0; d < idxRank; ++d)
      idxExprs.push_back(getAffineDimExpr(axis + d, ctx));
    SmallVector<AffineMap> maps{AffineMap::get(type.getRank(), 0, idxExprs, ctx)};
    int64_t dim = inType.getDimSize(axis);
    requireIndicesInRange(rewriter, op, adaptor.getIndices(), input, axis);
    Value result = elementwise(
        rewriter, loc, type, adaptor.getIndices(),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          SmallVector<Value> at;
          for (int64_t d = 0; d < axis; ++d)
            at.push_back(b.create<linalg::IndexOp>(l, d));
          at.push_back(indexInRange(b, l, a[0], dim, input, axis));
          for (int64_t d = axis + 1; d < inType.getRank(); ++d)
            at.push_back(b.create<linalg::IndexOp>(l, d - 1 + idxRank));
          return b.create<tensor::ExtractOp>(l, input, at);
        },
        maps, *resultSizes(rewriter, op));
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct PadLowering : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value value = scalar(rewriter, op.getLoc(), op.getType().getElementType(),
                         op.getValue().convertToDouble());
    rewriter.replaceOp(op, padSpatial(rewriter, op.getLoc(), adaptor.getInput(), op.getLow(),
                                      op.getHigh(), value, /*firstDim=*/0));
    return success();
  }
};

/// Expand is a copy with the input's broadcast indexing map.
struct ExpandLowering : OpConversionPattern<ExpandOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ExpandOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    Value input = adaptor.getInput();
    if (type.hasStaticShape() && cast<RankedTensorType>(input.getType()).hasStaticShape()) {
      rewriter.replaceOp(op, copied(rewriter, op.getLoc(), type, input));
      return success();
    }
    SmallVector<Value> dyn = *resultSizes(rewriter, op), sizes;
    size_t next = 0;
    for (int64_t d : type.getShape())
      sizes.push_back(ShapedType::isDynamic(d)
                          ? dyn[next++]
                          : rewriter.create<arith::ConstantIndexOp>(op.getLoc(), d).getResult());
    assertBroadcast(rewriter, op.getLoc(), op, input, sizes);
    rewriter.replaceOp(op, copied(rewriter, op.getLoc(), type, input, {}, dyn));
    return success();
  }
};

/// Tile reads the input at `i mod size` in each repeated dimension.
struct TileLowering : OpConversionPattern<TileOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TileOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    MLIRContext *ctx = rewriter.getContext();
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    SmallVector<AffineExpr> exprs;
    for (auto [d, rep] : llvm::enumerate(op.getRepeats())) {
      AffineExpr e = getAffineDimExpr(d, ctx);
      exprs.push_back(rep == 1 || inType.getDimSize(d) == 0 ? e : e % inType.getDimSize(d));
    }
    SmallVector<AffineMap> maps{AffineMap::get(inType.getRank(), 0, exprs, ctx)};
    rewriter.replaceOp(op, copied(rewriter, op.getLoc(), op.getType(), adaptor.getInput(), maps,
                                  *resultSizes(rewriter, op)));
    return success();
  }
};

/// nn.shape: one tensor.dim per dimension (a constant for a static one),
/// gathered into a 1-D i64 tensor.
struct ShapeLowering : OpConversionPattern<ShapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ShapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    SmallVector<Value> dims;
    for (int64_t d = op.getStart(), e = op.getEnd(); d < e; ++d)
      dims.push_back(rewriter.create<arith::IndexCastOp>(
          loc, rewriter.getI64Type(), rewriter.create<tensor::DimOp>(loc, adaptor.getInput(), d)));
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, op.getType(), dims);
    return success();
  }
};

} // namespace

void kiln::populateNNToLinalgDataMovementPatterns(RewritePatternSet &patterns) {
  patterns.add<ConstantLowering, ReshapeLikeLowering<ReshapeOp>, ReshapeLikeLowering<FlattenOp>,
               TransposeLowering, ConcatLowering, SliceLowering, GatherLowering,
               GatherElementsLowering, GatherNDLowering, ReverseSequenceLowering, PadLowering,
               ExpandLowering, TileLowering, ShapeLowering>(patterns.getContext());
}
