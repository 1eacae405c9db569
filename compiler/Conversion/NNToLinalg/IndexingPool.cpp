//===- IndexingPool.cpp - max pooling's argmax, unpooling, NMS -----------===//
//
// max_pool_indices is a reduction generic over each window keeping the
// (value, flat index) pair that wins, with ties to the lower index whatever
// the iteration order. max_unpool checks every index against the result's
// element count, then scatters into a zero-filled result. Non-maximum
// suppression ranks the boxes by score (a counting reduction, as top-k),
// then runs the greedy selection as scf.for loops per batch entry and
// class, and writes the selected rows into a result sized by their count.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NNToLinalg/IndexingUtils.h"
#include "compiler/Conversion/NNToLinalg/NNToLinalg.h"
#include "dialects/NN/IR/NNOps.h"

#include "mlir/Transforms/DialectConversion.h"

#include <limits>

using namespace mlir;
using namespace kiln;
using namespace kiln::nn;
using namespace kiln::nntolinalg;
using arith::CmpIPredicate;

namespace {

//===----------------------------------------------------------------------===//
// MaxPool indices
//===----------------------------------------------------------------------===//

struct MaxPoolIndicesLowering : OpConversionPattern<MaxPoolIndicesOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(MaxPoolIndicesOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getInput();
    auto inType = cast<RankedTensorType>(x.getType());
    RankedTensorType type = op.getType();
    int64_t k = inType.getRank() - 2;
    // The pass refuses dynamic spatial sizes before converting anything.
    for (int64_t d = 2; d < inType.getRank(); ++d)
      if (inType.isDynamicDim(d))
        return rewriter.notifyMatchFailure(op, "dynamic spatial sizes");
    Emitter e(rewriter, op);
    Type elem = inType.getElementType(), i64 = rewriter.getI64Type();
    SmallVector<Value> dyn;
    for (int64_t d = 0; d < 2; ++d)
      if (type.isDynamicDim(d))
        dyn.push_back(e.dimIdx(x, d));
    auto valType = RankedTensorType::get(type.getShape(), elem);
    Value best = filled(rewriter, loc, valType, extreme(rewriter, loc, elem, false), dyn);
    Value key = filled(rewriter, loc, type, e.i64(std::numeric_limits<int64_t>::max()), dyn);
    Value window = rewriter.create<tensor::EmptyOp>(loc, op.getKernelShape(), elem);
    int64_t rank = 2 + 2 * k;
    SmallVector<AffineExpr> outExprs, winExprs;
    for (int64_t d = 0; d < 2 + k; ++d)
      outExprs.push_back(getAffineDimExpr(d, ctx));
    for (int64_t d = 0; d < k; ++d)
      winExprs.push_back(getAffineDimExpr(2 + k + d, ctx));
    SmallVector<AffineMap> maps{AffineMap::get(rank, 0, winExprs, ctx),
                                AffineMap::get(rank, 0, outExprs, ctx),
                                AffineMap::get(rank, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iters(2 + k, utils::IteratorType::parallel);
    iters.append(k, utils::IteratorType::reduction);
    Value channels = e.dimIdx(x, 1);
    ArrayRef<int64_t> strides = op.getStrides(), dil = op.getDilations(), pads = op.getPads();
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{valType, type}, window, ValueRange{best, key}, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange a) {
          auto c = [&](int64_t v) { return b.create<arith::ConstantIndexOp>(l, v).getResult(); };
          Value valid = b.create<arith::ConstantIntOp>(l, 1, 1);
          SmallVector<Value> at{b.create<linalg::IndexOp>(l, 0), b.create<linalg::IndexOp>(l, 1)};
          Value flat =
              b.create<arith::AddIOp>(l, b.create<arith::MulIOp>(l, at[0], channels), at[1]);
          for (int64_t i = 0; i < k; ++i) {
            Value o = b.create<linalg::IndexOp>(l, 2 + i),
                  w = b.create<linalg::IndexOp>(l, 2 + k + i);
            Value h = b.create<arith::AddIOp>(l, b.create<arith::MulIOp>(l, o, c(strides[i])),
                                              b.create<arith::MulIOp>(l, w, c(dil[i])));
            h = b.create<arith::SubIOp>(l, h, c(pads[i]));
            int64_t size = inType.getDimSize(2 + i);
            Value inside =
                b.create<arith::AndIOp>(l, b.create<arith::CmpIOp>(l, CmpIPredicate::sge, h, c(0)),
                                        b.create<arith::CmpIOp>(l, CmpIPredicate::slt, h, c(size)));
            valid = b.create<arith::AndIOp>(l, valid, inside);
            h = b.create<arith::MaxSIOp>(l, b.create<arith::MinSIOp>(l, h, c(size - 1)), c(0));
            at.push_back(h);
            flat = b.create<arith::AddIOp>(l, b.create<arith::MulIOp>(l, flat, c(size)), h);
          }
          Value v = b.create<tensor::ExtractOp>(l, x, at);
          Value f = b.create<arith::IndexCastOp>(l, b.getI64Type(), flat);
          Value greater = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, v, a[1]);
          Value tie = b.create<arith::AndIOp>(
              l, b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OEQ, v, a[1]),
              b.create<arith::CmpIOp>(l, CmpIPredicate::slt, f, a[2]));
          Value take = b.create<arith::AndIOp>(l, valid, b.create<arith::OrIOp>(l, greater, tie));
          b.create<linalg::YieldOp>(l, ValueRange{b.create<arith::SelectOp>(l, take, v, a[1]),
                                                  b.create<arith::SelectOp>(l, take, f, a[2])});
        });
    Value result = generic.getResult(1);
    if (op.getStorageOrder() == 1) {
      // Row-major spatial position -> column-major, per (n, c) plane.
      SmallVector<int64_t> sizes(inType.getShape().drop_front(2));
      int64_t plane = 1;
      for (int64_t s : sizes)
        plane *= s;
      result = elementwise(
          rewriter, loc, type, result,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            auto c = [&](int64_t v) {
              return b.create<arith::ConstantIntOp>(l, v, 64).getResult();
            };
            Value nc = b.create<arith::DivSIOp>(l, a[0], c(plane));
            Value rest = b.create<arith::RemSIOp>(l, a[0], c(plane));
            Value col = c(0);
            int64_t colStride = 1;
            SmallVector<Value> coords(k);
            for (int64_t i = k - 1; i >= 0; --i) {
              coords[i] = b.create<arith::RemSIOp>(l, rest, c(sizes[i]));
              rest = b.create<arith::DivSIOp>(l, rest, c(sizes[i]));
            }
            for (int64_t i = 0; i < k; ++i) {
              col = b.create<arith::AddIOp>(l, col,
                                            b.create<arith::MulIOp>(l, coords[i], c(colStride)));
              colStride *= sizes[i];
            }
            return b.create<arith::AddIOp>(l, b.create<arith::MulIOp>(l, nc, c(plane)), col);
          },
          {}, dyn);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Max pooling's gradient in gather form
//===----------------------------------------------------------------------===//

/// The max pooling whose argmax `indices` holds when `indices` is the flat
/// (1-D) view of an nn.max_pool_indices result in row-major storage order,
/// else null.
MaxPoolIndicesOp flatPoolIndices(Value indices) {
  auto reshape = indices.getDefiningOp<ReshapeOp>();
  if (!reshape)
    return {};
  auto pool = reshape.getInput().getDefiningOp<MaxPoolIndicesOp>();
  if (!pool || pool.getStorageOrder() != 0 || !pool.getType().hasStaticShape() ||
      !pool.getInput().getType().hasStaticShape())
    return {};
  return pool;
}

/// True when `v` is a constant tensor of float zeros.
bool isZeroConstant(Value v) {
  auto cst = v.getDefiningOp<ConstantOp>();
  if (!cst)
    return false;
  auto dense = dyn_cast<DenseElementsAttr>(cst.getValue());
  return dense && dense.isSplat() && isa<FloatType>(dense.getElementType()) &&
         dense.getSplatValue<APFloat>().isPosZero();
}

/// nn.max_pool's gradient rule writes `scatter_elements {add}` of the output
/// gradient into zeros at the flat argmax of every window
/// (nn.max_pool_indices). That scatter is a scalar loop that reads and
/// writes one element per window in order (and starts from a zero copy).
/// When the windows tile the input exactly (stride = kernel, no padding or
/// dilation: the usual 2x2 stride 2, and global pooling), each input
/// element lies in exactly one window, and a gather form computes every
/// element on its own: the
/// window's gradient where the element is the window's argmax, else 0, all
/// read through indexing maps (parallel, vectorized, no index to check). A
/// window of at most kInlineArgmax elements finds its argmax again from the
/// input (strided slices of it), so nn.max_pool_indices' scalar reduction
/// goes unused; a larger one compares with the indices. Other windows keep
/// the scatter: a gather over every window that can hold an element reads
/// through tensor.extract, which the CPU strategy leaves scalar, and was
/// measured 1.6-2x slower than the scatter for 3x3 windows at stride 2.
struct MaxPoolGradientGather : OpConversionPattern<ScatterElementsOp> {
  static constexpr int64_t kInlineArgmax = 16;
  MaxPoolGradientGather(MLIRContext *ctx) : OpConversionPattern(ctx, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(ScatterElementsOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto dataType = cast<RankedTensorType>(op.getData().getType());
    MaxPoolIndicesOp pool = flatPoolIndices(op.getIndices());
    if (op.getReduction() != "add" || op.getAxis() != 0 || dataType.getRank() != 1 || !pool ||
        !isZeroConstant(op.getData()))
      return rewriter.notifyMatchFailure(op, "not a max pooling's gradient scatter");
    RankedTensorType inType = pool.getInput().getType(), poolType = pool.getType();
    auto updType = cast<RankedTensorType>(op.getUpdates().getType());
    if (dataType.getNumElements() != inType.getNumElements() || updType.getRank() != 1 ||
        updType.getNumElements() != poolType.getNumElements())
      return rewriter.notifyMatchFailure(op, "shapes of another scatter");
    int64_t k = inType.getRank() - 2;
    ArrayRef<int64_t> kernel = pool.getKernelShape(), strides = pool.getStrides(),
                      pads = pool.getPads(), dil = pool.getDilations();
    ArrayRef<int64_t> in = inType.getShape().drop_front(2), out = poolType.getShape().drop_front(2);
    bool tiles = true;
    int64_t volume = 1;
    for (int64_t i = 0; i < k; ++i) {
      // (One window per dim, a global pooling's, tiles whatever its stride.)
      tiles &= (strides[i] == kernel[i] || out[i] == 1) && dil[i] == 1 && pads[i] == 0 &&
               pads[k + i] == 0 && in[i] == out[i] * kernel[i];
      volume *= kernel[i];
    }
    if (!tiles)
      return rewriter.notifyMatchFailure(op, "windows that do not tile the input");

    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Type elem = dataType.getElementType();
    SmallVector<ReassociationIndices> all(1);
    for (int64_t d = 0; d < poolType.getRank(); ++d)
      all[0].push_back(d);
    Value idx = rewriter.create<tensor::ExpandShapeOp>(loc, poolType, adaptor.getIndices(), all);
    Value dy = rewriter.create<tensor::ExpandShapeOp>(loc, poolType.clone(elem),
                                                      adaptor.getUpdates(), all);
    int64_t channels = inType.getDimSize(1);
    // The row-major flat position of input element `at` (batch, channel,
    // spatial), as nn.max_pool_indices numbers it.
    auto flatOf = [&](OpBuilder &b, Location l, ArrayRef<Value> at) {
      auto c = [&](int64_t v) { return b.create<arith::ConstantIndexOp>(l, v).getResult(); };
      Value f = b.create<arith::AddIOp>(l, b.create<arith::MulIOp>(l, at[0], c(channels)), at[1]);
      for (int64_t i = 0; i < k; ++i)
        f = b.create<arith::AddIOp>(l, b.create<arith::MulIOp>(l, f, c(in[i])), at[2 + i]);
      return b.create<arith::IndexCastOp>(l, b.getI64Type(), f).getResult();
    };
    Value zero = scalar(rewriter, loc, elem, 0);

    // Iterate [N, C, O0, K0, O1, K1, ...]: spatial position o * K + w
    // reads window o.
    SmallVector<int64_t> shape{inType.getDimSize(0), channels};
    SmallVector<AffineExpr> winExprs{getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)};
    SmallVector<ReassociationIndices> groups{{0}, {1}};
    for (int64_t i = 0; i < k; ++i) {
      shape.append({out[i], kernel[i]});
      winExprs.push_back(getAffineDimExpr(2 + 2 * i, ctx));
      groups.push_back({2 + 2 * i, 3 + 2 * i});
    }
    auto viewType = RankedTensorType::get(shape, elem);
    AffineMap win = AffineMap::get(shape.size(), 0, winExprs, ctx);
    Value view;
    if (volume <= kInlineArgmax) {
      // The window's first maximum, found again from the pooled input by
      // reading the whole window: element j wins when it is not NaN, no
      // earlier element is >= it and no later one > it (nn.max_pool_indices'
      // choice: the first of the largest non-NaN values). The indices op is
      // then left without a use, and the generic vectorizes.
      Value x = rewriter.create<tensor::ExpandShapeOp>(
          loc, viewType, rewriter.getRemappedValue(pool.getInput()), groups);
      SmallVector<Value> inputs{x, dy};
      SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(shape.size()), win};
      // Window element n of every window: a strided slice of the view,
      // read like the window's gradient.
      SmallVector<int64_t> offset(k, 0), sliceSizes(shape);
      for (int64_t i = 0; i < k; ++i)
        sliceSizes[3 + 2 * i] = 1;
      SmallVector<int64_t> ones(shape.size(), 1);
      auto sliceType = cast<RankedTensorType>(dy.getType());
      for (int64_t n = 0; n < volume; ++n) {
        SmallVector<int64_t> offsets(shape.size(), 0);
        for (int64_t i = 0; i < k; ++i)
          offsets[3 + 2 * i] = offset[i];
        inputs.push_back(rewriter.create<tensor::ExtractSliceOp>(
            loc, sliceType, x, ValueRange{}, ValueRange{}, ValueRange{},
            rewriter.getDenseI64ArrayAttr(offsets), rewriter.getDenseI64ArrayAttr(sliceSizes),
            rewriter.getDenseI64ArrayAttr(ones)));
        maps.push_back(win);
        for (int64_t i = k - 1; i >= 0; --i) {
          if (++offset[i] < kernel[i])
            break;
          offset[i] = 0;
        }
      }
      view = elementwise(
          rewriter, loc, viewType, inputs,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            auto c = [&](int64_t v) { return b.create<arith::ConstantIndexOp>(l, v).getResult(); };
            // j: this element's row-major position in its window.
            Value j = c(0);
            for (int64_t i = 0; i < k; ++i)
              j = b.create<arith::AddIOp>(l, b.create<arith::MulIOp>(l, j, c(kernel[i])),
                                          b.create<linalg::IndexOp>(l, 3 + 2 * i));
            Value self = a[0];
            Value wins = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::ORD, self, self);
            for (int64_t n = 0; n < volume; ++n) {
              Value before = b.create<arith::CmpIOp>(l, CmpIPredicate::ult, c(n), j);
              Value ge = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGE, a[2 + n], self);
              Value gt = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, a[2 + n], self);
              Value beaten = b.create<arith::SelectOp>(l, before, ge, gt);
              wins = b.create<arith::AndIOp>(
                  l, wins,
                  b.create<arith::XOrIOp>(l, beaten, b.create<arith::ConstantIntOp>(l, 1, 1)));
            }
            return b.create<arith::SelectOp>(l, wins, a[1], zero);
          },
          maps);
    } else {
      view = elementwise(
          rewriter, loc, viewType, ValueRange{idx, dy},
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            auto c = [&](int64_t v) { return b.create<arith::ConstantIndexOp>(l, v).getResult(); };
            SmallVector<Value> at{b.create<linalg::IndexOp>(l, 0), b.create<linalg::IndexOp>(l, 1)};
            for (int64_t i = 0; i < k; ++i)
              at.push_back(b.create<arith::AddIOp>(
                  l,
                  b.create<arith::MulIOp>(l, b.create<linalg::IndexOp>(l, 2 + 2 * i), c(kernel[i])),
                  b.create<linalg::IndexOp>(l, 3 + 2 * i)));
            Value mine = b.create<arith::CmpIOp>(l, CmpIPredicate::eq, a[0], flatOf(b, l, at));
            return b.create<arith::SelectOp>(l, mine, a[1], zero);
          },
          {win, win});
    }
    // Row-major [N, C, O0, K0, ...] is row-major [N, C, S0, ...]: the flat
    // data the scatter wrote.
    SmallVector<ReassociationIndices> flat(1);
    for (int64_t d = 0; d < viewType.getRank(); ++d)
      flat[0].push_back(d);
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(op, dataType, view, flat);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// MaxUnpool
//===----------------------------------------------------------------------===//

struct MaxUnpoolLowering : OpConversionPattern<MaxUnpoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(MaxUnpoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Emitter e(rewriter, op);
    Location loc = op.getLoc();
    Value x = adaptor.getInput(), indices = adaptor.getIndices();
    auto inType = cast<RankedTensorType>(x.getType());
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank(), k = rank - 2;
    for (int64_t d = 0; d < rank; ++d)
      e.require(e.eq(e.dimI64(indices, d), e.dimI64(x, d)),
                "expects indices of the input's shape, found dim " + Twine(d) + " differing");
    // The indices are flat positions in the unpooled shape the kernel,
    // strides and pads give (MaxPool's input); output_shape may only add
    // room after it (ONNX's padding), so each index keeps its coordinates.
    SmallVector<Value> unpooled{e.dimI64(x, 0), e.dimI64(x, 1)}, dims;
    for (int64_t i = 0; i < k; ++i) {
      Value d = e.mul(e.sub(e.dimI64(x, 2 + i), e.i64(1)), e.i64(op.getStrides()[i]));
      unpooled.push_back(
          e.add(d, e.i64(op.getKernelShape()[i] - op.getPads()[i] - op.getPads()[k + i])));
    }
    Value ok = e.yes();
    for (Value d : unpooled)
      ok = e.both(ok, e.ge(d, e.i64(0)));
    e.require(ok, "expects a non-negative unpooled size from the kernel, strides and pads");
    dims = unpooled;
    if (adaptor.getOutputShape()) {
      dims = e.all(adaptor.getOutputShape());
      Value fits = e.both(e.eq(dims[0], unpooled[0]), e.eq(dims[1], unpooled[1]));
      for (int64_t d = 2; d < rank; ++d)
        fits = e.both(fits, e.ge(dims[d], unpooled[d]));
      e.require(fits, "expects an output_shape with the input's N and C and spatial sizes no "
                      "smaller than the unpooled ones, found another");
    }
    e.requireStatic(type, dims, "the result");
    e.requireAllocatable(type, dims);
    Value total = e.i64(1);
    for (Value d : unpooled)
      total = e.mul(total, d);
    ok = allOf(rewriter, loc, indices, [&](OpBuilder &b, Location, Value v, ValueRange) {
      Emitter in(b, op);
      return in.both(in.ge(v, in.i64(0)), in.lt(v, total));
    });
    e.require(ok, "expects indices in [0, the unpooled element count), found one outside");
    // Written in place at the coordinates of each flat index (a reshape of a
    // flat result would need an expand_shape to run-time sizes).
    Value result = filled(rewriter, loc, type, scalar(rewriter, loc, type.getElementType(), 0),
                          e.dynamicSizes(type, dims));
    SmallVector<Value> divisors;
    for (Value d : unpooled)
      divisors.push_back(e.toIdx(e.max(d, e.i64(1))));
    SmallVector<Value> ubs;
    for (int64_t d = 0; d < inType.getRank(); ++d)
      ubs.push_back(e.dimIdx(x, d));
    scf::ValueVector r = loopNest(
        rewriter, loc, ubs, {result},
        [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange args) -> scf::ValueVector {
          Emitter in(b, op);
          Value i = b.create<tensor::ExtractOp>(l, indices, ivs);
          Value f = in.toIdx(in.clamp(i, in.i64(0), in.max(in.sub(total, in.i64(1)), in.i64(0))));
          SmallVector<Value> at(rank);
          for (int64_t d = rank - 1; d >= 0; --d) {
            at[d] = b.create<arith::RemUIOp>(l, f, divisors[d]);
            f = b.create<arith::DivUIOp>(l, f, divisors[d]);
          }
          Value v = b.create<tensor::ExtractOp>(l, x, ivs);
          return {b.create<tensor::InsertOp>(l, v, args[0], at).getResult()};
        });
    rewriter.replaceOp(op, r[0]);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// NonMaxSuppression
//===----------------------------------------------------------------------===//

/// Box `i` of batch entry `bi` as (y1, x1, y2, x2) with y1 <= y2, x1 <= x2.
std::array<Value, 4> corners(OpBuilder &b, Location l, Value boxes, Value bi, Value i,
                             bool center) {
  std::array<Value, 4> v;
  for (int64_t c = 0; c < 4; ++c)
    v[c] = b.create<tensor::ExtractOp>(l, boxes,
                                       ValueRange{bi, i, b.create<arith::ConstantIndexOp>(l, c)});
  if (center) {
    // [x_center, y_center, width, height].
    Value half = scalar(b, l, v[0].getType(), 0.5);
    Value hw = b.create<arith::MulFOp>(l, v[2], half), hh = b.create<arith::MulFOp>(l, v[3], half);
    return {b.create<arith::SubFOp>(l, v[1], hh), b.create<arith::SubFOp>(l, v[0], hw),
            b.create<arith::AddFOp>(l, v[1], hh), b.create<arith::AddFOp>(l, v[0], hw)};
  }
  return {b.create<arith::MinimumFOp>(l, v[0], v[2]), b.create<arith::MinimumFOp>(l, v[1], v[3]),
          b.create<arith::MaximumFOp>(l, v[0], v[2]), b.create<arith::MaximumFOp>(l, v[1], v[3])};
}

/// True when the intersection over union of boxes `p` and `q` is above
/// `threshold` (never for a box of no area).
Value overlaps(OpBuilder &b, Location l, std::array<Value, 4> p, std::array<Value, 4> q,
               Value threshold) {
  Type t = threshold.getType();
  Value zero = scalar(b, l, t, 0);
  auto sub = [&](Value x, Value y) { return b.create<arith::SubFOp>(l, x, y).getResult(); };
  auto mul = [&](Value x, Value y) { return b.create<arith::MulFOp>(l, x, y).getResult(); };
  auto maxf = [&](Value x, Value y) { return b.create<arith::MaximumFOp>(l, x, y).getResult(); };
  auto minf = [&](Value x, Value y) { return b.create<arith::MinimumFOp>(l, x, y).getResult(); };
  Value ih = maxf(sub(minf(p[2], q[2]), maxf(p[0], q[0])), zero);
  Value iw = maxf(sub(minf(p[3], q[3]), maxf(p[1], q[1])), zero);
  Value inter = mul(ih, iw);
  Value ap = mul(sub(p[2], p[0]), sub(p[3], p[1])), aq = mul(sub(q[2], q[0]), sub(q[3], q[1]));
  Value uni = sub(b.create<arith::AddFOp>(l, ap, aq), inter);
  auto gt = [&](Value x, Value y) {
    return b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, x, y).getResult();
  };
  Value areas = b.create<arith::AndIOp>(l, b.create<arith::AndIOp>(l, gt(ap, zero), gt(aq, zero)),
                                        gt(uni, zero));
  Value safe = b.create<arith::SelectOp>(l, areas, uni, scalar(b, l, t, 1));
  Value iou = b.create<arith::DivFOp>(l, inter, safe);
  return b.create<arith::AndIOp>(l, areas, gt(iou, threshold));
}

struct NonMaxSuppressionLowering : OpConversionPattern<NonMaxSuppressionOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(NonMaxSuppressionOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Emitter e(rewriter, op);
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value boxes = adaptor.getBoxes(), scores = adaptor.getScores();
    auto scoreType = cast<RankedTensorType>(scores.getType());
    Type i64 = rewriter.getI64Type();
    bool center = op.getCenterPointBox();
    e.require(e.both(e.eq(e.dimI64(scores, 0), e.dimI64(boxes, 0)),
                     e.eq(e.dimI64(scores, 2), e.dimI64(boxes, 1))),
              "expects scores of shape B x C x S for boxes of shape B x S x 4, found another");
    e.require(e.eq(e.dimI64(boxes, 2), e.i64(4)), "expects 4 coordinates per box");
    Value nBoxes = e.dimI64(boxes, 1);
    Value maxOut = e.clamp(e.only(adaptor.getMaxOutputBoxesPerClass()), e.i64(0), nBoxes);
    Value iouT = e.only(adaptor.getIouThreshold()), scoreT = e.only(adaptor.getScoreThreshold());

    // rank[b, c, i]: how many boxes score higher (equal: lower index).
    auto rankType = RankedTensorType::get(scoreType.getShape(), i64);
    SmallVector<Value> dyn = dynamicSizes(rewriter, loc, scores);
    Value ranks = filled(rewriter, loc, rankType, e.i64(0), dyn);
    auto d = [&](int64_t k) { return getAffineDimExpr(k, ctx); };
    SmallVector<utils::IteratorType> iters{
        utils::IteratorType::parallel, utils::IteratorType::parallel, utils::IteratorType::parallel,
        utils::IteratorType::reduction};
    AffineMap self = AffineMap::get(4, 0, {d(0), d(1), d(2)}, ctx),
              other = AffineMap::get(4, 0, {d(0), d(1), d(3)}, ctx);
    ranks =
        rewriter
            .create<linalg::GenericOp>(
                loc, rankType, ValueRange{scores, scores}, ranks,
                ArrayRef<AffineMap>{self, other, self}, iters,
                [&](OpBuilder &b, Location l, ValueRange a) {
                  Value i = b.create<linalg::IndexOp>(l, 2), m = b.create<linalg::IndexOp>(l, 3);
                  Value higher = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, a[1], a[0]);
                  Value tie = b.create<arith::AndIOp>(
                      l, b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OEQ, a[1], a[0]),
                      b.create<arith::CmpIOp>(l, CmpIPredicate::ult, m, i));
                  Value wins = b.create<arith::OrIOp>(l, higher, tie);
                  b.create<linalg::YieldOp>(
                      l, b.create<arith::AddIOp>(l, a[2],
                                                 b.create<arith::ExtUIOp>(l, b.getI64Type(), wins))
                             .getResult());
                })
            .getResult(0);
    // order[b, c, r]: the box of rank r.
    Value order = filled(rewriter, loc, rankType, e.i64(0), dyn);
    order = rewriter
                .create<linalg::GenericOp>(
                    loc, rankType, ranks, order, ArrayRef<AffineMap>{other, self}, iters,
                    [&](OpBuilder &b, Location l, ValueRange a) {
                      Value r = b.create<arith::IndexCastOp>(l, b.getI64Type(),
                                                             b.create<linalg::IndexOp>(l, 2));
                      Value i = b.create<arith::IndexCastOp>(l, b.getI64Type(),
                                                             b.create<linalg::IndexOp>(l, 3));
                      Value hit = b.create<arith::CmpIOp>(l, CmpIPredicate::eq, a[0], r);
                      b.create<linalg::YieldOp>(
                          l, b.create<arith::SelectOp>(l, hit, i, a[1]).getResult());
                    })
                .getResult(0);

    // Greedy selection per (b, c): selected[b, c, :count[b, c]].
    Value selected = filled(rewriter, loc, rankType, e.i64(0), dyn);
    auto countType = RankedTensorType::get(scoreType.getShape().take_front(2), i64);
    SmallVector<Value> countDyn;
    for (int64_t k = 0; k < 2; ++k)
      if (scoreType.isDynamicDim(k))
        countDyn.push_back(e.dimIdx(scores, k));
    Value counts = filled(rewriter, loc, countType, e.i64(0), countDyn);
    Value lastBox = e.toIdx(e.max(e.sub(nBoxes, e.i64(1)), e.i64(0)));
    SmallVector<Value> bc{e.dimIdx(scores, 0), e.dimIdx(scores, 1)};
    scf::ValueVector sel = loopNest(
        rewriter, loc, bc, {selected, counts, e.i64(0)},
        [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange args) -> scf::ValueVector {
          Emitter in(b, op);
          scf::ValueVector inner = loopNest(
              b, l, {in.dimIdx(scores, 2)}, {args[0], in.i64(0)},
              [&](OpBuilder &b2, Location l2, ValueRange t, ValueRange acc) -> scf::ValueVector {
                Emitter in2(b2, op);
                Value box =
                    b2.create<tensor::ExtractOp>(l2, order, ValueRange{ivs[0], ivs[1], t[0]});
                Value boxIdx = in2.toIdx(in2.clamp(box, in2.i64(0), in2.toI64(lastBox)));
                Value score =
                    b2.create<tensor::ExtractOp>(l2, scores, ValueRange{ivs[0], ivs[1], boxIdx});
                Value consider =
                    in2.both(b2.create<arith::CmpFOp>(l2, arith::CmpFPredicate::OGT, score, scoreT),
                             in2.lt(acc[1], maxOut));
                return ifThen(b2, l2, consider, acc, [&](OpBuilder &b3, Location l3) {
                  Emitter in3(b3, op);
                  std::array<Value, 4> p = corners(b3, l3, boxes, ivs[0], boxIdx, center);
                  scf::ValueVector sup = loopNest(
                      b3, l3, {in3.toIdx(acc[1])}, {b3.create<arith::ConstantIntOp>(l3, 0, 1)},
                      [&](OpBuilder &b4, Location l4, ValueRange u,
                          ValueRange s) -> scf::ValueVector {
                        Value other = b4.create<tensor::ExtractOp>(
                            l4, acc[0], ValueRange{ivs[0], ivs[1], u[0]});
                        Value otherIdx =
                            b4.create<arith::IndexCastOp>(l4, b4.getIndexType(), other);
                        std::array<Value, 4> q = corners(b4, l4, boxes, ivs[0], otherIdx, center);
                        return {b4.create<arith::OrIOp>(l4, s[0], overlaps(b4, l4, p, q, iouT))
                                    .getResult()};
                      });
                  Value keep = b3.create<arith::XOrIOp>(l3, sup[0],
                                                        b3.create<arith::ConstantIntOp>(l3, 1, 1));
                  return ifThen(b3, l3, keep, acc, [&](OpBuilder &b4, Location l4) {
                    Emitter in4(b4, op);
                    Value at = in4.toIdx(in4.min(acc[1], in4.toI64(lastBox)));
                    Value s = b4.create<tensor::InsertOp>(l4, box, acc[0],
                                                          ValueRange{ivs[0], ivs[1], at});
                    return scf::ValueVector{s, in4.add(acc[1], in4.i64(1))};
                  });
                });
              });
          Value c = b.create<tensor::InsertOp>(l, inner[1], args[1], ivs);
          return {inner[0], c, in.add(args[2], inner[1])};
        });

    // The rows [b, c, box].
    RankedTensorType type = op.getType();
    Value total = sel[2];
    Value out = emptyTensor(rewriter, loc, type, e.dynamicSizes(type, {total, e.i64(3)}));
    Value lastRow = e.toIdx(e.max(e.sub(total, e.i64(1)), e.i64(0)));
    scf::ValueVector rows = loopNest(
        rewriter, loc, bc, {out, e.idx(0)},
        [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange args) -> scf::ValueVector {
          Emitter in(b, op);
          Value n = in.toIdx(b.create<tensor::ExtractOp>(l, sel[1], ivs));
          return loopNest(
              b, l, {n}, args,
              [&](OpBuilder &b2, Location l2, ValueRange u, ValueRange acc) -> scf::ValueVector {
                Emitter in2(b2, op);
                Value row = b2.create<arith::MinSIOp>(l2, acc[1], lastRow);
                Value box =
                    b2.create<tensor::ExtractOp>(l2, sel[0], ValueRange{ivs[0], ivs[1], u[0]});
                Value t = acc[0];
                Value vals[3] = {in2.toI64(ivs[0]), in2.toI64(ivs[1]), box};
                for (int64_t c = 0; c < 3; ++c)
                  t = b2.create<tensor::InsertOp>(l2, vals[c], t, ValueRange{row, in2.idx(c)});
                return scf::ValueVector{t, in2.b.create<arith::AddIOp>(l2, acc[1], in2.idx(1))};
              });
        });
    rewriter.replaceOp(op, rows[0]);
    return success();
  }
};

} // namespace

void kiln::populateNNToLinalgIndexingPoolPatterns(RewritePatternSet &patterns) {
  patterns.add<MaxPoolIndicesLowering, MaxPoolGradientGather, MaxUnpoolLowering,
               NonMaxSuppressionLowering>(patterns.getContext());
}
