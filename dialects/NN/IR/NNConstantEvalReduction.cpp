//===- NNConstantEvalReduction.cpp - folding reductions and contractions -===//
//
// Reductions, running sums, arg-reductions, softmax and matrix products on
// literals.
// Accumulation is sequential in the element type (float for f32), from the
// initial values convert-nn-to-linalg uses (0, 1, -inf/+inf or the integer
// extremes), so small folded results match generated code.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/IR/NNConstantEval.h"

#include "dialects/NN/IR/NNOps.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::eval;

namespace {

enum class Kind { Sum, Mean, Max, Min, Prod, L1, L2, SumSquare, LogSum, LogSumExp };

/// arith.maximumf / minimumf on doubles holding element values.
double maxF(double a, double b) {
  if (std::isnan(a) || std::isnan(b))
    return std::numeric_limits<double>::quiet_NaN();
  if (a == b)
    return std::signbit(a) ? b : a;
  return std::max(a, b);
}
double minF(double a, double b) {
  if (std::isnan(a) || std::isnan(b))
    return std::numeric_limits<double>::quiet_NaN();
  if (a == b)
    return std::signbit(a) ? a : b;
  return std::min(a, b);
}

/// `x op y` in the precision of `elem`.
template <typename Fn>
double inPrecision(Type elem, double x, double y, Fn fn) {
  if (elem.isF64())
    return fn(x, y);
  return roundTo(elem, static_cast<double>(fn(static_cast<float>(x), static_cast<float>(y))));
}
template <typename Fn>
double inPrecision(Type elem, double x, Fn fn) {
  if (elem.isF64())
    return fn(x);
  return roundTo(elem, static_cast<double>(fn(static_cast<float>(x))));
}

std::optional<Literal> reduce(Operation *op, const Literal &x, ArrayRef<int64_t> axes, Kind kind) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  Type elem = type.getElementType();
  int64_t rank = x.shape().size();
  SmallVector<bool> reduced(rank, false);
  int64_t count = 1;
  for (int64_t a : axes) {
    a = a < 0 ? a + rank : a;
    reduced[a] = true;
    count *= x.shape()[a];
  }
  // Strides of the result with the reduced dimensions kept as size 1.
  SmallVector<int64_t> kept(x.shape());
  for (int64_t d = 0; d < rank; ++d)
    if (reduced[d])
      kept[d] = 1;
  SmallVector<int64_t> keptStrides = stridesOf(kept), coords;
  int64_t n = type.getNumElements();
  Literal out{type, {}, {}};
  bool fp = x.isFloat();
  // Bools are signed i1 to arith (1 is -1): not folded.
  if (elem.isInteger(1))
    return std::nullopt;
  double initF = 0;
  int64_t initI = 0;
  unsigned width = elem.getIntOrFloatBitWidth();
  switch (kind) {
  case Kind::Prod:
    initF = 1;
    initI = 1;
    break;
  case Kind::Max:
    initF = -std::numeric_limits<double>::infinity();
    initI = llvm::minIntN(width);
    break;
  case Kind::Min:
    initF = std::numeric_limits<double>::infinity();
    initI = llvm::maxIntN(width);
    break;
  default:
    break;
  }
  if (fp)
    out.f.assign(n, initF);
  else
    out.i.assign(n, initI);
  for (int64_t k = 0; k < x.size(); ++k) {
    unravel(k, x.shape(), coords);
    int64_t o = 0;
    for (int64_t d = 0; d < rank; ++d)
      o += (reduced[d] ? 0 : coords[d]) * keptStrides[d];
    if (fp) {
      double v = x.f[k], &acc = out.f[o];
      switch (kind) {
      case Kind::Sum:
      case Kind::Mean:
      case Kind::LogSum:
        acc = inPrecision(elem, acc, v, [](auto a, auto b) { return a + b; });
        break;
      case Kind::Prod:
        acc = inPrecision(elem, acc, v, [](auto a, auto b) { return a * b; });
        break;
      case Kind::Max:
        acc = maxF(acc, v);
        break;
      case Kind::Min:
        acc = minF(acc, v);
        break;
      case Kind::L1:
        acc = inPrecision(elem, acc, v, [](auto a, auto b) { return a + std::fabs(b); });
        break;
      case Kind::L2:
      case Kind::SumSquare:
        acc = inPrecision(elem, acc, v, [](auto a, auto b) { return a + b * b; });
        break;
      case Kind::LogSumExp:
        acc = inPrecision(elem, acc, v, [](auto a, auto b) { return a + std::exp(b); });
        break;
      }
    } else {
      int64_t v = x.i[k], &acc = out.i[o];
      auto wrapAdd = [&](int64_t a, int64_t b) {
        return wrapTo(elem, static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b)));
      };
      auto wrapMul = [&](int64_t a, int64_t b) {
        return wrapTo(elem, static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b)));
      };
      switch (kind) {
      case Kind::Sum:
        acc = wrapAdd(acc, v);
        break;
      case Kind::Prod:
        acc = wrapMul(acc, v);
        break;
      case Kind::Max:
        acc = std::max(acc, v);
        break;
      case Kind::Min:
        acc = std::min(acc, v);
        break;
      case Kind::L1:
        acc = wrapAdd(acc, v < 0 ? wrapTo(elem, -static_cast<uint64_t>(v)) : v);
        break;
      case Kind::SumSquare:
        acc = wrapAdd(acc, wrapMul(v, v));
        break;
      default:
        return std::nullopt;
      }
    }
  }
  if (fp) {
    for (double &v : out.f) {
      switch (kind) {
      case Kind::Mean:
        v = inPrecision(elem, v, static_cast<double>(count), [](auto a, auto b) { return a / b; });
        break;
      case Kind::L2:
        v = inPrecision(elem, v, [](auto a) { return std::sqrt(a); });
        break;
      case Kind::LogSum:
      case Kind::LogSumExp:
        v = inPrecision(elem, v, [](auto a) { return std::log(a); });
        break;
      default:
        break;
      }
    }
  }
  return out;
}

std::optional<Literal> argReduce(Operation *op, const Literal &x, int64_t axis, bool last,
                                 bool largest) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  int64_t rank = x.shape().size();
  if (axis < 0)
    axis += rank;
  int64_t n = x.shape()[axis], inner = 1, outer = 1;
  // Empty axes have no position; bools are signed i1 to arith (see reduce).
  if (n == 0 || x.elementType().isInteger(1))
    return std::nullopt;
  for (int64_t d = axis + 1; d < rank; ++d)
    inner *= x.shape()[d];
  for (int64_t d = 0; d < axis; ++d)
    outer *= x.shape()[d];
  Literal out{type, {}, {}};
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t in = 0; in < inner; ++in) {
      int64_t best = 0;
      for (int64_t j = 0; j < n; ++j) {
        int64_t k = (o * n + j) * inner + in, b = (o * n + best) * inner + in;
        if (x.isFloat() && std::isnan(x.f[k]))
          return std::nullopt; // NaN ordering is not folded
        // -1, 0 or 1 as element k is below, equal to or above the best.
        int order = x.isFloat() ? (x.f[k] > x.f[b]) - (x.f[k] < x.f[b])
                                : (x.i[k] > x.i[b]) - (x.i[k] < x.i[b]);
        if ((largest ? order > 0 : order < 0) || (last && order == 0))
          best = j;
      }
      out.i.push_back(best);
    }
  return out;
}

std::optional<Literal> cumsum(CumSumOp op, const Literal &x) {
  Type elem = x.elementType();
  int64_t rank = x.shape().size(), axis = op.getAxis();
  if (axis < 0)
    axis += rank;
  int64_t n = x.shape()[axis], inner = 1, outer = 1;
  for (int64_t d = axis + 1; d < rank; ++d)
    inner *= x.shape()[d];
  for (int64_t d = 0; d < axis; ++d)
    outer *= x.shape()[d];
  Literal out = Literal::zeros(op.getType());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t in = 0; in < inner; ++in) {
      double accF = 0;
      int64_t accI = 0;
      for (int64_t s = 0; s < n; ++s) {
        int64_t j = op.getReverse() ? n - 1 - s : s;
        int64_t k = (o * n + j) * inner + in;
        auto add = [&] {
          if (x.isFloat())
            accF = inPrecision(elem, accF, x.f[k], [](auto a, auto b) { return a + b; });
          else
            accI = wrapTo(elem, static_cast<int64_t>(static_cast<uint64_t>(accI) +
                                                     static_cast<uint64_t>(x.i[k])));
        };
        if (!op.getExclusive())
          add();
        if (x.isFloat())
          out.f[k] = accF;
        else
          out.i[k] = accI;
        if (op.getExclusive())
          add();
      }
    }
  return out;
}

/// Softmax (or log-softmax) along `axis` as the lowering computes it: the
/// maximum, exp(x - max), their sum, then the quotient (or x - max - log sum).
std::optional<Literal> softmax(Operation *op, const Literal &x, int64_t axis, bool log) {
  Type elem = x.elementType();
  int64_t rank = x.shape().size();
  if (axis < 0)
    axis += rank;
  int64_t n = x.shape()[axis], inner = 1, outer = 1;
  for (int64_t d = axis + 1; d < rank; ++d)
    inner *= x.shape()[d];
  for (int64_t d = 0; d < axis; ++d)
    outer *= x.shape()[d];
  Literal out = x;
  auto sub = [](auto a, auto b) { return a - b; };
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t in = 0; in < inner; ++in) {
      auto at = [&](int64_t j) { return (o * n + j) * inner + in; };
      double max = -std::numeric_limits<double>::infinity(), sum = 0;
      for (int64_t j = 0; j < n; ++j)
        max = maxF(max, x.f[at(j)]);
      for (int64_t j = 0; j < n; ++j) {
        double e = inPrecision(elem, x.f[at(j)], max,
                               [](auto a, auto b) { return std::exp(a - b); });
        sum = inPrecision(elem, sum, e, [](auto a, auto b) { return a + b; });
        out.f[at(j)] = e;
      }
      double logSum = inPrecision(elem, sum, [](auto a) { return std::log(a); });
      for (int64_t j = 0; j < n; ++j) {
        double &v = out.f[at(j)];
        v = log ? inPrecision(elem, inPrecision(elem, x.f[at(j)], max, sub), logSum, sub)
                : inPrecision(elem, v, sum, [](auto a, auto b) { return a / b; });
      }
    }
  return out;
}

/// Batched matrix product of [B, M, K] and [B, K, N] views, the batch
/// broadcast by the result's batch shape.
std::optional<Literal> matmul(MatMulOp op, const Literal &a, const Literal &b) {
  RankedTensorType type = op.getType();
  Type elem = type.getElementType();
  SmallVector<int64_t> as(a.shape()), bs(b.shape());
  bool aVec = as.size() == 1, bVec = bs.size() == 1;
  if (aVec)
    as.insert(as.begin(), 1);
  if (bVec)
    bs.push_back(1);
  int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
  SmallVector<int64_t> aBatch(as.begin(), as.end() - 2), bBatch(bs.begin(), bs.end() - 2), batch;
  if (failed(broadcastShapes(aBatch, bBatch, batch)))
    return std::nullopt;
  std::vector<int64_t> aMap = broadcastMap(aBatch, batch), bMap = broadcastMap(bBatch, batch);
  Literal out{type, {}, {}};
  for (size_t p = 0; p < aMap.size(); ++p)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double accF = 0;
        int64_t accI = 0;
        for (int64_t q = 0; q < k; ++q) {
          int64_t ak = (aMap[p] * m + i) * k + q, bk = (bMap[p] * k + q) * n + j;
          if (a.isFloat())
            accF = inPrecision(elem, accF, inPrecision(elem, a.f[ak], b.f[bk],
                                                       [](auto x, auto y) { return x * y; }),
                               [](auto x, auto y) { return x + y; });
          else
            accI = wrapTo(elem, static_cast<int64_t>(
                                    static_cast<uint64_t>(accI) +
                                    static_cast<uint64_t>(a.i[ak]) * static_cast<uint64_t>(b.i[bk])));
        }
        if (a.isFloat())
          out.f.push_back(accF);
        else
          out.i.push_back(accI);
      }
  return out;
}

std::optional<Literal> gemm(GemmOp op, ArrayRef<Literal> in) {
  RankedTensorType type = op.getType();
  Type elem = type.getElementType();
  const Literal &a = in[0], &b = in[1];
  bool ta = op.getTransA(), tb = op.getTransB();
  int64_t m = type.getDimSize(0), n = type.getDimSize(1);
  int64_t k = ta ? a.shape()[0] : a.shape()[1];
  double alpha = roundTo(elem, op.getAlpha().convertToDouble());
  double beta = roundTo(elem, op.getBeta().convertToDouble());
  std::vector<int64_t> cMap;
  if (in.size() > 2)
    cMap = broadcastMap(in[2].shape(), type.getShape());
  auto mul = [](auto x, auto y) { return x * y; };
  auto add = [](auto x, auto y) { return x + y; };
  Literal out{type, {}, {}};
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0;
      for (int64_t q = 0; q < k; ++q) {
        double x = ta ? a.f[q * m + i] : a.f[i * k + q];
        double y = tb ? b.f[j * k + q] : b.f[q * n + j];
        acc = inPrecision(elem, acc, inPrecision(elem, x, y, mul), add);
      }
      double v = inPrecision(elem, alpha, acc, mul);
      if (!cMap.empty())
        v = inPrecision(elem, v, inPrecision(elem, beta, in[2].f[cMap[i * n + j]], mul), add);
      out.f.push_back(v);
    }
  return out;
}

/// Einsum over explicit letters: every assignment of the letters, the
/// product of the operands' elements (left to right) summed into the
/// result's element.
std::optional<Literal> einsum(EinsumOp op, ArrayRef<Literal> in) {
  auto parsed = parseEinsum(op.getEquation());
  if (failed(parsed))
    return std::nullopt;
  auto &[operands, result] = *parsed;
  RankedTensorType type = op.getType();
  Type elem = type.getElementType();
  // Every letter and its size, the result's letters first.
  std::string letters = result;
  SmallVector<int64_t> sizes(type.getShape());
  for (auto [l, name] : llvm::zip(in, operands))
    for (auto [d, c] : llvm::enumerate(name))
      if (letters.find(c) == std::string::npos) {
        letters.push_back(c);
        sizes.push_back(l.shape()[d]);
      }
  int64_t total = 1;
  for (int64_t s : sizes)
    total *= s;
  int64_t resultCount = type.getNumElements();
  Literal out = Literal::zeros(type);
  SmallVector<int64_t> coords;
  SmallVector<SmallVector<int64_t>> strides;
  for (const Literal &l : in)
    strides.push_back(stridesOf(l.shape()));
  for (int64_t k = 0; k < total; ++k) {
    unravel(k, sizes, coords);
    int64_t r = resultCount ? k / (total / resultCount) : 0;
    double pf = 1;
    int64_t pi = 1;
    for (auto [i, l] : llvm::enumerate(in)) {
      int64_t at = 0;
      for (auto [d, c] : llvm::enumerate(operands[i]))
        at += coords[letters.find(c)] * strides[i][d];
      if (l.isFloat())
        pf = i == 0 ? l.f[at] : inPrecision(elem, pf, l.f[at], [](auto a, auto b) { return a * b; });
      else
        pi = wrapTo(elem, static_cast<int64_t>(static_cast<uint64_t>(pi) *
                                               static_cast<uint64_t>(l.i[at])));
    }
    if (out.isFloat())
      out.f[r] = inPrecision(elem, out.f[r], pf, [](auto a, auto b) { return a + b; });
    else
      out.i[r] = wrapTo(elem, static_cast<int64_t>(static_cast<uint64_t>(out.i[r]) +
                                                   static_cast<uint64_t>(pi)));
  }
  return out;
}

} // namespace

std::optional<Literal> eval::evalReduction(Operation *op, ArrayRef<Literal> in) {
  using R = std::optional<Literal>;
  // Bools are signed i1 to arith (true is -1): sums and products of them
  // are not folded.
  if (llvm::any_of(in, [](const Literal &l) { return l.elementType().isInteger(1); }))
    return std::nullopt;
  auto red = [&](auto o, Kind kind) -> R { return reduce(o, in[0], o.getAxes(), kind); };
  return llvm::TypeSwitch<Operation *, R>(op)
      .Case([&](ReduceSumOp o) { return red(o, Kind::Sum); })
      .Case([&](ReduceMeanOp o) { return red(o, Kind::Mean); })
      .Case([&](ReduceMaxOp o) { return red(o, Kind::Max); })
      .Case([&](ReduceMinOp o) { return red(o, Kind::Min); })
      .Case([&](ReduceProdOp o) { return red(o, Kind::Prod); })
      .Case([&](ReduceL1Op o) { return red(o, Kind::L1); })
      .Case([&](ReduceL2Op o) { return red(o, Kind::L2); })
      .Case([&](ReduceSumSquareOp o) { return red(o, Kind::SumSquare); })
      .Case([&](ReduceLogSumOp o) { return red(o, Kind::LogSum); })
      .Case([&](ReduceLogSumExpOp o) { return red(o, Kind::LogSumExp); })
      .Case([&](ArgMaxOp o) {
        return argReduce(o, in[0], o.getAxis(), o.getSelectLastIndex(), /*largest=*/true);
      })
      .Case([&](ArgMinOp o) {
        return argReduce(o, in[0], o.getAxis(), o.getSelectLastIndex(), /*largest=*/false);
      })
      .Case([&](CumSumOp o) { return cumsum(o, in[0]); })
      .Case([&](SoftmaxOp o) { return softmax(o, in[0], o.getAxis(), /*log=*/false); })
      .Case([&](LogSoftmaxOp o) { return softmax(o, in[0], o.getAxis(), /*log=*/true); })
      .Case([&](MatMulOp o) { return matmul(o, in[0], in[1]); })
      .Case([&](GemmOp o) { return gemm(o, in); })
      .Case([&](EinsumOp o) { return einsum(o, in); })
      .Default([](Operation *) { return std::nullopt; });
}
