//===- NNConstantEvalConvPool.cpp - folding convolution and pooling ------===//
//
// Convolution, pooling and batch normalization on literals, by the op
// descriptions in NNConvPoolOps.td and NNNormalizationOps.td and the
// arithmetic of their lowerings (NNToLinalg/ConvPool.cpp, Normalization.cpp):
// products accumulated in the element type, an average divided by the
// window's overlap with the input (and with the padding under
// count_include_pad). Only small constants reach here (kMaxFoldElements).
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

template <typename Fn>
double inPrecision(Type elem, double x, double y, Fn fn) {
  if (elem.isF64())
    return fn(x, y);
  return roundTo(elem, static_cast<double>(fn(static_cast<float>(x), static_cast<float>(y))));
}

double add(Type elem, double x, double y) {
  return inPrecision(elem, x, y, [](auto a, auto b) { return a + b; });
}
double mul(Type elem, double x, double y) {
  return inPrecision(elem, x, y, [](auto a, auto b) { return a * b; });
}

/// The input position `src` that kernel offset `k` of output position `o`
/// reads (NC... layout, `xs` the input's shape); false when it lies in the
/// padding.
bool windowSource(ArrayRef<int64_t> o, ArrayRef<int64_t> k, ArrayRef<int64_t> strides,
                  ArrayRef<int64_t> pads, ArrayRef<int64_t> dil, ArrayRef<int64_t> xs,
                  MutableArrayRef<int64_t> src) {
  for (size_t i = 0; i < src.size(); ++i) {
    src[i] = o[i] * strides[i] - pads[i] + k[i] * dil[i];
    if (src[i] < 0 || src[i] >= xs[2 + i])
      return false;
  }
  return true;
}

/// Linear index of (n, c, spatial...) in an NC... tensor of `shape`.
int64_t linear(ArrayRef<int64_t> shape, int64_t n, int64_t c, ArrayRef<int64_t> spatial) {
  int64_t k = n * shape[1] + c;
  for (size_t i = 0; i < spatial.size(); ++i)
    k = k * shape[2 + i] + spatial[i];
  return k;
}

std::optional<Literal> conv(ConvOp op, ArrayRef<Literal> in) {
  const Literal &x = in[0], &w = in[1];
  RankedTensorType type = op.getType();
  Type elem = type.getElementType();
  ArrayRef<int64_t> xs = x.shape(), ws = w.shape(), os = type.getShape();
  ArrayRef<int64_t> strides = op.getStrides(), pads = op.getPads(), dil = op.getDilations();
  int64_t sp = xs.size() - 2, group = op.getGroup();
  int64_t filters = ws[0], cg = ws[1], fg = filters / group;
  ArrayRef<int64_t> kernel = ws.drop_front(2), outSpatial = os.drop_front(2);
  int64_t kernelCount = 1, outCount = 1;
  for (int64_t k : kernel)
    kernelCount *= k;
  for (int64_t o : outSpatial)
    outCount *= o;
  Literal out = Literal::zeros(type);
  SmallVector<int64_t> o, k, src(sp);
  for (int64_t n = 0; n < os[0]; ++n)
    for (int64_t f = 0; f < filters; ++f)
      for (int64_t p = 0; p < outCount; ++p) {
        unravel(p, outSpatial, o);
        double acc = 0;
        for (int64_t c = 0; c < cg; ++c)
          for (int64_t q = 0; q < kernelCount; ++q) {
            unravel(q, kernel, k);
            if (!windowSource(o, k, strides, pads, dil, xs, src))
              continue;
            double a = x.f[linear(xs, n, (f / fg) * cg + c, src)];
            double b = w.f[linear(ws, f, c, k)];
            acc = add(elem, acc, mul(elem, a, b));
          }
        if (in.size() > 2)
          acc = add(elem, acc, in[2].f[f]);
        out.f[linear(os, n, f, o)] = acc;
      }
  return out;
}

/// Max or average pooling over windows; `includePad` counts the explicit
/// padding in an average's divisor.
std::optional<Literal> pool(Operation *op, const Literal &x, ArrayRef<int64_t> kernel,
                            ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                            ArrayRef<int64_t> dil, bool max, bool includePad) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  Type elem = type.getElementType();
  ArrayRef<int64_t> xs = x.shape(), os = type.getShape(), outSpatial = os.drop_front(2);
  int64_t sp = xs.size() - 2, kernelCount = 1, outCount = 1;
  for (int64_t k : kernel)
    kernelCount *= k;
  for (int64_t o : outSpatial)
    outCount *= o;
  Literal out = Literal::zeros(type);
  SmallVector<int64_t> o, k, src(sp);
  for (int64_t n = 0; n < os[0]; ++n)
    for (int64_t c = 0; c < os[1]; ++c)
      for (int64_t p = 0; p < outCount; ++p) {
        unravel(p, outSpatial, o);
        double acc = max ? -std::numeric_limits<double>::infinity() : 0.0;
        for (int64_t q = 0; q < kernelCount; ++q) {
          unravel(q, kernel, k);
          if (!windowSource(o, k, strides, pads, dil, xs, src))
            continue;
          double v = x.f[linear(xs, n, c, src)];
          if (!max)
            acc = add(elem, acc, v);
          else if (std::isnan(v) || std::isnan(acc))
            acc = std::numeric_limits<double>::quiet_NaN();
          else
            acc = std::max(acc, v);
        }
        if (!max) {
          int64_t count = 1;
          for (int64_t i = 0; i < sp; ++i) {
            int64_t start = o[i] * strides[i] - pads[i], end = start + kernel[i];
            int64_t lo = includePad ? -pads[i] : 0;
            int64_t hi = includePad ? xs[2 + i] + pads[sp + i] : xs[2 + i];
            count *= std::max<int64_t>(0, std::min(end, hi) - std::max(start, lo));
          }
          acc = inPrecision(elem, acc, static_cast<double>(count),
                            [](auto a, auto b) { return a / b; });
        }
        out.f[linear(os, n, c, o)] = acc;
      }
  return out;
}

std::optional<Literal> batchNorm(BatchNormOp op, ArrayRef<Literal> in) {
  const Literal &x = in[0], &scale = in[1], &bias = in[2], &mean = in[3], &var = in[4];
  Type elem = x.elementType();
  double eps = roundTo(elem, op.getEpsilon().convertToDouble());
  ArrayRef<int64_t> shape = x.shape();
  int64_t inner = 1;
  for (size_t d = 2; d < shape.size(); ++d)
    inner *= shape[d];
  Literal out = x;
  for (int64_t k = 0; k < x.size(); ++k) {
    int64_t c = (k / inner) % shape[1];
    double inv = inPrecision(elem, var.f[c], eps,
                             [](auto v, auto e) { return decltype(v)(1) / std::sqrt(v + e); });
    double norm = mul(elem, inPrecision(elem, x.f[k], mean.f[c],
                                        [](auto a, auto b) { return a - b; }),
                      inv);
    out.f[k] = add(elem, mul(elem, norm, scale.f[c]), bias.f[c]);
  }
  return out;
}

} // namespace

std::optional<Literal> eval::evalConvPool(Operation *op, ArrayRef<Literal> in) {
  using R = std::optional<Literal>;
  auto ones = [](size_t n) { return SmallVector<int64_t>(n, 1); };
  return llvm::TypeSwitch<Operation *, R>(op)
      .Case([&](ConvOp o) { return conv(o, in); })
      .Case([&](MaxPoolOp o) {
        return pool(o, in[0], o.getKernelShape(), o.getStrides(), o.getPads(), o.getDilations(),
                    /*max=*/true, false);
      })
      .Case([&](AveragePoolOp o) {
        ArrayRef<int64_t> kernel = o.getKernelShape();
        return pool(o, in[0], kernel, o.getStrides(), o.getPads(), ones(kernel.size()),
                    /*max=*/false, o.getCountIncludePad());
      })
      .Case([&](GlobalAveragePoolOp o) {
        ArrayRef<int64_t> spatial = in[0].shape().drop_front(2);
        return pool(o, in[0], spatial, ones(spatial.size()), SmallVector<int64_t>(2 * spatial.size()),
                    ones(spatial.size()), /*max=*/false, false);
      })
      .Case([&](GlobalMaxPoolOp o) {
        ArrayRef<int64_t> spatial = in[0].shape().drop_front(2);
        return pool(o, in[0], spatial, ones(spatial.size()), SmallVector<int64_t>(2 * spatial.size()),
                    ones(spatial.size()), /*max=*/true, false);
      })
      .Case([&](BatchNormOp o) { return batchNorm(o, in); })
      .Default([](Operation *) { return std::nullopt; });
}
