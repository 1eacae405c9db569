//===- Autodiff.cpp - reverse-mode differentiation of nn ops --------------===//
//
// The driver of the gradient rules (dialects/NN/Gradients): which ops lie on
// a path from the differentiated values to the outputs, their rules called in
// reverse order, and the adjoints of values used more than once summed. The
// pass nn-generate-gradient wraps it for tests; nn-build-training uses it to
// build a training step.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/Transforms/Autodiff.h"

#include "dialects/NN/IR/NNGradient.h"
#include "dialects/NN/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

namespace kiln::nn {
#define GEN_PASS_DEF_NNGENERATEGRADIENTPASS
#include "dialects/NN/Transforms/Passes.h.inc"
} // namespace kiln::nn

using namespace mlir;
using namespace kiln::nn;

namespace {

bool isFloatTensor(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && isa<FloatType>(t.getElementType());
}

/// The values an op reads: its operands and, for ops with regions, the
/// values its regions use from above.
SmallVector<Value> readValues(Operation *op) {
  SmallVector<Value> values(op->getOperands());
  if (op->getNumRegions()) {
    llvm::SetVector<Value> above;
    for (Region &r : op->getRegions())
      getUsedValuesDefinedAbove(r, above);
    values.append(above.begin(), above.end());
  }
  return values;
}

} // namespace

FailureOr<SmallVector<Value>> kiln::nn::buildGradients(OpBuilder &b, ArrayRef<Value> outputs,
                                                       ArrayRef<Value> seeds,
                                                       ArrayRef<Value> wrt) {
  Block *block = b.getInsertionBlock();
  SmallVector<Operation *> forward;
  for (Operation &op : llvm::make_range(block->begin(), b.getInsertionPoint()))
    forward.push_back(&op);

  // Values that depend on a differentiated one...
  llvm::DenseSet<Value> active(wrt.begin(), wrt.end());
  for (Operation *op : forward)
    if (llvm::any_of(readValues(op), [&](Value v) { return active.contains(v); }))
      for (Value r : op->getResults())
        if (isFloatTensor(r))
          active.insert(r);
  // ... and that the outputs depend on.
  llvm::DenseSet<Value> useful(outputs.begin(), outputs.end());
  for (Operation *op : llvm::reverse(forward))
    if (llvm::any_of(op->getResults(), [&](Value r) { return useful.contains(r); }))
      for (Value v : readValues(op))
        useful.insert(v);

  // Every op on a path needs a rule: all that lack one are listed at once,
  // before anything is built.
  // Each op name once, with the ONNX nodes (name locations) it came from.
  llvm::MapVector<StringRef, SmallVector<StringRef>> missing;
  Operation *firstMissing = nullptr;
  for (Operation *op : forward) {
    bool onPath = llvm::any_of(op->getResults(), [&](Value r) {
      return active.contains(r) && useful.contains(r);
    });
    if (!onPath || isa<GradientOpInterface>(op))
      continue;
    if (!firstMissing)
      firstMissing = op;
    SmallVector<StringRef> &nodes = missing[op->getName().getStringRef()];
    if (auto name = dyn_cast<NameLoc>(op->getLoc()))
      nodes.push_back(name.getName().getValue());
  }
  if (firstMissing) {
    InFlightDiagnostic diag = firstMissing->emitError(
        "expects a gradient rule for every op between the differentiated values and the "
        "outputs, found none for: ");
    llvm::interleaveComma(missing, diag, [&](const auto &entry) {
      diag << entry.first;
      if (entry.second.empty())
        return;
      diag << " (node" << (entry.second.size() > 1 ? "s " : " ");
      llvm::interleaveComma(entry.second, diag, [&](StringRef n) { diag << "'" << n << "'"; });
      diag << ")";
    });
    return diag;
  }

  llvm::DenseMap<Value, Value> adjoint;
  auto accumulate = [&](Value v, Value g) {
    Value &slot = adjoint[v];
    slot = slot ? b.create<AddOp>(g.getLoc(), slot, g).getResult() : g;
  };
  for (auto [out, seed] : llvm::zip(outputs, seeds))
    if (isFloatTensor(out))
      accumulate(out, seed);

  for (Operation *op : llvm::reverse(forward)) {
    SmallVector<Value> resultGrads;
    bool reached = false;
    for (Value r : op->getResults()) {
      resultGrads.push_back(adjoint.lookup(r));
      reached |= bool(resultGrads.back());
    }
    if (!reached)
      continue;
    SmallVector<bool> needed;
    bool any = false;
    for (Value v : op->getOperands()) {
      needed.push_back(active.contains(v) && useful.contains(v) && isFloatTensor(v));
      any |= needed.back();
    }
    // A region capturing an active value must be differentiated by its op's rule.
    for (Value v : readValues(op))
      any |= active.contains(v) && isFloatTensor(v);
    if (!any)
      continue;
    SmallVector<Value> touched(op->getOperands());
    touched.append(op->result_begin(), op->result_end());
    for (Value v : touched) {
      auto t = dyn_cast<RankedTensorType>(v.getType());
      if (t && isFloatTensor(v) && !t.hasStaticShape())
        return op->emitOpError("expects static shapes for differentiation, found ") << t;
    }
    auto rule = dyn_cast<GradientOpInterface>(op);
    if (!rule)
      return op->emitOpError("expects a gradient rule");
    GradientEmitter emitter(b, op, resultGrads, needed);
    if (failed(rule.buildGradient(emitter)))
      return failure();
    for (auto [i, g] : llvm::enumerate(emitter.getOperandGrads())) {
      if (!g || !needed[i])
        continue;
      if (g.getType() != op->getOperand(i).getType())
        return op->emitOpError("gradient rule built ")
               << g.getType() << " for operand " << i << ", expects "
               << op->getOperand(i).getType();
      accumulate(op->getOperand(i), g);
    }
  }
  SmallVector<Value> grads;
  for (Value w : wrt) {
    Value g = adjoint.lookup(w);
    if (!g) {
      auto t = cast<RankedTensorType>(w.getType());
      Attribute zero = b.getFloatAttr(t.getElementType(), 0.0);
      g = b.create<ConstantOp>(w.getLoc(), DenseElementsAttr::get(t, zero));
    }
    grads.push_back(g);
  }
  return grads;
}

namespace {

std::string nameOf(ArrayAttr names, unsigned i, StringRef fallback) {
  if (names && i < names.size())
    if (auto s = dyn_cast<StringAttr>(names[i]))
      return s.str();
  return (fallback + Twine(i)).str();
}

struct NNGenerateGradientPass
    : public kiln::nn::impl::NNGenerateGradientPassBase<NNGenerateGradientPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> functions;
    for (auto fn : module.getOps<func::FuncOp>())
      if (fn.isPublic() && !fn.isExternal())
        functions.push_back(fn);
    for (func::FuncOp fn : functions)
      if (failed(generate(fn)))
        return signalPassFailure();
  }

  /// @f(x...) -> (y...) gives @f_grad(x..., dy...) -> (y..., dx...), the dx
  /// of every float argument of f.
  LogicalResult generate(func::FuncOp fn) {
    OpBuilder b(fn);
    b.setInsertionPointAfter(fn);
    auto grad = cast<func::FuncOp>(b.clone(*fn));
    grad.setSymName((fn.getSymName() + "_grad").str());
    if (auto entry = fn->getAttrOfType<StringAttr>("kiln.entry_name"))
      grad->setAttr("kiln.entry_name", b.getStringAttr(entry.getValue() + "_grad"));
    Block &body = grad.getBody().front();
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    ArrayAttr resultNames = fn->getAttrOfType<ArrayAttr>("kiln.result_names");

    SmallVector<Value> outputs, seeds, wrt;
    SmallVector<Attribute> names;
    for (auto [i, out] : llvm::enumerate(ret.getOperands())) {
      names.push_back(b.getStringAttr(nameOf(resultNames, i, "output_")));
      if (!isFloatTensor(out))
        continue;
      BlockArgument seed = body.addArgument(out.getType(), out.getLoc());
      outputs.push_back(out);
      seeds.push_back(seed);
    }
    unsigned numForwardArgs = fn.getNumArguments();
    for (unsigned i = 0; i < numForwardArgs; ++i)
      if (isFloatTensor(body.getArgument(i)))
        wrt.push_back(body.getArgument(i));

    b.setInsertionPoint(ret);
    FailureOr<SmallVector<Value>> grads = buildGradients(b, outputs, seeds, wrt);
    if (failed(grads))
      return failure();
    SmallVector<Value> results(ret.getOperands());
    results.append(grads->begin(), grads->end());
    b.create<func::ReturnOp>(ret.getLoc(), results);
    ret.erase();
    grad.setType(b.getFunctionType(body.getArgumentTypes(), ValueRange(results).getTypes()));

    // Names: d<result> for the seeds, d<argument> for the gradients.
    unsigned k = numForwardArgs;
    for (auto [i, out] : llvm::enumerate(outputs)) {
      (void)out;
      grad.setArgAttr(k++, "kiln.name", b.getStringAttr("d_" + nameOf(resultNames, i, "output_")));
    }
    for (unsigned i = 0; i < numForwardArgs; ++i) {
      if (!isFloatTensor(body.getArgument(i)))
        continue;
      auto argName = grad.getArgAttrOfType<StringAttr>(i, "kiln.name");
      names.push_back(b.getStringAttr("d_" + (argName ? argName.str() : "input_" + std::to_string(i))));
    }
    grad->setAttr("kiln.result_names", b.getArrayAttr(names));
    return success();
  }
};

} // namespace
