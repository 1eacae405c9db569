//===- DataMovement.cpp - gradient rules of data movement and gathers -----===//
//
// Ops that only move elements have linear adjoints built from the same kind
// of ops: a reshape's is a reshape back, a transpose's the inverse
// transpose, a slice's a pad (strides spread the gradient with zeros in
// between), a pad's a slice, a broadcast's a sum. A gather's adjoint is a
// scatter with reduction add into zeros, so repeated indices accumulate;
// the indices are clamped first as the forward gathers clamp them (an index
// the forward read clamped is credited where it read).
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/Gradients/GradientRules.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::gradient;

namespace {

int64_t normalizeAxis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

Value slice(GradientEmitter &e, Value v, ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes,
            ArrayRef<int64_t> strides) {
  auto type = RankedTensorType::get(sizes, typeOf(v).getElementType());
  OpBuilder &b = e.builder();
  return b.create<SliceOp>(e.loc(), type, v, b.getDenseI64ArrayAttr(offsets),
                           b.getDenseI64ArrayAttr(sizes), b.getDenseI64ArrayAttr(strides));
}

/// `v` padded with zeros; `v` when no pad is needed.
Value padZeros(GradientEmitter &e, Value v, ArrayRef<int64_t> low, ArrayRef<int64_t> high) {
  if (llvm::all_of(low, [](int64_t x) { return x == 0; }) &&
      llvm::all_of(high, [](int64_t x) { return x == 0; }))
    return v;
  RankedTensorType in = typeOf(v);
  SmallVector<int64_t> dims(in.getShape());
  for (size_t d = 0; d < dims.size(); ++d)
    dims[d] += low[d] + high[d];
  OpBuilder &b = e.builder();
  return b.create<PadOp>(e.loc(), in.clone(dims), v, b.getDenseI64ArrayAttr(low),
                         b.getDenseI64ArrayAttr(high), b.getF64FloatAttr(0.0));
}

/// A 1-D or rank-0 integer constant of element type `elem`.
Value intConstant(GradientEmitter &e, Type elem, ArrayRef<int64_t> values, bool scalar) {
  auto type = scalar ? RankedTensorType::get({}, elem)
                     : RankedTensorType::get({static_cast<int64_t>(values.size())}, elem);
  SmallVector<APInt> bits;
  for (int64_t v : values)
    bits.push_back(APInt(elem.getIntOrFloatBitWidth(), v, /*isSigned=*/true));
  return e.builder().create<ConstantOp>(e.loc(), DenseElementsAttr::get(type, bits));
}

/// Indices clamped to [-dim, dim - 1] per the last-dim entry of `dims` (one
/// dim for all, or one per tuple component): the forward gathers clamp an
/// index out of range, while the scatters refuse one at run time.
Value clampIndices(GradientEmitter &e, Value idx, ArrayRef<int64_t> dims) {
  Type elem = typeOf(idx).getElementType();
  SmallVector<int64_t> lo, hi;
  for (int64_t d : dims) {
    lo.push_back(-d);
    hi.push_back(d - 1);
  }
  bool scalar = dims.size() == 1;
  OpBuilder &b = e.builder();
  Value low = intConstant(e, elem, lo, scalar), high = intConstant(e, elem, hi, scalar);
  Value clamped = b.create<MaxOp>(e.loc(), idx, low);
  return b.create<MinOp>(e.loc(), clamped, high);
}

LogicalResult reshapeGradient(ReshapeOp op, GradientEmitter &e) {
  if (e.needs(0))
    e.setOperandGrad(0, e.reshape(e.resultGradOrZeros(0), op.getInput().getType()));
  return success();
}

LogicalResult flattenGradient(FlattenOp op, GradientEmitter &e) {
  if (e.needs(0))
    e.setOperandGrad(0, e.reshape(e.resultGradOrZeros(0), typeOf(op.getInput())));
  return success();
}

LogicalResult transposeGradient(TransposeOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  ArrayRef<int64_t> perm = op.getPerm();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = i;
  OpBuilder &b = e.builder();
  e.setOperandGrad(0, b.create<TransposeOp>(e.loc(), typeOf(op.getInput()), e.resultGradOrZeros(0),
                                            b.getDenseI64ArrayAttr(inverse)));
  return success();
}

// Each operand's gradient is its window of the result's gradient.
LogicalResult concatGradient(ConcatOp op, GradientEmitter &e) {
  Value g = e.resultGradOrZeros(0);
  RankedTensorType out = typeOf(op.getOutput());
  int64_t axis = normalizeAxis(static_cast<int64_t>(op.getAxis()), out.getRank());
  int64_t start = 0;
  for (auto [i, input] : llvm::enumerate(op.getInputs())) {
    RankedTensorType t = typeOf(input);
    if (e.needs(i)) {
      SmallVector<int64_t> offsets(t.getRank(), 0), strides(t.getRank(), 1);
      offsets[axis] = start;
      e.setOperandGrad(i, slice(e, g, offsets, t.getShape(), strides));
    }
    start += t.getDimSize(axis);
  }
  return success();
}

// The gradient is scattered back to the positions read: a negative stride's
// window is reversed first, then a stride s spreads the elements s apart
// (reshape to n x 1, pad to n x s, reshape to n*s, keep (n-1)*s+1), and a
// pad puts the window at its lowest offset.
LogicalResult sliceGradient(SliceOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  RankedTensorType in = typeOf(op.getInput());
  Value g = e.resultGradOrZeros(0);
  ArrayRef<int64_t> offsets = op.getOffsets(), sizes = op.getSizes(), strides = op.getStrides();
  int64_t rank = in.getRank();
  if (llvm::any_of(sizes, [](int64_t s) { return s == 0; })) {
    e.setOperandGrad(0, e.zeros(in));
    return success();
  }
  SmallVector<int64_t> start(offsets), step(rank), reverseOffsets(rank, 0), reverseStrides(rank, 1);
  bool reversed = false, spread = false;
  for (int64_t d = 0; d < rank; ++d) {
    step[d] = std::abs(strides[d]);
    spread |= step[d] > 1;
    if (strides[d] < 0) {
      reversed = true;
      start[d] = offsets[d] + (sizes[d] - 1) * strides[d];
      reverseOffsets[d] = sizes[d] - 1;
      reverseStrides[d] = -1;
    }
  }
  if (reversed)
    g = slice(e, g, reverseOffsets, sizes, reverseStrides);
  SmallVector<int64_t> extent(sizes);
  if (spread) {
    SmallVector<int64_t> pairs, padHigh, spreadDims, zeros2(2 * rank, 0), ones2(2 * rank, 1);
    for (int64_t d = 0; d < rank; ++d) {
      pairs.append({sizes[d], 1});
      padHigh.append({0, step[d] - 1});
      spreadDims.push_back(sizes[d] * step[d]);
      extent[d] = (sizes[d] - 1) * step[d] + 1;
    }
    Type elem = in.getElementType();
    g = e.reshape(g, RankedTensorType::get(pairs, elem));
    g = padZeros(e, g, zeros2, padHigh);
    g = e.reshape(g, RankedTensorType::get(spreadDims, elem));
    if (spreadDims != extent)
      g = slice(e, g, SmallVector<int64_t>(rank, 0), extent, SmallVector<int64_t>(rank, 1));
  }
  SmallVector<int64_t> high(rank);
  for (int64_t d = 0; d < rank; ++d)
    high[d] = in.getDimSize(d) - start[d] - extent[d];
  e.setOperandGrad(0, padZeros(e, g, start, high));
  return success();
}

LogicalResult padGradient(PadOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  RankedTensorType in = typeOf(op.getInput());
  e.setOperandGrad(0, slice(e, e.resultGradOrZeros(0), op.getLow(), in.getShape(),
                            SmallVector<int64_t>(in.getRank(), 1)));
  return success();
}

/// The pads of a border_pad when they are a constant (they are an operand).
FailureOr<SmallVector<int64_t>> constantPads(BorderPadOp op) {
  DenseIntElementsAttr attr;
  auto cst = op.getPads().getDefiningOp<ConstantOp>();
  if (!cst || !(attr = dyn_cast<DenseIntElementsAttr>(cst.getValue())))
    return failure();
  SmallVector<int64_t> pads;
  for (const APInt &v : attr.getValues<APInt>())
    pads.push_back(v.getSExtValue());
  return pads;
}

// Edge and reflect padding of all dims is the composition of one-dim pads,
// so the gradient undoes them one dim at a time: the centre window, plus
// each border's gradient added where it was read (edge: summed into the
// first or last element; reflect: reversed onto elements 1..lo and
// n-1-hi..n-2).
LogicalResult borderPadGradient(BorderPadOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  FailureOr<SmallVector<int64_t>> pads = constantPads(op);
  if (failed(pads))
    return op.emitOpError("expects constant pads for a gradient, found a run-time value");
  StringRef mode = op.getMode(); // edge or reflect (verified)
  RankedTensorType in = typeOf(op.getInput());
  int64_t rank = in.getRank();
  Value g = e.resultGradOrZeros(0);
  OpBuilder &b = e.builder();
  for (int64_t d = 0; d < rank; ++d) {
    int64_t lo = (*pads)[d], hi = (*pads)[rank + d], n = in.getDimSize(d);
    if (lo == 0 && hi == 0)
      continue;
    RankedTensorType gt = typeOf(g);
    SmallVector<int64_t> offsets(rank, 0), sizes(gt.getShape()), ones(rank, 1);
    auto window = [&](int64_t from, int64_t size, int64_t stride) {
      SmallVector<int64_t> o(offsets), s(sizes), st(ones);
      o[d] = from;
      s[d] = size;
      st[d] = stride;
      return slice(e, g, o, s, st);
    };
    auto padDim = [&](Value v, int64_t low, int64_t high) {
      SmallVector<int64_t> l(rank, 0), h(rank, 0);
      l[d] = low;
      h[d] = high;
      return padZeros(e, v, l, h);
    };
    Value next = window(lo, n, 1);
    if (mode == "edge") {
      if (lo > 0) {
        Value sum = e.reduceSum(window(0, lo, 1), {d}, /*keepDims=*/true);
        next = b.create<AddOp>(e.loc(), next, padDim(sum, 0, n - 1));
      }
      if (hi > 0) {
        Value sum = e.reduceSum(window(lo + n, hi, 1), {d}, /*keepDims=*/true);
        next = b.create<AddOp>(e.loc(), next, padDim(sum, n - 1, 0));
      }
    } else {
      if (lo > 0)
        next = b.create<AddOp>(e.loc(), next, padDim(window(lo - 1, lo, -1), 1, n - 1 - lo));
      if (hi > 0)
        next = b.create<AddOp>(e.loc(), next, padDim(window(lo + n + hi - 1, hi, -1), n - 1 - hi, 1));
    }
    g = next;
  }
  e.setOperandGrad(0, g);
  return success();
}

// A broadcast's gradient sums over the broadcast dimensions.
LogicalResult expandGradient(ExpandOp op, GradientEmitter &e) {
  if (e.needs(0))
    e.setOperandGrad(0, e.unbroadcast(e.resultGradOrZeros(0), typeOf(op.getInput())));
  return success();
}

// The result's dim d is repeats[d] copies of n[d] elements: viewed as
// r0 x n0 x r1 x n1 ..., the gradient sums over the copies.
LogicalResult tileGradient(TileOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  RankedTensorType in = typeOf(op.getInput());
  ArrayRef<int64_t> repeats = op.getRepeats();
  if (llvm::is_contained(repeats, 0)) {
    e.setOperandGrad(0, e.zeros(in));
    return success();
  }
  if (llvm::all_of(repeats, [](int64_t r) { return r == 1; })) {
    e.setOperandGrad(0, e.resultGradOrZeros(0));
    return success();
  }
  SmallVector<int64_t> pairs, axes;
  for (int64_t d = 0; d < in.getRank(); ++d) {
    if (repeats[d] != 1)
      axes.push_back(pairs.size());
    pairs.append({repeats[d], in.getDimSize(d)});
  }
  Value g = e.reshape(e.resultGradOrZeros(0), in.clone(pairs));
  e.setOperandGrad(0, e.reshape(e.reduceSum(g, axes, /*keepDims=*/false), in));
  return success();
}

// Trilu zeroes a fixed set of positions: the gradient is zeroed there too.
LogicalResult triluGradient(TriluOp op, GradientEmitter &e) {
  if (e.needs(0))
    e.setOperandGrad(0, e.builder().create<TriluOp>(e.loc(), typeOf(op.getInput()),
                                                    e.resultGradOrZeros(0), op.getK(),
                                                    op.getUpperAttr()));
  return success();
}

// Reversing a prefix is its own inverse.
LogicalResult reverseSequenceGradient(ReverseSequenceOp op, GradientEmitter &e) {
  if (e.needs(0))
    e.setOperandGrad(0, e.builder().create<ReverseSequenceOp>(
                            e.loc(), typeOf(op.getInput()), e.resultGradOrZeros(0),
                            op.getLengths(), op.getBatchAxisAttr(), op.getTimeAxisAttr()));
  return success();
}

// The result is input[:axis] + indices.shape + input[axis+1:]: with the index
// dims flattened to one (N), it is a gather_elements along `axis` by the
// indices broadcast over the other dims, whose adjoint is scatter_elements
// with reduction add.
LogicalResult gatherGradient(GatherOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  RankedTensorType in = typeOf(op.getInput()), idxType = typeOf(op.getIndices());
  int64_t rank = in.getRank();
  int64_t axis = normalizeAxis(static_cast<int64_t>(op.getAxis()), rank);
  int64_t n = idxType.getNumElements();
  if (n == 0) {
    e.setOperandGrad(0, e.zeros(in));
    return success();
  }
  SmallVector<int64_t> flat(in.getShape()), idxDims(rank, 1);
  flat[axis] = n;
  idxDims[axis] = n;
  Value g = e.reshape(e.resultGradOrZeros(0), in.clone(flat));
  Type idxElem = idxType.getElementType();
  Value idx = e.reshape(op.getIndices(), RankedTensorType::get(idxDims, idxElem));
  idx = clampIndices(e, idx, {in.getDimSize(axis)});
  OpBuilder &b = e.builder();
  if (rank > 1)
    idx = b.create<ExpandOp>(e.loc(), RankedTensorType::get(flat, idxElem), idx,
                             b.getDenseI64ArrayAttr(flat));
  e.setOperandGrad(0, b.create<ScatterElementsOp>(e.loc(), in, e.zeros(in), idx, g,
                                                  b.getI64IntegerAttr(axis),
                                                  b.getStringAttr("add")));
  return success();
}

LogicalResult gatherElementsGradient(GatherElementsOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  RankedTensorType in = typeOf(op.getInput());
  int64_t axis = normalizeAxis(static_cast<int64_t>(op.getAxis()), in.getRank());
  Value idx = clampIndices(e, op.getIndices(), {in.getDimSize(axis)});
  OpBuilder &b = e.builder();
  e.setOperandGrad(0, b.create<ScatterElementsOp>(e.loc(), in, e.zeros(in), idx,
                                                  e.resultGradOrZeros(0),
                                                  b.getI64IntegerAttr(axis),
                                                  b.getStringAttr("add")));
  return success();
}

LogicalResult gatherNDGradient(GatherNDOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  if (op.getBatchDims() != 0)
    return op.emitOpError("expects batch_dims 0 for a gradient, found ") << op.getBatchDims();
  RankedTensorType in = typeOf(op.getInput()), idxType = typeOf(op.getIndices());
  if (idxType.getNumElements() == 0) {
    e.setOperandGrad(0, e.zeros(in));
    return success();
  }
  OpBuilder &b = e.builder();
  Value idx = op.getIndices();
  if (!idxType.getElementType().isInteger(64))
    idx = b.create<CastOp>(e.loc(), idxType.clone(b.getI64Type()), idx);
  int64_t m = idxType.getShape().back();
  idx = clampIndices(e, idx, in.getShape().take_front(m));
  e.setOperandGrad(0, b.create<ScatterNDOp>(e.loc(), in, e.zeros(in), idx,
                                            e.resultGradOrZeros(0), b.getStringAttr("add")));
  return success();
}

} // namespace

void kiln::nn::registerDataMovementGradients(MLIRContext *ctx) {
  attachGradient<ReshapeOp, reshapeGradient>(ctx);
  attachGradient<FlattenOp, flattenGradient>(ctx);
  attachGradient<TransposeOp, transposeGradient>(ctx);
  attachGradient<ConcatOp, concatGradient>(ctx);
  attachGradient<SliceOp, sliceGradient>(ctx);
  attachGradient<PadOp, padGradient>(ctx);
  attachGradient<BorderPadOp, borderPadGradient>(ctx);
  attachGradient<ExpandOp, expandGradient>(ctx);
  attachGradient<TileOp, tileGradient>(ctx);
  attachGradient<TriluOp, triluGradient>(ctx);
  attachGradient<ReverseSequenceOp, reverseSequenceGradient>(ctx);
  attachGradient<GatherOp, gatherGradient>(ctx);
  attachGradient<GatherElementsOp, gatherElementsGradient>(ctx);
  attachGradient<GatherNDOp, gatherNDGradient>(ctx);
}
