//===- NNRecurrentOps.cpp - nn dialect: lstm, gru, rnn -------------------===//
//
// The three recurrent ops share one inference: the operand shapes of
// NNRecurrentOps.td, the activation names and their parameters.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/IR/NNInference.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::detail;

bool kiln::nn::isRecurrentActivation(StringRef name) {
  return llvm::is_contained({"sigmoid", "tanh", "relu", "affine", "leaky_relu",
                             "thresholded_relu", "scaled_tanh", "hard_sigmoid", "elu",
                             "softsign", "softplus"},
                            name);
}

namespace {

std::string typeStr(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

/// The operands and attributes every recurrent op has; `initialC` and
/// `peepholes` only the LSTM's.
struct RecurrentParts {
  Value x, w, r, b, lens, initialH, initialC, peepholes;
  StringRef direction;
  int64_t hidden;
  ArrayAttr activations;
  ArrayRef<double> alpha, beta;
  std::optional<double> clip;
};

LogicalResult inferRecurrent(std::optional<Location> loc, StringRef name, int64_t gates,
                             int64_t actsPerDirection, const RecurrentParts &p, bool cellState,
                             SmallVectorImpl<Type> &types) {
  int64_t dirs;
  if (p.direction == "forward" || p.direction == "reverse")
    dirs = 1;
  else if (p.direction == "bidirectional")
    dirs = 2;
  else
    return fail(loc, name, "expects direction 'forward', 'reverse' or 'bidirectional', found '")
           << p.direction << "'";
  int64_t h = p.hidden;
  if (h < 1)
    return fail(loc, name, "expects hidden_size >= 1, found ") << h;
  RankedTensorType xt = rankedType(p.x);
  if (xt.getRank() != 3)
    return fail(loc, name, "expects x of rank 3 [seq, batch, input], found ")
           << shapeStr(xt.getShape());
  Type elem = xt.getElementType();
  int64_t seq = xt.getDimSize(0), batch = xt.getDimSize(1), input = xt.getDimSize(2);
  // Each operand: its name, value and expected shape (kDynamic: any size).
  auto check = [&](StringRef what, Value v, ArrayRef<int64_t> shape) -> LogicalResult {
    if (!v)
      return success();
    RankedTensorType t = rankedType(v);
    bool ok = t.getRank() == static_cast<int64_t>(shape.size()) &&
              (what == "sequence_lens" || t.getElementType() == elem);
    for (size_t d = 0; ok && d < shape.size(); ++d)
      ok = !dimsMayDiffer(t.getDimSize(d), shape[d]);
    if (!ok)
      return fail(loc, name, "expects ")
             << what << " of shape " << shapeStr(shape) << " "
             << (what == "sequence_lens" ? std::string("i32 or i64") : typeStr(elem))
             << ", found " << shapeStr(t.getShape()) << " " << typeStr(t.getElementType());
    return success();
  };
  if (failed(check("w", p.w, {dirs, gates * h, input})) ||
      failed(check("r", p.r, {dirs, gates * h, h})) ||
      failed(check("b", p.b, {dirs, 2 * gates * h})) ||
      failed(check("sequence_lens", p.lens, {batch})) ||
      failed(check("initial_h", p.initialH, {dirs, batch, h})) ||
      failed(check("initial_c", p.initialC, {dirs, batch, h})) ||
      failed(check("p", p.peepholes, {dirs, 3 * h})))
    return failure();
  int64_t acts = actsPerDirection * dirs;
  if (static_cast<int64_t>(p.activations.size()) != acts)
    return fail(loc, name, "expects ")
           << acts << " activations (" << actsPerDirection << " per direction), found "
           << p.activations.size();
  for (Attribute a : p.activations) {
    StringRef act = cast<StringAttr>(a).getValue();
    if (!isRecurrentActivation(act))
      return fail(loc, name, "expects activations among sigmoid, tanh, relu, affine, "
                             "leaky_relu, thresholded_relu, scaled_tanh, hard_sigmoid, elu, "
                             "softsign, softplus, found '")
             << act << "'";
  }
  if (static_cast<int64_t>(p.alpha.size()) != acts || static_cast<int64_t>(p.beta.size()) != acts)
    return fail(loc, name, "expects one activation_alpha and one activation_beta per activation (")
           << acts << "), found " << p.alpha.size() << " and " << p.beta.size();
  if (p.clip && !(*p.clip > 0))
    return fail(loc, name, "expects a positive clip, found ") << *p.clip;
  types.push_back(RankedTensorType::get({seq, dirs, batch, h}, elem));
  types.push_back(RankedTensorType::get({dirs, batch, h}, elem));
  if (cellState)
    types.push_back(RankedTensorType::get({dirs, batch, h}, elem));
  return success();
}

template <typename Adaptor>
RecurrentParts commonParts(Adaptor adaptor) {
  RecurrentParts p;
  p.x = adaptor.getX();
  p.w = adaptor.getW();
  p.r = adaptor.getR();
  p.b = adaptor.getB();
  p.lens = adaptor.getSequenceLens();
  p.initialH = adaptor.getInitialH();
  p.direction = adaptor.getDirection();
  p.hidden = adaptor.getHiddenSize();
  p.activations = adaptor.getActivations();
  p.alpha = adaptor.getActivationAlpha();
  p.beta = adaptor.getActivationBeta();
  if (auto clip = adaptor.getClipAttr())
    p.clip = clip.getValueAsDouble();
  return p;
}

} // namespace

LogicalResult LSTMOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                       Adaptor adaptor, SmallVectorImpl<Type> &types) {
  RecurrentParts p = commonParts(adaptor);
  p.initialC = adaptor.getInitialC();
  p.peepholes = adaptor.getP();
  return inferRecurrent(loc, getOperationName(), kGates, kActivations, p, true, types);
}

LogicalResult GRUOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferRecurrent(loc, getOperationName(), kGates, kActivations, commonParts(adaptor),
                        false, types);
}

LogicalResult RNNOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferRecurrent(loc, getOperationName(), kGates, kActivations, commonParts(adaptor),
                        false, types);
}
