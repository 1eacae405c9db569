//===- NNConstantEval.cpp - constant folding: literals and dispatch -------===//
//
// Reading constants (dense and dense_resource) into literals, writing
// literals back as dense attributes, and the one entry point every nn op's
// folding goes through. The op families are evaluated in
// NNConstantEval<Family>.cpp.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/IR/NNConstantEval.h"

#include "dialects/NN/IR/NNOps.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/APFloat.h"

#include <cstring>

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::eval;

Literal Literal::zeros(RankedTensorType type) {
  Literal l{type, {}, {}};
  if (l.isFloat())
    l.f.assign(type.getNumElements(), 0.0);
  else
    l.i.assign(type.getNumElements(), 0);
  return l;
}

double eval::roundTo(Type elem, double v) {
  if (elem.isF64())
    return v;
  if (elem.isF32())
    return static_cast<double>(static_cast<float>(v));
  APFloat a(v);
  bool lost;
  a.convert(cast<FloatType>(elem).getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
  return a.convertToDouble();
}

int64_t eval::wrapTo(Type elem, int64_t v) {
  unsigned width = elem.getIntOrFloatBitWidth();
  if (width >= 64)
    return v;
  if (width == 1)
    return v & 1;
  return llvm::SignExtend64(static_cast<uint64_t>(v), width);
}

/// Little-endian bytes of one element of `elem` read as a double or int64.
static void readRaw(Type elem, const char *p, double &f, int64_t &i) {
  if (elem.isF32()) {
    float x;
    std::memcpy(&x, p, 4);
    f = x;
  } else if (elem.isF64()) {
    std::memcpy(&f, p, 8);
  } else if (auto ft = dyn_cast<FloatType>(elem)) {
    uint64_t bits = 0;
    std::memcpy(&bits, p, ft.getWidth() / 8);
    f = APFloat(ft.getFloatSemantics(), APInt(ft.getWidth(), bits)).convertToDouble();
  } else {
    unsigned width = elem.getIntOrFloatBitWidth();
    if (width == 1) {
      i = *p != 0;
      return;
    }
    uint64_t bits = 0;
    std::memcpy(&bits, p, width / 8);
    i = elem.isUnsignedInteger() ? static_cast<int64_t>(bits) : llvm::SignExtend64(bits, width);
  }
}

std::optional<Literal> eval::readLiteral(Attribute value) {
  auto elements = dyn_cast_or_null<ElementsAttr>(value);
  if (!elements)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(elements.getType());
  if (!type || !type.hasStaticShape())
    return std::nullopt;
  Type elem = type.getElementType();
  // Unsigned integers up to 32 bits are read by value (zero-extended), so
  // ops that read them (casts, comparisons, arg_max) fold exactly; ui64 may
  // not fit an int64_t, and no op with an unsigned result folds.
  bool unsignedOk = elem.isUnsignedInteger() && elem.getIntOrFloatBitWidth() <= 32;
  if (!isa<FloatType>(elem) && !elem.isSignlessInteger() && !unsignedOk)
    return std::nullopt;
  if (isa<FloatType>(elem) && cast<FloatType>(elem).getWidth() % 8 != 0)
    return std::nullopt;
  if (isa<IntegerType>(elem) && elem.getIntOrFloatBitWidth() != 1 &&
      elem.getIntOrFloatBitWidth() % 8 != 0)
    return std::nullopt;
  Literal l{type, {}, {}};
  int64_t n = type.getNumElements();
  if (auto dense = dyn_cast<DenseIntOrFPElementsAttr>(elements)) {
    if (l.isFloat()) {
      l.f.reserve(n);
      for (const APFloat &v : dense.getValues<APFloat>())
        l.f.push_back(v.convertToDouble());
    } else {
      bool isBool = elem.isInteger(1);
      l.i.reserve(n);
      for (const APInt &v : dense.getValues<APInt>())
        l.i.push_back(isBool || unsignedOk ? static_cast<int64_t>(v.getZExtValue())
                                           : v.getSExtValue());
    }
    return l;
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(elements);
  if (!resource)
    return std::nullopt;
  const AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  if (!blob)
    return std::nullopt;
  ArrayRef<char> data = blob->getData();
  size_t width = elem.isInteger(1) ? 1 : elem.getIntOrFloatBitWidth() / 8;
  if (data.size() != static_cast<size_t>(n) * width)
    return std::nullopt;
  (l.isFloat() ? l.f.resize(n) : l.i.resize(n));
  double f = 0;
  int64_t i = 0;
  for (int64_t k = 0; k < n; ++k) {
    readRaw(elem, data.data() + k * width, f, i);
    if (l.isFloat())
      l.f[k] = f;
    else
      l.i[k] = i;
  }
  return l;
}

DenseElementsAttr eval::writeLiteral(const Literal &l) {
  Type elem = l.elementType();
  RankedTensorType type = l.type;
  bool splat = true;
  if (l.isFloat()) {
    for (size_t k = 1; k < l.f.size() && splat; ++k)
      // Bitwise: 0.0 and -0.0 (and NaNs) must stay apart.
      splat = std::memcmp(&l.f[k], &l.f[0], sizeof(double)) == 0;
  } else {
    for (size_t k = 1; k < l.i.size() && splat; ++k)
      splat = l.i[k] == l.i[0];
  }
  auto floatAt = [&](size_t k) {
    APFloat v(l.f[k]);
    bool lost;
    v.convert(cast<FloatType>(elem).getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    return v;
  };
  auto intAt = [&](size_t k) {
    return APInt(elem.getIntOrFloatBitWidth(), static_cast<uint64_t>(l.i[k]),
                 /*isSigned=*/!elem.isInteger(1));
  };
  if (l.size() == 0)
    return l.isFloat() ? DenseElementsAttr::get(type, ArrayRef<APFloat>())
                       : DenseElementsAttr::get(type, ArrayRef<APInt>());
  if (splat) {
    if (l.isFloat())
      return DenseElementsAttr::get(type, FloatAttr::get(elem, floatAt(0)));
    if (elem.isInteger(1))
      return DenseElementsAttr::get(type, l.i[0] != 0);
    return DenseElementsAttr::get(type, IntegerAttr::get(elem, intAt(0)));
  }
  if (elem.isF32()) {
    std::vector<float> v(l.f.begin(), l.f.end());
    return DenseElementsAttr::get(type, ArrayRef<float>(v));
  }
  if (elem.isF64())
    return DenseElementsAttr::get(type, ArrayRef<double>(l.f));
  if (l.isFloat()) {
    SmallVector<APFloat> v;
    for (size_t k = 0; k < l.f.size(); ++k)
      v.push_back(floatAt(k));
    return DenseElementsAttr::get(type, v);
  }
  if (elem.isInteger(1)) {
    SmallVector<bool> v;
    for (int64_t x : l.i)
      v.push_back(x != 0);
    return DenseElementsAttr::get(type, ArrayRef<bool>(v));
  }
  SmallVector<APInt> v;
  for (size_t k = 0; k < l.i.size(); ++k)
    v.push_back(intAt(k));
  return DenseElementsAttr::get(type, v);
}

SmallVector<int64_t> eval::stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

void eval::unravel(int64_t k, ArrayRef<int64_t> shape, SmallVectorImpl<int64_t> &coords) {
  coords.resize(shape.size());
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    int64_t n = shape[d];
    coords[d] = n ? k % n : 0;
    k = n ? k / n : 0;
  }
}

std::vector<int64_t> eval::broadcastMap(ArrayRef<int64_t> shape, ArrayRef<int64_t> result) {
  int64_t n = 1;
  for (int64_t d : result)
    n *= d;
  std::vector<int64_t> map(n);
  SmallVector<int64_t> strides = stridesOf(shape), coords;
  size_t lead = result.size() - shape.size();
  for (int64_t k = 0; k < n; ++k) {
    unravel(k, result, coords);
    int64_t src = 0;
    for (size_t d = 0; d < shape.size(); ++d)
      src += (shape[d] == 1 ? 0 : coords[lead + d]) * strides[d];
    map[k] = src;
  }
  return map;
}

Literal eval::gather(const Literal &src, RankedTensorType type, ArrayRef<int64_t> map,
                     double fill) {
  Literal out{type, {}, {}};
  if (out.isFloat()) {
    double v = roundTo(out.elementType(), fill);
    out.f.reserve(map.size());
    for (int64_t k : map)
      out.f.push_back(k < 0 ? v : src.f[k]);
  } else {
    int64_t v = wrapTo(out.elementType(), static_cast<int64_t>(fill));
    out.i.reserve(map.size());
    for (int64_t k : map)
      out.i.push_back(k < 0 ? v : src.i[k]);
  }
  return out;
}

static bool smallEnough(Type t) {
  auto ranked = dyn_cast<RankedTensorType>(t);
  return ranked && ranked.hasStaticShape() && ranked.getNumElements() <= kMaxFoldElements;
}

LogicalResult kiln::nn::foldConstantOp(Operation *op, ArrayRef<Attribute> operands,
                                       SmallVectorImpl<OpFoldResult> &results) {
  if (isa<ConstantOp>(op) || op->getNumResults() != 1 || !smallEnough(op->getResult(0).getType()))
    return failure();
  // The evaluator holds integers as int64_t values and wraps results by
  // sign-extension: unsigned results are left to the generated code.
  if (getElementTypeOrSelf(op->getResult(0).getType()).isUnsignedInteger())
    return failure();
  SmallVector<Literal> in;
  for (auto [value, attr] : llvm::zip(op->getOperands(), operands)) {
    if (!attr || !smallEnough(value.getType()))
      return failure();
    std::optional<Literal> l = readLiteral(attr);
    if (!l || l->type != value.getType())
      return failure();
    in.push_back(std::move(*l));
  }
  // f16 and bf16 are computed in f32 by the generated code (and rounded back
  // per op, bf16 by truncation): only casts and data movement, which round
  // no differently here, fold.
  auto isHalf = [](Type t) {
    Type e = getElementTypeOrSelf(t);
    return e.isF16() || e.isBF16();
  };
  bool half = llvm::any_of(op->getOperandTypes(), isHalf) || isHalf(op->getResult(0).getType());
  std::optional<Literal> out;
  if (!half || isa<CastOp>(op))
    out = evalElementwise(op, in);
  if (!out)
    out = evalDataMovement(op, in);
  if (!out && !half)
    out = evalReduction(op, in);
  if (!out && !half)
    out = evalConvPool(op, in);
  if (!out || out->type != op->getResult(0).getType())
    return failure();
  results.push_back(writeLiteral(*out));
  return success();
}

std::optional<SmallVector<int64_t>> kiln::nn::constantInts(Attribute value) {
  std::optional<Literal> l = readLiteral(value);
  if (!l || l->isFloat())
    return std::nullopt;
  return SmallVector<int64_t>(l->i.begin(), l->i.end());
}

std::optional<SmallVector<double>> kiln::nn::constantFloats(Attribute value) {
  std::optional<Literal> l = readLiteral(value);
  if (!l)
    return std::nullopt;
  if (l->isFloat())
    return SmallVector<double>(l->f.begin(), l->f.end());
  SmallVector<double> v;
  for (int64_t x : l->i)
    v.push_back(static_cast<double>(x));
  return v;
}
