//===- Elementwise.cpp - unary, binary and variadic elementwise ops ------===//
//
// Activations, arithmetic, comparisons and logic, Clip, Where, Mod, Mean,
// IsNaN/IsInf, and inference-mode Dropout.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/ONNX/NodeBinder.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::onnx_import;

namespace {

template <typename OpTy>
LogicalResult unary(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  b.define(0, b.builder().create<OpTy>(b.loc(), *x));
  return success();
}

/// An activation with one float attribute `alpha`.
template <typename OpTy>
OpHandler withAlpha(double dflt) {
  return [dflt](NodeBinder &b) -> LogicalResult {
    FailureOr<Value> x = b.input(0);
    if (failed(x))
      return failure();
    b.define(0, b.builder().create<OpTy>(b.loc(), *x,
                                         b.builder().getF64FloatAttr(b.attrFloat("alpha", dflt))));
    return success();
  };
}

/// Binary and variadic ops fold left over their inputs. `legacyBroadcast`:
/// before opset 7, broadcast=1 with an axis aligns the right operand at
/// that axis.
template <typename OpTy>
FailureOr<Value> foldLeft(NodeBinder &b, bool legacyBroadcast) {
  FailureOr<Value> acc = b.input(0);
  if (failed(acc))
    return failure();
  for (int i = 1; i < b.numInputs(); ++i) {
    FailureOr<Value> rhs = b.input(i);
    if (failed(rhs))
      return failure();
    if (legacyBroadcast && b.attrInt("broadcast", 0) && b.hasAttr("axis")) {
      RankedTensorType l = typeOf(*acc), r = typeOf(*rhs);
      int64_t axis = b.attrInt("axis", 0);
      if (axis < 0)
        axis += l.getRank();
      if (axis < 0 || axis + r.getRank() > l.getRank())
        return b.error() << "legacy broadcast axis " << axis << " is out of range";
      SmallVector<int64_t> shape(axis, 1);
      shape.append(r.getShape().begin(), r.getShape().end());
      shape.resize(l.getRank(), 1);
      rhs = b.builder()
                .create<ReshapeOp>(b.loc(), RankedTensorType::get(shape, r.getElementType()), *rhs)
                .getResult();
    }
    acc = b.create<OpTy>(*acc, *rhs);
    if (failed(acc))
      return failure();
  }
  return acc;
}

template <typename OpTy>
OpHandler binary(bool legacyBroadcast) {
  return [=](NodeBinder &b) -> LogicalResult {
    return b.defineResult(foldLeft<OpTy>(b, legacyBroadcast));
  };
}

/// Registers a binary op whose legacy broadcast attributes opset 7 removed.
template <typename OpTy>
void onBroadcasting(OpRegistry &r, StringRef op) {
  r.on(op, 1, binary<OpTy>(/*legacyBroadcast=*/true));
  r.on(op, 7, binary<OpTy>(/*legacyBroadcast=*/false));
}

/// Before opset 7 a 1-D slope of C elements applies along the channels.
LogicalResult importPRelu(NodeBinder &b, bool legacySlope) {
  FailureOr<Value> x = b.input(0), slope = b.input(1);
  if (failed(x) || failed(slope))
    return failure();
  RankedTensorType xt = typeOf(*x), st = typeOf(*slope);
  Value s = *slope;
  if (legacySlope && st.getRank() == 1 && xt.getRank() >= 3 &&
      st.getDimSize(0) == xt.getDimSize(1)) {
    SmallVector<int64_t> shape{st.getDimSize(0)};
    shape.append(xt.getRank() - 2, 1);
    s = b.builder().create<ReshapeOp>(b.loc(), st.clone(shape), s);
  }
  return b.defineResult(b.create<PReluOp>(*x, s));
}

/// Clip bounds: attributes before opset 11, optional inputs after; bounds
/// known only at run time become broadcast max/min ops.
LogicalResult importClip(NodeBinder &b, bool boundsAsInputs) {
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  OpBuilder &builder = b.builder();
  FloatAttr lo, hi;
  Value runtimeLo, runtimeHi;
  if (!boundsAsInputs) {
    if (b.hasAttr("min"))
      lo = builder.getF64FloatAttr(b.attrFloat("min", 0));
    if (b.hasAttr("max"))
      hi = builder.getF64FloatAttr(b.attrFloat("max", 0));
  } else {
    for (int i : {1, 2}) {
      if (!b.hasInput(i))
        continue;
      FloatAttr &bound = i == 1 ? lo : hi;
      if (std::optional<SmallVector<double>> c = b.constNumbers(i); c && c->size() == 1) {
        bound = builder.getF64FloatAttr(c->front());
        continue;
      }
      FailureOr<Value> v = b.input(i);
      if (failed(v))
        return failure();
      (i == 1 ? runtimeLo : runtimeHi) = *v;
    }
  }
  Value y = builder.create<ClipOp>(b.loc(), *x, lo, hi);
  if (runtimeLo) {
    FailureOr<Value> r = b.create<MaxOp>(y, runtimeLo);
    if (failed(r))
      return failure();
    y = *r;
  }
  if (runtimeHi) {
    FailureOr<Value> r = b.create<MinOp>(y, runtimeHi);
    if (failed(r))
      return failure();
    y = *r;
  }
  b.define(0, y);
  return success();
}

/// Inference only: a training_mode input must be a constant false; the
/// mask output keeps every element.
LogicalResult importDropout(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  RankedTensorType xt = typeOf(*x);
  // training_mode (input 2, opset 12+): absent or a constant false is the
  // identity; a constant true or a run-time flag is nn.dropout, whose ratio
  // a false flag turns to 0 (keep everything, scale 1).
  Value training;
  bool isTraining = false;
  if (b.opset() >= 12 && b.hasInput(2)) {
    FailureOr<Value> t = b.input(2);
    if (failed(t))
      return failure();
    if (typeOf(*t).getRank() != 0 || !typeOf(*t).getElementType().isInteger(1))
      return b.error() << "expects training_mode (input 2) to be a rank-0 bool, found "
                       << typeOf(*t);
    ElementsAttr mode = b.constInput(2);
    if (!mode)
      training = *t, isTraining = true;
    else
      isTraining = mode.getSplatValue<bool>();
  }
  // Imported for training, an inference-mode Dropout is still an
  // nn.dropout: the training step draws its mask, inference drops it.
  if (!isTraining && !b.importingForTraining()) {
    b.define(0, *x);
    if (b.hasOutput(1)) {
      auto maskType = xt.clone(b.builder().getI1Type());
      b.define(1,
               b.builder().create<ConstantOp>(b.loc(), DenseElementsAttr::get(maskType, true)));
    }
    return success();
  }
  OpBuilder &builder = b.builder();
  Type elem = xt.getElementType();
  if (!isa<FloatType>(elem))
    return b.error() << "expects a float input in training mode, found " << elem;
  Value ratio = b.scalarConstant(elem, b.opset() < 12 ? b.attrFloat("ratio", 0.5) : 0.5);
  if (b.opset() >= 12 && b.hasInput(1)) {
    FailureOr<Value> r = b.input(1);
    if (failed(r))
      return failure();
    if (typeOf(*r).getRank() != 0)
      return b.error() << "expects a rank-0 ratio (input 1), found " << typeOf(*r);
    ratio = *r;
    if (typeOf(ratio).getElementType() != elem)
      ratio = builder.create<CastOp>(b.loc(), typeOf(ratio).clone(elem), ratio);
  }
  if (ElementsAttr r = b.constInput(1)) {
    double v = r.getSplatValue<APFloat>().convertToDouble();
    if (!(v >= 0.0 && v < 1.0))
      return b.error() << "expects ratio in [0, 1), found " << v;
  }
  if (training) {
    FailureOr<Value> off = b.create<WhereOp>(training, ratio, b.scalarConstant(elem, 0.0));
    if (failed(off))
      return failure();
    ratio = *off;
  }
  // ONNX draws a random seed when none is given; Kiln's default is 0, so
  // that every compilation of a model gives the same masks.
  FailureOr<Operation *> op =
      b.createMulti<DropoutOp>(2, *x, ratio, /*offset=*/Value(),
                                  builder.getI64IntegerAttr(b.attrInt("seed", 0)));
  if (failed(op))
    return failure();
  for (int i = 0; i < 2; ++i)
    if (b.hasOutput(i))
      b.define(i, (*op)->getResult(i));
  return success();
}

} // namespace

void kiln::onnx_import::registerElementwiseOps(OpRegistry &r) {
  r.on("Relu", 1, unary<ReluOp>);
  r.on("Sigmoid", 1, unary<SigmoidOp>);
  r.on("Tanh", 1, unary<TanhOp>);
  r.on("Exp", 1, unary<ExpOp>);
  r.on("Log", 1, unary<LogOp>);
  r.on("Erf", 9, unary<ErfOp>);
  r.on("Sqrt", 1, unary<SqrtOp>);
  r.on("Reciprocal", 1, unary<ReciprocalOp>);
  r.on("Neg", 1, unary<NegOp>);
  r.on("Abs", 1, unary<AbsOp>);
  r.on("Floor", 1, unary<FloorOp>);
  r.on("Ceil", 1, unary<CeilOp>);
  r.on("Softplus", 1, unary<SoftplusOp>);
  r.on("Sin", 7, unary<SinOp>);
  r.on("Cos", 7, unary<CosOp>);
  r.on("Tan", 7, unary<TanOp>);
  r.on("Asin", 7, unary<AsinOp>);
  r.on("Acos", 7, unary<AcosOp>);
  r.on("Atan", 7, unary<AtanOp>);
  r.on("Sinh", 9, unary<SinhOp>);
  r.on("Cosh", 9, unary<CoshOp>);
  r.on("Asinh", 9, unary<AsinhOp>);
  r.on("Acosh", 9, unary<AcoshOp>);
  r.on("Atanh", 9, unary<AtanhOp>);
  r.on("Round", 11, unary<RoundOp>);
  r.on("Sign", 9, unary<SignOp>);
  r.on("Softsign", 1, unary<SoftsignOp>);
  r.on("HardSwish", 14, unary<HardSwishOp>);
  r.on("Mish", 18, unary<MishOp>);
  r.on("Not", 1, unary<NotOp>);

  r.on("LeakyRelu", 1, withAlpha<LeakyReluOp>(0.01));
  r.on("Elu", 1, withAlpha<EluOp>(1.0));
  r.on("Celu", 12, withAlpha<CeluOp>(1.0));
  r.on("ThresholdedRelu", 10, withAlpha<ThresholdedReluOp>(1.0));
  r.on("Selu", 1, [](NodeBinder &b) -> LogicalResult {
    FailureOr<Value> x = b.input(0);
    if (failed(x))
      return failure();
    OpBuilder &builder = b.builder();
    b.define(0, builder.create<SeluOp>(
                    b.loc(), *x,
                    builder.getF64FloatAttr(b.attrFloat("alpha", 1.67326319217681884765625)),
                    builder.getF64FloatAttr(b.attrFloat("gamma", 1.05070102214813232421875))));
    return success();
  });
  r.on("Shrink", 9, [](NodeBinder &b) -> LogicalResult {
    FailureOr<Value> x = b.input(0);
    if (failed(x))
      return failure();
    OpBuilder &builder = b.builder();
    b.define(0, builder.create<ShrinkOp>(b.loc(), *x,
                                         builder.getF64FloatAttr(b.attrFloat("lambd", 0.5)),
                                         builder.getF64FloatAttr(b.attrFloat("bias", 0.0))));
    return success();
  });
  r.on("HardSigmoid", 1, [](NodeBinder &b) -> LogicalResult {
    FailureOr<Value> x = b.input(0);
    if (failed(x))
      return failure();
    OpBuilder &builder = b.builder();
    b.define(0, builder.create<HardSigmoidOp>(b.loc(), *x,
                                              builder.getF64FloatAttr(b.attrFloat("alpha", 0.2)),
                                              builder.getF64FloatAttr(b.attrFloat("beta", 0.5))));
    return success();
  });

  onBroadcasting<AddOp>(r, "Add");
  onBroadcasting<SubOp>(r, "Sub");
  onBroadcasting<MulOp>(r, "Mul");
  onBroadcasting<DivOp>(r, "Div");
  onBroadcasting<PowOp>(r, "Pow");
  onBroadcasting<EqualOp>(r, "Equal");
  onBroadcasting<LessOp>(r, "Less");
  onBroadcasting<GreaterOp>(r, "Greater");
  onBroadcasting<AndOp>(r, "And");
  onBroadcasting<OrOp>(r, "Or");
  onBroadcasting<XorOp>(r, "Xor");
  r.on("LessOrEqual", 12, binary<LessEqualOp>(false));
  r.on("GreaterOrEqual", 12, binary<GreaterEqualOp>(false));
  r.on("Max", 1, binary<MaxOp>(false));
  r.on("Min", 1, binary<MinOp>(false));
  r.on("Sum", 1, binary<AddOp>(false));
  r.on("Mean", 1, [](NodeBinder &b) -> LogicalResult {
    // The sum of the inputs, scaled by 1 / count.
    FailureOr<Value> sum = foldLeft<AddOp>(b, false);
    if (failed(sum))
      return failure();
    Type elem = typeOf(*sum).getElementType();
    return b.defineResult(b.create<MulOp>(*sum, b.scalarConstant(elem, 1.0 / b.numInputs())));
  });
  r.on("PRelu", 1, [](NodeBinder &b) { return importPRelu(b, /*legacySlope=*/true); });
  r.on("PRelu", 7, [](NodeBinder &b) { return importPRelu(b, /*legacySlope=*/false); });
  r.on("Mod", 10, [](NodeBinder &b) -> LogicalResult {
    FailureOr<Value> x = b.input(0), y = b.input(1);
    if (failed(x) || failed(y))
      return failure();
    return b.defineResult(
        b.create<ModOp>(*x, *y, b.builder().getBoolAttr(b.attrBool("fmod", false))));
  });
  r.on("BitShift", 11, [](NodeBinder &b) -> LogicalResult {
    FailureOr<Value> x = b.input(0), y = b.input(1);
    if (failed(x) || failed(y))
      return failure();
    std::string direction = b.attrString("direction", "");
    if (direction != "LEFT" && direction != "RIGHT")
      return b.error() << "expects direction LEFT or RIGHT, found " << quoted(direction);
    Type elem = typeOf(*x).getElementType();
    if (!elem.isUnsignedInteger())
      return b.error() << "expects unsigned integer operands, found " << elem;
    return b.defineResult(
        b.create<BitShiftOp>(*x, *y, b.builder().getBoolAttr(direction == "LEFT")));
  });
  r.on("Where", 9, [](NodeBinder &b) -> LogicalResult {
    FailureOr<Value> c = b.input(0), x = b.input(1), y = b.input(2);
    if (failed(c) || failed(x) || failed(y))
      return failure();
    return b.defineResult(b.create<WhereOp>(*c, *x, *y));
  });
  r.on("Clip", 1, [](NodeBinder &b) { return importClip(b, /*boundsAsInputs=*/false); });
  r.on("Clip", 11, [](NodeBinder &b) { return importClip(b, /*boundsAsInputs=*/true); });
  r.on("IsNaN", 9, [](NodeBinder &b) -> LogicalResult {
    FailureOr<Value> x = b.input(0);
    if (failed(x))
      return failure();
    b.define(0, b.builder().create<IsNaNOp>(
                    b.loc(), typeOf(*x).clone(b.builder().getI1Type()), *x));
    return success();
  });
  r.on("IsInf", 10, [](NodeBinder &b) -> LogicalResult {
    FailureOr<Value> x = b.input(0);
    if (failed(x))
      return failure();
    OpBuilder &builder = b.builder();
    b.define(0, builder.create<IsInfOp>(b.loc(), typeOf(*x).clone(builder.getI1Type()), *x,
                                        builder.getBoolAttr(b.attrBool("detect_positive", true)),
                                        builder.getBoolAttr(b.attrBool("detect_negative", true))));
    return success();
  });
  r.on("Dropout", 1, importDropout);
}
