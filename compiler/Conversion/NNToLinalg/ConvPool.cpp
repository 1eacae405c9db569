//===- ConvPool.cpp - convolution and pooling to linalg ------------------===//
//
// 2-D (and 1-D, widened to 2-D) convolution and pooling use the named linalg
// ops the CPU pipeline tiles (im2col for conv_2d_nchw_fchw); 3-D ones are one
// generic each. Padding is a filled tensor with the input inserted.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NNToLinalg/IndexingUtils.h"
#include "compiler/Conversion/NNToLinalg/NNToLinalg.h"
#include "compiler/Conversion/NNToLinalg/NNToLinalgUtils.h"
#include "dialects/NN/IR/NNOps.h"

#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::nn;
using namespace kiln::nntolinalg;

namespace {

/// Inserts a unit dim at index 2 of a rank-3 NC[W] tensor, giving NC1W, so
/// 1-D windows reuse the 2-D lowering.
Value expandTo2D(OpBuilder &b, Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  auto type = RankedTensorType::get({t.getDimSize(0), t.getDimSize(1), 1, t.getDimSize(2)},
                                    t.getElementType());
  return b.create<tensor::ExpandShapeOp>(
      loc, type, v, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
}

Value collapseFrom2D(OpBuilder &b, Location loc, Value v, RankedTensorType type) {
  return b.create<tensor::CollapseShapeOp>(
      loc, type, v, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
}

/// Fails the run unless every window fits its padded spatial dim where
/// that dim is dynamic (shape inference refuses static ones): the output
/// size `(in + pads - window) / stride + 1` would be negative, and the
/// result shapes clamp it to an empty tensor.
void requireWindowsFit(OpBuilder &b, Operation *op, Value input, ArrayRef<int64_t> kernel,
                       ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t sp = kernel.size();
  Emitter e(b, op);
  for (int64_t i = 0; i < sp; ++i) {
    if (!type.isDynamicDim(2 + i) || ShapedType::isDynamic(kernel[i]))
      continue;
    int64_t reach = (dilations.empty() ? 1 : dilations[i]) * (kernel[i] - 1) + 1;
    int64_t padded = pads[i] + pads[sp + i];
    e.require(e.ge(e.add(e.dimI64(input, 2 + i), e.i64(padded)), e.i64(reach)),
              "expects the window to fit in spatial dimension " + Twine(i) + " (padded " +
                  Twine(padded) + ", window " + Twine(reach) + "), found a smaller size");
  }
}

/// Window parameters widened to two spatial dims (1-D gets a unit H).
struct Window2D {
  SmallVector<int64_t> kernel, strides, dilations, low, high;
  Window2D(ArrayRef<int64_t> k, ArrayRef<int64_t> s, ArrayRef<int64_t> d,
           ArrayRef<int64_t> pads) {
    size_t n = k.size();
    if (n == 1) {
      kernel = {1, k[0]};
      strides = {1, s[0]};
      dilations = {1, d[0]};
      low = {0, pads[0]};
      high = {0, pads[1]};
    } else {
      kernel.assign(k.begin(), k.end());
      strides.assign(s.begin(), s.end());
      dilations.assign(d.begin(), d.end());
      low.assign(pads.begin(), pads.begin() + n);
      high.assign(pads.begin() + n, pads.end());
    }
  }
  /// Grows `high` so the padded input holds every window of `out`
  /// (ceil mode), given the unpadded spatial sizes `in`.
  void coverOutput(ArrayRef<int64_t> in, ArrayRef<int64_t> out) {
    for (int i = 0; i < 2; ++i) {
      int64_t needed = (out[i] - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1;
      int64_t have = in[i] + low[i] + high[i];
      if (needed > have)
        high[i] += needed - have;
    }
  }
};

DenseIntElementsAttr i64Vector(OpBuilder &b, ArrayRef<int64_t> values) {
  return b.getI64VectorAttr(values);
}

/// A 3-D (or any-rank) grouped convolution as one generic: iteration
/// dimensions (n, g, f, o..., c, k...), reading the padded input at
/// `o * stride + k * dilation` with channels split into [group, C/group].
Value conv3D(OpBuilder &b, Location loc, ConvOp op, ConvOp::Adaptor adaptor) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType outType = op.getType();
  Type elem = outType.getElementType();
  int64_t sp = outType.getRank() - 2, g = op.getGroup();
  ArrayRef<int64_t> pads = op.getPads();
  Value input = padSpatial(b, loc, adaptor.getInput(), pads.take_front(sp), pads.drop_front(sp),
                           scalar(b, loc, elem, 0));
  auto in = cast<RankedTensorType>(input.getType());
  auto wt = cast<RankedTensorType>(adaptor.getWeight().getType());
  int64_t n = in.getDimSize(0), c = in.getDimSize(1), f = wt.getDimSize(0);
  SmallVector<int64_t> gin{n, g, c / g}, gw{g, f / g, c / g}, gout{n, g, f / g};
  llvm::append_range(gin, in.getShape().drop_front(2));
  llvm::append_range(gw, wt.getShape().drop_front(2));
  llvm::append_range(gout, outType.getShape().drop_front(2));
  // [N, C, x...] -> [N, g, C/g, x...] and [F, C/g, k...] -> [g, F/g, C/g, k...].
  SmallVector<ReassociationIndices> splitChannels{{0}, {1, 2}}, splitFilters{{0, 1}, {2}};
  for (int64_t i = 0; i < sp; ++i) {
    splitChannels.push_back({3 + i});
    splitFilters.push_back({3 + i});
  }
  Value gInput = b.create<tensor::ExpandShapeOp>(loc, RankedTensorType::get(gin, elem), input,
                                                 splitChannels);
  Value gWeight = b.create<tensor::ExpandShapeOp>(loc, RankedTensorType::get(gw, elem),
                                                  adaptor.getWeight(), splitFilters);
  auto goutType = RankedTensorType::get(gout, elem);
  Value init;
  if (Value bias = adaptor.getBias()) {
    Value gBias = b.create<tensor::ExpandShapeOp>(
        loc, RankedTensorType::get({g, f / g}, elem), bias, ArrayRef<ReassociationIndices>{{0, 1}});
    AffineMap biasMap = AffineMap::get(3 + sp, 0, {getAffineDimExpr(1, ctx), getAffineDimExpr(2, ctx)}, ctx);
    init = copied(b, loc, goutType, gBias, {biasMap});
  } else {
    init = filled(b, loc, goutType, scalar(b, loc, elem, 0));
  }
  // Dims: n g f o_0.. o_{sp-1} c k_0.. k_{sp-1}.
  int64_t dims = 4 + 2 * sp;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> inExprs{d(0), d(1), d(3 + sp)}, wExprs{d(1), d(2), d(3 + sp)},
      outExprs{d(0), d(1), d(2)};
  for (int64_t i = 0; i < sp; ++i) {
    inExprs.push_back(d(3 + i) * op.getStrides()[i] + d(4 + sp + i) * op.getDilations()[i]);
    wExprs.push_back(d(4 + sp + i));
    outExprs.push_back(d(3 + i));
  }
  SmallVector<AffineMap> maps{AffineMap::get(dims, 0, inExprs, ctx),
                              AffineMap::get(dims, 0, wExprs, ctx),
                              AffineMap::get(dims, 0, outExprs, ctx)};
  SmallVector<utils::IteratorType> iters(3 + sp, utils::IteratorType::parallel);
  iters.append(1 + sp, utils::IteratorType::reduction);
  Value conv = b.create<linalg::GenericOp>(
                    loc, goutType, ValueRange{gInput, gWeight}, init, maps, iters,
                    [&](OpBuilder &nb, Location l, ValueRange args) {
                      nb.create<linalg::YieldOp>(l, multiplyAdd(nb, l, args[2], args[0], args[1]));
                    })
                   .getResult(0);
  return b.create<tensor::CollapseShapeOp>(loc, outType, conv, splitChannels);
}

struct ConvLowering : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType outType = op.getType();
    Type elem = outType.getElementType();
    requireWindowsFit(rewriter, op, adaptor.getInput(),
                      op.getWeight().getType().getShape().drop_front(2), op.getDilations(),
                      op.getPads());
    if (outType.getRank() == 5) {
      rewriter.replaceOp(op, conv3D(rewriter, loc, op, adaptor));
      return success();
    }
    bool is1D = outType.getRank() == 3;
    Value input = adaptor.getInput(), weight = adaptor.getWeight();
    if (is1D) {
      input = expandTo2D(rewriter, loc, input);
      weight = expandTo2D(rewriter, loc, weight);
    }
    Window2D w(cast<RankedTensorType>(op.getWeight().getType()).getShape().drop_front(2),
               op.getStrides(), op.getDilations(), op.getPads());
    input = padSpatial(rewriter, loc, input, w.low, w.high, scalar(rewriter, loc, elem, 0));

    auto in = cast<RankedTensorType>(input.getType());
    auto wt = cast<RankedTensorType>(weight.getType());
    int64_t n = in.getDimSize(0), c = in.getDimSize(1), f = wt.getDimSize(0);
    int64_t oh = is1D ? 1 : outType.getDimSize(2), ow = outType.getShape().back();
    int64_t g = op.getGroup();
    auto out2D = RankedTensorType::get({n, f, oh, ow}, elem);
    // The result's dynamic sizes (batch, spatial) are out2D's; the channels
    // are checked against the weight's.
    SmallVector<Value> dyn = *resultSizes(rewriter, op);
    if (ShapedType::isDynamic(c))
      assertEqual(rewriter, loc, op, rewriter.create<tensor::DimOp>(loc, input, 1),
                  rewriter.create<arith::ConstantIndexOp>(loc, wt.getDimSize(1) * g),
                  "expects the input channels to equal the weight's times group");

    // The accumulator starts as the bias broadcast along channels, or zero.
    Value init;
    if (Value bias = adaptor.getBias()) {
      AffineMap biasMap = AffineMap::get(4, 0, getAffineDimExpr(1, ctx), ctx);
      init = copied(rewriter, loc, out2D, bias, {biasMap}, dyn);
    } else {
      init = filled(rewriter, loc, out2D, scalar(rewriter, loc, elem, 0), dyn);
    }
    Attribute strides = i64Vector(rewriter, w.strides);
    Attribute dilations = i64Vector(rewriter, w.dilations);
    Value result;
    if (g == 1) {
      result = rewriter
                   .create<linalg::Conv2DNchwFchwOp>(loc, TypeRange{out2D},
                                                     ValueRange{input, weight}, init,
                                                     strides, dilations)
                   .getResult(0);
    } else {
      // Split channels into [group, channels per group].
      int64_t cg = wt.getDimSize(1);
      auto gin = RankedTensorType::get({n, g, cg, in.getDimSize(2), in.getDimSize(3)}, elem);
      auto gw = RankedTensorType::get({g, f / g, wt.getDimSize(1), wt.getDimSize(2), wt.getDimSize(3)}, elem);
      auto gout = RankedTensorType::get({n, g, f / g, oh, ow}, elem);
      if (ShapedType::isDynamic(c))
        input = rewriter.create<tensor::CastOp>(
            loc, RankedTensorType::get({n, cg * g, in.getDimSize(2), in.getDimSize(3)}, elem),
            input);
      Value gInput = rewriter.create<tensor::ExpandShapeOp>(
          loc, gin, input, ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
      Value gWeight = rewriter.create<tensor::ExpandShapeOp>(
          loc, gw, weight, ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
      Value gInit = rewriter.create<tensor::ExpandShapeOp>(
          loc, gout, init, ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
      Value conv = rewriter
                       .create<linalg::Conv2DNgchwGfchwOp>(loc, TypeRange{gout},
                                                           ValueRange{gInput, gWeight}, gInit,
                                                           strides, dilations)
                       .getResult(0);
      result = rewriter.create<tensor::CollapseShapeOp>(
          loc, out2D, conv, ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
    }
    if (is1D)
      result = collapseFrom2D(rewriter, loc, result, outType);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Shared by max and average pooling: widens to 2-D, pads, and runs the named
/// pooling op `PoolOp` from `initValue`.
template <typename PoolOp>
Value pool2D(OpBuilder &b, Location loc, Value input, RankedTensorType outType,
             Window2D &w, Value padValue, Value initValue, ValueRange dynSizes) {
  bool is1D = outType.getRank() == 3;
  if (is1D)
    input = expandTo2D(b, loc, input);
  auto in = cast<RankedTensorType>(input.getType());
  int64_t oh = is1D ? 1 : outType.getDimSize(2), ow = outType.getShape().back();
  // Dynamic spatial sizes come without ceil mode (needsStaticSizes), whose
  // windows never pass the padded input.
  if (!in.isDynamicDim(2) && !in.isDynamicDim(3))
    w.coverOutput({in.getDimSize(2), in.getDimSize(3)}, {oh, ow});
  input = padSpatial(b, loc, input, w.low, w.high, padValue);
  Type elem = outType.getElementType();
  auto out2D = RankedTensorType::get({in.getDimSize(0), in.getDimSize(1), oh, ow}, elem);
  Value init = filled(b, loc, out2D, initValue, dynSizes);
  Value window = b.create<tensor::EmptyOp>(loc, w.kernel, elem);
  Value result = b.create<PoolOp>(loc, TypeRange{out2D}, ValueRange{input, window}, init,
                                  i64Vector(b, w.strides), i64Vector(b, w.dilations))
                     .getResult(0);
  return is1D ? collapseFrom2D(b, loc, result, outType) : result;
}

/// A 3-D (or any-rank) max or sum pooling as one generic over
/// (n, c, o..., k...), the window's shape given by an empty tensor operand.
/// The end padding grows to hold every window of the result (ceil mode).
template <typename PoolOp>
Value poolND(OpBuilder &b, Location loc, PoolOp op, Value input, ArrayRef<int64_t> dilations,
             Value padValue, Value initValue, bool isMax) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType outType = op.getType();
  Type elem = outType.getElementType();
  auto inType = cast<RankedTensorType>(input.getType());
  int64_t sp = outType.getRank() - 2;
  ArrayRef<int64_t> kernel = op.getKernelShape(), strides = op.getStrides(), pads = op.getPads();
  SmallVector<int64_t> low(pads.take_front(sp)), high(pads.drop_front(sp));
  for (int64_t i = 0; i < sp; ++i) {
    int64_t needed =
        (outType.getDimSize(2 + i) - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1;
    int64_t have = inType.getDimSize(2 + i) + low[i] + high[i];
    if (needed > have)
      high[i] += needed - have;
  }
  Value padded = padSpatial(b, loc, input, low, high, padValue);
  Value window = b.create<tensor::EmptyOp>(loc, kernel, elem);
  Value init = filled(b, loc, outType, initValue);
  int64_t dims = 2 + 2 * sp;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> inExprs{d(0), d(1)}, winExprs, outExprs{d(0), d(1)};
  for (int64_t i = 0; i < sp; ++i) {
    inExprs.push_back(d(2 + i) * strides[i] + d(2 + sp + i) * dilations[i]);
    winExprs.push_back(d(2 + sp + i));
    outExprs.push_back(d(2 + i));
  }
  SmallVector<AffineMap> maps{AffineMap::get(dims, 0, inExprs, ctx),
                              AffineMap::get(dims, 0, winExprs, ctx),
                              AffineMap::get(dims, 0, outExprs, ctx)};
  SmallVector<utils::IteratorType> iters(2 + sp, utils::IteratorType::parallel);
  iters.append(sp, utils::IteratorType::reduction);
  return b
      .create<linalg::GenericOp>(
          loc, outType, ValueRange{padded, window}, init, maps, iters,
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value r = isMax ? maxOf(nb, l, args[2], args[0])
                            : nb.create<arith::AddFOp>(l, args[2], args[0]).getResult();
            nb.create<linalg::YieldOp>(l, r);
          })
      .getResult(0);
}

/// The divisor of each output position of an average pool, computed at
/// compile time since shapes are static: per spatial dimension the window's
/// overlap with the input (plus the explicit padding when
/// `count_include_pad`, never the ceil-mode overhang), multiplied together.
SmallVector<float> averageDivisors(ArrayRef<int64_t> in, ArrayRef<int64_t> out,
                                   ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                                   ArrayRef<int64_t> pads, bool includePad) {
  int64_t sp = in.size(), total = 1;
  for (int64_t o : out)
    total *= o;
  SmallVector<float> divisors;
  for (int64_t flat = 0; flat < total; ++flat) {
    int64_t rest = flat, count = 1;
    for (int64_t i = sp - 1; i >= 0; --i) {
      int64_t idx = rest % out[i];
      rest /= out[i];
      int64_t start = idx * strides[i] - pads[i];
      int64_t end = start + kernel[i];
      int64_t lo = includePad ? -pads[i] : 0;
      int64_t hi = includePad ? in[i] + pads[sp + i] : in[i];
      count *= std::max<int64_t>(0, std::min(end, hi) - std::max(start, lo));
    }
    divisors.push_back(static_cast<float>(count));
  }
  return divisors;
}

struct MaxPoolLowering : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type elem = op.getType().getElementType();
    Value neg = extreme(rewriter, loc, elem, /*largest=*/false);
    requireWindowsFit(rewriter, op, adaptor.getInput(), op.getKernelShape(), op.getDilations(),
                      op.getPads());
    // Integers (static shapes only, needsStaticSizes) take the generic form:
    // linalg.pooling_nchw_max is a signed or float max.
    if (op.getType().getRank() == 5 || !isFloat(elem)) {
      rewriter.replaceOp(op, poolND(rewriter, loc, op, adaptor.getInput(), op.getDilations(), neg,
                                    neg, true));
      return success();
    }
    Window2D w(op.getKernelShape(), op.getStrides(), op.getDilations(), op.getPads());
    rewriter.replaceOp(op, pool2D<linalg::PoolingNchwMaxOp>(rewriter, loc, adaptor.getInput(),
                                                            op.getType(), w, neg, neg,
                                                            *resultSizes(rewriter, op)));
    return success();
  }
};

/// An average pool's sums over dynamic spatial sizes (no ceil mode:
/// needsStaticSizes), each divided by its window's count computed at run
/// time from the output position: the kernel size with
/// `count_include_pad` (no window passes the padded input), else per
/// spatial dim `min(start + k, in) - max(start, 0)` for `start = o * stride -
/// pad`, multiplied together.
Value dividedByWindowCounts(OpBuilder &b, Location loc, AveragePoolOp op, Value input, Value sum) {
  auto outType = cast<RankedTensorType>(sum.getType());
  Type elem = outType.getElementType();
  ArrayRef<int64_t> kernel = op.getKernelShape(), strides = op.getStrides(), pads = op.getPads();
  int64_t sp = kernel.size();
  if (op.getCountIncludePad()) {
    int64_t count = 1;
    for (int64_t k : kernel)
      count *= k;
    Value divisor = scalar(b, loc, elem, static_cast<double>(count));
    return elementwise(b, loc, outType, sum, [&](OpBuilder &nb, Location l, ValueRange args) {
      return nb.create<arith::DivFOp>(l, args[0], divisor).getResult();
    });
  }
  SmallVector<Value> inSizes;
  for (int64_t i = 0; i < sp; ++i)
    inSizes.push_back(b.create<tensor::DimOp>(loc, input, 2 + i));
  return elementwise(b, loc, outType, sum, [&](OpBuilder &nb, Location l, ValueRange args) {
    auto index = [&](int64_t v) { return nb.create<arith::ConstantIndexOp>(l, v).getResult(); };
    Value count = index(1);
    for (int64_t i = 0; i < sp; ++i) {
      Value o = nb.create<linalg::IndexOp>(l, 2 + i);
      Value start = nb.create<arith::SubIOp>(l, nb.create<arith::MulIOp>(l, o, index(strides[i])),
                                             index(pads[i]));
      Value end = nb.create<arith::AddIOp>(l, start, index(kernel[i]));
      Value lo = nb.create<arith::MaxSIOp>(l, start, index(0));
      Value hi = nb.create<arith::MinSIOp>(l, end, inSizes[i]);
      Value n = nb.create<arith::MaxSIOp>(l, nb.create<arith::SubIOp>(l, hi, lo), index(0));
      count = nb.create<arith::MulIOp>(l, count, n);
    }
    Value asInt = nb.create<arith::IndexCastOp>(l, nb.getI64Type(), count);
    Value asFloat = nb.create<arith::SIToFPOp>(l, nb.getF32Type(), asInt);
    return nb.create<arith::DivFOp>(l, args[0], convertElement(nb, l, asFloat, elem)).getResult();
  });
}

struct AveragePoolLowering : OpConversionPattern<AveragePoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AveragePoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType outType = op.getType();
    Type elem = outType.getElementType();
    int64_t rank = outType.getRank();
    Value zero = scalar(rewriter, loc, elem, 0);
    SmallVector<int64_t> ones(op.getKernelShape().size(), 1);
    requireWindowsFit(rewriter, op, adaptor.getInput(), op.getKernelShape(), {}, op.getPads());
    Value sum;
    if (rank == 5) {
      sum = poolND(rewriter, loc, op, adaptor.getInput(), ones, zero, zero, false);
    } else {
      Window2D w(op.getKernelShape(), op.getStrides(), ones, op.getPads());
      sum = pool2D<linalg::PoolingNchwSumOp>(rewriter, loc, adaptor.getInput(), outType, w,
                                             zero, zero, *resultSizes(rewriter, op));
    }
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    if (llvm::any_of(inType.getShape().drop_front(2), ShapedType::isDynamic)) {
      rewriter.replaceOp(op, dividedByWindowCounts(rewriter, loc, op, adaptor.getInput(), sum));
      return success();
    }
    // Divide each sum by its window's count, a constant over the spatial dims.
    auto inShape = cast<RankedTensorType>(op.getInput().getType()).getShape().drop_front(2);
    ArrayRef<int64_t> outShape = outType.getShape().drop_front(2);
    SmallVector<float> divisors =
        averageDivisors(inShape, outShape, op.getKernelShape(), op.getStrides(), op.getPads(),
                        op.getCountIncludePad());
    auto divType = RankedTensorType::get(outShape, rewriter.getF32Type());
    Value div = rewriter.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(divType, ArrayRef<float>(divisors)));
    SmallVector<AffineExpr> divExprs;
    for (int64_t i = 2; i < rank; ++i)
      divExprs.push_back(getAffineDimExpr(i, ctx));
    SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank),
                                AffineMap::get(rank, 0, divExprs, ctx)};
    rewriter.replaceOp(op, elementwise(
                               rewriter, loc, outType, {sum, div},
                               [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                                 return b.create<arith::DivFOp>(
                                     l, args[0], convertElement(b, l, args[1], elem));
                               },
                               maps));
    return success();
  }
};

template <typename Op, bool IsMax>
struct GlobalPoolLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType outType = op.getType();
    Type elem = outType.getElementType();
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    SmallVector<int64_t> spatial = llvm::to_vector(llvm::seq<int64_t>(2, inType.getRank()));
    Value init = IsMax ? extreme(rewriter, loc, elem, /*largest=*/false) : scalar(rewriter, loc, elem, 0);
    Value reduced = reduce(rewriter, loc, adaptor.getInput(), spatial, init,
                           [](OpBuilder &b, Location l, Value acc, Value x) -> Value {
                             if (IsMax)
                               return b.create<arith::MaximumFOp>(l, acc, x);
                             return b.create<arith::AddFOp>(l, acc, x);
                           });
    if (!IsMax) {
      int64_t count = 1;
      bool dynamicCount = false;
      // A dynamic dim (kDynamic) is never multiplied in: counted at run time.
      for (int64_t d : spatial) {
        if (inType.isDynamicDim(d))
          dynamicCount = true;
        else
          count *= inType.getDimSize(d);
      }
      Value countV = dynamicCount
                         ? elementCount(rewriter, loc, adaptor.getInput(), spatial, elem)
                         : scalar(rewriter, loc, elem, static_cast<double>(count));
      reduced = elementwise(rewriter, loc, cast<RankedTensorType>(reduced.getType()), reduced,
                            [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                              return b.create<arith::DivFOp>(l, args[0], countV);
                            });
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, reduced, outType,
                                     *resultSizes(rewriter, op)));
    return success();
  }
};

} // namespace

void kiln::populateNNToLinalgConvPoolPatterns(RewritePatternSet &patterns) {
  patterns.add<ConvLowering, MaxPoolLowering, AveragePoolLowering,
               GlobalPoolLowering<GlobalAveragePoolOp, false>,
               GlobalPoolLowering<GlobalMaxPoolOp, true>>(patterns.getContext());
}
