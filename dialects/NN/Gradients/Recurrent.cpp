//===- Recurrent.cpp - gradient rules of lstm, gru, rnn (BPTT) -------------===//
//
// Backpropagation through time, per direction, over tensors in ITERATION
// order: step k of a reverse direction is time seq-1-k, or len-1-k for an
// entry of length len (an involution, so nn.reverse_sequence maps both ways
// and the whole batch runs together); a step k >= len is masked. Then:
//
// 1. Forward values, batched over every step where possible. The state
//    entering step k is the previous step's y (the op's own result), or the
//    initial state, so the gates of the GRU and the RNN are one gemm over all
//    steps. The LSTM's cell state is not a result: one scf.for rebuilds it
//    (and the gates, as peepholes read it).
// 2. One reverse scf.for carrying the state's gradient: per step the cell's
//    backward in nn ops and one gemm (two for the GRU) with R; it stores the
//    gradient of the gates' pre-activations, dPre [seq*batch, G*H].
// 3. The weights' gradients as gemms over all steps at once: dW = dPre'*X,
//    dR = dPre'*Hprev, dX = dPre*W, the biases as column sums.
//
// Loops carry their state inside buffers of seq+1 row blocks (read one
// block, write the next), as the decomposition does: a small state tensor
// yielded as its own loop value would be a new buffer per step.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/Gradients/GradientRules.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::gradient;

namespace {

enum class Cell { LSTM, GRU, RNN };

/// The cell kind's extra operands and flags, and the ODS indices of the
/// operands (x, w, r, b, sequence_lens, initial_h, initial_c, p).
struct CellInfo {
  Cell cell;
  Value initialC, peepholes;
  bool inputForget = false, lbr = false;
};

struct Activation {
  StringRef name;
  double alpha, beta;
};

struct Emit {
  GradientEmitter &e;
  OpBuilder &b;
  Location loc;
  Type elem;
  int64_t seq, batch, hs;
  std::optional<double> clip;

  Value idx(int64_t v) { return b.create<arith::ConstantIndexOp>(loc, v); }
  Value scalar(double v) { return e.scalar(elem, v); }
  Value zeros(ArrayRef<int64_t> shape) { return e.zeros(RankedTensorType::get(shape, elem)); }
  Value reshape(Value v, ArrayRef<int64_t> shape) {
    return e.reshape(v, typeOf(v).clone(shape));
  }
  Value add(Value x, Value y) { return b.create<AddOp>(loc, x, y); }
  Value sub(Value x, Value y) { return b.create<SubOp>(loc, x, y); }
  Value mul(Value x, Value y) { return b.create<MulOp>(loc, x, y); }
  Value where(Value m, Value x, Value y) { return b.create<WhereOp>(loc, m, x, y); }
  Value concat(ValueRange vs, int64_t axis) {
    if (vs.size() == 1)
      return vs.front();
    return b.create<ConcatOp>(loc, vs, b.getI64IntegerAttr(axis));
  }
  /// op(x) * op(y) (+ c), op transposing when asked.
  Value gemm(Value x, Value y, bool transX, bool transY, Value c = {}) {
    return b.create<GemmOp>(loc, x, y, c, b.getF64FloatAttr(1.0), b.getF64FloatAttr(1.0),
                            b.getBoolAttr(transX), b.getBoolAttr(transY));
  }
  /// a * m' (+ c). A weight given at run time (a parameter in training) is
  /// transposed first: the CPU contraction strategy reads its right-hand
  /// side as [K, N]; a constant one is transposed at compile time by the
  /// weight-layout pass, so it keeps trans_b (as the decomposition does).
  Value timesTransposed(Value a, Value mat, bool constant, Value c = {}) {
    if (constant)
      return gemm(a, mat, false, true, c);
    Value t = b.create<TransposeOp>(loc, mat, b.getDenseI64ArrayAttr({1, 0}));
    return gemm(a, t, false, false, c);
  }
  /// A static window [from, from + n) of dimension `axis`.
  Value slice(Value v, int64_t axis, int64_t from, int64_t n) {
    auto t = typeOf(v);
    SmallVector<int64_t> offsets(t.getRank(), 0), sizes(t.getShape()), strides(t.getRank(), 1);
    offsets[axis] = from;
    sizes[axis] = n;
    return b.create<SliceOp>(loc, v, b.getDenseI64ArrayAttr(offsets),
                             b.getDenseI64ArrayAttr(sizes), b.getDenseI64ArrayAttr(strides));
  }
  /// Columns [from, from + n) of a 2-D value.
  Value cols(Value v, int64_t from, int64_t n) { return slice(v, 1, from, n); }
  /// Entry `d` of dimension `axis`, dropped.
  Value entry(Value v, int64_t axis, int64_t d) {
    SmallVector<int64_t> shape(typeOf(v).getShape());
    shape.erase(shape.begin() + axis);
    return reshape(slice(v, axis, d, 1), shape);
  }
  Value sumRows(Value v) { return e.reduceSum(v, {0}, /*keepDims=*/false); }

  /// Rows [row, row + n) of a 2-D value, `row` an index value.
  Value rows(Value v, Value row, int64_t n) {
    int64_t c = typeOf(v).getDimSize(1);
    return b.create<tensor::ExtractSliceOp>(
        loc, RankedTensorType::get({n, c}, elem), v,
        SmallVector<OpFoldResult>{row, b.getIndexAttr(0)},
        SmallVector<OpFoldResult>{b.getIndexAttr(n), b.getIndexAttr(c)},
        SmallVector<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
  }
  Value rowsI1(Value v, Value row, int64_t n) {
    return b.create<tensor::ExtractSliceOp>(
        loc, RankedTensorType::get({n, 1}, b.getI1Type()), v,
        SmallVector<OpFoldResult>{row, b.getIndexAttr(0)},
        SmallVector<OpFoldResult>{b.getIndexAttr(n), b.getIndexAttr(1)},
        SmallVector<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
  }
  Value insertRows(Value src, Value dest, Value row) {
    auto t = typeOf(src);
    return b.create<tensor::InsertSliceOp>(
        loc, src, dest, SmallVector<OpFoldResult>{row, b.getIndexAttr(0)},
        SmallVector<OpFoldResult>{b.getIndexAttr(t.getDimSize(0)),
                                  b.getIndexAttr(t.getDimSize(1))},
        SmallVector<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
  }
  /// Row `block * batch` as an index.
  Value blockRow(Value block) {
    return b.create<arith::MulIOp>(loc, block, idx(batch));
  }

  /// Activation `a` as the decomposition computes it.
  Value activate(Value v, const Activation &a) {
    Type t = v.getType();
    if (clip)
      v = b.create<ClipOp>(loc, t, v, b.getF64FloatAttr(-*clip), b.getF64FloatAttr(*clip));
    FloatAttr alpha = b.getF64FloatAttr(a.alpha), beta = b.getF64FloatAttr(a.beta);
    StringRef n = a.name;
    if (n == "sigmoid")
      return b.create<SigmoidOp>(loc, t, v);
    if (n == "tanh")
      return b.create<TanhOp>(loc, t, v);
    if (n == "relu")
      return b.create<ReluOp>(loc, t, v);
    if (n == "affine")
      return add(mul(v, scalar(a.alpha)), scalar(a.beta));
    if (n == "leaky_relu")
      return b.create<LeakyReluOp>(loc, t, v, alpha);
    if (n == "thresholded_relu")
      return b.create<ThresholdedReluOp>(loc, t, v, alpha);
    if (n == "scaled_tanh")
      return mul(b.create<TanhOp>(loc, t, mul(v, scalar(a.beta))), scalar(a.alpha));
    if (n == "hard_sigmoid")
      return b.create<HardSigmoidOp>(loc, t, v, alpha, beta);
    if (n == "elu")
      return b.create<EluOp>(loc, t, v, alpha);
    if (n == "softsign")
      return b.create<SoftsignOp>(loc, t, v);
    return b.create<SoftplusOp>(loc, t, v);
  }
  /// With clip: 1 where `pre`, an activation's input, is inside the clip
  /// range (the clamp passes its gradient), else 0.
  Value inside(Value pre) {
    Value bound = scalar(*clip);
    Value in = b.create<LessEqualOp>(loc, b.create<AbsOp>(loc, pre), bound);
    return where(in, scalar(1.0), scalar(0.0));
  }
  /// The derivative of activation `a`, from its output (supportedActivation
  /// admits only the activations and parameters where that is possible).
  Value derivative(Value out, const Activation &a) {
    Value one = scalar(1.0), zero = scalar(0.0);
    StringRef n = a.name;
    auto positive = [&] { return b.create<GreaterOp>(loc, out, zero); };
    if (n == "sigmoid")
      return mul(out, sub(one, out));
    if (n == "tanh")
      return sub(one, mul(out, out));
    if (n == "relu")
      return where(positive(), one, zero);
    if (n == "affine")
      return b.create<AddOp>(loc, mul(out, zero), scalar(a.alpha));
    if (n == "leaky_relu")
      return where(positive(), one, scalar(a.alpha));
    if (n == "thresholded_relu")
      return where(b.create<EqualOp>(loc, out, zero), zero, one);
    if (n == "scaled_tanh") {
      if (a.alpha == 0.0)
        return mul(out, zero);
      Value t = mul(out, scalar(1.0 / a.alpha));
      return mul(sub(one, mul(t, t)), scalar(a.alpha * a.beta));
    }
    if (n == "hard_sigmoid") {
      Value inside = b.create<AndOp>(loc, positive(), b.create<LessOp>(loc, out, one));
      return where(inside, scalar(a.alpha), zero);
    }
    if (n == "elu")
      return where(positive(), one, add(out, scalar(a.alpha)));
    if (n == "softsign") {
      Value t = sub(one, b.create<AbsOp>(loc, out));
      return mul(t, t);
    }
    // softplus: d log(1 + e^x) = 1 - e^-out.
    return sub(one, b.create<ExpOp>(loc, b.create<NegOp>(loc, out)));
  }
};

/// Rules derive each activation's derivative from its output, which the
/// sign of the output decides for leaky_relu and elu only with a positive
/// (non-negative) alpha.
LogicalResult supportedActivation(Operation *op, const Activation &a) {
  if ((a.name == "leaky_relu" && a.alpha <= 0.0) || (a.name == "elu" && a.alpha < 0.0))
    return op->emitOpError("expects a ")
           << (a.name == "elu" ? "non-negative" : "positive") << " alpha for " << a.name
           << " in a gradient, found " << a.alpha;
  return success();
}

template <typename OpTy>
LogicalResult recurrentGradient(OpTy op, GradientEmitter &e, const CellInfo &k) {
  // The flat operand index of ODS operand `ods`, when present.
  auto operandIndex = [&](unsigned ods) -> std::optional<unsigned> {
    auto [start, length] = op.getODSOperandIndexAndLength(ods);
    if (!length)
      return std::nullopt;
    return start;
  };
  auto needs = [&](unsigned ods) {
    std::optional<unsigned> i = operandIndex(ods);
    return i && e.needs(*i);
  };
  enum { kX, kW, kR, kB, kLens, kH0, kC0, kP };
  bool nx = needs(kX), nw = needs(kW), nr = needs(kR), nb = needs(kB), nh0 = needs(kH0);
  bool nc0 = k.cell == Cell::LSTM && needs(kC0), np = k.cell == Cell::LSTM && needs(kP);
  if (!(nx || nw || nr || nb || nh0 || nc0 || np))
    return success();

  ArrayAttr acts = op.getActivations();
  auto activation = [&](int64_t i) {
    return Activation{cast<StringAttr>(acts[i]).getValue(), op.getActivationAlpha()[i],
                      op.getActivationBeta()[i]};
  };
  for (int64_t i = 0, n = acts.size(); i < n; ++i)
    if (failed(supportedActivation(op, activation(i))))
      return failure();

  Cell cell = k.cell;
  Value x = op.getX(), w = op.getW(), r = op.getR(), bias = op.getB(),
        lens = op.getSequenceLens(), initialH = op.getInitialH();
  auto xt = typeOf(x);
  OpBuilder &b = e.builder();
  Location loc = e.loc();
  int64_t seq = xt.getDimSize(0), batch = xt.getDimSize(1), input = xt.getDimSize(2);
  int64_t hs = op.getHiddenSize(), gh = OpTy::kGates * hs, rowsAll = seq * batch;
  std::optional<double> clip;
  if (auto c = op.getClipAttr())
    clip = c.getValueAsDouble();
  Emit m{e, b, loc, xt.getElementType(), seq, batch, hs, clip};
  int64_t dirs = op.getDirection() == "bidirectional" ? 2 : 1;
  Value y = op->getResult(0);
  bool wConst = w.getDefiningOp<ConstantOp>() != nullptr;
  bool rConst = r.getDefiningOp<ConstantOp>() != nullptr;
  Value dY = e.resultGrad(0), dYh = e.resultGrad(1),
        dYc = cell == Cell::LSTM ? e.resultGrad(2) : Value();

  // Valid steps, [seq*batch, 1] in iteration order (absent: all valid).
  Value valid;
  if (lens) {
    auto lt = typeOf(lens);
    SmallVector<Attribute> steps;
    for (int64_t t = 0; t < seq; ++t)
      steps.push_back(b.getIntegerAttr(lt.getElementType(), t));
    Value iota = b.create<ConstantOp>(
        loc, DenseElementsAttr::get(RankedTensorType::get({seq, 1}, lt.getElementType()), steps));
    Value lessThan = b.create<LessOp>(loc, iota, m.reshape(lens, {1, batch}));
    valid = m.reshape(lessThan, {rowsAll, 1});
  }

  SmallVector<Value> dXs, dWs, dRs, dBs, dH0s, dC0s, dPs;
  for (int64_t d = 0; d < dirs; ++d) {
    bool reverse = d == 1 || op.getDirection() == "reverse";
    // [seq, batch, n] between time and iteration order (both ways).
    auto toIter = [&](Value v) -> Value {
      if (!reverse)
        return v;
      if (lens)
        return b.create<ReverseSequenceOp>(loc, v, lens, b.getI64IntegerAttr(1),
                                           b.getI64IntegerAttr(0));
      auto t = typeOf(v);
      return b.create<SliceOp>(loc, v, b.getDenseI64ArrayAttr({seq - 1, 0, 0}),
                               b.getDenseI64ArrayAttr(t.getShape()),
                               b.getDenseI64ArrayAttr({-1, 1, 1}));
    };
    int64_t act0 = d * OpTy::kActivations;
    auto actName = [&](int64_t i) { return activation(act0 + i); };
    Value wd = m.entry(w, 0, d), rd = m.entry(r, 0, d);
    Value projBias, recBias;
    if (bias) {
      Value bd = m.entry(bias, 0, d);
      Value wb = m.slice(bd, 0, 0, gh), rb = m.slice(bd, 0, gh, gh);
      if (cell == Cell::GRU && k.lbr) {
        projBias = wb;
        recBias = m.reshape(rb, {1, gh});
      } else {
        projBias = m.add(wb, rb);
      }
    }
    // Forward values in iteration order, [seq*batch, n].
    Value xIter = m.reshape(toIter(x), {rowsAll, input});
    Value proj = m.timesTransposed(xIter, wd, wConst, projBias);
    Value yIter = m.reshape(toIter(m.entry(y, 1, d)), {rowsAll, hs});
    Value h0 = initialH ? m.entry(initialH, 0, d) : m.zeros({batch, hs});
    Value hPrev = seq == 1 ? h0 : m.concat({h0, m.slice(yIter, 0, 0, rowsAll - batch)}, 0);
    Value dYIter = dY ? m.reshape(toIter(m.entry(dY, 1, d)), {rowsAll, hs}) : Value();

    // Per-cell forward values the backward step reads, [seq*batch, n].
    Value gates;           // LSTM: i, o, f, g; GRU: z, r, hh (activated)
    Value cPrev, cState;   // LSTM
    Value recH;            // GRU with linear_before_reset: Hprev*Rh' + Rbh
    Value inClip;          // with clip: m.inside of every gate's input, [.., G*H]
    Value pI, pO, pF;      // LSTM peepholes, [1, H]
    if (k.peepholes) {
      Value pd = m.entry(k.peepholes, 0, d);
      pI = m.reshape(m.slice(pd, 0, 0, hs), {1, hs});
      pO = m.reshape(m.slice(pd, 0, hs, hs), {1, hs});
      pF = m.reshape(m.slice(pd, 0, 2 * hs, hs), {1, hs});
    }
    if (cell == Cell::RNN && clip)
      inClip = m.inside(m.timesTransposed(hPrev, rd, rConst, proj));
    if (cell == Cell::GRU) {
      Value z, rg, hh, preZ, preR, preH;
      if (k.lbr) {
        Value rec = m.timesTransposed(hPrev, rd, rConst, recBias);
        preZ = m.add(m.cols(proj, 0, hs), m.cols(rec, 0, hs));
        preR = m.add(m.cols(proj, hs, hs), m.cols(rec, hs, hs));
        z = m.activate(preZ, actName(0));
        rg = m.activate(preR, actName(0));
        recH = m.cols(rec, 2 * hs, hs);
        preH = m.add(m.cols(proj, 2 * hs, hs), m.mul(rg, recH));
      } else {
        Value zr = m.timesTransposed(hPrev, m.slice(rd, 0, 0, 2 * hs), rConst,
                                       m.cols(proj, 0, 2 * hs));
        preZ = m.cols(zr, 0, hs);
        preR = m.cols(zr, hs, hs);
        z = m.activate(preZ, actName(0));
        rg = m.activate(preR, actName(0));
        preH = m.timesTransposed(m.mul(rg, hPrev), m.slice(rd, 0, 2 * hs, hs), rConst,
                                 m.cols(proj, 2 * hs, hs));
      }
      hh = m.activate(preH, actName(1));
      gates = m.concat({z, rg, hh}, 1);
      if (clip)
        inClip = m.concat({m.inside(preZ), m.inside(preR), m.inside(preH)}, 1);
    } else if (cell == Cell::LSTM) {
      // The cell state needs a loop; the recurrent product does not.
      Value pre = m.timesTransposed(hPrev, rd, rConst, proj);
      Value c0 = k.initialC ? m.entry(k.initialC, 0, d) : m.zeros({batch, hs});
      Value cBuf = m.insertRows(c0, m.zeros({rowsAll + batch, hs}), m.idx(0));
      SmallVector<Value> bufs{cBuf, m.zeros({rowsAll, gh})};
      if (clip)
        bufs.push_back(m.zeros({rowsAll, gh}));
      auto loop = b.create<scf::ForOp>(loc, m.idx(0), m.idx(seq), m.idx(1), bufs);
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(loop.getBody());
        Value row = m.blockRow(loop.getInductionVar());
        Value next = b.create<arith::AddIOp>(loc, row, m.idx(batch));
        Value cArg = loop.getRegionIterArgs()[0], gArg = loop.getRegionIterArgs()[1];
        Value c = m.rows(cArg, row, batch), p = m.rows(pre, row, batch);
        Value pi = m.cols(p, 0, hs), po = m.cols(p, hs, hs), pf = m.cols(p, 2 * hs, hs),
              pc = m.cols(p, 3 * hs, hs);
        if (pI) {
          pi = m.add(pi, m.mul(pI, c));
          pf = m.add(pf, m.mul(pF, c));
        }
        Value i = m.activate(pi, actName(0));
        Value f = k.inputForget ? m.sub(m.scalar(1.0), i) : m.activate(pf, actName(0));
        Value g = m.activate(pc, actName(1));
        Value cNew = m.add(m.mul(f, c), m.mul(i, g));
        if (pO)
          po = m.add(po, m.mul(pO, cNew));
        Value o = m.activate(po, actName(0));
        if (valid)
          cNew = m.where(m.rowsI1(valid, row, batch), cNew, c);
        Value cOut = m.insertRows(cNew, cArg, next);
        SmallVector<Value> outs{cOut, m.insertRows(m.concat({i, o, f, g}, 1), gArg, row)};
        if (clip)
          outs.push_back(m.insertRows(
              m.concat({m.inside(pi), m.inside(po), m.inside(pf), m.inside(pc)}, 1),
              loop.getRegionIterArgs()[2], row));
        b.create<scf::YieldOp>(loc, outs);
      }
      cPrev = m.slice(loop.getResult(0), 0, 0, rowsAll);
      cState = m.slice(loop.getResult(0), 0, batch, rowsAll);
      gates = loop.getResult(1);
      if (clip)
        inClip = loop.getResult(2);
    }

    // The reverse loop: block k of the state-gradient buffers holds the
    // gradient of the state entering step k; block seq starts as dY_h (dY_c).
    int64_t states = cell == Cell::LSTM ? 2 : 1;
    SmallVector<Value> inits;
    for (int64_t s = 0; s < states; ++s) {
      Value dFinal = s == 0 ? dYh : dYc;
      Value buf = m.zeros({rowsAll + batch, hs});
      if (dFinal)
        buf = m.insertRows(m.entry(dFinal, 0, d), buf, m.idx(rowsAll));
      inits.push_back(buf);
    }
    inits.push_back(m.zeros({rowsAll, gh}));
    auto loop = b.create<scf::ForOp>(loc, m.idx(0), m.idx(seq), m.idx(1), inits);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value step = b.create<arith::SubIOp>(loc, m.idx(seq - 1), loop.getInductionVar());
      Value row = m.blockRow(step);
      Value next = b.create<arith::AddIOp>(loc, row, m.idx(batch));
      ValueRange args = loop.getRegionIterArgs();
      Value mask = valid ? m.rowsI1(valid, row, batch) : Value();
      Value zero = m.zeros({batch, hs});
      // The gradients reaching this step's new state; zero when masked (the
      // state passes through unchanged, y is a constant zero).
      Value gH = m.rows(args[0], next, batch);
      Value dh = dYIter ? m.add(gH, m.rows(dYIter, row, batch)) : gH;
      Value gC, dc;
      if (cell == Cell::LSTM)
        dc = gC = m.rows(args[1], next, batch);
      if (mask) {
        dh = m.where(mask, dh, zero);
        if (dc)
          dc = m.where(mask, dc, zero);
      }
      Value h = m.rows(hPrev, row, batch);
      Value clipRows = inClip ? m.rows(inClip, row, batch) : Value();
      // The derivative of gate `gate`'s activation, times its clip's.
      auto gateDerivative = [&](Value out, int64_t act, int64_t gate) {
        Value dv = m.derivative(out, actName(act));
        return clipRows ? m.mul(dv, m.cols(clipRows, gate * hs, hs)) : dv;
      };
      Value dPre, dhPrev, dcPrev;
      if (cell == Cell::RNN) {
        dPre = m.mul(dh, gateDerivative(m.rows(yIter, row, batch), 0, 0));
        dhPrev = m.gemm(dPre, rd, false, false);
      } else if (cell == Cell::GRU) {
        Value gs = m.rows(gates, row, batch);
        Value z = m.cols(gs, 0, hs), rg = m.cols(gs, hs, hs), hh = m.cols(gs, 2 * hs, hs);
        // h' = hh + z.(h - hh)
        Value dhh = m.mul(dh, m.sub(m.scalar(1.0), z));
        Value dz = m.mul(dh, m.sub(h, hh));
        dhPrev = m.mul(dh, z);
        Value dah = m.mul(dhh, gateDerivative(hh, 1, 2));
        Value dr;
        if (k.lbr) {
          // hh = g(xh + r.recH): recH's gradient joins dPre's r, z columns.
          dr = m.mul(dah, m.rows(recH, row, batch));
        } else {
          Value drh = m.gemm(dah, m.slice(rd, 0, 2 * hs, hs), false, false);
          dr = m.mul(drh, h);
          dhPrev = m.add(dhPrev, m.mul(drh, rg));
        }
        Value daz = m.mul(dz, gateDerivative(z, 0, 0));
        Value dar = m.mul(dr, gateDerivative(rg, 0, 1));
        dPre = m.concat({daz, dar, dah}, 1);
        if (k.lbr) {
          Value dRec = m.concat({daz, dar, m.mul(dah, rg)}, 1);
          dhPrev = m.add(dhPrev, m.gemm(dRec, rd, false, false));
        } else {
          dhPrev = m.add(dhPrev, m.gemm(m.concat({daz, dar}, 1),
                                        m.slice(rd, 0, 0, 2 * hs), false, false));
        }
      } else {
        Value gs = m.rows(gates, row, batch);
        Value i = m.cols(gs, 0, hs), o = m.cols(gs, hs, hs), f = m.cols(gs, 2 * hs, hs),
              g = m.cols(gs, 3 * hs, hs);
        Value c = m.rows(cPrev, row, batch), cNew = m.rows(cState, row, batch);
        Value hc = m.activate(cNew, actName(2));
        Value dpo = m.mul(m.mul(dh, hc), gateDerivative(o, 0, 1));
        Value dhc = m.derivative(hc, actName(2));
        if (clip)
          dhc = m.mul(dhc, m.inside(cNew));
        dc = m.add(dc, m.mul(m.mul(dh, o), dhc));
        if (pO)
          dc = m.add(dc, m.mul(dpo, pO));
        Value di = m.mul(dc, g), dg = m.mul(dc, i), df = m.mul(dc, c);
        dcPrev = m.mul(dc, f);
        Value dpf;
        if (k.inputForget) {
          // f = 1 - i
          di = m.sub(di, df);
          dpf = zero;
        } else {
          dpf = m.mul(df, gateDerivative(f, 0, 2));
        }
        Value dpi = m.mul(di, gateDerivative(i, 0, 0));
        Value dpg = m.mul(dg, gateDerivative(g, 1, 3));
        if (pI)
          dcPrev = m.add(dcPrev, m.add(m.mul(dpi, pI), m.mul(dpf, pF)));
        dPre = m.concat({dpi, dpo, dpf, dpg}, 1);
        dhPrev = m.gemm(dPre, rd, false, false);
      }
      if (mask) {
        dhPrev = m.where(mask, dhPrev, gH);
        if (dcPrev)
          dcPrev = m.where(mask, dcPrev, gC);
      }
      SmallVector<Value> yields{m.insertRows(dhPrev, args[0], row)};
      if (cell == Cell::LSTM)
        yields.push_back(m.insertRows(dcPrev, args[1], row));
      yields.push_back(m.insertRows(dPre, args[states], row));
      b.create<scf::YieldOp>(loc, yields);
    }
    Value dPre = loop.getResult(states);

    if (nx)
      dXs.push_back(toIter(m.reshape(m.gemm(dPre, wd, false, false), {seq, batch, input})));
    if (nw)
      dWs.push_back(m.reshape(m.gemm(dPre, xIter, true, false), {1, gh, input}));
    // The GRU with linear_before_reset: the gradient of Hprev*R' + Rb.
    Value dRec;
    if (cell == Cell::GRU && k.lbr && (nr || nb))
      dRec = m.concat({m.cols(dPre, 0, 2 * hs), m.mul(m.cols(dPre, 2 * hs, hs),
                                                      m.cols(gates, hs, hs))},
                      1);
    if (nr) {
      Value dR;
      if (cell == Cell::GRU && !k.lbr) {
        Value rh = m.mul(m.cols(gates, hs, hs), hPrev);
        dR = m.concat({m.gemm(m.cols(dPre, 0, 2 * hs), hPrev, true, false),
                       m.gemm(m.cols(dPre, 2 * hs, hs), rh, true, false)},
                      0);
      } else {
        dR = m.gemm(dRec ? dRec : dPre, hPrev, true, false);
      }
      dRs.push_back(m.reshape(dR, {1, gh, hs}));
    }
    if (nb) {
      Value dWb = m.sumRows(dPre);
      Value dRb = dRec ? m.sumRows(dRec) : dWb;
      dBs.push_back(m.reshape(m.concat({dWb, dRb}, 0), {1, 2 * gh}));
    }
    if (nh0)
      dH0s.push_back(m.reshape(m.slice(loop.getResult(0), 0, 0, batch), {1, batch, hs}));
    if (nc0)
      dC0s.push_back(m.reshape(m.slice(loop.getResult(1), 0, 0, batch), {1, batch, hs}));
    if (np) {
      auto peep = [&](int64_t gate, Value c) {
        return m.sumRows(m.mul(m.cols(dPre, gate * hs, hs), c));
      };
      dPs.push_back(m.reshape(
          m.concat({peep(0, cPrev), peep(1, cState), peep(2, cPrev)}, 0), {1, 3 * hs}));
    }
  }

  auto set = [&](unsigned ods, ArrayRef<Value> parts) {
    if (parts.empty())
      return;
    e.setOperandGrad(*operandIndex(ods), m.concat(parts, 0));
  };
  if (nx) {
    Value dX = dXs[0];
    for (size_t i = 1; i < dXs.size(); ++i)
      dX = m.add(dX, dXs[i]);
    e.setOperandGrad(*operandIndex(kX), dX);
  }
  set(kW, dWs);
  set(kR, dRs);
  set(kB, dBs);
  set(kH0, dH0s);
  set(kC0, dC0s);
  set(kP, dPs);
  return success();
}

LogicalResult lstmGradient(LSTMOp op, GradientEmitter &e) {
  return recurrentGradient(op, e, {Cell::LSTM, op.getInitialC(), op.getP(), op.getInputForget()});
}

LogicalResult gruGradient(GRUOp op, GradientEmitter &e) {
  return recurrentGradient(op, e, {Cell::GRU, {}, {}, false, op.getLinearBeforeReset()});
}

LogicalResult rnnGradient(RNNOp op, GradientEmitter &e) {
  return recurrentGradient(op, e, {Cell::RNN, {}, {}, false, false});
}

} // namespace

void kiln::nn::registerRecurrentGradients(MLIRContext *ctx) {
  attachGradient<LSTMOp, lstmGradient>(ctx);
  attachGradient<GRUOp, gruGradient>(ctx);
  attachGradient<RNNOp, rnnGradient>(ctx);
}
