//===- SizeBounds.cpp - upper bounds of run-time sizes from --dim-bound ---===//
//
// Interval arithmetic over the index computations that size buffers. Only
// what is proven is a range: any op not listed, any overflow, a division by
// a range that may hold 0, and everything read from memory leaves the value
// without one, and its buffer stays a run-time allocation.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Common/SizeBounds.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;

namespace kiln {
namespace {

constexpr llvm::StringLiteral kTooLarge = "size past 2^63 at the bounds";

/// `a` and `b` joined: a range when both are, their symbols together.
SizeBound combine(const SizeBound &a, const SizeBound &b, int64_t lo, int64_t hi) {
  SizeBound r = SizeBound::range(lo, hi);
  r.symbols = a.symbols;
  r.symbols.insert(b.symbols.begin(), b.symbols.end());
  return r;
}

SizeBound add(const SizeBound &a, const SizeBound &b) {
  int64_t lo, hi;
  if (llvm::AddOverflow(a.lo, b.lo, lo) || llvm::AddOverflow(a.hi, b.hi, hi))
    return SizeBound::unknown(kTooLarge.str());
  return combine(a, b, lo, hi);
}

SizeBound sub(const SizeBound &a, const SizeBound &b) {
  int64_t lo, hi;
  if (llvm::SubOverflow(a.lo, b.hi, lo) || llvm::SubOverflow(a.hi, b.lo, hi))
    return SizeBound::unknown(kTooLarge.str());
  return combine(a, b, lo, hi);
}

SizeBound mul(const SizeBound &a, const SizeBound &b) {
  int64_t products[4];
  int64_t pairs[4][2] = {{a.lo, b.lo}, {a.lo, b.hi}, {a.hi, b.lo}, {a.hi, b.hi}};
  for (int i = 0; i < 4; ++i)
    if (llvm::MulOverflow(pairs[i][0], pairs[i][1], products[i]))
      return SizeBound::unknown(kTooLarge.str());
  return combine(a, b, *std::min_element(products, products + 4),
                 *std::max_element(products, products + 4));
}

/// Floor or ceiling division by a positive range: monotone in the numerator,
/// and the extremes are at the divisor's ends.
SizeBound div(const SizeBound &a, const SizeBound &b, bool ceil) {
  if (b.lo <= 0)
    return SizeBound::unknown("size divided by a value that may be 0 or negative");
  auto d = [&](int64_t n, int64_t m) {
    return ceil ? llvm::divideCeilSigned(n, m) : llvm::divideFloorSigned(n, m);
  };
  int64_t q[4] = {d(a.lo, b.lo), d(a.lo, b.hi), d(a.hi, b.lo), d(a.hi, b.hi)};
  return combine(a, b, *std::min_element(q, q + 4), *std::max_element(q, q + 4));
}

SizeBound join(const SizeBound &a, const SizeBound &b) {
  return combine(a, b, std::min(a.lo, b.lo), std::max(a.hi, b.hi));
}

/// An affine expression over the ranges of its dims and symbols.
SizeBound evalAffine(AffineExpr expr, ArrayRef<SizeBound> dims, ArrayRef<SizeBound> syms) {
  if (auto c = dyn_cast<AffineConstantExpr>(expr))
    return SizeBound::exactly(c.getValue());
  if (auto d = dyn_cast<AffineDimExpr>(expr))
    return dims[d.getPosition()];
  if (auto s = dyn_cast<AffineSymbolExpr>(expr))
    return syms[s.getPosition()];
  auto bin = cast<AffineBinaryOpExpr>(expr);
  SizeBound l = evalAffine(bin.getLHS(), dims, syms);
  if (!l.known)
    return l;
  SizeBound r = evalAffine(bin.getRHS(), dims, syms);
  if (!r.known)
    return r;
  switch (expr.getKind()) {
  case AffineExprKind::Add:
    return add(l, r);
  case AffineExprKind::Mul:
    return mul(l, r);
  case AffineExprKind::FloorDiv:
    return div(l, r, /*ceil=*/false);
  case AffineExprKind::CeilDiv:
    return div(l, r, /*ceil=*/true);
  case AffineExprKind::Mod:
    // Affine mod by a positive value is in [0, divisor - 1].
    if (r.lo <= 0)
      return SizeBound::unknown("size modulo a value that may be 0 or negative");
    if (l.lo >= 0 && l.hi < r.lo)
      return combine(l, r, l.lo, l.hi);
    return combine(l, r, 0, r.hi - 1);
  default:
    return SizeBound::unknown("size computed by an affine expression the planner cannot bound");
  }
}

/// True when `op` or an op nested in it reads memory.
bool readsMemory(Operation *op) {
  bool reads = false;
  op->walk([&](Operation *nested) {
    auto effects = dyn_cast<MemoryEffectOpInterface>(nested);
    if (effects ? effects.hasEffect<MemoryEffects::Read>()
                : !nested->hasTrait<OpTrait::HasRecursiveMemoryEffects>() &&
                      !isPure(nested) && nested->getNumRegions() == 0)
      reads = true;
  });
  return reads;
}

} // namespace

const SizeBound &SizeBoundAnalysis::get(Value value) {
  auto it = cache.find(value);
  if (it != cache.end())
    return it->second;
  SizeBound bound = compute(value);
  return cache[value] = std::move(bound);
}

SizeBound SizeBoundAnalysis::dimOf(Value source, Value index) {
  APInt idx;
  if (!matchPattern(index, m_ConstantInt(&idx)))
    return SizeBound::unknown("size of a dim chosen at run time");
  int64_t axis = idx.getSExtValue();
  auto shaped = dyn_cast<ShapedType>(source.getType());
  if (!shaped || !shaped.hasRank() || axis < 0 || axis >= shaped.getRank())
    return SizeBound::unknown("size of a dim the planner cannot find");
  if (!shaped.isDynamicDim(axis))
    return SizeBound::exactly(shaped.getDimSize(axis));
  if (auto arg = dyn_cast<BlockArgument>(source)) {
    if (arg.getOwner() == &func.getBody().front() && arg.getArgNumber() < inputs.size()) {
      const abi::TensorSpec &input = inputs[arg.getArgNumber()];
      if (static_cast<size_t>(axis) >= input.shape.size())
        return SizeBound::unknown("size of a dim the planner cannot find");
      const abi::Dim &dim = input.shape[axis];
      if (!dim.isSymbolic())
        return SizeBound::exactly(dim.size);
      auto bound = bounds.find(dim.symbol);
      if (bound == bounds.end())
        return SizeBound::unknown("unbounded symbol " + dim.symbol);
      SizeBound r = SizeBound::range(0, bound->second);
      r.symbols.insert(dim.symbol);
      return r;
    }
    return SizeBound::unknown("size of an argument that is no input");
  }
  if (auto alloc = source.getDefiningOp<memref::AllocOp>())
    return get(alloc.getDynamicSizes()[alloc.getType().getDynamicDimIndex(axis)]);
  if (auto alloc = source.getDefiningOp<memref::AllocaOp>())
    return get(alloc.getDynamicSizes()[alloc.getType().getDynamicDimIndex(axis)]);
  if (auto empty = source.getDefiningOp<tensor::EmptyOp>())
    return get(empty.getDynamicSize(axis));
  if (auto cast = source.getDefiningOp<memref::CastOp>())
    return dimOf(cast.getSource(), index);
  return SizeBound::unknown("size of a dim of " +
                            (source.getDefiningOp()
                                 ? source.getDefiningOp()->getName().getStringRef().str()
                                 : std::string("a block argument")) +
                            ", which the planner cannot bound");
}

SizeBound SizeBoundAnalysis::compute(Value value) {
  APInt constant;
  if (matchPattern(value, m_ConstantInt(&constant)))
    return SizeBound::exactly(constant.getSExtValue());
  Operation *op = value.getDefiningOp();
  if (!op)
    return SizeBound::unknown("size from a block argument (a loop's or a branch's)");

  // Operands first; the first without a range decides.
  auto operands = [&](ValueRange values, SmallVectorImpl<SizeBound> &out) -> const SizeBound * {
    for (Value v : values) {
      out.push_back(get(v));
      if (!out.back().known)
        return &out.back();
    }
    return nullptr;
  };
  SmallVector<SizeBound, 4> ops;

  if (auto dim = dyn_cast<memref::DimOp>(op))
    return dimOf(dim.getSource(), dim.getIndex());
  if (auto dim = dyn_cast<tensor::DimOp>(op))
    return dimOf(dim.getSource(), dim.getIndex());

  if (isa<arith::AddIOp, arith::SubIOp, arith::MulIOp, arith::DivUIOp, arith::DivSIOp,
          arith::CeilDivUIOp, arith::CeilDivSIOp, arith::FloorDivSIOp, arith::RemUIOp,
          arith::RemSIOp, arith::MaxSIOp, arith::MaxUIOp, arith::MinSIOp, arith::MinUIOp>(op)) {
    if (const SizeBound *bad = operands(op->getOperands(), ops))
      return *bad;
    const SizeBound &a = ops[0], &b = ops[1];
    // The unsigned ops agree with the signed ones on non-negative ranges.
    bool nonNegative = a.lo >= 0 && b.lo >= 0;
    if (isa<arith::AddIOp>(op))
      return add(a, b);
    if (isa<arith::SubIOp>(op))
      return sub(a, b);
    if (isa<arith::MulIOp>(op))
      return mul(a, b);
    if (isa<arith::FloorDivSIOp>(op) || (isa<arith::DivUIOp, arith::DivSIOp>(op) && nonNegative))
      return div(a, b, /*ceil=*/false);
    if (isa<arith::CeilDivSIOp>(op) || (isa<arith::CeilDivUIOp>(op) && nonNegative))
      return div(a, b, /*ceil=*/true);
    if (isa<arith::RemUIOp, arith::RemSIOp>(op) && nonNegative && b.lo > 0)
      return a.hi < b.lo ? combine(a, b, a.lo, a.hi) : combine(a, b, 0, b.hi - 1);
    if (isa<arith::MaxSIOp>(op) || (isa<arith::MaxUIOp>(op) && nonNegative))
      return combine(a, b, std::max(a.lo, b.lo), std::max(a.hi, b.hi));
    if (isa<arith::MinSIOp>(op) || (isa<arith::MinUIOp>(op) && nonNegative))
      return combine(a, b, std::min(a.lo, b.lo), std::min(a.hi, b.hi));
    return SizeBound::unknown("size computed by " + op->getName().getStringRef().str() +
                              " of a range that may be negative");
  }
  if (auto select = dyn_cast<arith::SelectOp>(op)) {
    if (const SizeBound *bad =
            operands(ValueRange{select.getTrueValue(), select.getFalseValue()}, ops))
      return *bad;
    return join(ops[0], ops[1]);
  }
  if (isa<arith::IndexCastOp, arith::IndexCastUIOp, arith::ExtSIOp, arith::ExtUIOp,
          arith::TruncIOp>(op)) {
    SizeBound in = get(op->getOperand(0));
    if (!in.known)
      return in;
    // Kept only where the value survives the cast unchanged.
    unsigned width = op->getResult(0).getType().isIndex()
                         ? 64
                         : op->getResult(0).getType().getIntOrFloatBitWidth();
    unsigned inWidth = op->getOperand(0).getType().isIndex()
                           ? 64
                           : op->getOperand(0).getType().getIntOrFloatBitWidth();
    bool unsignedIn = isa<arith::IndexCastUIOp, arith::ExtUIOp>(op);
    unsigned w = std::min(width, inWidth);
    int64_t max = w >= 64 ? INT64_MAX : (int64_t(1) << (w - 1)) - 1;
    int64_t min = w >= 64 ? INT64_MIN : -(int64_t(1) << (w - 1));
    if (in.lo < (unsignedIn ? 0 : min) || in.hi > max)
      return SizeBound::unknown("size past the range of a cast at the bounds");
    return in;
  }
  if (auto apply = dyn_cast<affine::AffineApplyOp>(op)) {
    AffineMap map = apply.getAffineMap();
    if (const SizeBound *bad = operands(apply.getMapOperands(), ops))
      return *bad;
    ArrayRef<SizeBound> all(ops);
    return evalAffine(map.getResult(0), all.take_front(map.getNumDims()),
                      all.drop_front(map.getNumDims()));
  }
  if (isa<affine::AffineMinOp, affine::AffineMaxOp>(op)) {
    bool isMin = isa<affine::AffineMinOp>(op);
    AffineMap map = isMin ? cast<affine::AffineMinOp>(op).getAffineMap()
                          : cast<affine::AffineMaxOp>(op).getAffineMap();
    if (const SizeBound *bad = operands(op->getOperands(), ops))
      return *bad;
    ArrayRef<SizeBound> all(ops);
    std::optional<SizeBound> result;
    for (AffineExpr expr : map.getResults()) {
      SizeBound r =
          evalAffine(expr, all.take_front(map.getNumDims()), all.drop_front(map.getNumDims()));
      if (!r.known)
        return r;
      if (!result)
        result = r;
      else if (isMin)
        result = combine(*result, r, std::min(result->lo, r.lo), std::min(result->hi, r.hi));
      else
        result = combine(*result, r, std::max(result->lo, r.lo), std::max(result->hi, r.hi));
    }
    if (result)
      return *result;
  }
  if (readsMemory(op))
    return SizeBound::unknown("data-dependent size");
  // An op the planner does not follow: data-dependent if anything it is
  // computed from reads memory, else named.
  for (Value operand : op->getOperands()) {
    const SizeBound &in = get(operand);
    if (!in.known && in.why == "data-dependent size")
      return SizeBound::unknown("data-dependent size");
  }
  return SizeBound::unknown("size computed by " + op->getName().getStringRef().str() +
                            ", which the planner cannot bound");
}

SizeBound SizeBoundAnalysis::bytesAtBounds(MemRefType type, ValueRange sizes, int64_t limit) {
  Type elem = type.getElementType();
  if (!elem.isIntOrFloat())
    return SizeBound::unknown("elements of type other than int or float");
  SizeBound bytes =
      SizeBound::exactly(std::max<int64_t>(1, (elem.getIntOrFloatBitWidth() + 7) / 8));
  unsigned next = 0;
  for (int64_t size : type.getShape()) {
    SizeBound dim = ShapedType::isDynamic(size) ? get(sizes[next++]) : SizeBound::exactly(size);
    if (!dim.known)
      return dim;
    // A negative size never makes a buffer: count it as 0.
    dim.lo = std::max<int64_t>(dim.lo, 0);
    dim.hi = std::max<int64_t>(dim.hi, 0);
    bytes = mul(bytes, dim);
    if (!bytes.known || bytes.hi > limit)
      return SizeBound::unknown("more than " + std::to_string(limit) + " bytes at the bounds");
  }
  return bytes;
}

} // namespace kiln
