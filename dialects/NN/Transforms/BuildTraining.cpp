//===- BuildTraining.cpp - a model's training step as four entries --------===//
//
// nn-build-training: from an imported model whose parameters are marked
// constants, the entries init, train_step, eval and infer of a training
// artifact (docs/training.md). The backward pass is the gradient rules'
// (Autodiff.h); the optimizer updates are nn ops that nn-decompose turns into
// one elementwise loop per parameter.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/Transforms/Autodiff.h"
#include "dialects/NN/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/Regex.h"

#include <cmath>

namespace kiln::nn {
#define GEN_PASS_DEF_NNBUILDTRAININGPASS
#include "dialects/NN/Transforms/Passes.h.inc"
} // namespace kiln::nn

using namespace mlir;
using namespace kiln::nn;

namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// One tensor of the training state, in STATE order.
struct StateTensor {
  std::string name;
  std::string kind; // parameter, buffer or optimizer
  RankedTensorType type;
  ConstantOp initial; // the model's constant (parameters, buffers), else zeros
};

Value scalarOf(OpBuilder &b, Location loc, Type elem, double v) {
  auto type = RankedTensorType::get({}, elem);
  Attribute a = isa<FloatType>(elem) ? Attribute(b.getFloatAttr(elem, v))
                                     : Attribute(b.getIntegerAttr(elem, int64_t(v)));
  return b.create<ConstantOp>(loc, DenseElementsAttr::get(type, a));
}

Value zerosOf(OpBuilder &b, Location loc, RankedTensorType type) {
  Attribute a = isa<FloatType>(type.getElementType())
                    ? Attribute(b.getFloatAttr(type.getElementType(), 0.0))
                    : Attribute(b.getIntegerAttr(type.getElementType(), 0));
  return b.create<ConstantOp>(loc, DenseElementsAttr::get(type, a));
}

SmallVector<int64_t> axesFrom(int64_t first, int64_t rank) {
  SmallVector<int64_t> axes;
  for (int64_t d = first; d < rank; ++d)
    axes.push_back(d);
  return axes;
}

struct NNBuildTrainingPass : public kiln::nn::impl::NNBuildTrainingPassBase<NNBuildTrainingPass> {
  using NNBuildTrainingPassBase::NNBuildTrainingPassBase;

  ModuleOp module;
  func::FuncOp model;
  SmallVector<StateTensor> state;
  unsigned numParams = 0;
  unsigned frozenCount = 0;
  llvm::StringMap<unsigned> stateIndex;

  void runOnOperation() override {
    module = getOperation();
    if (failed(checkOptions()) || failed(findModel()) || failed(collectState()))
      return signalPassFailure();
    OpBuilder b(module.getContext());
    b.setInsertionPointToEnd(module.getBody());
    buildInit(b);
    if (failed(buildTrainStep(b)) || failed(buildInference(b, /*withLoss=*/true)) ||
        failed(buildInference(b, /*withLoss=*/false)))
      return signalPassFailure();
    recordTraining(b);
    model.erase();
  }

  InFlightDiagnostic error() { return emitError(module.getLoc()) << "nn-build-training: "; }

  LogicalResult checkOptions() {
    if (!llvm::is_contained({"softmax-cross-entropy", "nll", "mse", "bce-logits"}, loss.getValue()))
      return error() << "expects --loss to be softmax-cross-entropy, nll, mse or bce-logits, found '"
                     << loss << "'";
    if (!llvm::is_contained({"sgd", "rmsprop", "adam", "adamw"}, optimizer.getValue()))
      return error() << "expects --optimizer to be sgd, rmsprop, adam or adamw, found '"
                     << optimizer << "'";
    if (label.empty())
      return error() << "expects --label to name the targets' input, found an empty name";
    if (!(lr > 0) || !std::isfinite(lr))
      return error() << "expects a finite --lr > 0, found " << lr;
    for (auto [flag, value] : {std::pair<StringRef, double>{"--momentum", momentum},
                               {"--weight-decay", weightDecay},
                               {"--clip-norm", clipNorm}})
      if (!(value >= 0) || !std::isfinite(value))
        return error() << "expects a finite " << flag << " >= 0, found " << value;
    if (nesterov && (optimizer != "sgd" || momentum <= 0))
      return error() << "expects --nesterov with --optimizer=sgd and --momentum > 0";
    if (momentum > 0 && optimizer != "sgd")
      return error() << "expects --momentum only with --optimizer=sgd, found --optimizer="
                     << optimizer;
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(alpha >= 0 && alpha < 1) ||
        !(eps > 0) || !std::isfinite(eps))
      return error() << "expects --beta1, --beta2 and --alpha in [0, 1) and a finite --eps > 0";
    std::string why;
    if (!freeze.empty() && !llvm::Regex(freeze).isValid(why))
      return error() << "expects --freeze to be a regular expression, found '" << freeze
                     << "': " << why;
    return success();
  }

  LogicalResult findModel() {
    SmallVector<func::FuncOp> fns;
    for (auto fn : module.getOps<func::FuncOp>())
      if (fn.isPublic() && !fn.isExternal())
        fns.push_back(fn);
    if (fns.size() != 1)
      return error() << "expects one public function (the imported model), found " << fns.size();
    model = fns.front();
    if (model.getNumResults() == 0)
      return error() << "expects the model to have an output (what the loss reads)";
    RankedTensorType yt = typeOf(model.getBody().front().getTerminator()->getOperand(0));
    if (!yt.getElementType().isF32())
      return error() << "expects the model's first output (what the loss reads) to be f32: "
                        "training runs in f32, found "
                     << yt.getElementType();
    bool classification = loss == "softmax-cross-entropy" || loss == "nll";
    if (classification && yt.getRank() < 2)
      return error() << "expects the model's first output to be scores [N, C, ...] of rank >= 2 "
                        "for --loss="
                     << loss << ", found " << yt;
    if (!classification && yt.getRank() < 1)
      return error() << "expects the model's first output to have a batch dim 0 for --loss="
                     << loss << ", found " << yt;
    for (auto [i, type] : llvm::enumerate(model.getArgumentTypes())) {
      auto t = dyn_cast<RankedTensorType>(type);
      auto name = model.getArgAttrOfType<StringAttr>(i, "kiln.name");
      if (!t || !t.hasStaticShape())
        return error() << "expects static input shapes for training, found " << type
                       << " for input '" << (name ? name.getValue() : "") << "'"
                       << " (pin it with --input-shape or --batch)";
      if (name && name.getValue() == label)
        return error() << "expects --label to name a new input, found '" << label
                       << "', an input of the model";
    }
    for (Value out : model.getBody().front().getTerminator()->getOperands())
      if (!typeOf(out).hasStaticShape())
        return error() << "expects static output shapes for training, found " << out.getType();
    // kiln-run splits every batch input (data and label) along dim 0, and
    // the losses are means over the batch: it has at least one row.
    if (yt.getDimSize(0) < 1)
      return error() << "expects a batch of at least one row, found the first output's dim 0 of "
                     << yt.getDimSize(0);
    for (auto [i, type] : llvm::enumerate(model.getArgumentTypes())) {
      auto t = cast<RankedTensorType>(type);
      auto name = model.getArgAttrOfType<StringAttr>(i, "kiln.name");
      if (t.getRank() == 0 || t.getDimSize(0) != yt.getDimSize(0))
        return error() << "expects every input's dim 0 to be the batch, the first output's dim 0 ("
                       << yt.getDimSize(0) << "), found " << t << " for input '"
                       << (name ? name.getValue() : "") << "'";
    }
    if (auto names = model->getAttrOfType<ArrayAttr>("kiln.result_names"))
      for (Attribute n : names)
        if (cast<StringAttr>(n).getValue() == "loss")
          return error() << "expects no model output named 'loss' (the entries' loss output)";
    return success();
  }

  LogicalResult collectState() {
    llvm::Regex frozen(freeze);
    SmallVector<StateTensor> params, buffers;
    for (auto c : model.getBody().front().getOps<ConstantOp>()) {
      auto name = c->getAttrOfType<StringAttr>("kiln.parameter");
      if (!name)
        continue;
      if (c->use_empty()) {
        c->removeAttr("kiln.parameter");
        continue;
      }
      auto isRunningStat = [](OpOperand &use) {
        return isa<BatchNormOp, BatchNormTrainingOp>(use.getOwner()) &&
               use.getOperandNumber() >= 3;
      };
      bool buffer = llvm::any_of(c->getUses(), isRunningStat);
      // --freeze names parameters only: a frozen layer's batch norm still
      // updates its running statistics in training mode, as in PyTorch
      // (requires_grad=False leaves them to the module's mode).
      if (!buffer && !freeze.empty() && frozen.match(name.getValue())) {
        ++frozenCount;
        c->removeAttr("kiln.parameter");
        continue;
      }
      // A running statistic is updated in place each step, so it needs a
      // tensor of its own: one initializer feeding it and anything else
      // (PyTorch's exporter merges initializers of equal value, e.g. a fresh
      // batch norm's weight and running variance, both ones) would have the
      // update overwrite the other use.
      if (buffer && !llvm::hasSingleElement(c->getUses()))
        return error() << "expects each batch norm running mean and variance in an initializer "
                          "of its own, found '"
                       << name.getValue()
                       << "' also used elsewhere (an exporter merged initializers of equal "
                          "value; export them with distinct values, or as separate initializers)";
      StateTensor t{name.str(), buffer ? "buffer" : "parameter", typeOf(c.getResult()), c};
      (buffer ? buffers : params).push_back(t);
    }
    for (const StateTensor &t : params)
      if (stateIndex.count(t.name))
        return error() << "expects distinct initializer names, found '" << t.name << "' twice";
    state.append(params);
    numParams = params.size();
    state.append(buffers);
    auto addOptimizer = [&](const StateTensor &p, StringRef suffix) {
      state.push_back({p.name + "." + suffix.str(), "optimizer", p.type, ConstantOp()});
    };
    for (const StateTensor &p : params) {
      if (optimizer == "sgd" && momentum > 0)
        addOptimizer(p, "momentum_buffer");
      if (optimizer == "adam" || optimizer == "adamw") {
        addOptimizer(p, "exp_avg");
        addOptimizer(p, "exp_avg_sq");
      }
      if (optimizer == "rmsprop")
        addOptimizer(p, "square_avg");
    }
    OpBuilder b(module.getContext());
    state.push_back({"step", "optimizer", RankedTensorType::get({}, b.getI64Type()), ConstantOp()});
    for (auto [i, t] : llvm::enumerate(state)) {
      if (t.name == "loss")
        return error() << "expects no initializer named 'loss' (the name of the entries' loss "
                          "output), found one; rename it in the model";
      if (!stateIndex.try_emplace(t.name, i).second)
        return error() << "expects distinct state names, found '" << t.name << "' twice";
    }
    if (numParams == 0)
      return error() << "expects at least one trainable parameter (a float initializer"
                     << (freeze.empty() ? "" : " not matched by --freeze") << "), found none";
    if (stateIndex.count(label))
      return error() << "expects --label to name a new input, found '" << label
                     << "', the name of a state tensor (parameter, buffer or optimizer state)";
    if (!freeze.empty() && frozenCount == 0) {
      InFlightDiagnostic diag = error() << "expects --freeze='" << freeze
                                        << "' to match a parameter, found none matching among: ";
      llvm::interleaveComma(llvm::make_range(state.begin(), state.begin() + numParams), diag,
                            [&](const StateTensor &t) { diag << t.name; });
      return diag;
    }
    return success();
  }

  void buildInit(OpBuilder &b) {
    Location loc = model.getLoc();
    SmallVector<Type> types;
    for (const StateTensor &t : state)
      types.push_back(t.type);
    auto fn = b.create<func::FuncOp>(loc, "init", b.getFunctionType({}, types));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(fn.addEntryBlock());
    SmallVector<Value> values;
    SmallVector<Attribute> names;
    for (const StateTensor &t : state) {
      if (t.initial) {
        Operation *c = b.clone(*t.initial);
        c->removeAttr("kiln.parameter");
        values.push_back(c->getResult(0));
      } else {
        values.push_back(zerosOf(b, loc, t.type));
      }
      names.push_back(b.getStringAttr(t.name));
    }
    b.create<func::ReturnOp>(loc, values);
    fn->setAttr("kiln.result_names", b.getArrayAttr(names));
  }

  /// A copy of the model named `name` whose parameters and buffers are its
  /// leading arguments (every STATE tensor, in order), the data inputs after
  /// them and, with `withLabel`, the label last.
  func::FuncOp cloneModel(OpBuilder &b, StringRef name, bool withLabel,
                          SmallVectorImpl<Value> &stateArgs, Value &labelArg) {
    auto fn = cast<func::FuncOp>(b.clone(*model));
    fn.setSymName(name);
    fn->removeAttr("kiln.entry_name");
    Location loc = model.getLoc();
    for (auto [i, t] : llvm::enumerate(state))
      fn.insertArgument(i, t.type,
                        b.getDictionaryAttr(b.getNamedAttr("kiln.name", b.getStringAttr(t.name))),
                        loc);
    Block &body = fn.getBody().front();
    stateArgs.assign(body.args_begin(), body.args_begin() + state.size());
    for (auto c : llvm::make_early_inc_range(body.getOps<ConstantOp>())) {
      auto pname = c->getAttrOfType<StringAttr>("kiln.parameter");
      if (!pname)
        continue;
      c.getResult().replaceAllUsesWith(stateArgs[stateIndex.lookup(pname.getValue())]);
      c.erase();
    }
    if (withLabel) {
      Value y = body.getTerminator()->getOperand(0);
      RankedTensorType yt = typeOf(y);
      RankedTensorType lt = yt;
      if (loss == "softmax-cross-entropy" || loss == "nll") {
        SmallVector<int64_t> shape{yt.getDimSize(0)};
        for (int64_t d = 2; d < yt.getRank(); ++d)
          shape.push_back(yt.getDimSize(d));
        lt = RankedTensorType::get(shape, b.getI64Type());
      }
      unsigned n = fn.getNumArguments();
      fn.insertArgument(n, lt,
                        b.getDictionaryAttr(b.getNamedAttr("kiln.name", b.getStringAttr(label))),
                        loc);
      labelArg = body.getArgument(n);
    }
    return fn;
  }

  /// The loss of `y` against `t`: the batch mean (rank 0), or one value per
  /// sample (`[N]`, the mean over the other dims).
  Value buildLoss(OpBuilder &b, Location loc, Value y, Value t, bool perSample) {
    RankedTensorType yt = typeOf(y);
    Type elem = yt.getElementType();
    if (loss == "softmax-cross-entropy" || loss == "nll") {
      StringAttr reduction = b.getStringAttr(perSample ? "none" : "mean");
      Value l = loss == "nll"
                    ? b.create<NLLLossOp>(loc, y, t, Value(), reduction, IntegerAttr()).getResult()
                    : b.create<SoftmaxCrossEntropyOp>(loc, y, t, Value(), reduction, IntegerAttr())
                          .getResult(0);
      if (perSample && typeOf(l).getRank() > 1)
        l = b.create<ReduceMeanOp>(loc, l, b.getDenseI64ArrayAttr(axesFrom(1, typeOf(l).getRank())),
                                   b.getBoolAttr(false));
      return l;
    }
    Value elementwise;
    if (loss == "mse") {
      Value d = b.create<SubOp>(loc, y, t);
      elementwise = b.create<MulOp>(loc, d, d);
    } else {
      // bce-logits: max(x, 0) - x t + log(1 + exp(-|x|)), stable for any x.
      Value softplus = b.create<SoftplusOp>(loc, b.create<NegOp>(loc, b.create<AbsOp>(loc, y)));
      Value relu = b.create<ReluOp>(loc, y);
      elementwise = b.create<AddOp>(loc, b.create<SubOp>(loc, relu, b.create<MulOp>(loc, y, t)),
                                    softplus);
    }
    (void)elem;
    int64_t rank = yt.getRank();
    SmallVector<int64_t> axes = axesFrom(perSample ? 1 : 0, rank);
    if (axes.empty())
      return elementwise;
    return b.create<ReduceMeanOp>(loc, elementwise, b.getDenseI64ArrayAttr(axes),
                                  b.getBoolAttr(false));
  }

  /// The running variance as torch updates it: with the batch's unbiased
  /// variance, from nn.batch_norm_training's update with the biased one.
  Value unbiasedRunningVar(OpBuilder &b, Location loc, Value updated, Value old, double m,
                           int64_t count) {
    if (count <= 1)
      return updated;
    Type elem = typeOf(old).getElementType();
    Value mOld = b.create<MulOp>(loc, old, scalarOf(b, loc, elem, m));
    Value delta = b.create<SubOp>(loc, updated, mOld);
    Value scaled = b.create<MulOp>(loc, delta, scalarOf(b, loc, elem, double(count) / (count - 1)));
    return b.create<AddOp>(loc, mOld, scaled);
  }

  LogicalResult buildTrainStep(OpBuilder &b) {
    SmallVector<Value> args;
    Value labelArg;
    func::FuncOp fn = cloneModel(b, "train_step", /*withLabel=*/true, args, labelArg);
    Block &body = fn.getBody().front();
    Operation *ret = body.getTerminator();
    Location loc = ret->getLoc();
    Value step = args[stateIndex.lookup("step")];
    OpBuilder::InsertionGuard guard(b);
    SmallVector<Value> updated(args.begin(), args.end());

    // Batch normalization with the batch's statistics.
    for (Operation &op : llvm::make_early_inc_range(body)) {
      b.setInsertionPoint(&op);
      if (isa<BatchNormOp, BatchNormTrainingOp>(op)) {
        auto xt = typeOf(op.getOperand(0));
        if (xt.getNumElements() == xt.getDimSize(1))
          return op.emitOpError("expects more than one value per channel in training mode "
                                "(batch statistics of one value are 0 variance, as torch "
                                "refuses), found input ")
                 << xt;
      }
      if (auto bn = dyn_cast<BatchNormOp>(op)) {
        double m = 0.9;
        if (auto a = bn->getAttrOfType<FloatAttr>("kiln.momentum"))
          m = a.getValueAsDouble();
        if (!(m >= 0.0 && m <= 1.0))
          return bn.emitOpError("expects kiln.momentum in [0, 1], found ") << m;
        auto t = b.create<BatchNormTrainingOp>(bn.getLoc(), bn.getInput(), bn.getScale(),
                                               bn.getBias(), bn.getMean(), bn.getVariance(),
                                               bn.getEpsilonAttr(), b.getF64FloatAttr(m));
        bn.getOutput().replaceAllUsesWith(t.getOutput());
        bn.erase();
        b.setInsertionPointAfter(t);
        recordRunningStats(b, t, m, args, updated);
      } else if (auto t = dyn_cast<BatchNormTrainingOp>(op)) {
        b.setInsertionPointAfter(&op);
        recordRunningStats(b, t, t.getMomentum().convertToDouble(), args, updated);
      } else if (auto d = dyn_cast<DropoutOp>(op)) {
        // A new mask every step: the step number offsets the generator.
        int64_t s = int64_t(uint64_t(d.getSeed()) ^ (uint64_t(seed) * 0x9E3779B97F4A7C15ull));
        auto nd = b.create<DropoutOp>(d.getLoc(), d.getInput(), d.getRatio(), step,
                                      b.getI64IntegerAttr(s));
        d->replaceAllUsesWith(nd->getResults());
        b.setInsertionPointAfter(nd);
        d.erase();
      }
    }

    b.setInsertionPoint(ret);
    Value lossValue = buildLoss(b, loc, ret->getOperand(0), labelArg, /*perSample=*/false);
    SmallVector<Value> params(args.begin(), args.begin() + numParams);
    FailureOr<SmallVector<Value>> grads =
        buildGradients(b, {lossValue}, {scalarOf(b, loc, typeOf(lossValue).getElementType(), 1.0)},
                       params);
    if (failed(grads))
      return failure();
    if (llvm::all_of(*grads, [](Value g) {
          auto c = g.getDefiningOp<ConstantOp>();
          return c && !c->hasAttr("kiln.parameter");
        }))
      return error() << "expects the loss to depend on at least one trainable parameter, found "
                        "none it depends on (every gradient is zero)";

    if (clipNorm > 0)
      clipByGlobalNorm(b, loc, *grads);

    Value one = scalarOf(b, loc, b.getI64Type(), 1);
    Value nextStep = b.create<AddOp>(loc, step, one);
    updated[stateIndex.lookup("step")] = nextStep;
    for (unsigned i = 0; i < numParams; ++i)
      applyOptimizer(b, loc, i, args, (*grads)[i], nextStep, updated);

    SmallVector<Value> results{lossValue};
    results.append(updated.begin(), updated.end());
    SmallVector<Attribute> names{b.getStringAttr("loss")};
    for (const StateTensor &t : state)
      names.push_back(b.getStringAttr(t.name));
    b.create<func::ReturnOp>(loc, results);
    ret->erase();
    fn.setType(b.getFunctionType(body.getArgumentTypes(), ValueRange(results).getTypes()));
    fn->setAttr("kiln.result_names", b.getArrayAttr(names));
    return success();
  }

  void recordRunningStats(OpBuilder &b, BatchNormTrainingOp t, double m, ArrayRef<Value> args,
                          SmallVectorImpl<Value> &updated) {
    RankedTensorType xt = typeOf(t.getInput());
    int64_t count = xt.getNumElements() / std::max<int64_t>(1, xt.getDimSize(1));
    for (auto [operand, result, isVar] :
         {std::tuple(t.getInputMean(), t.getRunningMean(), false),
          std::tuple(t.getInputVar(), t.getRunningVar(), true)}) {
      auto it = llvm::find(args, operand);
      if (it == args.end())
        continue;
      unsigned k = it - args.begin();
      updated[k] = isVar ? unbiasedRunningVar(b, t.getLoc(), result, operand, m, count) : result;
    }
  }

  /// torch.nn.utils.clip_grad_norm_: every gradient scaled by
  /// min(1, max_norm / (total_norm + 1e-6)).
  void clipByGlobalNorm(OpBuilder &b, Location loc, SmallVectorImpl<Value> &grads) {
    Type elem = typeOf(grads.front()).getElementType();
    Value total;
    for (Value g : grads) {
      Value sq = b.create<MulOp>(loc, g, g);
      Value s = b.create<ReduceSumOp>(loc, sq, b.getDenseI64ArrayAttr(axesFrom(0, typeOf(g).getRank())),
                                      b.getBoolAttr(false));
      total = total ? b.create<AddOp>(loc, total, s).getResult() : s;
    }
    Value norm = b.create<SqrtOp>(loc, total);
    Value denom = b.create<AddOp>(loc, norm, scalarOf(b, loc, elem, 1e-6));
    Value coef = b.create<DivOp>(loc, scalarOf(b, loc, elem, clipNorm), denom);
    coef = b.create<MinOp>(loc, coef, scalarOf(b, loc, elem, 1.0));
    for (Value &g : grads)
      g = b.create<MulOp>(loc, g, coef);
  }

  void applyOptimizer(OpBuilder &b, Location loc, unsigned i, ArrayRef<Value> args, Value grad,
                      Value nextStep, SmallVectorImpl<Value> &updated) {
    const std::string &name = state[i].name;
    Value p = args[i];
    auto slot = [&](StringRef suffix) { return stateIndex.lookup(name + "." + suffix.str()); };
    if (optimizer == "sgd") {
      bool hasBuffer = momentum > 0;
      Value buf = hasBuffer ? args[slot("momentum_buffer")] : zerosOf(b, loc, state[i].type);
      auto op = b.create<SGDUpdateOp>(loc, p, grad, buf, b.getF64FloatAttr(lr),
                                      b.getF64FloatAttr(momentum), b.getBoolAttr(nesterov),
                                      b.getF64FloatAttr(weightDecay));
      updated[i] = op.getNewParam();
      if (hasBuffer)
        updated[slot("momentum_buffer")] = op.getNewBuf();
    } else if (optimizer == "rmsprop") {
      unsigned k = slot("square_avg");
      auto op = b.create<RMSpropUpdateOp>(loc, p, grad, args[k], b.getF64FloatAttr(lr),
                                          b.getF64FloatAttr(alpha), b.getF64FloatAttr(eps),
                                          b.getF64FloatAttr(weightDecay));
      updated[i] = op.getNewParam();
      updated[k] = op.getNewSquareAvg();
    } else {
      unsigned m = slot("exp_avg"), v = slot("exp_avg_sq");
      auto op = b.create<AdamUpdateOp>(loc, p, grad, args[m], args[v], nextStep,
                                       b.getF64FloatAttr(lr), b.getF64FloatAttr(beta1),
                                       b.getF64FloatAttr(beta2), b.getF64FloatAttr(eps),
                                       b.getF64FloatAttr(weightDecay),
                                       b.getBoolAttr(optimizer == "adamw"));
      updated[i] = op.getNewParam();
      updated[m] = op.getNewExpAvg();
      updated[v] = op.getNewExpAvgSq();
    }
  }

  /// eval (withLoss) or infer: the model in inference form.
  LogicalResult buildInference(OpBuilder &b, bool withLoss) {
    SmallVector<Value> args;
    Value labelArg;
    func::FuncOp fn = cloneModel(b, withLoss ? "eval" : "infer", withLoss, args, labelArg);
    Block &body = fn.getBody().front();
    OpBuilder::InsertionGuard guard(b);
    for (Operation &op : llvm::make_early_inc_range(body)) {
      b.setInsertionPoint(&op);
      op.removeAttr("kiln.momentum");
      if (auto t = dyn_cast<BatchNormTrainingOp>(op)) {
        Value y = b.create<BatchNormOp>(t.getLoc(), t.getInput(), t.getScale(), t.getBias(),
                                        t.getInputMean(), t.getInputVar(), t.getEpsilonAttr());
        t.getOutput().replaceAllUsesWith(y);
        t.getRunningMean().replaceAllUsesWith(t.getInputMean());
        t.getRunningVar().replaceAllUsesWith(t.getInputVar());
        t.erase();
      } else if (auto d = dyn_cast<DropoutOp>(op)) {
        d.getOutput().replaceAllUsesWith(d.getInput());
        if (!d.getMask().use_empty())
          d.getMask().replaceAllUsesWith(b.create<ConstantOp>(
              d.getLoc(), DenseElementsAttr::get(typeOf(d.getMask()), true)));
        d.erase();
      }
    }
    if (!withLoss)
      return success();
    Operation *ret = body.getTerminator();
    b.setInsertionPoint(ret);
    Value perSample = buildLoss(b, ret->getLoc(), ret->getOperand(0), labelArg, /*perSample=*/true);
    SmallVector<Value> results{perSample};
    results.append(ret->operand_begin(), ret->operand_end());
    SmallVector<Attribute> names{b.getStringAttr("loss")};
    if (auto modelNames = model->getAttrOfType<ArrayAttr>("kiln.result_names"))
      names.append(modelNames.begin(), modelNames.end());
    b.create<func::ReturnOp>(ret->getLoc(), results);
    ret->erase();
    fn.setType(b.getFunctionType(body.getArgumentTypes(), ValueRange(results).getTypes()));
    fn->setAttr("kiln.result_names", b.getArrayAttr(names));
    return success();
  }

  void recordTraining(OpBuilder &b) {
    SmallVector<Attribute> entries;
    for (const StateTensor &t : state)
      entries.push_back(b.getDictionaryAttr({b.getNamedAttr("name", b.getStringAttr(t.name)),
                                             b.getNamedAttr("kind", b.getStringAttr(t.kind))}));
    SmallVector<NamedAttribute> fields{b.getNamedAttr("loss", b.getStringAttr(loss)),
                                       b.getNamedAttr("label", b.getStringAttr(label)),
                                       b.getNamedAttr("source", b.getStringAttr(source)),
                                       b.getNamedAttr("state", b.getArrayAttr(entries))};
    if (!sourceSha256.empty())
      fields.push_back(b.getNamedAttr("source_sha256", b.getStringAttr(sourceSha256)));
    module->setAttr("kiln.training", b.getDictionaryAttr(fields));
  }
};

} // namespace
