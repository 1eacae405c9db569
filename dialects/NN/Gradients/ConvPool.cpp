//===- ConvPool.cpp - gradient rules of convolution and pooling ------------===//
//
// Every rule is a composition of nn ops that already lower well:
// - a convolution's input gradient is the transposed convolution of the
//   output gradient with the same weight (and a transposed convolution's is
//   the convolution), the rounding of strided windows undone by
//   output_padding / a smaller end pad; with strides (undilated), one
//   stride-1 transposed convolution per phase of the input, interleaved;
// - an ungrouped weight gradient is one contraction per kernel offset over
//   a strided window of the channels-last input; a grouped one is one more
//   convolution that correlates the input with the output gradient: batch
//   and channels swap roles (the batch becomes the reduced channel axis),
//   the forward strides become dilations and the dilations strides, groups
//   stay groups;
// - max pooling routes each gradient to the first maximum of its window
//   (nn.max_pool_indices, as PyTorch picks) with a scatter-add, so
//   overlapping windows accumulate and ties never double count;
// - average pooling spreads each gradient, divided by its window's divisor
//   (a compile-time table), over its window by a depthwise transposed
//   convolution with a kernel of ones.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/Gradients/GradientRules.h"

#include <functional>

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::gradient;

namespace {

DenseI64ArrayAttr ints(GradientEmitter &e, ArrayRef<int64_t> v) {
  return e.builder().getDenseI64ArrayAttr(v);
}

SmallVector<int64_t> identityPerm(int64_t rank) {
  SmallVector<int64_t> perm;
  for (int64_t i = 0; i < rank; ++i)
    perm.push_back(i);
  return perm;
}

/// `v` with dimensions 0 and 1 swapped.
Value swapFirstTwo(GradientEmitter &e, Value v) {
  SmallVector<int64_t> perm = identityPerm(typeOf(v).getRank());
  std::swap(perm[0], perm[1]);
  return e.builder().create<TransposeOp>(e.loc(), v, ints(e, perm));
}

/// nn.conv where a pad may be negative: a negative pad crops the input
/// instead (nn.conv takes non-negative pads only).
Value convCropping(GradientEmitter &e, Value input, Value weight, ArrayRef<int64_t> strides,
                   ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads, int64_t group) {
  RankedTensorType in = typeOf(input);
  int64_t n = in.getRank() - 2;
  SmallVector<int64_t> convPads(pads), offsets(in.getRank(), 0), sizes(in.getShape()),
      steps(in.getRank(), 1);
  bool crop = false;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j : {i, n + i}) {
      if (convPads[j] >= 0)
        continue;
      crop = true;
      sizes[2 + i] += convPads[j];
      if (j == i)
        offsets[2 + i] = -convPads[j];
      convPads[j] = 0;
    }
  }
  OpBuilder &b = e.builder();
  if (crop)
    input = b.create<SliceOp>(e.loc(), input, ints(e, offsets), ints(e, sizes), ints(e, steps));
  return b.create<ConvOp>(e.loc(), input, weight, Value(), ints(e, strides), ints(e, convPads),
                          ints(e, dilations), b.getI64IntegerAttr(group));
}

/// The weight gradient of an ungrouped convolution (1 to 3 spatial dims) as
/// one contraction per kernel offset k, with no im2col buffer:
///   dw[f, c, k] = sum_{n, o} outGrad[n, f, o] * input[n, c, o*s + k*d - pb]
/// over the outputs o whose input position lies inside the input (padding
/// contributes zeros, so the input is never padded). Each contraction
/// vectorizes along the larger channel count (the CPU strategy vectorizes a
/// contraction's result's innermost dim), whose operand goes channels-last
/// once ([N, S..., C] or [N, O..., F]); the other operand's channels are
/// broadcast one at a time, read in place from NCHW when its planes are
/// under 4 KiB (at 4 KiB, 32x32, a register block's rows fell in one L1
/// set, so such an operand goes channels-last too). Each offset
/// reads a strided window of the input and a window of the output gradient
/// (nn.slice, views after bufferization). The per-offset [A, B] results are stacked and
/// transposed to [F, C, kernel...]. Returns null where it does not apply
/// (groups, dynamic shapes), for the convolution composition below.
Value convWeightGradPerOffset(GradientEmitter &e, Value input, Value outGrad,
                              ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                              ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads,
                              int64_t group) {
  RankedTensorType in = typeOf(input), dy = typeOf(outGrad);
  int64_t n = in.getRank() - 2;
  if (group != 1 || n < 1 || n > 3 || !in.hasStaticShape() || !dy.hasStaticShape())
    return Value();
  int64_t c = in.getDimSize(1), f = dy.getDimSize(1);
  ArrayRef<int64_t> out = dy.getShape().drop_front(2);
  // A 2-D stride-1 convolution keeping its rows' width of 32 pixels takes
  // the convolution composition instead: the CPU codegen reduces it with the
  // pixels in lanes, reading the NCHW input and output gradient in place (no
  // channels-last copies), each image's rows once for all kernel offsets
  // (compiler/Codegen/CPU/WeightGradConv.cpp). With 16-pixel rows it measured
  // slower than the contractions below (0.50 against 0.35 ms, 32 channels,
  // batch 16: one vector per row leaves each row read for one step). The
  // channel counts must allow a register block of at least 4 accumulators
  // with 16 registers (F or C a multiple of 4, or both even), which the
  // codegen then takes at every vector width it targets (4, 8 and 16 lanes);
  // a rejected shape would fall to im2col of a 32x32 "kernel".
  auto isOne = [](int64_t v) { return v == 1; };
  bool blocks = f % 4 == 0 || c % 4 == 0 || (c % 2 == 0 && f % 2 == 0);
  if (n == 2 && llvm::all_of(strides, isOne) && llvm::all_of(dilations, isOne) &&
      out[1] == 32 && in.getDimSize(3) == out[1] && kernel[0] * kernel[1] > 1 &&
      kernel[0] * kernel[1] <= 49 && out[0] * out[1] >= 16 * kernel[0] * kernel[1] && blocks)
    return Value();
  OpBuilder &b = e.builder();
  Type elem = in.getElementType();

  // Channels last: [N, C, X...] -> [N, X..., C].
  auto channelsLast = [&](Value v) {
    SmallVector<int64_t> perm{0};
    for (int64_t i = 0; i < n; ++i)
      perm.push_back(2 + i);
    perm.push_back(1);
    return b.create<TransposeOp>(e.loc(), v, ints(e, perm)).getResult();
  };
  bool inputLast = c >= f;
  // One kernel offset (a 1x1 kernel): each operand is read through one
  // window, which is taken first (a strided one is a fraction of the input)
  // and moved channels-last alone. Several offsets share the channels-last
  // copies of the whole operands.
  int64_t offsets = 1;
  for (int64_t k : kernel)
    offsets *= k;
  bool windowFirst = offsets == 1;
  // The operand whose channels are the contraction's rows (broadcast one
  // element at a time, never read as a vector) stays NCHW and is read
  // through its windows in place when its channel planes are under 4 KiB:
  // broadcasting from a plane costs the same as from a pixel's channels, and
  // its channels-last copy was a pass over a tensor that the backward pass
  // reads from memory (the 16x16 and 8x8 layers of the ResNet-style CNN:
  // about 50 us each). Planes of 4 KiB (32x32) put a register block's rows
  // in one L1 set, so such an operand goes channels-last as well, except
  // through a 1x1 window, whose channels-last copy would be a gather per
  // element. The other operand (the columns, read as vectors) always goes
  // channels-last: once for all offsets, or with one offset its window
  // alone (a strided one is a fraction of the tensor).
  auto planeBytes = [&](RankedTensorType t) {
    int64_t bytes = elem.getIntOrFloatBitWidth() / 8;
    for (int64_t d : t.getShape().drop_front(2))
      bytes *= d;
    return bytes;
  };
  bool rowsInPlace = windowFirst || planeBytes(inputLast ? dy : in) < 4096;
  bool xLast = inputLast ? !windowFirst : !rowsInPlace;
  bool gLast = inputLast ? !rowsInPlace : !windowFirst;
  Value x = xLast ? channelsLast(input) : input;
  Value g = gLast ? channelsLast(outGrad) : outGrad;
  std::string spatial = std::string("pqr").substr(0, n);
  std::string rowsSpec = rowsInPlace ? (inputLast ? "nf" : "nc") + spatial
                                     : "n" + spatial + (inputLast ? "f" : "c");
  std::string equation = inputLast ? rowsSpec + ",n" + spatial + "c->fc"
                                   : rowsSpec + ",n" + spatial + "f->cf";
  int64_t rows = inputLast ? f : c, cols = inputLast ? c : f;
  auto partType = RankedTensorType::get({1, rows, cols}, elem);

  // A window over the spatial dims of a [N, C, X...] (first = 2) or
  // [N, X..., C] (first = 1) tensor.
  auto window = [&](Value v, int64_t first, ArrayRef<int64_t> from, ArrayRef<int64_t> sizes,
                    ArrayRef<int64_t> steps) {
    RankedTensorType t = typeOf(v);
    SmallVector<int64_t> o(n + 2, 0), sz(t.getShape()), st(n + 2, 1);
    for (int64_t i = 0; i < n; ++i) {
      o[first + i] = from[i];
      sz[first + i] = sizes[i];
      st[first + i] = steps[i];
    }
    return b.create<SliceOp>(e.loc(), v, ints(e, o), ints(e, sz), ints(e, st)).getResult();
  };

  SmallVector<Value> parts;
  for (int64_t flat = 0; flat < offsets; ++flat) {
    // Offset `flat` (row-major over the kernel) and the outputs [lo, hi)
    // whose input position o*s + k*d - pb is inside the input.
    SmallVector<int64_t> xFrom, count, dyFrom, ones(n, 1);
    bool empty = false;
    SmallVector<int64_t> at(n);
    for (int64_t i = n - 1, rest = flat; i >= 0; --i) {
      at[i] = rest % kernel[i];
      rest /= kernel[i];
    }
    for (int64_t i = 0; i < n; ++i) {
      int64_t shift = at[i] * dilations[i] - pads[i], s = strides[i];
      int64_t lo = shift >= 0 ? 0 : (-shift + s - 1) / s;
      int64_t last = in.getDimSize(2 + i) - 1 - shift;
      int64_t hi = last < 0 ? 0 : std::min<int64_t>(out[i], last / s + 1);
      empty |= hi <= lo;
      dyFrom.push_back(lo);
      count.push_back(std::max<int64_t>(hi - lo, 0));
      xFrom.push_back(lo * s + shift);
    }
    if (empty) {
      parts.push_back(e.zeros(partType));
      continue;
    }
    // Channels-last operands have their spatial dims from 1, NCHW ones from
    // 2; with one offset the columns' window goes channels-last alone.
    Value xw = window(x, xLast ? 1 : 2, xFrom, count, strides);
    Value gw = window(g, gLast ? 1 : 2, dyFrom, count, ones);
    if (windowFirst) {
      if (inputLast)
        xw = channelsLast(xw);
      else
        gw = channelsLast(gw);
    }
    Value part = b.create<EinsumOp>(e.loc(), inputLast ? ValueRange{gw, xw} : ValueRange{xw, gw},
                                    b.getStringAttr(equation));
    parts.push_back(e.reshape(part, partType));
  }
  Value stacked = parts.size() == 1
                      ? parts.front()
                      : b.create<ConcatOp>(e.loc(), parts, b.getI64IntegerAttr(0)).getResult();
  // [K..., A, B] -> [F, C, K...].
  SmallVector<int64_t> byOffset(kernel);
  byOffset.append({rows, cols});
  stacked = e.reshape(stacked, RankedTensorType::get(byOffset, elem));
  SmallVector<int64_t> perm = inputLast ? SmallVector<int64_t>{n, n + 1}
                                        : SmallVector<int64_t>{n + 1, n};
  for (int64_t i = 0; i < n; ++i)
    perm.push_back(i);
  return b.create<TransposeOp>(e.loc(), stacked, ints(e, perm));
}

/// The weight gradient of a (grouped) convolution of `input` [N, C, S...]
/// giving `outGrad` [N, F, O...] with a weight [F, C/group, kernel...]:
///   dw[f, c, k] = sum_{n, o} outGrad[n, f, o] * padded(input)[n, c, o*s + k*d]
/// itself a convolution of input' [C/group, group*N, S...] (input channel
/// group gi holds the batch of channel gi*C/group + c) with weight'
/// [F, N, O...] (outGrad with batch and channels swapped) in `group` groups,
/// stride d and dilation s; its result [C/group, F, kernel...] swapped back.
/// The end pad drops what the forward windows never reached, so that the
/// result has exactly `kernel` positions.
Value convWeightGrad(GradientEmitter &e, Value input, Value outGrad, ArrayRef<int64_t> kernel,
                     ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                     ArrayRef<int64_t> pads, int64_t group) {
  if (Value direct = convWeightGradPerOffset(e, input, outGrad, kernel, strides, dilations, pads,
                                             group))
    return direct;
  RankedTensorType in = typeOf(input), dy = typeOf(outGrad);
  int64_t n = in.getRank() - 2, batch = in.getDimSize(0), cg = in.getDimSize(1) / group;
  ArrayRef<int64_t> spatial = in.getShape().drop_front(2);
  OpBuilder &b = e.builder();

  // input [N, C, S] -> [N, g, C/g, S] -> [C/g, g, N, S] -> [C/g, g*N, S]
  // (one transpose [C, N, S] without groups).
  Value x;
  if (group == 1) {
    x = swapFirstTwo(e, input);
  } else {
    SmallVector<int64_t> split{batch, group, cg};
    split.append(spatial.begin(), spatial.end());
    x = e.reshape(input, in.clone(split));
    SmallVector<int64_t> perm = identityPerm(n + 3);
    std::swap(perm[0], perm[2]);
    x = b.create<TransposeOp>(e.loc(), x, ints(e, perm));
    SmallVector<int64_t> merged{cg, group * batch};
    merged.append(spatial.begin(), spatial.end());
    x = e.reshape(x, in.clone(merged));
  }

  Value w = swapFirstTwo(e, outGrad);
  SmallVector<int64_t> convPads(pads);
  for (int64_t i = 0; i < n; ++i) {
    int64_t reach = spatial[i] + pads[i] + pads[n + i] - 1 -
                    strides[i] * (dy.getDimSize(2 + i) - 1) - dilations[i] * (kernel[i] - 1);
    convPads[n + i] -= reach;
  }
  Value g = convCropping(e, x, w, dilations, strides, convPads, group);
  return swapFirstTwo(e, g);
}

/// The input gradient of a strided, undilated convolution by phases, with no
/// zeros multiplied: input position h = i*s + r (phase r of the unpadded
/// input) receives only the taps k = rho + a*s, rho = (r + pb) mod s, from
/// dy[i + carry - a], carry = (r + pb) div s. So phase r is the stride-1
/// transposed convolution of dy with the sub-kernel w[rho::s] (the forward
/// convolution kernel once nn-decompose has rewritten it), cropped by its
/// pads to P = ceil(S / s) positions from `carry` (a negative end pad adds
/// zeros; a phase without taps is zeros). Its result is thus already the
/// phase's own grid, no wider (an input of 32 at stride 2 gives phases of 16,
/// rows of whole vectors for the direct convolution, where phases of the
/// padded input were 17 wide); the phases are interleaved ([.., P, s, ..]
/// reshaped to [.., P*s, ..]) and cut to S where s does not divide it.
/// nn.conv_transpose's own decomposition would instead convolve dy with
/// s-1 zeros between its elements, s^n times the work.
/// Returns null for unit strides, dilations, or dynamic shapes.
Value convInputGradByPhases(GradientEmitter &e, Value outGrad, Value weight,
                            RankedTensorType inputType, ArrayRef<int64_t> strides,
                            ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads, int64_t group) {
  RankedTensorType dy = typeOf(outGrad), wt = typeOf(weight);
  int64_t n = inputType.getRank() - 2;
  if (llvm::all_of(strides, [](int64_t s) { return s == 1; }) ||
      llvm::any_of(dilations, [](int64_t d) { return d != 1; }) || !inputType.hasStaticShape() ||
      !dy.hasStaticShape() || !wt.hasStaticShape())
    return Value();
  OpBuilder &b = e.builder();
  Type elem = inputType.getElementType();
  int64_t batch = inputType.getDimSize(0), c = inputType.getDimSize(1);
  ArrayRef<int64_t> kernel = wt.getShape().drop_front(2), out = dy.getShape().drop_front(2);
  SmallVector<int64_t> q;
  for (int64_t i = 0; i < n; ++i)
    q.push_back((inputType.getDimSize(2 + i) + strides[i] - 1) / strides[i]);
  // The phases interleaved from dim i on: [N, C, P0, 1, .., Pi, s_i, ..]
  // (unit phase axes before i, whole ones from i).
  auto interleavedType = [&](int64_t i) {
    SmallVector<int64_t> shape{batch, c};
    for (int64_t j = 0; j < n; ++j)
      shape.append({q[j], j < i ? 1 : strides[j]});
    return RankedTensorType::get(shape, elem);
  };

  // One phase as [N, C, P0, 1, P1, 1, ...], or null where it has no taps
  // (all zeros).
  auto phase = [&](ArrayRef<int64_t> r) -> Value {
    SmallVector<int64_t> taps, from{0, 0}, steps{1, 1}, sizes(wt.getShape().take_front(2)),
        crop(2 * n, 0);
    for (int64_t i = 0; i < n; ++i) {
      int64_t rho = (r[i] + pads[i]) % strides[i], carry = (r[i] + pads[i]) / strides[i];
      taps.push_back(rho < kernel[i] ? (kernel[i] - rho + strides[i] - 1) / strides[i] : 0);
      from.push_back(rho);
      steps.push_back(strides[i]);
      sizes.push_back(taps.back());
      // The natural result has O + taps - 1 positions; keep [carry, carry + P).
      crop[i] = carry;
      crop[n + i] = out[i] + taps.back() - 1 - carry - q[i];
    }
    if (llvm::is_contained(taps, 0))
      return Value();
    Value sub = b.create<SliceOp>(e.loc(), weight, ints(e, from), ints(e, sizes), ints(e, steps));
    SmallVector<int64_t> ones(n, 1), noOut(n, 0);
    Value z = b.create<ConvTransposeOp>(e.loc(), outGrad, sub, Value(), ints(e, ones),
                                        ints(e, crop), ints(e, ones), ints(e, noOut),
                                        b.getI64IntegerAttr(group));
    return e.reshape(z, interleavedType(n));
  };
  // Phases of dims >= i (those before fixed in `r`), concatenated along each
  // dim's phase axis (3, 5, ...); null where all are zeros. Phases without
  // taps at either end of the axis become a zero pad of the others (a 1x1
  // stride-2 convolution has one phase of four), not zero tensors copied in.
  SmallVector<int64_t> r;
  std::function<Value(int64_t)> interleave = [&](int64_t i) -> Value {
    if (i == n)
      return phase(r);
    SmallVector<Value> parts;
    for (int64_t p = 0; p < strides[i]; ++p) {
      r.push_back(p);
      parts.push_back(interleave(i + 1));
      r.pop_back();
    }
    int64_t lo = 0, hi = strides[i];
    while (lo < hi && !parts[lo])
      ++lo;
    while (hi > lo && !parts[hi - 1])
      --hi;
    if (lo == hi)
      return Value();
    SmallVector<Value> kept;
    for (int64_t p = lo; p < hi; ++p)
      kept.push_back(parts[p] ? parts[p] : e.zeros(interleavedType(i + 1)));
    Value joined = kept.size() == 1
                       ? kept.front()
                       : b.create<ConcatOp>(e.loc(), kept, b.getI64IntegerAttr(3 + 2 * i))
                             .getResult();
    if (lo == 0 && hi == strides[i])
      return joined;
    SmallVector<int64_t> low(2 + 2 * n, 0), high(2 + 2 * n, 0);
    // One pad for all dims: a pad of the deeper dims' phases is merged.
    if (auto inner = joined.getDefiningOp<PadOp>(); inner && kept.size() == 1) {
      llvm::copy(inner.getLow(), low.begin());
      llvm::copy(inner.getHigh(), high.begin());
      joined = inner.getInput();
      inner.erase();
    }
    low[3 + 2 * i] = lo;
    high[3 + 2 * i] = strides[i] - hi;
    return b.create<PadOp>(e.loc(), interleavedType(i), joined, ints(e, low), ints(e, high),
                           b.getF64FloatAttr(0.0));
  };
  Value all = interleave(0);
  if (!all)
    all = e.zeros(interleavedType(0));
  SmallVector<int64_t> merged{batch, c};
  for (int64_t i = 0; i < n; ++i)
    merged.push_back(q[i] * strides[i]);
  all = e.reshape(all, RankedTensorType::get(merged, elem));
  if (ArrayRef<int64_t>(merged) == inputType.getShape())
    return all;
  return b.create<SliceOp>(e.loc(), all, ints(e, SmallVector<int64_t>(n + 2, 0)),
                           ints(e, inputType.getShape()), ints(e, SmallVector<int64_t>(n + 2, 1)));
}

/// The sum of `grad` over every dimension but 1 (channels): a bias gradient.
Value channelSum(GradientEmitter &e, Value grad) {
  SmallVector<int64_t> axes{0};
  for (int64_t d = 2; d < typeOf(grad).getRank(); ++d)
    axes.push_back(d);
  return e.reduceSum(grad, axes, /*keepDims=*/false);
}

// y = conv(x, w) + b. dx is the transposed convolution of dy with w
// (output_padding restores the trailing inputs that no window reached), dw
// the correlation of x with dy, db the sum of dy but over channels.
LogicalResult convGradient(ConvOp op, GradientEmitter &e) {
  Value dy = e.resultGradOrZeros(0);
  RankedTensorType xt = typeOf(op.getInput()), wt = typeOf(op.getWeight());
  int64_t n = xt.getRank() - 2, group = op.getGroup();
  ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations(), pads = op.getPads();
  ArrayRef<int64_t> kernel = wt.getShape().drop_front(2);
  OpBuilder &b = e.builder();
  Value byPhases;
  if (e.needs(0))
    byPhases = convInputGradByPhases(e, dy, op.getWeight(), xt, strides, dilations, pads, group);
  if (byPhases) {
    e.setOperandGrad(0, byPhases);
  } else if (e.needs(0)) {
    SmallVector<int64_t> outPad;
    for (int64_t i = 0; i < n; ++i)
      outPad.push_back((xt.getDimSize(2 + i) + pads[i] + pads[n + i] -
                        dilations[i] * (kernel[i] - 1) - 1) %
                       strides[i]);
    e.setOperandGrad(0, b.create<ConvTransposeOp>(e.loc(), dy, op.getWeight(), Value(),
                                                  ints(e, strides), ints(e, pads),
                                                  ints(e, dilations), ints(e, outPad),
                                                  b.getI64IntegerAttr(group)));
  }
  if (e.needs(1))
    e.setOperandGrad(1, convWeightGrad(e, op.getInput(), dy, kernel, strides, dilations, pads,
                                       group));
  if (op.getBias() && e.needs(2))
    e.setOperandGrad(2, channelSum(e, dy));
  return success();
}

// y = conv_transpose(x, w) + b is the adjoint of a convolution with the same
// weight, so dx = conv(dy, w) and dw correlates dy with x, on dy padded as
// the transposed convolution cropped its result (pads, less output_padding;
// a negative one crops dy).
LogicalResult convTransposeGradient(ConvTransposeOp op, GradientEmitter &e) {
  Value dy = e.resultGradOrZeros(0);
  RankedTensorType wt = typeOf(op.getWeight());
  int64_t n = wt.getRank() - 2, group = op.getGroup();
  ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations();
  ArrayRef<int64_t> kernel = wt.getShape().drop_front(2);
  SmallVector<int64_t> pads(op.getPads());
  for (int64_t i = 0; i < n; ++i)
    pads[n + i] -= op.getOutputPadding()[i];
  if (e.needs(0))
    e.setOperandGrad(0, convCropping(e, dy, op.getWeight(), strides, dilations, pads, group));
  if (e.needs(1))
    e.setOperandGrad(1, convWeightGrad(e, dy, op.getInput(), kernel, strides, dilations, pads,
                                       group));
  if (op.getBias() && e.needs(2))
    e.setOperandGrad(2, channelSum(e, dy));
  return success();
}

/// Adds each element of `grad` (the pooled shape) into a zero tensor of
/// `inputType` at the flat position `indices` names (nn.max_pool_indices'
/// row-major flat index, batch and channel included).
Value scatterAddFlat(GradientEmitter &e, Value grad, Value indices, RankedTensorType inputType) {
  RankedTensorType gt = typeOf(grad);
  int64_t outCount = gt.getNumElements(), inCount = inputType.getNumElements();
  Value flatGrad = e.reshape(grad, RankedTensorType::get({outCount}, gt.getElementType()));
  Value flatIdx = e.reshape(indices, RankedTensorType::get({outCount}, e.builder().getI64Type()));
  auto flatType = RankedTensorType::get({inCount}, gt.getElementType());
  Value sum = e.builder().create<ScatterElementsOp>(
      e.loc(), flatType, e.zeros(flatType), flatIdx, flatGrad, e.builder().getI64IntegerAttr(0),
      e.builder().getStringAttr("add"));
  return e.reshape(sum, inputType);
}

/// The gradient of a max pooling: each window's gradient goes to the first
/// maximum of the window in row-major order (PyTorch's choice for ties).
Value maxPoolGrad(GradientEmitter &e, Value input, Value grad, ArrayRef<int64_t> kernel,
                  ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                  ArrayRef<int64_t> dilations, bool ceilMode) {
  OpBuilder &b = e.builder();
  auto idxType = RankedTensorType::get(typeOf(grad).getShape(), b.getI64Type());
  Value idx = b.create<MaxPoolIndicesOp>(e.loc(), idxType, input, ints(e, kernel),
                                         ints(e, strides), ints(e, pads), ints(e, dilations),
                                         b.getBoolAttr(ceilMode), b.getI64IntegerAttr(0));
  return scatterAddFlat(e, grad, idx, typeOf(input));
}

LogicalResult maxPoolGradient(MaxPoolOp op, GradientEmitter &e) {
  if (e.needs(0))
    e.setOperandGrad(0, maxPoolGrad(e, op.getInput(), e.resultGradOrZeros(0),
                                    op.getKernelShape(), op.getStrides(), op.getPads(),
                                    op.getDilations(), op.getCeilMode()));
  return success();
}

// A global max pooling is a max pooling with one window over all positions.
LogicalResult globalMaxPoolGradient(GlobalMaxPoolOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  ArrayRef<int64_t> spatial = typeOf(op.getInput()).getShape().drop_front(2);
  int64_t n = spatial.size();
  SmallVector<int64_t> ones(n, 1), zeros(2 * n, 0);
  e.setOperandGrad(0, maxPoolGrad(e, op.getInput(), e.resultGradOrZeros(0), spatial, ones, zeros,
                                  ones, /*ceilMode=*/false));
  return success();
}

// dy divided by each window's divisor (the forward's: the window's overlap
// with the input, or with the padded input under count_include_pad, never
// the ceil-mode overhang), then spread over the window by a depthwise
// transposed convolution with a kernel of ones, stride the pool's.
LogicalResult averagePoolGradient(AveragePoolOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  OpBuilder &b = e.builder();
  RankedTensorType xt = typeOf(op.getInput()), yt = op.getType();
  Type elem = xt.getElementType();
  int64_t n = xt.getRank() - 2, channels = xt.getDimSize(1);
  ArrayRef<int64_t> kernel = op.getKernelShape(), strides = op.getStrides(), pads = op.getPads();
  ArrayRef<int64_t> in = xt.getShape().drop_front(2), out = yt.getShape().drop_front(2);
  bool includePad = op.getCountIncludePad();

  SmallVector<double> divisors;
  int64_t total = 1;
  for (int64_t o : out)
    total *= o;
  for (int64_t flat = 0; flat < total; ++flat) {
    int64_t rest = flat, count = 1;
    for (int64_t i = n - 1; i >= 0; --i) {
      int64_t start = (rest % out[i]) * strides[i] - pads[i];
      rest /= out[i];
      int64_t lo = includePad ? -pads[i] : 0, hi = includePad ? in[i] + pads[n + i] : in[i];
      count *= std::max<int64_t>(0, std::min(start + kernel[i], hi) - std::max(start, lo));
    }
    divisors.push_back(static_cast<double>(count));
  }
  Value dy = e.resultGradOrZeros(0);
  if (llvm::all_equal(divisors)) {
    dy = b.create<MulOp>(e.loc(), dy, e.scalar(elem, 1.0 / divisors.front()));
  } else {
    SmallVector<int64_t> shape{1, 1};
    shape.append(out.begin(), out.end());
    SmallVector<Attribute> values;
    for (double d : divisors)
      values.push_back(b.getFloatAttr(elem, d == 0 ? 0.0 : 1.0 / d));
    auto tableType = RankedTensorType::get(shape, elem);
    Value table = b.create<ConstantOp>(e.loc(), DenseElementsAttr::get(tableType, values));
    dy = b.create<MulOp>(e.loc(), dy, table);
  }

  // The transposed convolution covers s*(O-1)+k positions from -pad_begin:
  // crop the end back to the input (the ceil-mode overhang included), or
  // extend it with output_padding where trailing inputs were in no window.
  SmallVector<int64_t> ctPads(pads), outPad(n, 0), ones(n, 1);
  for (int64_t i = 0; i < n; ++i) {
    int64_t end = strides[i] * (out[i] - 1) + kernel[i] - pads[i] - in[i];
    ctPads[n + i] = std::max<int64_t>(end, 0);
    outPad[i] = std::max<int64_t>(-end, 0);
  }
  SmallVector<int64_t> wShape{channels, 1};
  wShape.append(kernel.begin(), kernel.end());
  auto wType = RankedTensorType::get(wShape, elem);
  Value ones1 = b.create<ConstantOp>(e.loc(), DenseElementsAttr::get(wType, b.getFloatAttr(elem, 1.0)));
  e.setOperandGrad(0, b.create<ConvTransposeOp>(e.loc(), dy, ones1, Value(), ints(e, strides),
                                                ints(e, ctPads), ints(e, ones), ints(e, outPad),
                                                b.getI64IntegerAttr(channels)));
  return success();
}

LogicalResult globalAveragePoolGradient(GlobalAveragePoolOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  RankedTensorType xt = typeOf(op.getInput());
  int64_t count = 1;
  for (int64_t d : xt.getShape().drop_front(2))
    count *= d;
  OpBuilder &b = e.builder();
  Value scaled = b.create<MulOp>(e.loc(), e.resultGradOrZeros(0),
                                 e.scalar(xt.getElementType(), 1.0 / count));
  e.setOperandGrad(0, b.create<ExpandOp>(e.loc(), scaled, ints(e, xt.getShape())));
  return success();
}

} // namespace

void kiln::nn::registerConvPoolGradients(MLIRContext *ctx) {
  attachGradient<ConvOp, convGradient>(ctx);
  attachGradient<ConvTransposeOp, convTransposeGradient>(ctx);
  attachGradient<MaxPoolOp, maxPoolGradient>(ctx);
  attachGradient<GlobalMaxPoolOp, globalMaxPoolGradient>(ctx);
  attachGradient<AveragePoolOp, averagePoolGradient>(ctx);
  attachGradient<GlobalAveragePoolOp, globalAveragePoolGradient>(ctx);
}
