//===- Recurrent.cpp - LSTM, GRU and RNN -----------------------------------===//
//
// Each node becomes one nn.lstm / nn.gru / nn.rnn in layout 0: layout 1
// (batch first) is transposes around the op. ONNX's defaults are resolved
// here, so the nn op spells out every activation with its alpha and beta.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/ONNX/NodeBinder.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::onnx_import;

namespace {

/// ONNX's activation name (any case) as nn spells it, with whether it takes
/// alpha and beta and their defaults (those of the ONNX operator of the same
/// name); nothing for an unknown name.
struct Activation {
  StringRef name;
  bool hasAlpha, hasBeta;
  double alpha, beta;
};

std::optional<Activation> activationByOnnxName(StringRef onnx) {
  static const std::pair<StringRef, Activation> table[] = {
      {"sigmoid", {"sigmoid", false, false, 0, 0}},
      {"tanh", {"tanh", false, false, 0, 0}},
      {"relu", {"relu", false, false, 0, 0}},
      {"affine", {"affine", true, true, 1.0, 0.0}},
      {"leakyrelu", {"leaky_relu", true, false, 0.01, 0}},
      {"thresholdedrelu", {"thresholded_relu", true, false, 1.0, 0}},
      {"scaledtanh", {"scaled_tanh", true, true, 1.0, 1.0}},
      {"hardsigmoid", {"hard_sigmoid", true, true, 0.2, 0.5}},
      {"elu", {"elu", true, false, 1.0, 0}},
      {"softsign", {"softsign", false, false, 0, 0}},
      {"softplus", {"softplus", false, false, 0, 0}},
  };
  std::string lower = onnx.lower();
  for (const auto &[key, act] : table)
    if (key == lower)
      return act;
  return std::nullopt;
}

/// The `activations` attribute's strings, or `dflt` when absent.
FailureOr<SmallVector<std::string>> activationNames(NodeBinder &b,
                                                    ArrayRef<StringRef> dflt) {
  for (const auto &a : b.node().attribute()) {
    if (a.name() != "activations")
      continue;
    if (a.type() != onnx::AttributeProto::STRINGS && a.strings_size() == 0)
      return b.error() << "expects attribute 'activations' of type strings";
    return SmallVector<std::string>(a.strings().begin(), a.strings().end());
  }
  SmallVector<std::string> names;
  for (StringRef d : dflt)
    names.push_back(d.str());
  return names;
}

enum class Cell { LSTM, GRU, RNN };

LogicalResult importRecurrent(NodeBinder &b, Cell cell) {
  OpBuilder &builder = b.builder();
  SmallVector<StringRef> defaultActs;
  if (cell == Cell::LSTM)
    defaultActs = {"Sigmoid", "Tanh", "Tanh"};
  else if (cell == Cell::GRU)
    defaultActs = {"Sigmoid", "Tanh"};
  else
    defaultActs = {"Tanh"};
  size_t perDirection = defaultActs.size();

  std::string direction = b.attrString("direction", "forward");
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
    return b.error() << "expects direction 'forward', 'reverse' or 'bidirectional', found "
                     << quoted(direction);
  size_t dirs = direction == "bidirectional" ? 2 : 1;
  int64_t layout = b.attrInt("layout", 0);
  if (layout != 0 && layout != 1)
    return b.error() << "expects layout 0 or 1, found " << layout;

  SmallVector<Value> in(8);
  for (int i = 0; i < 8; ++i) {
    if (i == 6 || i == 7) {
      if (cell != Cell::LSTM) {
        if (b.hasInput(i))
          return b.error() << "expects at most 6 inputs, found " << b.numInputs();
        continue;
      }
    }
    FailureOr<Value> v = i < 3 ? b.input(i) : b.optionalInput(i);
    if (failed(v))
      return failure();
    in[i] = *v;
  }
  int outputs = cell == Cell::LSTM ? 3 : 2;
  if (b.numOutputs() > outputs)
    return b.error() << "expects at most " << outputs << " outputs, found " << b.numOutputs();

  int64_t hidden = b.attrInt("hidden_size", ShapedType::kDynamic);
  if (!b.hasAttr("hidden_size")) {
    hidden = typeOf(in[2]).getRank() == 3 ? typeOf(in[2]).getDimSize(2) : ShapedType::kDynamic;
    if (ShapedType::isDynamic(hidden))
      return b.error() << "expects hidden_size, or R with a static last dimension";
  }

  // Activations: one list per direction (a single direction's list serves
  // both; extra names past what the direction count needs are ignored, as
  // RNN's default ['Tanh', 'Tanh'] for one direction shows). Alphas and
  // betas are consumed in order by the activations that take them.
  FailureOr<SmallVector<std::string>> names = activationNames(b, defaultActs);
  if (failed(names))
    return failure();
  if (names->size() == perDirection && dirs == 2)
    names->append(SmallVector<std::string>(*names));
  if (names->size() < perDirection * dirs)
    return b.error() << "expects " << perDirection * dirs << " activations ("
                     << perDirection << " per direction), found " << names->size();
  names->resize(perDirection * dirs);
  SmallVector<float> alphas = b.attrFloats("activation_alpha"),
                     betas = b.attrFloats("activation_beta");
  size_t nextAlpha = 0, nextBeta = 0;
  SmallVector<Attribute> acts;
  SmallVector<double> alpha, beta;
  for (const std::string &n : *names) {
    std::optional<Activation> act = activationByOnnxName(n);
    if (!act)
      return b.error() << "expects activations among Sigmoid, Tanh, Relu, Affine, LeakyRelu, "
                          "ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, Softplus, "
                          "found "
                       << quoted(n);
    acts.push_back(builder.getStringAttr(act->name));
    alpha.push_back(!act->hasAlpha              ? 0.0
                    : nextAlpha < alphas.size() ? alphas[nextAlpha++]
                                                : act->alpha);
    beta.push_back(!act->hasBeta              ? 0.0
                   : nextBeta < betas.size() ? betas[nextBeta++]
                                             : act->beta);
  }
  FloatAttr clip;
  if (b.hasAttr("clip"))
    clip = builder.getF64FloatAttr(b.attrFloat("clip", 0));
  if (b.hasFailed())
    return failure();

  // Batch first: [batch, seq, input] and [batch, D, H] to layout 0.
  auto transpose = [&](Value v, ArrayRef<int64_t> perm) -> FailureOr<Value> {
    return b.create<TransposeOp>(v, builder.getDenseI64ArrayAttr(perm));
  };
  if (layout == 1) {
    for (int i : {0, 5, 6}) {
      if (!in[i])
        continue;
      if (typeOf(in[i]).getRank() != 3)
        return b.error() << "expects input " << i << " of rank 3, found rank "
                         << typeOf(in[i]).getRank();
      FailureOr<Value> t = transpose(in[i], {1, 0, 2});
      if (failed(t))
        return failure();
      in[i] = *t;
    }
  }

  // The weights set the gemm shapes of every step: the decomposition needs
  // them static (x, the states and the lengths may be dynamic).
  static constexpr const char *kWeightNames[] = {"X", "W", "R", "B", "", "", "", "P"};
  for (int i : {1, 2, 3, 7}) {
    if (i >= static_cast<int>(in.size()) || !in[i] || typeOf(in[i]).hasStaticShape())
      continue;
    std::string shape;
    llvm::raw_string_ostream os(shape);
    llvm::interleave(
        typeOf(in[i]).getShape(), os,
        [&](int64_t d) { os << (ShapedType::isDynamic(d) ? "?" : std::to_string(d)); }, "x");
    return b.error() << "expects " << kWeightNames[i] << " (input " << i
                     << ") with a static shape, found " << shape;
  }

  StringAttr dirAttr = builder.getStringAttr(direction);
  IntegerAttr hiddenAttr = builder.getI64IntegerAttr(hidden);
  ArrayAttr actsAttr = builder.getArrayAttr(acts);
  DenseF64ArrayAttr alphaAttr = builder.getDenseF64ArrayAttr(alpha),
                    betaAttr = builder.getDenseF64ArrayAttr(beta);
  FailureOr<Operation *> op = failure();
  if (cell == Cell::LSTM)
    op = b.createMulti<LSTMOp>(3, in[0], in[1], in[2], in[3], in[4], in[5], in[6], in[7],
                               dirAttr, hiddenAttr, actsAttr, alphaAttr, betaAttr, clip,
                               builder.getBoolAttr(b.attrInt("input_forget", 0) != 0));
  else if (cell == Cell::GRU)
    op = b.createMulti<GRUOp>(2, in[0], in[1], in[2], in[3], in[4], in[5], dirAttr, hiddenAttr,
                              actsAttr, alphaAttr, betaAttr, clip,
                              builder.getBoolAttr(b.attrInt("linear_before_reset", 0) != 0));
  else
    op = b.createMulti<RNNOp>(2, in[0], in[1], in[2], in[3], in[4], in[5], dirAttr, hiddenAttr,
                              actsAttr, alphaAttr, betaAttr, clip);
  if (failed(op))
    return failure();
  for (int i = 0; i < outputs; ++i) {
    if (!b.hasOutput(i))
      continue;
    Value v = (*op)->getResult(i);
    if (layout == 1) {
      FailureOr<Value> t =
          i == 0 ? transpose(v, {2, 0, 1, 3}) : transpose(v, {1, 0, 2});
      if (failed(t))
        return failure();
      v = *t;
    }
    b.define(i, v);
  }
  return success();
}

} // namespace

void kiln::onnx_import::registerRecurrentOps(OpRegistry &r) {
  // Opset 1's output_sequence only made y optional (y is always computed);
  // 7 dropped it and 14 added layout, which is read whenever given.
  r.on("LSTM", 1, [](NodeBinder &b) { return importRecurrent(b, Cell::LSTM); });
  r.on("GRU", 1, [](NodeBinder &b) { return importRecurrent(b, Cell::GRU); });
  r.on("RNN", 1, [](NodeBinder &b) { return importRecurrent(b, Cell::RNN); });
}
