//===- NNTrainingOps.cpp - nn dialect: dropout, batch norm training, det ---===//

#include "dialects/NN/IR/NNInference.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::detail;

LogicalResult DropoutOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                          Adaptor adaptor, SmallVectorImpl<Type> &types) {
  RankedTensorType in = rankedType(adaptor.getInput()), ratio = rankedType(adaptor.getRatio());
  if (ratio.getRank() != 0 || ratio.getElementType() != in.getElementType())
    return fail(loc, getOperationName(), "expects a rank-0 ratio of type ")
           << in.getElementType() << ", found " << ratio;
  if (Value offset = adaptor.getOffset()) {
    RankedTensorType t = rankedType(offset);
    if (t.getRank() != 0 || !t.getElementType().isSignlessInteger(64))
      return fail(loc, getOperationName(), "expects a rank-0 i64 offset, found ") << t;
  }
  types.push_back(in);
  types.push_back(in.clone(IntegerType::get(ctx, 1)));
  return success();
}

LogicalResult BatchNormTrainingOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                    Adaptor adaptor,
                                                    SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = rankedType(adaptor.getInput());
  if (in.getRank() < 2)
    return fail(loc, name, "expects an input of rank >= 2 (N, C, ...), found rank ")
           << in.getRank();
  int64_t c = in.getDimSize(1);
  for (auto [what, v] : {std::pair<StringRef, Value>{"scale", adaptor.getScale()},
                         {"bias", adaptor.getBias()},
                         {"input_mean", adaptor.getInputMean()},
                         {"input_var", adaptor.getInputVar()}})
    if (failed(checkPerChannel(loc, name, what, rankedType(v), in, c)))
      return failure();
  double momentum = adaptor.getMomentum().convertToDouble();
  if (!(momentum >= 0.0 && momentum <= 1.0))
    return fail(loc, name, "expects momentum in [0, 1], found ") << momentum;
  auto stat = RankedTensorType::get({c}, in.getElementType());
  types.append({in, stat, stat});
  return success();
}

LogicalResult DetOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor adaptor, SmallVectorImpl<Type> &types) {
  RankedTensorType in = rankedType(adaptor.getInput());
  int64_t r = in.getRank();
  if (r < 2 || dimsMayDiffer(in.getDimSize(r - 1), in.getDimSize(r - 2)))
    return fail(loc, getOperationName(), "expects square matrices [*, M, M], found ")
           << shapeStr(in.getShape());
  types.push_back(in.clone(in.getShape().drop_back(2)));
  return success();
}

namespace {
/// The optimizer updates: every state tensor has the parameter's type, and
/// each hyperparameter lies where torch.optim's constructor accepts it.
struct UpdateChecker {
  std::optional<Location> loc;
  StringRef name;
  RankedTensorType param;

  LogicalResult sameType(StringRef what, Value v) {
    if (rankedType(v) != param)
      return fail(loc, name, "expects ") << what << " of the param's type " << param
                                         << ", found " << v.getType();
    return success();
  }
  LogicalResult atLeastZero(StringRef what, APFloat value) {
    double v = value.convertToDouble();
    if (!(v >= 0.0))
      return fail(loc, name, "expects ") << what << " >= 0, found " << v;
    return success();
  }
  LogicalResult below1(StringRef what, APFloat value) {
    double v = value.convertToDouble();
    if (!(v >= 0.0 && v < 1.0))
      return fail(loc, name, "expects ") << what << " in [0, 1), found " << v;
    return success();
  }
};
} // namespace

LogicalResult SGDUpdateOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor, SmallVectorImpl<Type> &types) {
  UpdateChecker c{loc, getOperationName(), rankedType(adaptor.getParam())};
  if (failed(c.sameType("grad", adaptor.getGrad())) ||
      failed(c.sameType("buf", adaptor.getBuf())) ||
      failed(c.atLeastZero("lr", adaptor.getLr())) ||
      failed(c.atLeastZero("momentum", adaptor.getMomentum())) ||
      failed(c.atLeastZero("weight_decay", adaptor.getWeightDecay())))
    return failure();
  if (adaptor.getNesterov() && !(adaptor.getMomentum().convertToDouble() > 0.0))
    return fail(loc, c.name, "expects momentum > 0 with nesterov, found ")
           << adaptor.getMomentum().convertToDouble();
  types.append({c.param, c.param});
  return success();
}

LogicalResult RMSpropUpdateOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                Adaptor adaptor, SmallVectorImpl<Type> &types) {
  UpdateChecker c{loc, getOperationName(), rankedType(adaptor.getParam())};
  if (failed(c.sameType("grad", adaptor.getGrad())) ||
      failed(c.sameType("square_avg", adaptor.getSquareAvg())) ||
      failed(c.atLeastZero("lr", adaptor.getLr())) ||
      failed(c.atLeastZero("alpha", adaptor.getAlpha())) ||
      failed(c.atLeastZero("eps", adaptor.getEps())) ||
      failed(c.atLeastZero("weight_decay", adaptor.getWeightDecay())))
    return failure();
  types.append({c.param, c.param});
  return success();
}

LogicalResult AdamUpdateOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                             Adaptor adaptor, SmallVectorImpl<Type> &types) {
  UpdateChecker c{loc, getOperationName(), rankedType(adaptor.getParam())};
  if (failed(c.sameType("grad", adaptor.getGrad())) ||
      failed(c.sameType("exp_avg", adaptor.getExpAvg())) ||
      failed(c.sameType("exp_avg_sq", adaptor.getExpAvgSq())))
    return failure();
  RankedTensorType step = rankedType(adaptor.getStep());
  if (step.getRank() != 0 || !step.getElementType().isSignlessInteger(64))
    return fail(loc, c.name, "expects a rank-0 i64 step, found ") << step;
  if (failed(c.atLeastZero("lr", adaptor.getLr())) ||
      failed(c.below1("beta1", adaptor.getBeta1())) ||
      failed(c.below1("beta2", adaptor.getBeta2())) ||
      failed(c.atLeastZero("eps", adaptor.getEps())) ||
      failed(c.atLeastZero("weight_decay", adaptor.getWeightDecay())))
    return failure();
  types.append({c.param, c.param, c.param});
  return success();
}
