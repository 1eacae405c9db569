//===- DecomposeRecurrent.cpp - lstm, gru, rnn as nn ops and loops -------===//
//
// A recurrent layer becomes, per direction, one nn.gemm for the input
// projection of every step at once ([seq*batch, input] x W'), then an
// scf.for over time whose body is the cell: one nn.gemm of the hidden state
// with R' accumulated onto that step's projection, then the gates as nn
// elementwise ops. The gemms take their weights with trans_b, so the CPU
// weight-layout pass transposes constant weights at compile time; a weight
// given at run time is transposed once, outside the loop.
//
// The loop body has static shapes: the batch is processed in blocks of the
// whole batch when it is static, of one entry when it is dynamic (an outer
// scf.for over the entries), so the cell's ops need no run-time shape checks
// (which only the function's top level can report). A reverse direction
// with sequence_lens also runs one entry at a time, as each entry starts at
// its own last valid step. Every position of y is written once: a masked
// step (past an entry's length) writes zeros and keeps the state.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/Transforms/DecomposeUtils.h"
#include "dialects/NN/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::detail;

namespace {

enum class Cell { LSTM, GRU, RNN };

/// What the cell step of one direction reads.
struct Direction {
  int64_t index;
  bool reverse;
  Value rT;            // [G*H, H] for a trans_b gemm (or its GRU parts)
  bool rTransposed;    // rT is [H, G*H] (a run-time weight transposed once)
  Value rZR, rH;       // GRU without linear_before_reset: R split [2H, H], [H, H]
  Value recBias;       // GRU with linear_before_reset: Rb, [1, 3H]
  Value peepI, peepO, peepF; // LSTM peepholes, [1, H] each
  Value projection;    // [seq*batch, G*H]
};

struct Builder {
  PatternRewriter &rw;
  Location loc;
  Type elem;
  int64_t hidden;
  ArrayAttr acts;
  ArrayRef<double> alpha, beta;
  std::optional<double> clip;

  Value index(int64_t v) { return rw.create<arith::ConstantIndexOp>(loc, v); }
  Value scalar(double v) { return scalarConstant(rw, loc, elem, v); }
  Value reshape(Value v, ArrayRef<int64_t> shape) {
    auto t = cast<RankedTensorType>(v.getType());
    return rw.create<ReshapeOp>(loc, t.clone(shape), v);
  }
  /// Columns [from, from + n) of a 2-D value (rows whole).
  Value columns(Value v, int64_t from, int64_t n) {
    int64_t rows = cast<RankedTensorType>(v.getType()).getDimSize(0);
    return rw.create<SliceOp>(loc, v, rw.getDenseI64ArrayAttr({0, from}),
                              rw.getDenseI64ArrayAttr({rows, n}), rw.getDenseI64ArrayAttr({1, 1}));
  }
  /// Entry `d` of the leading dimension, dropped: [D, rest...] -> [rest...].
  Value entry(Value v, int64_t d) {
    auto t = cast<RankedTensorType>(v.getType());
    SmallVector<int64_t> offsets(t.getRank(), 0), sizes(t.getShape()), strides(t.getRank(), 1);
    offsets[0] = d;
    sizes[0] = 1;
    Value s = rw.create<SliceOp>(loc, v, rw.getDenseI64ArrayAttr(offsets),
                                 rw.getDenseI64ArrayAttr(sizes), rw.getDenseI64ArrayAttr(strides));
    return reshape(s, t.getShape().drop_front());
  }
  /// `a * b'` (b transposed unless `bTransposed`) plus `c` when given.
  Value gemm(Value a, Value b, Value c, bool bTransposed = false) {
    return rw.create<GemmOp>(loc, a, b, c, rw.getF64FloatAttr(1.0), rw.getF64FloatAttr(1.0),
                             rw.getBoolAttr(false), rw.getBoolAttr(!bTransposed));
  }
  Value add(Value a, Value b) { return rw.create<AddOp>(loc, a, b); }
  Value sub(Value a, Value b) { return rw.create<SubOp>(loc, a, b); }
  Value mul(Value a, Value b) { return rw.create<MulOp>(loc, a, b); }

  /// Activation `i` of the op's list, after the clip.
  Value activate(Value v, int64_t i) {
    Type t = v.getType();
    if (clip)
      v = rw.create<ClipOp>(loc, t, v, rw.getF64FloatAttr(-*clip), rw.getF64FloatAttr(*clip));
    StringRef name = cast<StringAttr>(acts[i]).getValue();
    FloatAttr a = rw.getF64FloatAttr(alpha[i]), b = rw.getF64FloatAttr(beta[i]);
    // sigmoid(x) = (1 + tanh(x / 2)) / 2: the gates then need only tanh,
    // which the CPU pipeline computes with vector arithmetic (an exp is a
    // libm call per lane).
    if (name == "sigmoid")
      return add(mul(rw.create<TanhOp>(loc, t, mul(v, scalar(0.5))), scalar(0.5)), scalar(0.5));
    if (name == "tanh")
      return rw.create<TanhOp>(loc, t, v);
    if (name == "relu")
      return rw.create<ReluOp>(loc, t, v);
    if (name == "affine")
      return add(mul(v, scalar(alpha[i])), scalar(beta[i]));
    if (name == "leaky_relu")
      return rw.create<LeakyReluOp>(loc, t, v, a);
    if (name == "thresholded_relu")
      return rw.create<ThresholdedReluOp>(loc, t, v, a);
    if (name == "scaled_tanh")
      return mul(rw.create<TanhOp>(loc, t, mul(v, scalar(beta[i]))), scalar(alpha[i]));
    if (name == "hard_sigmoid")
      return rw.create<HardSigmoidOp>(loc, t, v, a, b);
    if (name == "elu")
      return rw.create<EluOp>(loc, t, v, a);
    if (name == "softsign")
      return rw.create<SoftsignOp>(loc, t, v);
    assert(name == "softplus" && "the verifier admits only the listed activations");
    return rw.create<SoftplusOp>(loc, t, v);
  }
};

/// The state after one step from `h` (and `c`) and `xp`, this step's
/// projection [bs, G*H] (biases included but GRU's Rbh with
/// linear_before_reset). Returns the new h (and c).
SmallVector<Value> cellStep(Builder &b, Cell cell, const Direction &dir, int64_t firstAct,
                            Value h, Value c, Value xp, bool inputForget, bool lbr) {
  int64_t hs = b.hidden;
  auto recurrence = [&](Value state, Value rT, Value acc) {
    return b.gemm(state, rT, acc, dir.rTransposed);
  };
  if (cell == Cell::RNN)
    return {b.activate(recurrence(h, dir.rT, xp), firstAct)};
  if (cell == Cell::LSTM) {
    Value pre = recurrence(h, dir.rT, xp);
    Value pi = b.columns(pre, 0, hs), po = b.columns(pre, hs, hs),
          pf = b.columns(pre, 2 * hs, hs), pc = b.columns(pre, 3 * hs, hs);
    if (dir.peepI) {
      pi = b.add(pi, b.mul(dir.peepI, c));
      pf = b.add(pf, b.mul(dir.peepF, c));
    }
    Value i = b.activate(pi, firstAct);
    Value f = inputForget ? b.sub(b.scalar(1.0), i) : b.activate(pf, firstAct);
    Value g = b.activate(pc, firstAct + 1);
    Value cNew = b.add(b.mul(f, c), b.mul(i, g));
    if (dir.peepO)
      po = b.add(po, b.mul(dir.peepO, cNew));
    Value o = b.activate(po, firstAct);
    Value hNew = b.mul(o, b.activate(cNew, firstAct + 2));
    return {hNew, cNew};
  }
  Value z, r, hh;
  if (lbr) {
    Value rec = recurrence(h, dir.rT, dir.recBias);
    z = b.activate(b.add(b.columns(xp, 0, hs), b.columns(rec, 0, hs)), firstAct);
    r = b.activate(b.add(b.columns(xp, hs, hs), b.columns(rec, hs, hs)), firstAct);
    hh = b.activate(b.add(b.columns(xp, 2 * hs, hs), b.mul(r, b.columns(rec, 2 * hs, hs))),
                    firstAct + 1);
  } else {
    Value zr = recurrence(h, dir.rZR, b.columns(xp, 0, 2 * hs));
    z = b.activate(b.columns(zr, 0, hs), firstAct);
    r = b.activate(b.columns(zr, hs, hs), firstAct);
    hh = b.activate(recurrence(b.mul(r, h), dir.rH, b.columns(xp, 2 * hs, hs)), firstAct + 1);
  }
  // (1 - z).hh + z.h
  return {b.add(hh, b.mul(z, b.sub(h, hh)))};
}

/// The LSTM's extra operands and the cell kind's flags.
struct CellOperands {
  Cell cell;
  Value initialC, peepholes;
  bool inputForget = false, lbr = false;
};

template <typename OpTy>
LogicalResult decompose(OpTy op, const CellOperands &k, PatternRewriter &rw) {
  Location loc = op.getLoc();
  Cell cell = k.cell;
  Value x = op.getX(), w = op.getW(), r = op.getR(), bias = op.getB(),
        lens = op.getSequenceLens(), initialH = op.getInitialH();
  auto xt = cast<RankedTensorType>(x.getType());
  for (Value v : {w, r, bias, k.peepholes})
    if (v && !cast<RankedTensorType>(v.getType()).hasStaticShape())
      return rw.notifyMatchFailure(op, "expects static weight shapes");
  Type elem = xt.getElementType();
  int64_t hs = op.getHiddenSize(), gates = OpTy::kGates, gh = gates * hs;
  int64_t input = cast<RankedTensorType>(w.getType()).getDimSize(2);
  bool bidirectional = op.getDirection() == "bidirectional";
  int64_t dirs = bidirectional ? 2 : 1;
  std::optional<double> clip;
  if (auto c = op.getClipAttr())
    clip = c.getValueAsDouble();
  Builder b{rw, loc, elem, hs, op.getActivations(), op.getActivationAlpha(),
            op.getActivationBeta(), clip};

  // Sizes: seq and batch from x (checked against the other operands when
  // dynamic, at the top level where a failed check can be reported).
  Value seq = rw.createOrFold<tensor::DimOp>(loc, x, 0);
  Value batch = rw.createOrFold<tensor::DimOp>(loc, x, 1);
  std::string prefix;
  {
    llvm::raw_string_ostream os(prefix);
    NameLoc name;
    loc->walk([&](Location l) {
      name = dyn_cast<NameLoc>(l);
      return name ? WalkResult::interrupt() : WalkResult::advance();
    });
    // The name comes from the model: escaped as the importer shows it.
    if (name) {
      os << "node '";
      llvm::printEscapedString(name.getName().getValue(), os);
      os << "' (" << op->getName() << "): ";
    }
    else
      os << op->getName() << ": ";
  }
  auto checkBatch = [&](Value v, int64_t d, StringRef what) {
    auto t = cast<RankedTensorType>(v.getType());
    if (!t.isDynamicDim(d) && !xt.isDynamicDim(1))
      return;
    Value same = rw.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq,
                                          rw.createOrFold<tensor::DimOp>(loc, v, d), batch);
    rw.create<cf::AssertOp>(loc, same,
                            prefix + "expects " + what.str() + " to have the batch size of x");
  };
  if (lens) {
    checkBatch(lens, 0, "sequence_lens");
    // Every length in [0, seq]: ONNX leaves others undefined, and a silent
    // clamp would be a wrong answer. One loop ANDs the entries; the assert
    // after it is at the top level, where a failed check is reported.
    Value zeroI = rw.create<arith::ConstantIndexOp>(loc, 0);
    Value oneI = rw.create<arith::ConstantIndexOp>(loc, 1);
    Value all = rw.create<arith::ConstantIntOp>(loc, 1, 1);
    auto loop = rw.create<scf::ForOp>(loc, zeroI, batch, oneI, ValueRange{all});
    {
      OpBuilder::InsertionGuard guard(rw);
      rw.setInsertionPointToStart(loop.getBody());
      Value v = rw.create<tensor::ExtractOp>(loc, lens, ValueRange{loop.getInductionVar()});
      Value len = rw.create<arith::IndexCastOp>(loc, rw.getIndexType(), v);
      Value lo = rw.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sge, len, zeroI);
      Value hi = rw.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sle, len, seq);
      Value ok = rw.create<arith::AndIOp>(loc, rw.create<arith::AndIOp>(loc, lo, hi),
                                          loop.getRegionIterArgs()[0]);
      rw.create<scf::YieldOp>(loc, ok);
    }
    rw.create<cf::AssertOp>(loc, loop.getResult(0),
                            prefix + "expects every sequence_lens value in [0, seq_length]");
  }
  if (initialH)
    checkBatch(initialH, 1, "initial_h");
  if (k.initialC)
    checkBatch(k.initialC, 1, "initial_c");

  // One block of bs entries at a time: the whole static batch, or single
  // entries (a dynamic batch, or per-entry reverse starts).
  bool perEntry = xt.isDynamicDim(1) || (lens && (op.getDirection() != "forward"));
  int64_t bs = perEntry ? 1 : xt.getDimSize(1);
  auto stateType = RankedTensorType::get({bs, hs}, elem);
  Value zeros = rw.create<ConstantOp>(loc, DenseElementsAttr::get(stateType,
                                                                    rw.getFloatAttr(elem, 0.0)));

  // Per direction: the weights, then the projection of every step.
  SmallVector<int64_t> collapsedShape{
      ShapedType::isDynamic(xt.getDimSize(0)) || xt.isDynamicDim(1)
          ? ShapedType::kDynamic
          : xt.getDimSize(0) * xt.getDimSize(1),
      input};
  Value x2 = rw.create<tensor::CollapseShapeOp>(loc, RankedTensorType::get(collapsedShape, elem),
                                                x, ArrayRef<ReassociationIndices>{{0, 1}, {2}});
  bool wConst = w.getDefiningOp<ConstantOp>() != nullptr;
  bool rConst = r.getDefiningOp<ConstantOp>() != nullptr;
  auto transposed = [&](Value m) {
    return rw.create<TransposeOp>(loc, m, rw.getDenseI64ArrayAttr({1, 0})).getResult();
  };
  SmallVector<Direction> directions;
  for (int64_t d = 0; d < dirs; ++d) {
    Direction dir;
    dir.index = d;
    dir.reverse = d == 1 || op.getDirection() == "reverse";
    Value wd = b.entry(w, d), rd = b.entry(r, d);
    Value projBias, recBias;
    if (bias) {
      Value bd = b.entry(bias, d);
      Value wb = rw.create<SliceOp>(loc, bd, rw.getDenseI64ArrayAttr({0}),
                                    rw.getDenseI64ArrayAttr({gh}), rw.getDenseI64ArrayAttr({1}));
      Value rb = rw.create<SliceOp>(loc, bd, rw.getDenseI64ArrayAttr({gh}),
                                    rw.getDenseI64ArrayAttr({gh}), rw.getDenseI64ArrayAttr({1}));
      if (cell == Cell::GRU && k.lbr) {
        projBias = wb;
        recBias = rb;
      } else {
        projBias = b.add(wb, rb);
      }
    }
    dir.projection = wConst ? b.gemm(x2, wd, projBias) : b.gemm(x2, transposed(wd), projBias, true);
    dir.rTransposed = !rConst;
    auto rPart = [&](int64_t from, int64_t n) -> Value {
      Value part = n == gh ? rd
                           : rw.create<SliceOp>(loc, rd, rw.getDenseI64ArrayAttr({from, 0}),
                                                rw.getDenseI64ArrayAttr({n, hs}),
                                                rw.getDenseI64ArrayAttr({1, 1}))
                                 .getResult();
      return rConst ? part : transposed(part);
    };
    if (cell == Cell::GRU && !k.lbr) {
      dir.rZR = rPart(0, 2 * hs);
      dir.rH = rPart(2 * hs, hs);
    } else {
      dir.rT = rPart(0, gh);
    }
    if (recBias) {
      // Broadcast over the block's rows: [1, 3H].
      dir.recBias = b.reshape(recBias, {1, gh});
    }
    if (k.peepholes) {
      Value pd = b.entry(k.peepholes, d);
      auto part = [&](int64_t i) {
        Value s = rw.create<SliceOp>(loc, pd, rw.getDenseI64ArrayAttr({i * hs}),
                                     rw.getDenseI64ArrayAttr({hs}), rw.getDenseI64ArrayAttr({1}));
        return b.reshape(s, {1, hs});
      };
      dir.peepI = part(0);
      dir.peepO = part(1);
      dir.peepF = part(2);
    }
    directions.push_back(dir);
  }

  // The results, written block by block.
  SmallVector<Value> resultInits;
  for (Value result : op->getResults()) {
    auto t = cast<RankedTensorType>(result.getType());
    // The LSTM's y_c starts as zeros, not as a second tensor.empty: CSE
    // merges two equal empties into one value, and MLIR 19's bufferization
    // then let y_h and y_c share a buffer when neither result is used (a
    // bidirectional layer with lengths computed a wrong y).
    if (cast<OpResult>(result).getResultNumber() == 2 && t.hasStaticShape()) {
      resultInits.push_back(
          rw.create<ConstantOp>(loc, DenseElementsAttr::get(t, rw.getFloatAttr(elem, 0.0))));
      continue;
    }
    SmallVector<Value> dyn;
    for (int64_t i = 0; i < t.getRank(); ++i)
      if (t.isDynamicDim(i))
        dyn.push_back(i == 0 && t.getRank() == 4 ? seq : batch);
    Value init = rw.create<tensor::EmptyOp>(loc, t, dyn);
    // With a dynamic batch, the same: y_c is a filled tensor, never the
    // empty that y_h starts from.
    if (cast<OpResult>(result).getResultNumber() == 2)
      init = rw.create<linalg::FillOp>(
                   loc, ValueRange{rw.create<arith::ConstantOp>(loc, rw.getFloatAttr(elem, 0.0))},
                   ValueRange{init})
                 .getResult(0);
    resultInits.push_back(init);
  }
  Value zero = b.index(0), one = b.index(1), bsV = b.index(bs);
  auto blocks = rw.create<scf::ForOp>(loc, zero, batch, bsV, resultInits);
  rw.setInsertionPointToStart(blocks.getBody());
  Value b0 = blocks.getInductionVar();
  SmallVector<Value> results(blocks.getRegionIterArgs());
  auto idx = [&](ArrayRef<OpFoldResult> v) { return SmallVector<OpFoldResult>(v); };
  OpFoldResult f0 = rw.getIndexAttr(0), f1 = rw.getIndexAttr(1);
  OpFoldResult fbs = rw.getIndexAttr(bs), fh = rw.getIndexAttr(hs);

  // This block's lengths: [bs, 1] for the mask, and the first entry's as an
  // index clamped to [0, seq] (the start of a per-entry reverse pass).
  Value lensCol, lenIdx;
  if (lens) {
    auto lt = cast<RankedTensorType>(lens.getType());
    Value block = rw.create<tensor::ExtractSliceOp>(
        loc, RankedTensorType::get({bs}, lt.getElementType()), lens, idx({b0}), idx({fbs}),
        idx({f1}));
    lensCol = b.reshape(block, {bs, 1});
    Value len = rw.create<tensor::ExtractOp>(loc, lens, ValueRange{b0});
    len = rw.create<arith::IndexCastOp>(loc, rw.getIndexType(), len);
    len = rw.create<arith::MaxSIOp>(loc, len, zero);
    lenIdx = rw.create<arith::MinSIOp>(loc, len, seq);
  }
  auto initialState = [&](Value v, int64_t d) -> Value {
    if (!v)
      return zeros;
    return rw.create<tensor::ExtractSliceOp>(loc, stateType, v, idx({rw.getIndexAttr(d), b0, f0}),
                                             idx({f1, fbs, fh}), idx({f1, f1, f1}));
  };

  // The state lives in y_h (and y_c): this block's rows are read at each
  // step's start and written at its end, so the loop carries only slices
  // inserted into the results, which bufferization updates in place.
  auto stateOffsets = [&](int64_t d) { return idx({rw.getIndexAttr(d), b0, f0}); };
  auto stateSizes = idx({f1, fbs, fh});
  auto stateStrides = idx({f1, f1, f1});
  for (const Direction &dir : directions) {
    int64_t firstAct = dir.index * OpTy::kActivations;
    int64_t states = cell == Cell::LSTM ? 2 : 1;
    for (int64_t s = 0; s < states; ++s)
      results[1 + s] = rw.create<tensor::InsertSliceOp>(
          loc, initialState(s == 0 ? initialH : k.initialC, dir.index), results[1 + s],
          stateOffsets(dir.index), stateSizes, stateStrides);
    auto steps = rw.create<scf::ForOp>(loc, zero, seq, one, results);
    {
      OpBuilder::InsertionGuard guard(rw);
      rw.setInsertionPointToStart(steps.getBody());
      Value t = steps.getInductionVar();
      SmallVector<Value> carried(steps.getRegionIterArgs());
      SmallVector<Value> prev;
      for (int64_t s = 0; s < states; ++s)
        prev.push_back(rw.create<tensor::ExtractSliceOp>(loc, stateType, carried[1 + s],
                                                         stateOffsets(dir.index), stateSizes,
                                                         stateStrides));
      Value h = prev[0], c = states == 2 ? prev[1] : Value();
      // The step read and written: t forward; seq-1-t reverse; with
      // lengths, len-1-t while t < len, then t (a masked step, whose zeros
      // fill the positions past the length).
      Value time = t;
      if (dir.reverse) {
        Value last = rw.create<arith::SubIOp>(loc, lens ? lenIdx : seq, one);
        Value back = rw.create<arith::SubIOp>(loc, last, t);
        if (lens) {
          Value valid = rw.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, t, lenIdx);
          time = rw.create<arith::SelectOp>(loc, valid, back, t);
        } else {
          time = back;
        }
      }
      Value row = rw.create<arith::AddIOp>(loc, rw.create<arith::MulIOp>(loc, time, batch), b0);
      Value xp = rw.create<tensor::ExtractSliceOp>(
          loc, RankedTensorType::get({bs, gh}, elem), dir.projection, idx({row, f0}),
          idx({fbs, rw.getIndexAttr(gh)}), idx({f1, f1}));
      SmallVector<Value> next = cellStep(b, cell, dir, firstAct, h, c, xp, k.inputForget, k.lbr);
      Value out = next[0];
      if (lens) {
        auto lt = cast<RankedTensorType>(lens.getType());
        Value tv = rw.create<arith::IndexCastOp>(loc, lt.getElementType(), t);
        Value tt = rw.create<tensor::FromElementsOp>(
            loc, RankedTensorType::get({}, lt.getElementType()), ValueRange{tv});
        Value mask = rw.create<LessOp>(loc, tt, lensCol);
        out = rw.create<WhereOp>(loc, mask, next[0], zeros);
        for (size_t i = 0; i < next.size(); ++i)
          next[i] = rw.create<WhereOp>(loc, mask, next[i], prev[i]);
      }
      carried[0] = rw.create<tensor::InsertSliceOp>(
          loc, out, carried[0], idx({time, rw.getIndexAttr(dir.index), b0, f0}),
          idx({f1, f1, fbs, fh}), idx({f1, f1, f1, f1}));
      for (int64_t s = 0; s < states; ++s)
        carried[1 + s] = rw.create<tensor::InsertSliceOp>(
            loc, next[s], carried[1 + s], stateOffsets(dir.index), stateSizes, stateStrides);
      rw.create<scf::YieldOp>(loc, carried);
    }
    results.assign(steps.getResults().begin(), steps.getResults().end());
  }
  rw.create<scf::YieldOp>(loc, results);
  rw.replaceOp(op, blocks.getResults());
  return success();
}

struct DecomposeLSTM : OpRewritePattern<LSTMOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LSTMOp op, PatternRewriter &rewriter) const override {
    return decompose(op, {Cell::LSTM, op.getInitialC(), op.getP(), op.getInputForget(), false},
                     rewriter);
  }
};

struct DecomposeGRU : OpRewritePattern<GRUOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GRUOp op, PatternRewriter &rewriter) const override {
    return decompose(op, {Cell::GRU, {}, {}, false, op.getLinearBeforeReset()}, rewriter);
  }
};

struct DecomposeRNN : OpRewritePattern<RNNOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RNNOp op, PatternRewriter &rewriter) const override {
    return decompose(op, {Cell::RNN, {}, {}, false, false}, rewriter);
  }
};

} // namespace

void kiln::nn::populateNNDecomposeRecurrentPatterns(RewritePatternSet &patterns) {
  patterns.add<DecomposeLSTM, DecomposeGRU, DecomposeRNN>(patterns.getContext());
}
