//===- NNConstantEvalElementwise.cpp - folding elementwise ops -----------===//
//
// The arithmetic of every elementwise nn op on literals, written after the
// bodies convert-nn-to-linalg emits (NNToLinalg/Elementwise.cpp), so a folded
// value is the one generated code computes: floats in their own precision
// (f32 ops in float, attributes rounded to the element type first), signed
// two's-complement integers that wrap, and integer x / 0 and x % 0 equal to
// 0 (see nn.div and nn.mod).
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/IR/NNConstantEval.h"

#include "dialects/NN/IR/NNOps.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::eval;

namespace {

/// `fn` on `x` in the precision of `elem`: double for f64, float for the
/// rest; the result rounded to `elem`.
template <typename Fn>
double unaryIn(Type elem, double x, Fn fn) {
  if (elem.isF64())
    return fn(x);
  return roundTo(elem, static_cast<double>(fn(static_cast<float>(x))));
}

template <typename Fn>
double binaryIn(Type elem, double x, double y, Fn fn) {
  if (elem.isF64())
    return fn(x, y);
  return roundTo(elem, static_cast<double>(fn(static_cast<float>(x), static_cast<float>(y))));
}

/// arith.maximumf / minimumf: NaN wins, and -0 is below +0.
template <typename T>
T maximumF(T a, T b) {
  if (std::isnan(a) || std::isnan(b))
    return std::numeric_limits<T>::quiet_NaN();
  if (a == b)
    return std::signbit(a) ? b : a;
  return a > b ? a : b;
}
template <typename T>
T minimumF(T a, T b) {
  if (std::isnan(a) || std::isnan(b))
    return std::numeric_limits<T>::quiet_NaN();
  if (a == b)
    return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

template <typename T>
T softplus(T x) {
  return maximumF(x, T(0)) + std::log1p(std::exp(-std::fabs(x)));
}

int64_t addWrap(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t subWrap(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t mulWrap(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}

/// The guarded integer division of the lowering: x / 0 == 0, x / -1 == -x
/// (wrapping), truncating otherwise.
int64_t divInt(Type elem, int64_t x, int64_t y) {
  if (y == 0)
    return 0;
  if (y == -1)
    return wrapTo(elem, subWrap(0, x));
  return wrapTo(elem, x / y);
}

/// x % 0 == 0 and x % -1 == 0; the sign of x with `fmod`, of y without.
int64_t modInt(int64_t x, int64_t y, bool fmod) {
  if (y == 0 || y == -1)
    return 0;
  int64_t r = x % y;
  if (!fmod && r != 0 && ((r < 0) != (y < 0)))
    r += y;
  return r;
}

/// A float converted to the integer type `to` by truncation (arith.fptosi);
/// nothing when it is NaN or out of range, where LLVM's result is poison.
std::optional<int64_t> floatToInt(Type to, double v) {
  unsigned width = to.getIntOrFloatBitWidth();
  if (std::isnan(v))
    return std::nullopt;
  double t = std::trunc(v);
  double lo = -std::ldexp(1.0, width - 1), hi = std::ldexp(1.0, width - 1);
  if (t < lo || t >= hi)
    return std::nullopt;
  return static_cast<int64_t>(t);
}

/// convertElement of the lowering for one element.
std::optional<double> castToFloat(const Literal &x, size_t k, Type to) {
  Type from = x.elementType();
  if (to.isBF16()) {
    // Through f32, dropping the low 16 bits (the lowering's truncation).
    float f = x.isFloat() ? static_cast<float>(x.f[k]) : static_cast<float>(x.i[k]);
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    bits &= 0xffff0000u;
    std::memcpy(&f, &bits, 4);
    return static_cast<double>(f);
  }
  if (x.isFloat())
    return roundTo(to, x.f[k]);
  int64_t v = x.i[k];
  if (from.isInteger(1))
    return static_cast<double>(v);
  if (to.isF32())
    return static_cast<double>(static_cast<float>(v));
  if (to.isF64())
    return static_cast<double>(v);
  APFloat a(cast<FloatType>(to).getFloatSemantics());
  a.convertFromAPInt(APInt(64, static_cast<uint64_t>(v), true), /*IsSigned=*/true,
                     APFloat::rmNearestTiesToEven);
  return a.convertToDouble();
}

std::optional<Literal> castLiteral(const Literal &x, RankedTensorType type) {
  Literal out{type, {}, {}};
  Type to = type.getElementType();
  for (size_t k = 0; k < static_cast<size_t>(x.size()); ++k) {
    if (out.isFloat()) {
      out.f.push_back(*castToFloat(x, k, to));
      continue;
    }
    if (to.isInteger(1)) {
      out.i.push_back(x.isFloat() ? x.f[k] != 0 || std::isnan(x.f[k]) : x.i[k] != 0);
      continue;
    }
    if (x.isFloat()) {
      std::optional<int64_t> v = floatToInt(to, x.f[k]);
      if (!v)
        return std::nullopt;
      out.i.push_back(*v);
      continue;
    }
    // i1 extends as unsigned (0 or 1), other integers sign-extend or truncate.
    out.i.push_back(wrapTo(to, x.i[k]));
  }
  return out;
}

/// Applies a float and an integer function elementwise, with numpy
/// broadcasting, into a literal of `type`.
template <typename FloatFn, typename IntFn>
std::optional<Literal> mapN(ArrayRef<Literal> in, RankedTensorType type, FloatFn ff, IntFn fi) {
  Literal out{type, {}, {}};
  int64_t n = type.getNumElements();
  std::vector<std::vector<int64_t>> maps;
  for (const Literal &l : in)
    maps.push_back(broadcastMap(l.shape(), type.getShape()));
  for (int64_t k = 0; k < n; ++k) {
    SmallVector<size_t, 3> at;
    for (auto &m : maps)
      at.push_back(m[k]);
    if (out.isFloat()) {
      std::optional<double> v = ff(at);
      if (!v)
        return std::nullopt;
      out.f.push_back(*v);
    } else {
      std::optional<int64_t> v = fi(at);
      if (!v)
        return std::nullopt;
      out.i.push_back(wrapTo(type.getElementType(), *v));
    }
  }
  return out;
}

/// A unary op on floats only.
template <typename Fn>
std::optional<Literal> unaryFloat(Operation *op, const Literal &x, Fn fn) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  Type elem = type.getElementType();
  return mapN(
      x, type,
      [&](ArrayRef<size_t> at) -> std::optional<double> { return unaryIn(elem, x.f[at[0]], fn); },
      [](ArrayRef<size_t>) -> std::optional<int64_t> { return std::nullopt; });
}

/// A unary op on floats and integers.
template <typename FloatFn, typename IntFn>
std::optional<Literal> unaryNumeric(Operation *op, const Literal &x, FloatFn ff, IntFn fi) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  Type elem = type.getElementType();
  return mapN(
      x, type,
      [&](ArrayRef<size_t> at) -> std::optional<double> { return unaryIn(elem, x.f[at[0]], ff); },
      [&](ArrayRef<size_t> at) -> std::optional<int64_t> { return fi(x.i[at[0]]); });
}

/// A binary op with numpy broadcasting; both operands of the result's type.
template <typename FloatFn, typename IntFn>
std::optional<Literal> binary(Operation *op, ArrayRef<Literal> in, FloatFn ff, IntFn fi) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  Type elem = type.getElementType();
  const Literal &a = in[0], &b = in[1];
  return mapN(
      in, type,
      [&](ArrayRef<size_t> at) -> std::optional<double> {
        return binaryIn(elem, a.f[at[0]], b.f[at[1]], ff);
      },
      [&](ArrayRef<size_t> at) -> std::optional<int64_t> { return fi(a.i[at[0]], b.i[at[1]]); });
}

/// A comparison: i1 results from operands of one numeric type.
template <typename Cmp>
std::optional<Literal> compare(Operation *op, ArrayRef<Literal> in, Cmp cmp) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  const Literal &a = in[0], &b = in[1];
  // Float values are exact doubles, so comparing them as doubles is exact;
  // NaN compares false (ordered predicates).
  return mapN(
      in, type, [](ArrayRef<size_t>) -> std::optional<double> { return std::nullopt; },
      [&](ArrayRef<size_t> at) -> std::optional<int64_t> {
        if (a.isFloat())
          return cmp(a.f[at[0]], b.f[at[1]]);
        return cmp(a.i[at[0]], b.i[at[1]]);
      });
}

std::optional<Literal> where(Operation *op, ArrayRef<Literal> in) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  const Literal &c = in[0], &t = in[1], &e = in[2];
  return mapN(
      in, type,
      [&](ArrayRef<size_t> at) -> std::optional<double> {
        return c.i[at[0]] ? t.f[at[1]] : e.f[at[2]];
      },
      [&](ArrayRef<size_t> at) -> std::optional<int64_t> {
        return c.i[at[0]] ? t.i[at[1]] : e.i[at[2]];
      });
}

std::optional<Literal> pow(PowOp op, ArrayRef<Literal> in) {
  RankedTensorType type = op.getType();
  Type elem = type.getElementType();
  const Literal &a = in[0], &b = in[1];
  auto asFloat = [](const Literal &l, size_t k, Type to) { return *castToFloat(l, k, to); };
  Builder builder(op.getContext());
  Type f64 = builder.getF64Type();
  return mapN(
      in, type,
      [&](ArrayRef<size_t> at) -> std::optional<double> {
        double e = asFloat(b, at[1], elem);
        return binaryIn(elem, a.f[at[0]], e, [](auto x, auto y) { return std::pow(x, y); });
      },
      [&](ArrayRef<size_t> at) -> std::optional<int64_t> {
        if (!b.isFloat()) {
          // Exact and wrapping, as the lowering's integerPower.
          int64_t x = a.i[at[0]], n = b.i[at[1]];
          if (n < 0 && !b.elementType().isUnsignedInteger()) {
            bool minusOne = x == -1 && !elem.isUnsignedInteger();
            return x == 1 ? 1 : minusOne ? ((n & 1) ? -1 : 1) : 0;
          }
          uint64_t r = 1, base = static_cast<uint64_t>(x), e = static_cast<uint64_t>(n);
          for (; e; e >>= 1, base *= base)
            if (e & 1)
              r *= base;
          return wrapTo(elem, static_cast<int64_t>(r));
        }
        double p = std::pow(asFloat(a, at[0], f64), asFloat(b, at[1], f64));
        return floatToInt(elem, p);
      });
}

std::optional<Literal> clip(ClipOp op, const Literal &x) {
  Type elem = op.getType().getElementType();
  std::optional<double> lo, hi;
  if (auto a = op.getMin())
    lo = a->convertToDouble();
  if (auto a = op.getMax())
    hi = a->convertToDouble();
  return unaryNumeric(
      op, x,
      [&](auto v) {
        using T = decltype(v);
        if (lo)
          v = maximumF(v, static_cast<T>(*lo));
        if (hi)
          v = minimumF(v, static_cast<T>(*hi));
        return v;
      },
      [&](int64_t v) -> std::optional<int64_t> {
        if (lo)
          v = std::max(v, wrapTo(elem, static_cast<int64_t>(*lo)));
        if (hi)
          v = std::min(v, wrapTo(elem, static_cast<int64_t>(*hi)));
        return v;
      });
}

/// Unary float ops with no attributes.
template <typename Fn>
auto floatOnly(Fn fn) {
  return [fn](Operation *op, const Literal &x) { return unaryFloat(op, x, fn); };
}

} // namespace

std::optional<Literal> eval::evalElementwise(Operation *op, ArrayRef<Literal> in) {
  using R = std::optional<Literal>;
  // arith reads i1 as signed (true is -1): only the ops that treat bools as
  // bools are folded on them.
  if (!isa<AndOp, OrOp, XorOp, NotOp, WhereOp, EqualOp, CastOp>(op) &&
      llvm::any_of(in, [](const Literal &l) { return l.elementType().isInteger(1); }))
    return std::nullopt;
  auto none = [](int64_t, int64_t) -> std::optional<int64_t> { return std::nullopt; };
  auto attr = [](FloatAttr a) { return a.getValueAsDouble(); };
  return llvm::TypeSwitch<Operation *, R>(op)
      // Unary.
      .Case([&](ReluOp o) {
        return unaryNumeric(
            o, in[0], [](auto x) { return maximumF(x, decltype(x)(0)); },
            [](int64_t x) -> std::optional<int64_t> { return std::max<int64_t>(x, 0); });
      })
      .Case([&](NegOp o) {
        return unaryNumeric(
            o, in[0], [](auto x) { return -x; },
            [](int64_t x) -> std::optional<int64_t> { return subWrap(0, x); });
      })
      .Case([&](AbsOp o) {
        return unaryNumeric(
            o, in[0], [](auto x) { return std::fabs(x); },
            [](int64_t x) -> std::optional<int64_t> { return x < 0 ? subWrap(0, x) : x; });
      })
      .Case([&](SignOp o) {
        return unaryNumeric(
            o, in[0],
            [](auto x) {
              using T = decltype(x);
              // NaN stays NaN (numpy's sign), as the lowering gives.
              return x > 0 ? T(1) : x < 0 ? T(-1) : x == x ? T(0) : x;
            },
            [](int64_t x) -> std::optional<int64_t> { return x > 0 ? 1 : x < 0 ? -1 : 0; });
      })
      .Case([&](ClipOp o) { return clip(o, in[0]); })
      .Case([&](NotOp o) {
        return unaryNumeric(
            o, in[0], [](auto x) { return x; },
            [](int64_t x) -> std::optional<int64_t> { return x ^ 1; });
      })
      .Case([&](SigmoidOp o) {
        return unaryFloat(o, in[0], [](auto x) {
          using T = decltype(x);
          return T(1) / (T(1) + std::exp(-x));
        });
      })
      .Case([&](TanhOp o) { return unaryFloat(o, in[0], [](auto x) { return std::tanh(x); }); })
      .Case([&](ExpOp o) { return unaryFloat(o, in[0], [](auto x) { return std::exp(x); }); })
      .Case([&](LogOp o) { return unaryFloat(o, in[0], [](auto x) { return std::log(x); }); })
      .Case([&](ErfOp o) { return unaryFloat(o, in[0], [](auto x) { return std::erf(x); }); })
      .Case([&](SqrtOp o) { return unaryFloat(o, in[0], [](auto x) { return std::sqrt(x); }); })
      .Case([&](ReciprocalOp o) {
        return unaryFloat(o, in[0], [](auto x) { return decltype(x)(1) / x; });
      })
      .Case([&](FloorOp o) { return unaryFloat(o, in[0], [](auto x) { return std::floor(x); }); })
      .Case([&](CeilOp o) { return unaryFloat(o, in[0], [](auto x) { return std::ceil(x); }); })
      .Case([&](RoundOp o) {
        // Round half to even: the default rounding mode of nearbyint.
        return unaryFloat(o, in[0], [](auto x) { return std::nearbyint(x); });
      })
      .Case([&](SoftplusOp o) { return unaryFloat(o, in[0], [](auto x) { return softplus(x); }); })
      .Case([&](SinOp o) { return unaryFloat(o, in[0], [](auto x) { return std::sin(x); }); })
      .Case([&](CosOp o) { return unaryFloat(o, in[0], [](auto x) { return std::cos(x); }); })
      .Case([&](TanOp o) { return unaryFloat(o, in[0], [](auto x) { return std::tan(x); }); })
      .Case([&](AsinOp o) { return unaryFloat(o, in[0], [](auto x) { return std::asin(x); }); })
      .Case([&](AcosOp o) { return unaryFloat(o, in[0], [](auto x) { return std::acos(x); }); })
      .Case([&](AtanOp o) { return unaryFloat(o, in[0], [](auto x) { return std::atan(x); }); })
      .Case([&](SinhOp o) { return unaryFloat(o, in[0], [](auto x) { return std::sinh(x); }); })
      .Case([&](CoshOp o) { return unaryFloat(o, in[0], [](auto x) { return std::cosh(x); }); })
      .Case([&](AsinhOp o) { return unaryFloat(o, in[0], [](auto x) { return std::asinh(x); }); })
      .Case([&](AcoshOp o) { return unaryFloat(o, in[0], [](auto x) { return std::acosh(x); }); })
      .Case([&](AtanhOp o) { return unaryFloat(o, in[0], [](auto x) { return std::atanh(x); }); })
      .Case([&](SoftsignOp o) {
        return unaryFloat(o, in[0], [](auto x) { return x / (decltype(x)(1) + std::fabs(x)); });
      })
      .Case([&](HardSwishOp o) {
        return unaryFloat(o, in[0], [](auto x) {
          using T = decltype(x);
          return x * maximumF(T(0), minimumF(T(1), x * T(1.0 / 6) + T(0.5)));
        });
      })
      .Case([&](MishOp o) {
        return unaryFloat(o, in[0], [](auto x) { return x * std::tanh(softplus(x)); });
      })
      .Case([&](LeakyReluOp o) {
        double alpha = attr(o.getAlphaAttr());
        return unaryFloat(o, in[0], [=](auto x) {
          using T = decltype(x);
          return x >= T(0) ? x : x * T(alpha);
        });
      })
      .Case([&](EluOp o) {
        double alpha = attr(o.getAlphaAttr());
        return unaryFloat(o, in[0], [=](auto x) {
          using T = decltype(x);
          return x >= T(0) ? x : std::expm1(x) * T(alpha);
        });
      })
      .Case([&](HardSigmoidOp o) {
        double alpha = attr(o.getAlphaAttr()), beta = attr(o.getBetaAttr());
        return unaryFloat(o, in[0], [=](auto x) {
          using T = decltype(x);
          return maximumF(T(0), minimumF(T(1), x * T(alpha) + T(beta)));
        });
      })
      .Case([&](SeluOp o) {
        double alpha = attr(o.getAlphaAttr()), gamma = attr(o.getGammaAttr());
        return unaryFloat(o, in[0], [=](auto x) {
          using T = decltype(x);
          return T(gamma) * (x > T(0) ? x : std::expm1(x) * T(alpha));
        });
      })
      .Case([&](CeluOp o) {
        double alpha = attr(o.getAlphaAttr());
        return unaryFloat(o, in[0], [=](auto x) {
          using T = decltype(x);
          return maximumF(x, T(0)) + minimumF(T(0), T(alpha) * std::expm1(x / T(alpha)));
        });
      })
      .Case([&](ThresholdedReluOp o) {
        double alpha = attr(o.getAlphaAttr());
        return unaryFloat(o, in[0], [=](auto x) {
          using T = decltype(x);
          return x > T(alpha) ? x : T(0);
        });
      })
      .Case([&](ShrinkOp o) {
        double lambd = attr(o.getLambdAttr()), bias = attr(o.getBiasAttr());
        return unaryFloat(o, in[0], [=](auto x) {
          using T = decltype(x);
          return x < T(-lambd) ? x + T(bias) : x > T(lambd) ? x - T(bias) : T(0);
        });
      })
      .Case([&](IsNaNOp o) -> R {
        Literal out{o.getType(), {}, {}};
        for (double v : in[0].f)
          out.i.push_back(std::isnan(v));
        return out;
      })
      .Case([&](IsInfOp o) -> R {
        Literal out{o.getType(), {}, {}};
        for (double v : in[0].f)
          out.i.push_back(std::isinf(v) && ((v > 0 && o.getDetectPositive()) ||
                                            (v < 0 && o.getDetectNegative())));
        return out;
      })
      .Case([&](CastOp o) { return castLiteral(in[0], o.getType()); })
      // Binary.
      .Case([&](AddOp o) {
        return binary(o, in, [](auto x, auto y) { return x + y; },
                      [](int64_t x, int64_t y) -> std::optional<int64_t> { return addWrap(x, y); });
      })
      .Case([&](SubOp o) {
        return binary(o, in, [](auto x, auto y) { return x - y; },
                      [](int64_t x, int64_t y) -> std::optional<int64_t> { return subWrap(x, y); });
      })
      .Case([&](MulOp o) {
        return binary(o, in, [](auto x, auto y) { return x * y; },
                      [](int64_t x, int64_t y) -> std::optional<int64_t> { return mulWrap(x, y); });
      })
      .Case([&](DivOp o) {
        Type elem = o.getType().getElementType();
        return binary(o, in, [](auto x, auto y) { return x / y; },
                      [=](int64_t x, int64_t y) -> std::optional<int64_t> {
                        return divInt(elem, x, y);
                      });
      })
      .Case([&](ModOp o) {
        bool fmod = o.getFmod();
        return binary(o, in, [](auto x, auto y) { return std::fmod(x, y); },
                      [=](int64_t x, int64_t y) -> std::optional<int64_t> {
                        return modInt(x, y, fmod);
                      });
      })
      .Case([&](MaxOp o) {
        return binary(o, in, [](auto x, auto y) { return maximumF(x, y); },
                      [](int64_t x, int64_t y) -> std::optional<int64_t> { return std::max(x, y); });
      })
      .Case([&](MinOp o) {
        return binary(o, in, [](auto x, auto y) { return minimumF(x, y); },
                      [](int64_t x, int64_t y) -> std::optional<int64_t> { return std::min(x, y); });
      })
      .Case([&](PReluOp o) {
        return binary(o, in, [](auto x, auto s) { return x >= decltype(x)(0) ? x : x * s; }, none);
      })
      .Case([&](AndOp o) {
        return binary(o, in, [](auto x, auto) { return x; },
                      [](int64_t x, int64_t y) -> std::optional<int64_t> { return x & y; });
      })
      .Case([&](OrOp o) {
        return binary(o, in, [](auto x, auto) { return x; },
                      [](int64_t x, int64_t y) -> std::optional<int64_t> { return x | y; });
      })
      .Case([&](XorOp o) {
        return binary(o, in, [](auto x, auto) { return x; },
                      [](int64_t x, int64_t y) -> std::optional<int64_t> { return x ^ y; });
      })
      .Case([&](PowOp o) { return pow(o, in); })
      .Case([&](EqualOp o) { return compare(o, in, [](auto x, auto y) { return x == y; }); })
      .Case([&](LessOp o) { return compare(o, in, [](auto x, auto y) { return x < y; }); })
      .Case([&](LessEqualOp o) { return compare(o, in, [](auto x, auto y) { return x <= y; }); })
      .Case([&](GreaterOp o) { return compare(o, in, [](auto x, auto y) { return x > y; }); })
      .Case([&](GreaterEqualOp o) {
        return compare(o, in, [](auto x, auto y) { return x >= y; });
      })
      .Case([&](WhereOp o) { return where(o, in); })
      .Default([](Operation *) { return std::nullopt; });
}
