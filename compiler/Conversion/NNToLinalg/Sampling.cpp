//===- Sampling.cpp - interpolation at computed coordinates --------------===//
//
// nn.dynamic_resize, nn.grid_sample and nn.roi_align: linalg.generics over
// the result whose bodies compute each output point's input coordinates
// (in f64), clamp every index into the input before a tensor.extract reads
// it, and blend the neighbours. Invalid sizes or indices are cf.asserts
// emitted before the generics (an error return, docs/model-abi.md).
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NNToLinalg/NNToLinalg.h"
#include "compiler/Conversion/NNToLinalg/NNToLinalgUtils.h"
#include "dialects/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::nn;
using namespace kiln::nntolinalg;

namespace {

using arith::CmpFPredicate;
using arith::CmpIPredicate;

/// f64 and i64 scalar arithmetic at one insertion point (the op's, or a
/// generic's body).
struct Calc {
  OpBuilder &b;
  Location loc;
  /// The float type of the arithmetic (f64 unless given).
  FloatType ft = {};

  FloatType fty() { return ft ? ft : b.getF64Type(); }
  Value f(double v) { return b.create<arith::ConstantOp>(loc, b.getFloatAttr(fty(), v)); }
  Value i(int64_t v) { return b.create<arith::ConstantIntOp>(loc, v, 64); }
  Value add(Value x, Value y) { return b.create<arith::AddFOp>(loc, x, y); }
  Value sub(Value x, Value y) { return b.create<arith::SubFOp>(loc, x, y); }
  Value mul(Value x, Value y) { return b.create<arith::MulFOp>(loc, x, y); }
  Value div(Value x, Value y) { return b.create<arith::DivFOp>(loc, x, y); }
  Value floor(Value x) { return b.create<math::FloorOp>(loc, x); }
  Value ceil(Value x) { return b.create<math::CeilOp>(loc, x); }
  Value abs(Value x) { return b.create<math::AbsFOp>(loc, x); }
  /// IEEE minNum/maxNum: a NaN operand yields the other one.
  Value minf(Value x, Value y) { return b.create<arith::MinNumFOp>(loc, x, y); }
  Value maxf(Value x, Value y) { return b.create<arith::MaxNumFOp>(loc, x, y); }
  Value cmpf(CmpFPredicate p, Value x, Value y) { return b.create<arith::CmpFOp>(loc, p, x, y); }
  Value cmpi(CmpIPredicate p, Value x, Value y) { return b.create<arith::CmpIOp>(loc, p, x, y); }
  Value sel(Value c, Value x, Value y) { return b.create<arith::SelectOp>(loc, c, x, y); }
  Value both(Value x, Value y) { return b.create<arith::AndIOp>(loc, x, y); }
  Value either(Value x, Value y) { return b.create<arith::OrIOp>(loc, x, y); }
  Value iadd(Value x, Value y) { return b.create<arith::AddIOp>(loc, x, y); }
  Value isub(Value x, Value y) { return b.create<arith::SubIOp>(loc, x, y); }
  Value imul(Value x, Value y) { return b.create<arith::MulIOp>(loc, x, y); }
  Value clampi(Value x, Value lo, Value hi) {
    return b.create<arith::MinSIOp>(loc, b.create<arith::MaxSIOp>(loc, x, lo), hi);
  }
  /// i64 (or index) to the float type.
  Value toF(Value x) {
    if (x.getType().isIndex())
      x = toI64(x);
    return b.create<arith::SIToFPOp>(loc, fty(), x);
  }
  /// A float of any width to the float type.
  Value extF(Value x) {
    if (x.getType() == fty())
      return x;
    if (x.getType().getIntOrFloatBitWidth() < fty().getWidth())
      return b.create<arith::ExtFOp>(loc, fty(), x);
    return b.create<arith::TruncFOp>(loc, fty(), x);
  }
  /// A float already within i64's range to i64.
  Value toI(Value x) { return b.create<arith::FPToSIOp>(loc, b.getI64Type(), x); }
  Value toI64(Value index) { return b.create<arith::IndexCastOp>(loc, b.getI64Type(), index); }
  Value toIndex(Value x) { return b.create<arith::IndexCastOp>(loc, b.getIndexType(), x); }
  Value index(int64_t d) { return b.create<linalg::IndexOp>(loc, d); }
  /// `x` bounded to +-2^40, NaN to -2^40: an f64 whose floor converts to
  /// i64 without poison whatever the data held.
  Value tame(Value x) { return minf(maxf(x, f(-kBound)), f(kBound)); }
  /// Dim `d` of `t` as i64.
  Value dim(Value t, int64_t d) {
    auto type = cast<RankedTensorType>(t.getType());
    if (!type.isDynamicDim(d))
      return i(type.getDimSize(d));
    return toI64(b.create<tensor::DimOp>(loc, t, d));
  }
  /// Element `k` of a 1-D tensor.
  Value at(Value vec, int64_t k) {
    return b.create<tensor::ExtractOp>(loc, vec,
                                       ValueRange{b.create<arith::ConstantIndexOp>(loc, k)});
  }

  static constexpr double kBound = 1099511627776.0; // 2^40
};

/// Run-time checks of one op, named after its node.
struct Checks {
  Checks(OpBuilder &b, Operation *op) : b(b), loc(op->getLoc()), prefix(checkPrefix(op)) {}
  void require(Value ok, const Twine &message) {
    b.create<cf::AssertOp>(loc, ok, prefix + message.str());
  }
  /// `dims` (i64) against the static dims of `type`, and the byte count.
  void requireResult(RankedTensorType type, ArrayRef<Value> dims) {
    Calc c{b, loc};
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (!type.isDynamicDim(d))
        require(c.cmpi(CmpIPredicate::eq, dims[d], c.i(type.getDimSize(d))),
                "expects dim " + Twine(d) + " of the result to be " + Twine(type.getDimSize(d)) +
                    " (its static size), found another value");
    if (type.hasStaticShape())
      return;
    // In f64: a product of sizes below 2^40 each cannot overflow it.
    Value bytes = c.f(std::max<int64_t>(1, type.getElementTypeBitWidth() / 8));
    for (Value d : dims)
      bytes = c.mul(bytes, c.toF(d));
    require(c.cmpf(CmpFPredicate::OLE, bytes, c.f(Calc::kBound)),
            "expects a result of at most 2^40 bytes (1 TiB) from the run-time shape, found a "
            "larger one");
  }
  SmallVector<Value> dynamicSizes(RankedTensorType type, ArrayRef<Value> dims) {
    SmallVector<Value> sizes;
    Calc c{b, loc};
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (type.isDynamicDim(d))
        sizes.push_back(c.toIndex(dims[d]));
    return sizes;
  }

  OpBuilder &b;
  Location loc;
  std::string prefix;
};

//===----------------------------------------------------------------------===//
// Resize
//===----------------------------------------------------------------------===//

/// What one resized axis needs inside the generics (values computed
/// before them).
struct ResizeAxis {
  int64_t axis;
  Value in, out;       // i64
  Value inF, outF;     // f64
  Value scale, length; // f64: the scale, in * scale
  Value start, end;    // f64 roi (tf_crop_and_resize only)
  Value outIsOne;      // i1
};

/// The input coordinate of output index `i` (f64) along `a`.
Value sourceCoordinate(Calc &c, StringRef coord, const ResizeAxis &a, Value i) {
  Value half = c.f(0.5), one = c.f(1.0);
  Value centred = c.sub(c.div(c.add(i, half), a.scale), half);
  // Divides by the integer output length, as PyTorch and ONNX Runtime do
  // (ONNX's reference takes in * scale; docs/lowering-choices.md); never by
  // 0 where it is used.
  Value lastOut = c.sel(a.outIsOne, one, c.sub(a.outF, one));
  Value lastIn = c.sub(a.inF, one);
  if (coord == "half_pixel")
    return centred;
  if (coord == "half_pixel_symmetric") {
    Value offset = c.mul(c.mul(a.inF, half), c.sub(one, c.div(a.outF, a.length)));
    return c.add(offset, centred);
  }
  if (coord == "pytorch_half_pixel")
    return c.sel(c.cmpf(CmpFPredicate::OGT, a.outF, one), centred, c.f(0.0));
  if (coord == "align_corners")
    return c.sel(a.outIsOne, c.f(0.0), c.div(c.mul(i, lastIn), lastOut));
  if (coord == "asymmetric")
    return c.div(i, a.scale);
  if (coord == "tf_half_pixel_for_nn")
    return c.div(c.add(i, half), a.scale);
  // tf_crop_and_resize
  Value span = c.sub(a.end, a.start);
  Value single = c.mul(c.mul(c.add(a.start, a.end), half), lastIn);
  Value many = c.add(c.mul(a.start, lastIn), c.div(c.mul(c.mul(i, span), lastIn), lastOut));
  return c.sel(a.outIsOne, single, many);
}

/// True where `x` lies outside `[0, in - 1]` (or is NaN).
Value outsideInput(Calc &c, const ResizeAxis &a, Value x) {
  return c.either(c.cmpf(CmpFPredicate::ULT, x, c.f(0.0)),
                  c.cmpf(CmpFPredicate::UGT, x, c.sub(a.inF, c.f(1.0))));
}

/// Keys' cubic convolution kernel at distance `u >= 0`.
Value cubicKernel(Calc &c, Value u, double a) {
  Value near = c.add(c.mul(c.sub(c.mul(c.f(a + 2), u), c.f(a + 3)), c.mul(u, u)), c.f(1.0));
  Value far =
      c.sub(c.mul(c.add(c.mul(c.sub(c.mul(c.f(a), u), c.f(5 * a)), u), c.f(8 * a)), u), c.f(4 * a));
  return c.sel(c.cmpf(CmpFPredicate::OLE, u, c.f(1.0)), near,
               c.sel(c.cmpf(CmpFPredicate::OLT, u, c.f(2.0)), far, c.f(0.0)));
}

struct DynamicResizeLowering : OpConversionPattern<DynamicResizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(DynamicResizeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Calc c{rewriter, loc};
    Checks checks(rewriter, op);
    Value input = adaptor.getInput();
    RankedTensorType type = op.getType();
    Type elem = type.getElementType();
    int64_t rank = type.getRank();
    StringRef coord = op.getCoordinateTransformationMode();
    bool crop = coord == "tf_crop_and_resize";
    ArrayRef<int64_t> axes = op.getAxes();
    int64_t n = axes.size();

    // Sizes and scales of each resized axis, checked before any read.
    SmallVector<ResizeAxis> info(n);
    SmallVector<Value> dims;
    for (int64_t d = 0; d < rank; ++d)
      dims.push_back(c.dim(input, d));
    Value shared; // the one scale of a keep_aspect_ratio_policy
    for (int64_t k = 0; k < n; ++k) {
      ResizeAxis &a = info[k];
      a.axis = axes[k];
      a.in = dims[a.axis];
      a.inF = c.toF(a.in);
      checks.require(c.cmpi(CmpIPredicate::sge, a.in, c.i(1)),
                     "expects a non-empty input along resized axis " + Twine(a.axis) +
                         ", found 0 elements");
      if (crop && adaptor.getRoi()) {
        a.start = c.extF(c.at(adaptor.getRoi(), k));
        a.end = c.extF(c.at(adaptor.getRoi(), n + k));
      } else {
        a.start = c.f(0.0);
        a.end = c.f(1.0);
      }
      if (adaptor.getSizes()) {
        a.out = c.at(adaptor.getSizes(), k);
        checks.require(c.both(c.cmpi(CmpIPredicate::sge, a.out, c.i(1)),
                              c.cmpi(CmpIPredicate::sle, a.out, c.i(int64_t(1) << 40))),
                       "expects sizes from 1 to 2^40, found another value");
        a.scale = c.div(c.toF(a.out), a.inF);
        if (op.getKeepAspectRatioPolicy() == "not_larger")
          shared = shared ? c.minf(shared, a.scale) : a.scale;
        else if (op.getKeepAspectRatioPolicy() == "not_smaller")
          shared = shared ? c.maxf(shared, a.scale) : a.scale;
        continue;
      }
      a.scale = c.extF(c.at(adaptor.getScales(), k));
      checks.require(c.both(c.cmpf(CmpFPredicate::OGT, a.scale, c.f(0.0)),
                            c.cmpf(CmpFPredicate::OLT, a.scale, c.f(INFINITY))),
                     "expects positive finite scales, found another value");
      Value length = c.mul(a.inF, a.scale);
      if (crop)
        length = c.mul(length, c.sub(a.end, a.start));
      a.outF = c.floor(length);
      Value fits = c.both(c.cmpf(CmpFPredicate::OGE, a.outF, c.f(0.0)),
                          c.cmpf(CmpFPredicate::OLE, a.outF, c.f(Calc::kBound)));
      checks.require(fits, "expects output sizes from 0 to 2^40 from the scales, found "
                           "another value");
      a.out = c.toI(c.sel(fits, a.outF, c.f(0.0)));
    }
    for (ResizeAxis &a : info) {
      if (shared) {
        a.scale = shared;
        Value rounded = c.floor(c.add(c.mul(shared, a.inF), c.f(0.5)));
        Value fits = c.cmpf(CmpFPredicate::OLE, rounded, c.f(Calc::kBound));
        checks.require(fits, "expects output sizes up to 2^40 from the sizes, found a larger one");
        a.out = c.toI(c.sel(fits, rounded, c.f(1.0)));
      }
      a.outF = c.toF(a.out);
      a.length = c.mul(a.inF, a.scale);
      a.outIsOne = c.cmpi(CmpIPredicate::eq, a.out, c.i(1));
      dims[a.axis] = a.out;
    }
    checks.requireResult(type, dims);

    Value extrapolation = scalar(rewriter, loc, elem, op.getExtrapolationValue().convertToDouble());
    Value result = op.getMode() == "nearest"
                       ? nearest(rewriter, op, input, type, dims, info, extrapolation)
                       : blended(rewriter, op, input, type, dims, info, extrapolation);
    rewriter.replaceOp(op, result);
    return success();
  }

  /// One gather: each resized index rounded by nearest_mode and clamped.
  static Value nearest(OpBuilder &b, DynamicResizeOp op, Value input, RankedTensorType type,
                       ArrayRef<Value> dims, ArrayRef<ResizeAxis> info, Value extrapolation) {
    Location loc = op.getLoc();
    Checks checks(b, op);
    StringRef coord = op.getCoordinateTransformationMode(), mode = op.getNearestMode();
    int64_t rank = type.getRank();
    Value init = b.create<tensor::EmptyOp>(loc, type, checks.dynamicSizes(type, dims));
    SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank)};
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    auto generic = b.create<linalg::GenericOp>(
        loc, TypeRange{type}, ValueRange{}, ValueRange{init}, maps, iters,
        [&](OpBuilder &nb, Location l, ValueRange) {
          Calc c{nb, l};
          SmallVector<Value> at;
          for (int64_t d = 0; d < rank; ++d)
            at.push_back(c.index(d));
          Value outside;
          for (const ResizeAxis &a : info) {
            Value x = sourceCoordinate(c, coord, a, c.toF(at[a.axis]));
            if (coord == "tf_crop_and_resize")
              outside = outside ? c.either(outside, outsideInput(c, a, x)) : outsideInput(c, a, x);
            x = c.tame(x);
            Value r = mode == "floor"               ? c.floor(x)
                      : mode == "ceil"              ? c.ceil(x)
                      : mode == "round_prefer_ceil" ? c.floor(c.add(x, c.f(0.5)))
                                                    : c.ceil(c.sub(x, c.f(0.5)));
            at[a.axis] = c.toIndex(c.clampi(c.toI(r), c.i(0), c.isub(a.in, c.i(1))));
          }
          Value v = nb.create<tensor::ExtractOp>(l, input, at);
          if (outside)
            v = c.sel(outside, extrapolation, v);
          nb.create<linalg::YieldOp>(l, v);
        });
    return generic.getResult(0);
  }

  /// Linear or cubic: one pass per resized axis, the last axis first (the
  /// order of ONNX's reference), each a reduction over the kernel's taps.
  static Value blended(OpBuilder &b, DynamicResizeOp op, Value input, RankedTensorType type,
                       ArrayRef<Value> dims, ArrayRef<ResizeAxis> info, Value extrapolation) {
    Location loc = op.getLoc();
    Calc c{b, loc};
    Checks checks(b, op);
    StringRef coord = op.getCoordinateTransformationMode();
    bool cubic = op.getMode() == "cubic", antialias = op.getAntialias(),
         exclude = op.getExcludeOutside(), crop = coord == "tf_crop_and_resize";
    bool normalize = antialias || exclude;
    double a3 = op.getCubicCoeffA().convertToDouble();
    int64_t rank = type.getRank();
    Type elem = type.getElementType();
    Type acc = elem.getIntOrFloatBitWidth() < 32 ? b.getF32Type() : elem;
    double support = cubic ? 2.0 : 1.0;

    SmallVector<const ResizeAxis *> order;
    for (const ResizeAxis &a : info)
      order.push_back(&a);
    llvm::sort(order, [](auto *x, auto *y) { return x->axis > y->axis; });

    Value cur = input;
    SmallVector<Value> curDims;
    for (int64_t d = 0; d < rank; ++d)
      curDims.push_back(c.dim(input, d));
    for (const ResizeAxis *ap : order) {
      const ResizeAxis &a = *ap;
      // Taps: `radius` on each side of floor(x); the kernel is stretched
      // by 1 / scale when antialiasing a downscale.
      Value kscale = c.f(1.0), radius = c.i(static_cast<int64_t>(support));
      int64_t staticTaps = 2 * static_cast<int64_t>(support);
      if (antialias) {
        kscale = c.minf(a.scale, c.f(1.0));
        Value r = c.ceil(c.div(c.f(support), kscale));
        Value fits = c.cmpf(CmpFPredicate::OLE, r, c.f(1 << 20));
        checks.require(fits, "expects an antialias kernel of at most 2^20 taps, found a larger "
                             "one (the scale is too small)");
        radius = c.toI(c.sel(fits, r, c.f(1.0)));
        staticTaps = ShapedType::kDynamic;
      }
      SmallVector<Value> passDims(curDims);
      passDims[a.axis] = a.out;
      SmallVector<int64_t> passShape(cast<RankedTensorType>(cur.getType()).getShape());
      passShape[a.axis] = type.getDimSize(a.axis);
      auto accType = RankedTensorType::get(passShape, acc);
      SmallVector<Value> dyn = checks.dynamicSizes(accType, passDims);
      Value zero = scalar(b, loc, acc, 0.0);
      Value sum = filled(b, loc, accType, zero, dyn);
      SmallVector<Value> outs{sum};
      if (normalize)
        outs.push_back(filled(b, loc, accType, zero, dyn));
      // The tap loop's extent comes from an operand it indexes.
      SmallVector<Value> tapSizes;
      if (ShapedType::isDynamic(staticTaps))
        tapSizes.push_back(c.toIndex(c.imul(radius, c.i(2))));
      Value taps =
          b.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{staticTaps}, b.getI8Type(), tapSizes);
      MLIRContext *ctx = b.getContext();
      SmallVector<AffineMap> maps{AffineMap::get(rank + 1, 0, getAffineDimExpr(rank, ctx))};
      AffineMap outMap = AffineMap::getMultiDimIdentityMap(rank + 1, ctx).getMajorSubMap(rank);
      maps.append(outs.size(), outMap);
      SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
      iters.push_back(utils::IteratorType::reduction);
      Value src = cur;
      auto generic = b.create<linalg::GenericOp>(
          loc, TypeRange(ValueRange(outs)), ValueRange{taps}, outs, maps, iters,
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Calc k{nb, l};
            SmallVector<Value> at;
            for (int64_t d = 0; d < rank; ++d)
              at.push_back(k.index(d));
            Value x = k.tame(sourceCoordinate(k, coord, a, k.toF(at[a.axis])));
            Value j =
                k.iadd(k.isub(k.toI(k.floor(x)), radius), k.iadd(k.i(1), k.toI64(k.index(rank))));
            Value u = k.mul(k.abs(k.sub(k.toF(j), x)), kscale);
            Value w = cubic ? cubicKernel(k, u, a3) : k.maxf(k.sub(k.f(1.0), u), k.f(0.0));
            Value last = k.isub(a.in, k.i(1));
            if (exclude) {
              Value inside = k.both(k.cmpi(CmpIPredicate::sge, j, k.i(0)),
                                    k.cmpi(CmpIPredicate::sle, j, last));
              w = k.sel(inside, w, k.f(0.0));
            }
            at[a.axis] = k.toIndex(k.clampi(j, k.i(0), last));
            Value v = nb.create<tensor::ExtractOp>(l, src, at);
            if (v.getType() != acc)
              v = nb.create<arith::ExtFOp>(l, acc, v);
            Value wa = acc.isF64() ? w : nb.create<arith::TruncFOp>(l, acc, w).getResult();
            SmallVector<Value> yields{
                nb.create<arith::AddFOp>(l, args[1], nb.create<arith::MulFOp>(l, wa, v))};
            if (normalize)
              yields.push_back(nb.create<arith::AddFOp>(l, args[2], wa));
            nb.create<linalg::YieldOp>(l, yields);
          });
      SmallVector<Value> parts(generic.getResults());
      auto passType = RankedTensorType::get(passShape, elem);
      if (normalize || crop || acc != elem) {
        cur = elementwise(
            b, loc, passType, parts,
            [&](OpBuilder &nb, Location l, ValueRange v) -> Value {
              Calc k{nb, l};
              Value r = v[0];
              if (normalize) {
                Value zeroAcc = scalar(nb, l, acc, 0.0), oneAcc = scalar(nb, l, acc, 1.0);
                Value empty = nb.create<arith::CmpFOp>(l, CmpFPredicate::OEQ, v[1], zeroAcc);
                r = nb.create<arith::DivFOp>(l, r, k.sel(empty, oneAcc, v[1]));
              }
              if (acc != elem)
                r = nb.create<arith::TruncFOp>(l, elem, r);
              if (crop) {
                Value x = sourceCoordinate(k, coord, a, k.toF(k.index(a.axis)));
                r = k.sel(outsideInput(k, a, x), extrapolation, r);
              }
              return r;
            },
            {}, dyn);
      } else {
        cur = parts[0];
      }
      curDims = passDims;
    }
    if (cur.getType() != type)
      cur = b.create<tensor::CastOp>(loc, type, cur);
    return cur;
  }
};

//===----------------------------------------------------------------------===//
// GridSample
//===----------------------------------------------------------------------===//

/// The arithmetic type for `elem`: f64 for f64 data, else f32.
FloatType computeType(OpBuilder &b, Type elem) {
  return elem.isF64() ? b.getF64Type() : b.getF32Type();
}

/// `v` (of the arithmetic type) as `elem`.
Value toElem(OpBuilder &b, Location loc, Value v, Type elem) {
  if (v.getType() == elem)
    return v;
  return b.create<arith::TruncFOp>(loc, elem, v);
}

/// Input element `at` read as 0 unless `0 <= x < w` and `0 <= y < h` (i64);
/// the indices are clamped first, so nothing is read out of bounds.
Value readOrZero(Calc &c, Value input, Value batch, Value channel, Value y, Value x, Value h,
                 Value w) {
  Value zero = c.i(0);
  Value inside =
      c.both(c.both(c.cmpi(CmpIPredicate::sge, x, zero), c.cmpi(CmpIPredicate::slt, x, w)),
             c.both(c.cmpi(CmpIPredicate::sge, y, zero), c.cmpi(CmpIPredicate::slt, y, h)));
  Value yc = c.toIndex(c.clampi(y, zero, c.isub(h, c.i(1))));
  Value xc = c.toIndex(c.clampi(x, zero, c.isub(w, c.i(1))));
  Value v = c.extF(c.b.create<tensor::ExtractOp>(c.loc, input, ValueRange{batch, channel, yc, xc}));
  return c.sel(inside, v, c.f(0.0));
}

/// PyTorch's padding of a source coordinate `x` along an axis of `size`
/// (floats): border clamps into [0, size - 1]; reflection folds about the
/// edge pixels (align_corners) or the image edges, then clamps.
Value padCoordinate(Calc &c, Value x, Value size, StringRef padding, bool align) {
  Value zero = c.f(0.0), one = c.f(1.0);
  auto clip = [&](Value v) { return c.minf(c.maxf(v, zero), c.sub(size, one)); };
  if (padding == "border")
    return clip(x);
  if (padding != "reflection")
    return x;
  Value low = align ? zero : c.f(-0.5);
  Value span = align ? c.sub(size, one) : size;
  Value flat = c.cmpf(CmpFPredicate::OLE, span, zero);
  Value safe = c.sel(flat, one, span);
  Value d = c.abs(c.sub(x, low));
  Value extra = c.b.create<arith::RemFOp>(c.loc, d, safe);
  Value flips = c.floor(c.div(d, safe));
  Value half = c.floor(c.mul(flips, c.f(0.5)));
  Value even = c.cmpf(CmpFPredicate::OEQ, flips, c.mul(half, c.f(2.0)));
  Value r = c.sel(even, c.add(extra, low), c.add(c.sub(span, extra), low));
  return clip(c.sel(flat, zero, r));
}

/// One generic over the result: each point's grid entry, unnormalized and
/// padded as PyTorch's grid_sampler does (the suite's stored outputs come
/// from it), then 1, 4 or 16 bounds-checked reads.
struct GridSampleLowering : OpConversionPattern<GridSampleOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(GridSampleOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput(), grid = adaptor.getGrid();
    RankedTensorType type = op.getType();
    Type elem = type.getElementType();
    FloatType ft = computeType(rewriter, elem);
    Calc c{rewriter, loc};
    Checks checks(rewriter, op);
    SmallVector<Value> dims{c.dim(input, 0), c.dim(input, 1), c.dim(grid, 1), c.dim(grid, 2)};
    Value h = c.dim(input, 2), w = c.dim(input, 3);
    if (cast<RankedTensorType>(input.getType()).isDynamicDim(0) ||
        cast<RankedTensorType>(grid.getType()).isDynamicDim(0))
      checks.require(c.cmpi(CmpIPredicate::eq, dims[0], c.dim(grid, 0)),
                     "expects the grid's batch size to be the input's, found another value");
    checks.require(
        c.both(c.cmpi(CmpIPredicate::sge, h, c.i(1)), c.cmpi(CmpIPredicate::sge, w, c.i(1))),
        "expects a non-empty input image, found height or width 0");
    checks.requireResult(type, dims);
    StringRef mode = op.getMode(), padding = op.getPaddingMode();
    bool align = op.getAlignCorners();
    Value init = rewriter.create<tensor::EmptyOp>(loc, type, checks.dynamicSizes(type, dims));
    SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(4)};
    SmallVector<utils::IteratorType> iters(4, utils::IteratorType::parallel);
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{type}, ValueRange{}, ValueRange{init}, maps, iters,
        [&](OpBuilder &nb, Location l, ValueRange) {
          Calc k{nb, l, ft};
          Value n = k.index(0), ch = k.index(1), oy = k.index(2), ox = k.index(3);
          auto gridAt = [&](int64_t i) {
            Value v = nb.create<tensor::ExtractOp>(
                l, grid, ValueRange{n, oy, ox, nb.create<arith::ConstantIndexOp>(l, i)});
            return k.tame(k.extF(v));
          };
          Value hf = k.toF(h), wf = k.toF(w), one = k.f(1.0), half = k.f(0.5);
          auto unnormalize = [&](Value g, Value size) {
            if (align)
              return k.mul(k.mul(k.add(g, one), half), k.sub(size, one));
            return k.mul(k.sub(k.mul(k.add(g, one), size), one), half);
          };
          Value x = unnormalize(gridAt(0), wf), y = unnormalize(gridAt(1), hf);
          auto read = [&](Value yi, Value xi) { return readOrZero(k, input, n, ch, yi, xi, h, w); };
          Value result;
          if (mode == "bicubic") {
            Value x0 = k.floor(x), y0 = k.floor(y);
            Value tx = k.sub(x, x0), ty = k.sub(y, y0);
            auto weights = [&](Value t) {
              return SmallVector<Value>{
                  cubicKernel(k, k.add(t, one), -0.75), cubicKernel(k, t, -0.75),
                  cubicKernel(k, k.sub(one, t), -0.75), cubicKernel(k, k.sub(k.f(2.0), t), -0.75)};
            };
            SmallVector<Value> wx = weights(tx), wy = weights(ty);
            result = k.f(0.0);
            for (int64_t i = 0; i < 4; ++i) {
              Value yi = k.toI(padCoordinate(k, k.add(y0, k.f(i - 1)), hf, padding, align));
              Value row = k.f(0.0);
              for (int64_t j = 0; j < 4; ++j) {
                Value xj = k.toI(padCoordinate(k, k.add(x0, k.f(j - 1)), wf, padding, align));
                row = k.add(row, k.mul(wx[j], read(yi, xj)));
              }
              result = k.add(result, k.mul(wy[i], row));
            }
          } else {
            x = padCoordinate(k, x, wf, padding, align);
            y = padCoordinate(k, y, hf, padding, align);
            if (mode == "nearest") {
              result = read(k.toI(nb.create<math::RoundEvenOp>(l, y)),
                            k.toI(nb.create<math::RoundEvenOp>(l, x)));
            } else {
              Value x0 = k.floor(x), y0 = k.floor(y);
              Value dx = k.sub(x, x0), dy = k.sub(y, y0);
              Value xi = k.toI(x0), yi = k.toI(y0), xi1 = k.iadd(xi, k.i(1)),
                    yi1 = k.iadd(yi, k.i(1));
              Value top = k.add(k.mul(k.sub(one, dx), read(yi, xi)), k.mul(dx, read(yi, xi1)));
              Value bottom = k.add(k.mul(k.sub(one, dx), read(yi1, xi)), k.mul(dx, read(yi1, xi1)));
              result = k.add(k.mul(k.sub(one, dy), top), k.mul(dy, bottom));
            }
          }
          nb.create<linalg::YieldOp>(l, toElem(nb, l, result, elem));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// RoiAlign
//===----------------------------------------------------------------------===//

/// A box's corners, bin sizes and sample counts (floats), as torchvision's
/// and ONNX Runtime's roi_align compute them.
struct RoiBox {
  Value y1, x1, binH, binW, gridH, gridW;
};

RoiBox roiBox(Calc &k, RoiAlignOp op, Value rois, Value r) {
  bool halfPixel = op.getCoordinateTransformationMode() == "half_pixel";
  Value scale = k.f(op.getSpatialScale().convertToDouble());
  Value offset = k.f(halfPixel ? 0.5 : 0.0);
  auto coord = [&](int64_t i) {
    Value v = k.b.create<tensor::ExtractOp>(
        k.loc, rois, ValueRange{r, k.b.create<arith::ConstantIndexOp>(k.loc, i)});
    return k.tame(k.sub(k.mul(k.extF(v), scale), offset));
  };
  RoiBox box;
  box.x1 = coord(0);
  box.y1 = coord(1);
  Value w = k.sub(coord(2), box.x1), h = k.sub(coord(3), box.y1);
  if (!halfPixel) {
    w = k.maxf(w, k.f(1.0));
    h = k.maxf(h, k.f(1.0));
  }
  box.binH = k.div(h, k.f(op.getOutputHeight()));
  box.binW = k.div(w, k.f(op.getOutputWidth()));
  int64_t ratio = op.getSamplingRatio();
  box.gridH = ratio > 0 ? k.f(ratio) : k.maxf(k.ceil(box.binH), k.f(0.0));
  box.gridW = ratio > 0 ? k.f(ratio) : k.maxf(k.ceil(box.binW), k.f(0.0));
  return box;
}

/// The batch indices are checked first (a reduction to one flag); then one
/// generic over (box, channel, bin row, bin column) reduces over a sample
/// grid as large as the largest box's (the extent from an unread
/// tensor.empty), each box masking the samples past its own count; an
/// elementwise pass divides by the count (avg) or gives 0 to a box without
/// samples (max).
struct RoiAlignLowering : OpConversionPattern<RoiAlignOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(RoiAlignOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput(), rois = adaptor.getRois(), idx = adaptor.getBatchIndices();
    RankedTensorType type = op.getType();
    Type elem = type.getElementType();
    FloatType ft = computeType(rewriter, elem);
    MLIRContext *ctx = rewriter.getContext();
    Calc c{rewriter, loc, ft};
    Checks checks(rewriter, op);
    Value batch = c.dim(input, 0), h = c.dim(input, 2), w = c.dim(input, 3);
    Value count = c.dim(rois, 0);
    checks.require(c.cmpi(CmpIPredicate::eq, count, c.dim(idx, 0)),
                   "expects as many batch indices as rois, found another count");
    checks.require(
        c.both(c.cmpi(CmpIPredicate::sge, h, c.i(1)), c.cmpi(CmpIPredicate::sge, w, c.i(1))),
        "expects a non-empty input image, found height or width 0");

    // Every batch index in [0, N), and the largest sample grid (with
    // sampling_ratio 0), as one reduction over the boxes.
    auto flagType = RankedTensorType::get({}, rewriter.getI1Type());
    auto sizeType = RankedTensorType::get({}, ft);
    Value okInit =
        filled(rewriter, loc, flagType, rewriter.create<arith::ConstantIntOp>(loc, 1, 1));
    Value zeroInit = filled(rewriter, loc, sizeType, c.f(0.0));
    AffineMap id1 = AffineMap::getMultiDimIdentityMap(1, ctx),
              scalarMap = AffineMap::get(1, 0, ctx);
    auto scan = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{flagType, sizeType, sizeType}, ValueRange{idx},
        ValueRange{okInit, zeroInit, zeroInit},
        SmallVector<AffineMap>{id1, scalarMap, scalarMap, scalarMap},
        SmallVector<utils::IteratorType>{utils::IteratorType::reduction},
        [&](OpBuilder &nb, Location l, ValueRange args) {
          Calc k{nb, l, ft};
          Value inRange = k.both(k.cmpi(CmpIPredicate::sge, args[0], k.i(0)),
                                 k.cmpi(CmpIPredicate::slt, args[0], batch));
          RoiBox box = roiBox(k, op, rois, k.index(0));
          nb.create<linalg::YieldOp>(l, ValueRange{k.both(args[1], inRange),
                                                   k.maxf(args[2], box.gridH),
                                                   k.maxf(args[3], box.gridW)});
        });
    Value ok = rewriter.create<tensor::ExtractOp>(loc, scan.getResult(0), ValueRange{});
    checks.require(ok, "expects batch indices in [0, N), found another value");
    SmallVector<Value> extents;
    for (int64_t i = 1; i < 3; ++i) {
      Value most = rewriter.create<tensor::ExtractOp>(loc, scan.getResult(i), ValueRange{});
      Value fits = c.cmpf(CmpFPredicate::OLE, most, c.f(65536.0));
      checks.require(fits, Twine("expects at most 65536 samples along a bin's ") +
                               (i == 1 ? "height" : "width") +
                               ", found more (a box far larger than its bins with "
                               "sampling_ratio 0)");
      extents.push_back(c.toIndex(c.toI(c.sel(fits, most, c.f(0.0)))));
    }

    SmallVector<Value> dims{count, c.dim(input, 1), c.i(op.getOutputHeight()),
                            c.i(op.getOutputWidth())};
    checks.requireResult(type, dims);
    auto accType = RankedTensorType::get(type.getShape(), ft);
    SmallVector<Value> dyn = checks.dynamicSizes(type, dims);
    bool avg = op.getMode() == "avg";
    Value start = avg ? c.f(0.0) : c.f(-INFINITY);
    Value acc = filled(rewriter, loc, accType, start, dyn);
    Value tapsY = rewriter.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{ShapedType::kDynamic},
                                                   rewriter.getI8Type(), ValueRange{extents[0]});
    Value tapsX = rewriter.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{ShapedType::kDynamic},
                                                   rewriter.getI8Type(), ValueRange{extents[1]});
    SmallVector<AffineMap> maps{AffineMap::get(6, 0, getAffineDimExpr(4, ctx)),
                                AffineMap::get(6, 0, getAffineDimExpr(5, ctx)),
                                AffineMap::getMultiDimIdentityMap(6, ctx).getMajorSubMap(4)};
    SmallVector<utils::IteratorType> iters(4, utils::IteratorType::parallel);
    iters.append(2, utils::IteratorType::reduction);
    auto pooled = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{accType}, ValueRange{tapsY, tapsX}, ValueRange{acc}, maps, iters,
        [&](OpBuilder &nb, Location l, ValueRange args) {
          Calc k{nb, l, ft};
          Value r = k.index(0), ch = k.index(1);
          Value b = k.toIndex(k.clampi(nb.create<tensor::ExtractOp>(l, idx, ValueRange{r}), k.i(0),
                                       k.isub(batch, k.i(1))));
          RoiBox box = roiBox(k, op, rois, r);
          Value iy = k.toF(k.index(4)), ix = k.toF(k.index(5));
          Value active = k.both(k.cmpf(CmpFPredicate::OLT, iy, box.gridH),
                                k.cmpf(CmpFPredicate::OLT, ix, box.gridW));
          Value half = k.f(0.5);
          Value y = k.add(k.add(box.y1, k.mul(k.toF(k.index(2)), box.binH)),
                          k.div(k.mul(k.add(iy, half), box.binH), box.gridH));
          Value x = k.add(k.add(box.x1, k.mul(k.toF(k.index(3)), box.binW)),
                          k.div(k.mul(k.add(ix, half), box.binW), box.gridW));
          Value hf = k.toF(h), wf = k.toF(w);
          Value outside = k.either(
              k.either(k.cmpf(CmpFPredicate::ULT, y, k.f(-1.0)), k.cmpf(CmpFPredicate::UGT, y, hf)),
              k.either(k.cmpf(CmpFPredicate::ULT, x, k.f(-1.0)),
                       k.cmpf(CmpFPredicate::UGT, x, wf)));
          // The low neighbour, or the last pixel (then both neighbours).
          auto axis = [&](Value v, Value size) {
            v = k.tame(k.maxf(v, k.f(0.0)));
            Value low = k.toI(k.floor(v)), last = k.isub(size, k.i(1));
            Value atEnd = k.cmpi(CmpIPredicate::sge, low, last);
            low = k.sel(atEnd, last, low);
            Value high = k.sel(atEnd, last, k.iadd(low, k.i(1)));
            Value frac = k.sel(atEnd, k.f(0.0), k.sub(v, k.toF(low)));
            return std::make_tuple(k.toIndex(low), k.toIndex(high), frac);
          };
          auto [yl, yh, ly] = axis(y, h);
          auto [xl, xh, lx] = axis(x, w);
          Value hy = k.sub(k.f(1.0), ly), hx = k.sub(k.f(1.0), lx);
          auto at = [&](Value yi, Value xi) {
            return k.extF(nb.create<tensor::ExtractOp>(l, input, ValueRange{b, ch, yi, xi}));
          };
          Value t1 = k.mul(k.mul(hy, hx), at(yl, xl)), t2 = k.mul(k.mul(hy, lx), at(yl, xh));
          Value t3 = k.mul(k.mul(ly, hx), at(yh, xl)), t4 = k.mul(k.mul(ly, lx), at(yh, xh));
          Value sample =
              avg ? k.add(k.add(t1, t2), k.add(t3, t4)) : k.maxf(k.maxf(t1, t2), k.maxf(t3, t4));
          sample = k.sel(outside, k.f(0.0), sample);
          Value next = avg ? k.add(args[2], sample)
                           : nb.create<arith::MaximumFOp>(l, args[2], sample).getResult();
          nb.create<linalg::YieldOp>(l, k.sel(active, next, args[2]));
        });
    Value result = elementwise(
        rewriter, loc, type, pooled.getResult(0),
        [&](OpBuilder &nb, Location l, ValueRange v) -> Value {
          Calc k{nb, l, ft};
          RoiBox box = roiBox(k, op, rois, k.index(0));
          Value samples = k.mul(box.gridH, box.gridW);
          Value r = avg ? k.div(v[0], k.maxf(samples, k.f(1.0)))
                        : k.sel(k.cmpf(CmpFPredicate::OGT, samples, k.f(0.0)), v[0], k.f(0.0));
          return toElem(nb, l, r, elem);
        },
        {}, dyn);
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void kiln::populateNNToLinalgSamplingPatterns(RewritePatternSet &patterns) {
  patterns.add<DynamicResizeLowering, GridSampleLowering, RoiAlignLowering>(patterns.getContext());
}
