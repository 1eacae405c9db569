//===- NNShapes.cpp - nn dialect: result shapes from operand shapes --------===//
//
// ReifyRankedShapedTypeOpInterface for every nn op, one rule per op family:
// each dynamic result dimension is built from `tensor.dim` of the operands
// and index arithmetic, so `tensor.dim` of an nn result resolves upstream
// (`resolve-ranked-shaped-type-result-dims`) and the lowerings size their
// `tensor.empty` from it. Static dimensions are returned as attributes.
//
// Broadcasting: a result dimension that is dynamic met only dynamic or unit
// operand dimensions; it is `a == 1 ? b : a` folded over the operands, which
// is the broadcast size whenever the operands are compatible (the lowering
// checks that at run time) and keeps a 0-size dimension 0.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/IR/NNInference.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/TypeSwitch.h"

#include <map>

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::detail;

std::optional<SmallVector<int64_t>> kiln::nn::reshapeDimSources(ArrayRef<int64_t> in,
                                                                ArrayRef<int64_t> out) {
  SmallVector<int64_t> sources(out.size(), -1);
  // One dynamic dimension takes what the static ones leave; that is the
  // input's one dynamic dimension when the static ones hold as many elements
  // on both sides (said so, the sizes fold to the same value).
  int64_t outDynamic = llvm::count_if(out, ShapedType::isDynamic);
  if (outDynamic <= 1) {
    auto staticProduct = [](ArrayRef<int64_t> shape) {
      int64_t p = 1;
      for (int64_t d : shape)
        if (!ShapedType::isDynamic(d))
          p *= d;
      return p;
    };
    auto outAt = llvm::find_if(out, ShapedType::isDynamic);
    auto inAt = llvm::find_if(in, ShapedType::isDynamic);
    if (outDynamic == 1 && llvm::count_if(in, ShapedType::isDynamic) == 1 &&
        staticProduct(in) == staticProduct(out))
      sources[outAt - out.begin()] = inAt - in.begin();
    return sources;
  }
  // Unit dimensions added or removed: the other dimensions pair in order.
  SmallVector<int64_t> inKept, outKept;
  for (auto [i, d] : llvm::enumerate(in))
    if (d != 1)
      inKept.push_back(i);
  for (auto [i, d] : llvm::enumerate(out))
    if (d != 1)
      outKept.push_back(i);
  bool pairs = inKept.size() == outKept.size() &&
               llvm::all_of(llvm::zip(inKept, outKept),
                            [&](auto p) { return in[std::get<0>(p)] == out[std::get<1>(p)]; });
  if (pairs) {
    for (auto [i, o] : llvm::zip(inKept, outKept))
      sources[o] = i;
    return sources;
  }
  // Leading and trailing dimensions that agree pair (ONNX's 0, "copy the
  // input's size"); one dynamic dimension may remain between them.
  int64_t rin = in.size(), rout = out.size(), p = 0, s = 0;
  while (p < std::min(rin, rout) && in[p] == out[p])
    ++p;
  while (s < std::min(rin, rout) - p && in[rin - 1 - s] == out[rout - 1 - s])
    ++s;
  // What lies between must hold the same elements: static products that
  // agree, or one dynamic result dim taking what a non-empty input part
  // holds. (Both sides' dims being dynamic does not make them equal:
  // ?x? -> ?x?x8, two symbolic dims flattened and expanded back, paired ?
  // with ? and left 8 to nothing, and compiling crashed.)
  ArrayRef<int64_t> midIn = in.slice(p, rin - p - s), midOut = out.slice(p, rout - p - s);
  int64_t midOutDynamic = llvm::count_if(midOut, ShapedType::isDynamic);
  if (midOutDynamic > 1)
    return std::nullopt;
  if (midOutDynamic == 0) {
    auto product = [](ArrayRef<int64_t> dims) {
      int64_t n = 1;
      for (int64_t d : dims)
        n *= d;
      return n;
    };
    if (llvm::any_of(midIn, ShapedType::isDynamic) || product(midIn) != product(midOut))
      return std::nullopt;
  } else if (midIn.empty()) {
    return std::nullopt;
  }
  for (int64_t i = 0; i < p; ++i)
    sources[i] = i;
  for (int64_t i = 0; i < s; ++i)
    sources[rout - 1 - i] = rin - 1 - i;
  return sources;
}

namespace {

/// Index arithmetic that folds constants as it builds.
struct IndexMath {
  OpBuilder &b;
  Location loc;

  Value c(int64_t v) { return b.create<arith::ConstantIndexOp>(loc, v); }
  Value dim(Value t, int64_t d) {
    return getValueOrCreateConstantIndexOp(b, loc, tensor::getMixedSize(b, loc, t, d));
  }
  Value add(Value x, Value y) { return b.createOrFold<arith::AddIOp>(loc, x, y); }
  Value sub(Value x, Value y) { return b.createOrFold<arith::SubIOp>(loc, x, y); }
  Value mul(Value x, Value y) { return b.createOrFold<arith::MulIOp>(loc, x, y); }
  Value div(Value x, Value y) { return b.createOrFold<arith::DivUIOp>(loc, x, y); }
  Value max(Value x, Value y) { return b.createOrFold<arith::MaxSIOp>(loc, x, y); }
  /// The broadcast of two compatible sizes: `x == 1 ? y : x`.
  Value broadcast(Value x, Value y) {
    std::optional<int64_t> cx = getConstantIntValue(x), cy = getConstantIntValue(y);
    if (cx == 1 || (cy && *cy != 1))
      return y;
    if (cy == 1 || cx)
      return x;
    Value one = c(1);
    Value isOne = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, x, one);
    return b.create<arith::SelectOp>(loc, isOne, y, x);
  }
  /// Output size of a sliding window (see windowOutputSize), for `in`
  /// dynamic: `(in + pads - window) / stride + 1`, at least 0; in ceil mode
  /// rounded up, less one where the last window would start past the input
  /// and its leading padding.
  Value window(Value in, int64_t kernel, int64_t stride, int64_t dilation, int64_t padBegin,
               int64_t padEnd, bool ceilMode) {
    int64_t reach = dilation * (kernel - 1) + 1;
    Value span = sub(add(in, c(padBegin + padEnd)), c(reach));
    Value zero = c(0);
    Value neg = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, span, zero);
    Value safe = max(span, zero);
    Value out = add(div(ceilMode ? add(safe, c(stride - 1)) : safe, c(stride)), c(1));
    if (ceilMode) {
      Value start = mul(sub(out, c(1)), c(stride));
      Value past = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sge, start,
                                           add(in, c(padBegin)));
      out = b.create<arith::SelectOp>(loc, past, sub(out, c(1)), out);
    }
    return b.create<arith::SelectOp>(loc, neg, zero, out);
  }
};

/// Computes one dynamic dimension `d` of result `r`; failure when the op's
/// rule does not know it.
using DimFn = llvm::function_ref<FailureOr<Value>(unsigned r, int64_t d)>;

/// The broadcast of `operands`' dimensions aligned at the right with
/// dimension `d` of a rank-`rank` result.
Value broadcastDim(IndexMath &m, ValueRange operands, int64_t rank, int64_t d) {
  Value size;
  for (Value v : operands) {
    int64_t r = rankedType(v).getRank(), od = d - (rank - r);
    if (od < 0)
      continue;
    Value s = m.dim(v, od);
    size = size ? m.broadcast(size, s) : s;
  }
  return size ? size : m.c(1);
}

FailureOr<Value> matmulDim(IndexMath &m, MatMulOp op, int64_t d) {
  Value lhs = op.getLhs(), rhs = op.getRhs();
  int64_t lr = rankedType(lhs).getRank(), rr = rankedType(rhs).getRank();
  int64_t rank = op.getType().getRank();
  // The result is batch..., [m], [n]; vector operands drop their unit dim.
  bool hasM = lr > 1, hasN = rr > 1;
  int64_t batch = rank - hasM - hasN;
  if (d >= batch) {
    if (hasM && d == batch)
      return m.dim(lhs, lr - 2);
    return m.dim(rhs, rr - 1);
  }
  Value size;
  for (auto [v, r] : {std::pair<Value, int64_t>{lhs, lr}, {rhs, rr}}) {
    int64_t od = d - (batch - (r - 2));
    if (r < 3 || od < 0)
      continue;
    Value s = m.dim(v, od);
    size = size ? m.broadcast(size, s) : s;
  }
  return size ? size : m.c(1);
}

FailureOr<Value> einsumDim(IndexMath &m, EinsumOp op, int64_t d) {
  auto parsed = parseEinsum(op.getEquation());
  if (failed(parsed))
    return failure();
  char letter = parsed->second[d];
  for (auto [i, v] : llvm::enumerate(op.getInputs())) {
    size_t pos = parsed->first[i].find(letter);
    if (pos != std::string::npos && rankedType(v).isDynamicDim(pos))
      return m.dim(v, pos);
  }
  return failure();
}

/// Conv and pooling: N (and C for pools) from the input, spatial dims from
/// the window.
FailureOr<Value> windowDim(IndexMath &m, Value input, int64_t d, ArrayRef<int64_t> kernel,
                           ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                           ArrayRef<int64_t> pads, bool ceilMode) {
  if (d < 2)
    return m.dim(input, d);
  size_t i = d - 2, sp = kernel.size();
  int64_t dilation = dilations.empty() ? 1 : dilations[i];
  return m.window(m.dim(input, d), kernel[i], strides[i], dilation, pads[i], pads[sp + i],
                  ceilMode);
}

FailureOr<Value> reshapeDim(IndexMath &m, Value input, RankedTensorType out, int64_t d) {
  RankedTensorType in = rankedType(input);
  auto sources = reshapeDimSources(in.getShape(), out.getShape());
  if (!sources)
    return failure();
  if ((*sources)[d] >= 0)
    return m.dim(input, (*sources)[d]);
  // The input's element count over the other result dimensions: static
  // ones, and dynamic ones paired with (so cancelling) an input dimension.
  llvm::SmallBitVector paired(in.getRank());
  int64_t known = 1;
  for (auto [i, s] : llvm::enumerate(out.getShape())) {
    if (static_cast<int64_t>(i) == d)
      continue;
    if (!ShapedType::isDynamic(s))
      known *= s;
    else
      paired.set((*sources)[i]);
  }
  Value rest = m.c(1);
  int64_t staticIn = 1;
  for (int64_t i = 0; i < in.getRank(); ++i) {
    if (!in.isDynamicDim(i))
      staticIn *= in.getDimSize(i);
    else if (!paired.test(i))
      rest = m.mul(rest, m.dim(input, i));
  }
  // Divide the static parts first when they divide, so sizes fold.
  if (known != 0 && staticIn % known == 0)
    return m.mul(rest, m.c(staticIn / known));
  return m.div(m.mul(rest, m.c(staticIn)), m.c(std::max<int64_t>(known, 1)));
}

FailureOr<Value> dynamicDim(IndexMath &m, Operation *op, unsigned r, int64_t d) {
  auto resultType = cast<RankedTensorType>(op->getResult(r).getType());
  int64_t rank = resultType.getRank();
  auto sameAsInput = [&](Operation *) -> FailureOr<Value> { return m.dim(op->getOperand(0), d); };
  return llvm::TypeSwitch<Operation *, FailureOr<Value>>(op)
      // Elementwise with numpy broadcasting.
      .Case<AddOp, SubOp, MulOp, DivOp, PowOp, MaxOp, MinOp, ModOp, PReluOp, AndOp, OrOp, XorOp,
            EqualOp, LessOp, LessEqualOp, GreaterOp, GreaterEqualOp, WhereOp>(
          [&](Operation *) -> FailureOr<Value> {
            return broadcastDim(m, op->getOperands(), rank, d);
          })
      // The input's shape.
      .Case<ReluOp, SigmoidOp, TanhOp, ExpOp, LogOp, ErfOp, SqrtOp, ReciprocalOp, NegOp, AbsOp,
            FloorOp, CeilOp, SoftplusOp, SinOp, CosOp, TanOp, AsinOp, AcosOp, AtanOp, SinhOp,
            CoshOp, AsinhOp, AcoshOp, AtanhOp, RoundOp, SignOp, SoftsignOp, HardSwishOp, MishOp,
            LeakyReluOp, EluOp, HardSigmoidOp, SeluOp, CeluOp, ThresholdedReluOp, ShrinkOp,
            ClipOp, NotOp, CastOp, IsNaNOp, IsInfOp, TriluOp, SoftmaxOp, LogSoftmaxOp, HardmaxOp,
            CumSumOp, BatchNormOp, InstanceNormOp, LRNOp, MeanVarianceNormOp,
            ReverseSequenceOp, LayerNormOp, DropoutOp, SGDUpdateOp, RMSpropUpdateOp,
            AdamUpdateOp>(sameAsInput)
      .Case([&](BatchNormTrainingOp) -> FailureOr<Value> {
        return m.dim(op->getOperand(0), r == 0 ? d : 1);
      })
      .Case([&](DetOp) { return m.dim(op->getOperand(0), d); })
      .Case([&](MatMulOp mm) { return matmulDim(m, mm, d); })
      .Case([&](GemmOp g) -> FailureOr<Value> {
        return d == 0 ? m.dim(g.getA(), g.getTransA() ? 1 : 0)
                      : m.dim(g.getB(), g.getTransB() ? 0 : 1);
      })
      .Case([&](EinsumOp e) { return einsumDim(m, e, d); })
      .Case([&](ConvOp c) -> FailureOr<Value> {
        if (d == 1)
          return m.dim(c.getWeight(), 0);
        SmallVector<int64_t> kernel(c.getWeight().getType().getShape().drop_front(2));
        if (d >= 2 && ShapedType::isDynamic(kernel[d - 2]))
          return failure();
        return windowDim(m, c.getInput(), d, kernel, c.getStrides(), c.getDilations(),
                         c.getPads(), false);
      })
      .Case([&](MaxPoolOp p) {
        return windowDim(m, p.getInput(), d, p.getKernelShape(), p.getStrides(),
                         p.getDilations(), p.getPads(), p.getCeilMode());
      })
      .Case([&](AveragePoolOp p) {
        return windowDim(m, p.getInput(), d, p.getKernelShape(), p.getStrides(), {},
                         p.getPads(), p.getCeilMode());
      })
      .Case<GlobalAveragePoolOp, GlobalMaxPoolOp>(sameAsInput)
      .Case([&](ConvTransposeOp c) -> FailureOr<Value> {
        if (d == 0)
          return m.dim(c.getInput(), 0);
        if (d == 1)
          return m.mul(m.dim(c.getWeight(), 1), m.c(c.getGroup()));
        size_t i = d - 2, n = rank - 2;
        int64_t kernel = c.getWeight().getType().getDimSize(d);
        if (ShapedType::isDynamic(kernel))
          return failure();
        // stride * (in - 1) + output_padding + dilation * (kernel - 1) + 1 - pads
        ArrayRef<int64_t> pads = c.getPads();
        int64_t extra = c.getOutputPadding()[i] + c.getDilations()[i] * (kernel - 1) + 1 -
                        pads[i] - pads[n + i];
        Value in = m.dim(c.getInput(), d);
        return m.add(m.mul(m.sub(in, m.c(1)), m.c(c.getStrides()[i])), m.c(extra));
      })
      .Case<ReduceSumOp, ReduceMeanOp, ReduceMaxOp, ReduceMinOp, ReduceProdOp, ReduceL1Op,
            ReduceL2Op, ReduceSumSquareOp, ReduceLogSumOp, ReduceLogSumExpOp>(
          [&](Operation *) -> FailureOr<Value> {
            // The d-th dimension of the input that is kept (or reduced to 1).
            Value input = op->getOperand(0);
            int64_t inRank = rankedType(input).getRank();
            auto axes = op->getAttrOfType<DenseI64ArrayAttr>("axes").asArrayRef();
            bool keep = op->getAttrOfType<BoolAttr>("keep_dims").getValue();
            int64_t pos = 0;
            for (int64_t i = 0; i < inRank; ++i) {
              bool reduced = llvm::is_contained(axes, i) || llvm::is_contained(axes, i - inRank);
              if (reduced && !keep)
                continue;
              if (pos++ == d)
                return reduced ? m.c(1) : m.dim(input, i);
            }
            return failure();
          })
      .Case<ArgMaxOp, ArgMinOp>([&](Operation *) -> FailureOr<Value> {
        Value input = op->getOperand(0);
        int64_t inRank = rankedType(input).getRank();
        int64_t axis = op->getAttrOfType<IntegerAttr>("axis").getInt();
        if (axis < 0)
          axis += inRank;
        bool keep = op->getAttrOfType<BoolAttr>("keep_dims").getValue();
        if (keep)
          return d == axis ? m.c(1) : m.dim(input, d);
        return m.dim(input, d < axis ? d : d + 1);
      })
      .Case([&](TransposeOp t) { return m.dim(t.getInput(), t.getPerm()[d]); })
      .Case([&](ConcatOp c) -> FailureOr<Value> {
        int64_t axis = c.getAxis() < 0 ? c.getAxis() + rank : c.getAxis();
        if (d != axis)
          return m.dim(c.getInputs().front(), d);
        Value sum = m.c(0);
        for (Value v : c.getInputs())
          sum = m.add(sum, m.dim(v, d));
        return sum;
      })
      .Case([&](FlattenOp f) -> FailureOr<Value> {
        RankedTensorType in = rankedType(f.getInput());
        int64_t axis = f.getAxis() < 0 ? f.getAxis() + in.getRank() : f.getAxis();
        Value p = m.c(1);
        for (int64_t i = d == 0 ? 0 : axis; i < (d == 0 ? axis : in.getRank()); ++i)
          p = m.mul(p, m.dim(f.getInput(), i));
        return p;
      })
      // A dynamic size takes the whole input dimension.
      .Case([&](SliceOp s) -> FailureOr<Value> { return m.dim(s.getInput(), d); })
      .Case([&](ReshapeOp rs) { return reshapeDim(m, rs.getInput(), resultType, d); })
      .Case([&](GatherOp g) -> FailureOr<Value> {
        int64_t inRank = g.getInput().getType().getRank();
        int64_t axis = g.getAxis() < 0 ? g.getAxis() + inRank : g.getAxis();
        int64_t q = g.getIndices().getType().getRank();
        if (d < axis)
          return m.dim(g.getInput(), d);
        if (d < axis + q)
          return m.dim(g.getIndices(), d - axis);
        return m.dim(g.getInput(), d - q + 1);
      })
      .Case([&](GatherElementsOp g) { return m.dim(g.getIndices(), d); })
      .Case([&](GatherNDOp g) -> FailureOr<Value> {
        int64_t q = g.getIndices().getType().getRank();
        if (d < q - 1)
          return m.dim(g.getIndices(), d);
        int64_t tuple = g.getIndices().getType().getShape().back();
        return m.dim(g.getInput(), d - (q - 1) + g.getBatchDims() + tuple);
      })
      .Case([&](PadOp p) {
        return m.add(m.dim(p.getInput(), d), m.c(p.getLow()[d] + p.getHigh()[d]));
      })
      .Case([&](ExpandOp e) -> FailureOr<Value> {
        int64_t r = e.getInput().getType().getRank(), od = d - (rank - r);
        int64_t s = d - (rank - static_cast<int64_t>(e.getShape().size()));
        Value size = s >= 0 ? m.c(e.getShape()[s]) : m.c(1);
        return od >= 0 ? m.broadcast(size, m.dim(e.getInput(), od)) : size;
      })
      .Case([&](TileOp t) { return m.mul(m.dim(t.getInput(), d), m.c(t.getRepeats()[d])); })
      .Case([&](NLLLossOp l) -> FailureOr<Value> { return m.dim(l.getTarget(), d); })
      .Case([&](SoftmaxCrossEntropyOp l) -> FailureOr<Value> {
        return r == 0 ? m.dim(l.getTarget(), d) : m.dim(l.getScores(), d);
      })
      // Recurrent layers: y is [seq, D, batch, H], the states [D, batch, H].
      .Case<LSTMOp, GRUOp, RNNOp>([&](Operation *) -> FailureOr<Value> {
        Value x = op->getOperand(0);
        if (r == 0)
          return m.dim(x, d == 0 ? 0 : 1);
        return m.dim(x, 1);
      })
      .Default([](Operation *) { return failure(); });
}

} // namespace

LogicalResult kiln::nn::reifyNNResultShapes(OpBuilder &b, Operation *op,
                                            ReifiedRankedShapedTypeDims &shapes) {
  IndexMath m{b, op->getLoc()};
  shapes.clear();
  for (auto [r, result] : llvm::enumerate(op->getResults())) {
    auto type = cast<RankedTensorType>(result.getType());
    SmallVector<OpFoldResult> &sizes = shapes.emplace_back();
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (!type.isDynamicDim(d)) {
        sizes.push_back(b.getIndexAttr(type.getDimSize(d)));
        continue;
      }
      FailureOr<Value> size = dynamicDim(m, op, r, d);
      if (failed(size))
        return failure();
      sizes.push_back(*size);
    }
  }
  return success();
}

namespace {
template <typename OpTy>
struct ReifyModel
    : ReifyRankedShapedTypeOpInterface::ExternalModel<ReifyModel<OpTy>, OpTy> {
  LogicalResult reifyResultShapes(Operation *op, OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &shapes) const {
    return reifyNNResultShapes(b, op, shapes);
  }
};

template <typename... Ops>
void attachReify(MLIRContext *ctx) {
  (Ops::template attachInterface<ReifyModel<Ops>>(*ctx), ...);
}
} // namespace

void kiln::nn::detail::attachReifyInterfaces(MLIRContext *ctx) {
  attachReify<
#define GET_OP_LIST
#include "dialects/NN/IR/NNOps.cpp.inc"
      >(ctx);
}
