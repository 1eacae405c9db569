//===- Quantized.cpp - linear quantization and integer contractions ------===//
//
// QuantizeLinear and DequantizeLinear are nn ops of their own. The integer
// contractions subtract their zero points in i32 and contract in i32
// (MatMulInteger, ConvInteger: exact, wrapping like ONNX's int32 result);
// QLinearMatMul and QLinearConv scale that i32 accumulator by the product of
// the input scales in f32 and quantize it with the output's scale and zero
// point, which reproduces the suite's stored outputs exactly. A
// DynamicQuantizeLinear is the computation ONNX's function body spells out.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/ONNX/NodeBinder.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::onnx_import;

namespace {

bool isQuantizedType(Type t) { return t.isUnsignedInteger(8) || t.isSignlessInteger(8); }

/// ONNX allows a per-tensor parameter as a one-element 1-D tensor: rank 0.
Value perTensor(NodeBinder &b, Value v) {
  RankedTensorType t = typeOf(v);
  if (t.getRank() == 1 && t.getDimSize(0) == 1)
    return b.builder().create<ReshapeOp>(b.loc(), t.clone(ArrayRef<int64_t>{}), v);
  return v;
}

Value castTo(NodeBinder &b, Value v, Type elem) {
  if (typeOf(v).getElementType() == elem)
    return v;
  return b.builder().create<CastOp>(b.loc(), typeOf(v).clone(elem), v);
}

/// A rank-1 `param` of `n` values reshaped to [n, 1 x trailing] so that it
/// broadcasts along the dimension followed by `trailing` others.
Value spread(NodeBinder &b, Value param, int64_t trailing) {
  RankedTensorType t = typeOf(param);
  if (t.getRank() != 1 || trailing == 0)
    return param;
  SmallVector<int64_t> shape{t.getDimSize(0)};
  shape.append(trailing, 1);
  return b.builder().create<ReshapeOp>(b.loc(), t.clone(shape), param);
}

/// The axis of a per-axis `scale`, in [0, rank) (negative counts from the
/// end); 0 for a per-tensor one, whose axis ONNX ignores.
FailureOr<int64_t> quantAxis(NodeBinder &b, Value scale, int64_t rank) {
  int64_t axis = b.opset() >= 13 ? b.attrInt("axis", 1) : 0;
  if (typeOf(scale).getRank() == 0)
    return 0;
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1))
    return b.error() << "expects axis in [" << -rank << ", " << rank - 1 << "], found " << axis;
  return axis < 0 ? axis + rank : axis;
}

LogicalResult importQuantizeLinear(NodeBinder &b) {
  FailureOr<Value> x = b.input(0), scale = b.input(1);
  FailureOr<Value> zp = b.optionalInput(2);
  if (failed(x) || failed(scale) || failed(zp))
    return failure();
  Value s = perTensor(b, *scale);
  if (!isa<FloatType>(typeOf(s).getElementType()))
    return b.error() << "expects a float scale, found " << typeOf(s).getElementType();
  Value z = *zp ? perTensor(b, *zp)
                : b.intConstant(typeOf(s).clone(b.builder().getIntegerType(8, false)),
                                SmallVector<int64_t>(typeOf(s).getNumElements(), 0));
  if (!isQuantizedType(typeOf(z).getElementType()))
    return b.error() << "expects a uint8 or int8 zero point, found "
                     << typeOf(z).getElementType();
  FailureOr<int64_t> axis = quantAxis(b, s, typeOf(*x).getRank());
  if (failed(axis))
    return failure();
  return b.defineResult(
      b.create<QuantizeLinearOp>(*x, s, z, b.builder().getI64IntegerAttr(*axis)));
}

LogicalResult importDequantizeLinear(NodeBinder &b) {
  FailureOr<Value> x = b.input(0), scale = b.input(1);
  FailureOr<Value> zp = b.optionalInput(2);
  if (failed(x) || failed(scale) || failed(zp))
    return failure();
  Type elem = typeOf(*x).getElementType();
  if (!isQuantizedType(elem) && !elem.isSignlessInteger(32))
    return b.error() << "expects a uint8, int8 or int32 input, found " << elem;
  Value s = perTensor(b, *scale);
  if (!isa<FloatType>(typeOf(s).getElementType()))
    return b.error() << "expects a float scale, found " << typeOf(s).getElementType();
  Value z = *zp ? perTensor(b, *zp)
                : b.intConstant(typeOf(s).clone(elem),
                                SmallVector<int64_t>(typeOf(s).getNumElements(), 0));
  FailureOr<int64_t> axis = quantAxis(b, s, typeOf(*x).getRank());
  if (failed(axis))
    return failure();
  return b.defineResult(
      b.create<DequantizeLinearOp>(*x, s, z, b.builder().getI64IntegerAttr(*axis)));
}

/// DynamicQuantizeLinear (opset 11) as its ONNX function body: the range
/// [min(0, min x), max(0, max x)] mapped onto [0, 255].
LogicalResult importDynamicQuantizeLinear(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  RankedTensorType t = typeOf(*x);
  if (!t.getElementType().isF32())
    return b.error() << "expects a float input, found " << t.getElementType();
  OpBuilder &builder = b.builder();
  Location loc = b.loc();
  Type f32 = builder.getF32Type(), u8 = builder.getIntegerType(8, false);
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < t.getRank(); ++d)
    axes.push_back(d);
  auto all = builder.getDenseI64ArrayAttr(axes);
  auto noKeep = builder.getBoolAttr(false);
  FailureOr<Value> lo = b.create<ReduceMinOp>(*x, all, noKeep),
                   hi = b.create<ReduceMaxOp>(*x, all, noKeep);
  if (failed(lo) || failed(hi))
    return failure();
  Value zero = b.scalarConstant(f32, 0);
  FailureOr<Value> mn = b.create<MinOp>(*lo, zero), mx = b.create<MaxOp>(*hi, zero);
  if (failed(mn) || failed(mx))
    return failure();
  FailureOr<Value> range = b.create<SubOp>(*mx, *mn);
  if (failed(range))
    return failure();
  FailureOr<Value> scale = b.create<DivOp>(*range, b.scalarConstant(f32, 255));
  if (failed(scale))
    return failure();
  FailureOr<Value> ratio = b.create<DivOp>(*mn, *scale);
  if (failed(ratio))
    return failure();
  FailureOr<Value> start = b.create<SubOp>(zero, *ratio);
  if (failed(start))
    return failure();
  Value clipped = builder.create<ClipOp>(loc, *start, builder.getF64FloatAttr(0),
                                         builder.getF64FloatAttr(255));
  Value zp = castTo(b, builder.create<RoundOp>(loc, clipped), u8);
  FailureOr<Value> y =
      b.create<QuantizeLinearOp>(*x, *scale, zp, builder.getI64IntegerAttr(0));
  if (failed(y))
    return failure();
  b.define(0, *y);
  if (b.hasOutput(1))
    b.define(1, *scale);
  if (b.hasOutput(2))
    b.define(2, zp);
  return success();
}

/// `x` in i32 less its zero point `zp` (absent: 0), which is per tensor or,
/// as a 1-D tensor, per index of the dimension followed by `trailing` others.
FailureOr<Value> centered(NodeBinder &b, Value x, Value zp, int64_t trailing, StringRef what) {
  Type elem = typeOf(x).getElementType();
  if (!isQuantizedType(elem))
    return b.error() << "expects " << what << " of uint8 or int8, found " << elem;
  Type i32 = b.builder().getI32Type();
  Value wide = castTo(b, x, i32);
  if (!zp)
    return wide;
  if (typeOf(zp).getElementType() != elem)
    return b.error() << "expects the zero point of " << what << " to be " << elem << ", found "
                     << typeOf(zp).getElementType();
  return b.create<SubOp>(wide, castTo(b, spread(b, perTensor(b, zp), trailing), i32));
}

/// (a - a_zero_point) x (b - b_zero_point) in i32; a's zero point is per
/// tensor or per row, b's per tensor or per column.
FailureOr<Value> integerMatMul(NodeBinder &b, Value x, Value xzp, Value y, Value yzp) {
  FailureOr<Value> lhs = centered(b, x, xzp, 1, "A"), rhs = centered(b, y, yzp, 0, "B");
  if (failed(lhs) || failed(rhs))
    return failure();
  return b.create<MatMulOp>(*lhs, *rhs);
}

LogicalResult importMatMulInteger(NodeBinder &b) {
  FailureOr<Value> x = b.input(0), y = b.input(1);
  FailureOr<Value> xzp = b.optionalInput(2), yzp = b.optionalInput(3);
  if (failed(x) || failed(y) || failed(xzp) || failed(yzp))
    return failure();
  return b.defineResult(integerMatMul(b, *x, *xzp, *y, *yzp));
}

/// conv(x - x_zero_point, w - w_zero_point) in i32 (padding adds zeros after
/// the subtraction, i.e. the zero point before it); w's zero point is per
/// tensor or per output channel.
FailureOr<Value> integerConv(NodeBinder &b, Value x, Value xzp, Value w, Value wzp,
                             Value bias) {
  int64_t spatial = typeOf(w).getRank() - 1;
  if (xzp && typeOf(xzp).getNumElements() != 1)
    return b.error() << "expects a per-tensor x zero point, found " << typeOf(xzp);
  FailureOr<Value> in = centered(b, x, xzp, 0, "x"), weight = centered(b, w, wzp, spatial, "w");
  if (failed(in) || failed(weight))
    return failure();
  if (bias && !typeOf(bias).getElementType().isSignlessInteger(32))
    return b.error() << "expects an int32 bias, found " << typeOf(bias).getElementType();
  return buildConv(b, *in, *weight, bias);
}

LogicalResult importConvInteger(NodeBinder &b) {
  FailureOr<Value> x = b.input(0), w = b.input(1);
  FailureOr<Value> xzp = b.optionalInput(2), wzp = b.optionalInput(3);
  if (failed(x) || failed(w) || failed(xzp) || failed(wzp))
    return failure();
  return b.defineResult(integerConv(b, *x, *xzp, *w, *wzp, Value()));
}

/// The i32 accumulator `acc` scaled by `scale` (f32, broadcast) and quantized
/// with the output's scale and zero point.
FailureOr<Value> requantize(NodeBinder &b, Value acc, Value scale, Value yScale, Value yZp) {
  Type f32 = b.builder().getF32Type();
  FailureOr<Value> real = b.create<MulOp>(castTo(b, acc, f32), scale);
  if (failed(real))
    return failure();
  Value s = perTensor(b, yScale), z = perTensor(b, yZp);
  if (typeOf(s).getRank() != 0 || typeOf(z).getRank() != 0)
    return b.error() << "expects a per-tensor output scale and zero point";
  if (!isQuantizedType(typeOf(z).getElementType()))
    return b.error() << "expects a uint8 or int8 output zero point, found "
                     << typeOf(z).getElementType();
  return b.create<QuantizeLinearOp>(*real, s, z, b.builder().getI64IntegerAttr(0));
}

/// The product of two scales (each per tensor or a 1-D per-index one, spread
/// over `trailing` dims) in f32.
FailureOr<Value> scaleProduct(NodeBinder &b, Value s1, int64_t trailing1, Value s2,
                              int64_t trailing2) {
  Type f32 = b.builder().getF32Type();
  for (Value s : {s1, s2})
    if (!typeOf(s).getElementType().isF32())
      return b.error() << "expects float scales, found " << typeOf(s).getElementType();
  return b.create<MulOp>(castTo(b, spread(b, perTensor(b, s1), trailing1), f32),
                         castTo(b, spread(b, perTensor(b, s2), trailing2), f32));
}

LogicalResult importQLinearMatMul(NodeBinder &b) {
  SmallVector<Value> in;
  for (int i = 0; i < 8; ++i) {
    FailureOr<Value> v = b.input(i);
    if (failed(v))
      return failure();
    in.push_back(*v);
  }
  FailureOr<Value> acc = integerMatMul(b, in[0], in[2], in[3], in[5]);
  if (failed(acc))
    return failure();
  FailureOr<Value> scale = scaleProduct(b, in[1], 1, in[4], 0);
  if (failed(scale))
    return failure();
  return b.defineResult(requantize(b, *acc, *scale, in[6], in[7]));
}

LogicalResult importQLinearConv(NodeBinder &b) {
  SmallVector<Value> in;
  for (int i = 0; i < 8; ++i) {
    FailureOr<Value> v = b.input(i);
    if (failed(v))
      return failure();
    in.push_back(*v);
  }
  FailureOr<Value> bias = b.optionalInput(8);
  if (failed(bias))
    return failure();
  FailureOr<Value> acc = integerConv(b, in[0], in[2], in[3], in[5], *bias);
  if (failed(acc))
    return failure();
  // The weight's scale is per output channel: dimension 1 of the result.
  int64_t spatial = typeOf(in[3]).getRank() - 2;
  FailureOr<Value> scale = scaleProduct(b, in[1], 0, in[4], spatial);
  if (failed(scale))
    return failure();
  return b.defineResult(requantize(b, *acc, *scale, in[6], in[7]));
}

} // namespace

void kiln::onnx_import::registerQuantizedOps(OpRegistry &r) {
  r.on("QuantizeLinear", 10, importQuantizeLinear);
  r.on("DequantizeLinear", 10, importDequantizeLinear);
  r.on("DynamicQuantizeLinear", 11, importDynamicQuantizeLinear);
  r.on("MatMulInteger", 10, importMatMulInteger);
  r.on("ConvInteger", 10, importConvInteger);
  r.on("QLinearMatMul", 10, importQLinearMatMul);
  r.on("QLinearConv", 10, importQLinearConv);
}
