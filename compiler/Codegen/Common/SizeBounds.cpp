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
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;

namespace kiln {
namespace {

constexpr llvm::StringLiteral kTooLarge = "size past 2^63 at the bounds";

/// `a` and `b` joined: a range when both are, their symbols together.
SizeBound combine(const SizeBound &a, const SizeBound &b, int64_t lo, int64_t hi,
                  std::optional<bool> tight = std::nullopt) {
  SizeBound r = SizeBound::range(lo, hi);
  r.tight = tight.value_or(a.tight && b.tight);
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
  return combine(a, b, lo, hi, a.tight && b.lo == b.hi);
}

SizeBound mul(const SizeBound &a, const SizeBound &b) {
  int64_t products[4];
  int64_t pairs[4][2] = {{a.lo, b.lo}, {a.lo, b.hi}, {a.hi, b.lo}, {a.hi, b.hi}};
  for (int i = 0; i < 4; ++i)
    if (llvm::MulOverflow(pairs[i][0], pairs[i][1], products[i]))
      return SizeBound::unknown(kTooLarge.str());
  return combine(a, b, *std::min_element(products, products + 4),
                 *std::max_element(products, products + 4),
                 a.tight && b.tight && a.lo >= 0 && b.lo >= 0);
}

/// Floor or ceiling division by a positive range: monotone in the numerator,
/// and the extremes are at the divisor's ends.
SizeBound div(const SizeBound &a, const SizeBound &b, bool ceil) {
  if (b.lo <= 0)
    return SizeBound::unknown("size divided by a value that may be 0 or negative");
  // Dividing by a run-time value (the inferred -1 dim of a Reshape: the
  // element count over the other dims) has only the loose bound
  // max / smallest divisor, often thousands of times the real size.
  if (b.lo != b.hi)
    return SizeBound::unknown("size divided by a run-time value");
  auto d = [&](int64_t n, int64_t m) {
    return ceil ? llvm::divideCeilSigned(n, m) : llvm::divideFloorSigned(n, m);
  };
  int64_t q[4] = {d(a.lo, b.lo), d(a.lo, b.hi), d(a.hi, b.lo), d(a.hi, b.hi)};
  return combine(a, b, *std::min_element(q, q + 4), *std::max_element(q, q + 4));
}

SizeBound join(const SizeBound &a, const SizeBound &b) {
  return combine(a, b, std::min(a.lo, b.lo), std::max(a.hi, b.hi),
                 a.tight && b.tight && a.hi == b.hi);
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
    return combine(l, r, 0, r.hi - 1, false);
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

SizeBound SizeBoundAnalysis::dimOf(Value source, int64_t axis) {
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
      auto split = positive.find(dim.symbol);
      SizeBound r = split == positive.end() ? SizeBound::range(0, bound->second)
                    : split->second          ? SizeBound::range(std::min<int64_t>(1, bound->second),
                                                                bound->second)
                                             : SizeBound::exactly(0);
      r.symbols.insert(dim.symbol);
      return r;
    }
    return SizeBound::unknown("size of an argument that is no input");
  }
  Operation *def = source.getDefiningOp();
  auto dynamicSize = [&](ValueRange sizes, MemRefType type) {
    return get(sizes[type.getDynamicDimIndex(axis)]);
  };
  if (auto alloc = dyn_cast<memref::AllocOp>(def))
    return dynamicSize(alloc.getDynamicSizes(), alloc.getType());
  if (auto alloc = dyn_cast<memref::AllocaOp>(def))
    return dynamicSize(alloc.getDynamicSizes(), alloc.getType());
  if (auto view = dyn_cast<memref::ViewOp>(def))
    return dynamicSize(view.getSizes(), view.getType());
  if (auto empty = dyn_cast<tensor::EmptyOp>(def))
    return get(empty.getDynamicSize(axis));
  if (auto cast = dyn_cast<memref::CastOp>(def))
    return dimOf(cast.getSource(), axis);
  // A run-time reshape's dims are its shape operand's elements.
  if (auto reshape = dyn_cast<memref::ReshapeOp>(def))
    return valueAt(reshape.getShape(), axis, reshape);
  if (auto expand = dyn_cast<memref::ExpandShapeOp>(def)) {
    // The dynamic output sizes, one per dynamic dim of the result.
    return dynamicSize(expand.getOutputShape(), expand.getResultType());
  }
  if (auto collapse = dyn_cast<memref::CollapseShapeOp>(def)) {
    SizeBound product = SizeBound::exactly(1);
    // Held by name: the range-for over `getReassociationIndices()[axis]`
    // outlived the temporary vector it indexed (ASan: stack-use-after-scope).
    SmallVector<ReassociationIndices> groups = collapse.getReassociationIndices();
    for (int64_t d : groups[axis]) {
      SizeBound part = dimOf(collapse.getSrc(), d);
      if (!part.known)
        return part;
      product = mul(product, part);
      if (!product.known)
        return product;
    }
    return product;
  }
  if (auto subview = dyn_cast<memref::SubViewOp>(def)) {
    if (subview.getSourceType().getRank() == subview.getType().getRank()) {
      OpFoldResult size = subview.getMixedSizes()[axis];
      if (auto value = dyn_cast<Value>(size))
        return get(value);
      return SizeBound::exactly(cast<IntegerAttr>(cast<Attribute>(size)).getInt());
    }
  }
  return SizeBound::unknown("size of a dim of " +
                            (def ? def->getName().getStringRef().str()
                                 : std::string("a block argument")) +
                            ", which the planner cannot bound");
}

SizeBound SizeBoundAnalysis::compute(Value value) {
  APInt constant;
  if (matchPattern(value, m_ConstantInt(&constant)))
    return SizeBound::exactly(value.getType().isInteger(1) ? constant.getZExtValue()
                                                           : constant.getSExtValue());
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

  if (isa<memref::DimOp, tensor::DimOp>(op)) {
    APInt axis;
    if (!matchPattern(op->getOperand(1), m_ConstantInt(&axis)))
      return SizeBound::unknown("size of a dim chosen at run time");
    return dimOf(op->getOperand(0), axis.getSExtValue());
  }
  if (auto load = dyn_cast<memref::LoadOp>(op)) {
    // Only loads at the top level are followed back to their stores.
    int64_t element = 0;
    MemRefType type = load.getMemRefType();
    if (op->getBlock() != &func.getBody().front() || !type.hasStaticShape())
      return SizeBound::unknown("data-dependent size");
    for (auto [index, size] : llvm::zip(load.getIndices(), type.getShape())) {
      APInt i;
      if (!matchPattern(index, m_ConstantInt(&i)))
        return SizeBound::unknown("data-dependent size");
      element = element * size + i.getSExtValue();
    }
    return valueAt(load.getMemRef(), element, op);
  }

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
      return a.hi < b.lo ? combine(a, b, a.lo, a.hi) : combine(a, b, 0, b.hi - 1, false);
    if (isa<arith::MaxSIOp>(op) || (isa<arith::MaxUIOp>(op) && nonNegative))
      return combine(a, b, std::max(a.lo, b.lo), std::max(a.hi, b.hi));
    if (isa<arith::MinSIOp>(op) || (isa<arith::MinUIOp>(op) && nonNegative))
      return combine(a, b, std::min(a.lo, b.lo), std::min(a.hi, b.hi));
    return SizeBound::unknown("size computed by " + op->getName().getStringRef().str() +
                              " of a range that may be negative");
  }
  if (auto select = dyn_cast<arith::SelectOp>(op))
    return this->select(select.getCondition(), select.getTrueValue(), select.getFalseValue());
  if (isa<arith::CmpIOp>(op) ||
      (isa<arith::AndIOp, arith::OrIOp, arith::XOrIOp>(op) && value.getType().isInteger(1)))
    return predicate(op);
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

namespace {

using arith::CmpIPredicate;

/// `pred` with its operands swapped.
CmpIPredicate swapped(CmpIPredicate pred) {
  switch (pred) {
  case CmpIPredicate::slt: return CmpIPredicate::sgt;
  case CmpIPredicate::sle: return CmpIPredicate::sge;
  case CmpIPredicate::sgt: return CmpIPredicate::slt;
  case CmpIPredicate::sge: return CmpIPredicate::sle;
  case CmpIPredicate::ult: return CmpIPredicate::ugt;
  case CmpIPredicate::ule: return CmpIPredicate::uge;
  case CmpIPredicate::ugt: return CmpIPredicate::ult;
  case CmpIPredicate::uge: return CmpIPredicate::ule;
  default: return pred;
  }
}

/// The signed predicate that `pred` is on non-negative ranges.
std::optional<CmpIPredicate> signedOn(CmpIPredicate pred, const SizeBound &a, const SizeBound &b) {
  bool nonNegative = a.lo >= 0 && b.lo >= 0;
  switch (pred) {
  case CmpIPredicate::ult: return nonNegative ? std::optional(CmpIPredicate::slt) : std::nullopt;
  case CmpIPredicate::ule: return nonNegative ? std::optional(CmpIPredicate::sle) : std::nullopt;
  case CmpIPredicate::ugt: return nonNegative ? std::optional(CmpIPredicate::sgt) : std::nullopt;
  case CmpIPredicate::uge: return nonNegative ? std::optional(CmpIPredicate::sge) : std::nullopt;
  default: return pred;
  }
}

/// Whether `pred(a, b)` holds for all values of the ranges, for none, or
/// depends.
std::optional<bool> decide(CmpIPredicate pred, const SizeBound &a, const SizeBound &b) {
  std::optional<CmpIPredicate> p = signedOn(pred, a, b);
  if (!p)
    return std::nullopt;
  switch (*p) {
  case CmpIPredicate::eq:
    if (a.hi < b.lo || b.hi < a.lo)
      return false;
    if (a.lo == a.hi && b.lo == b.hi)
      return true;
    return std::nullopt;
  case CmpIPredicate::ne:
    if (std::optional<bool> eq = decide(CmpIPredicate::eq, a, b))
      return !*eq;
    return std::nullopt;
  case CmpIPredicate::slt:
    if (a.hi < b.lo)
      return true;
    if (a.lo >= b.hi)
      return false;
    return std::nullopt;
  case CmpIPredicate::sle:
    if (a.hi <= b.lo)
      return true;
    if (a.lo > b.hi)
      return false;
    return std::nullopt;
  case CmpIPredicate::sgt:
    return decide(CmpIPredicate::slt, b, a);
  case CmpIPredicate::sge:
    return decide(CmpIPredicate::sle, b, a);
  default:
    return std::nullopt;
  }
}

/// `v` where `pred(v, k)` holds, or nothing when it never does.
std::optional<SizeBound> restrict(SizeBound v, CmpIPredicate pred, const SizeBound &k) {
  std::optional<CmpIPredicate> p = signedOn(pred, v, k);
  if (!p)
    return v;
  int64_t hi = v.hi;
  switch (*p) {
  case CmpIPredicate::eq:
    v.lo = std::max(v.lo, k.lo);
    v.hi = std::min(v.hi, k.hi);
    break;
  case CmpIPredicate::ne:
    if (k.lo == k.hi && v.lo == k.lo && v.lo < INT64_MAX)
      ++v.lo;
    else if (k.lo == k.hi && v.hi == k.lo && v.hi > INT64_MIN)
      --v.hi;
    break;
  case CmpIPredicate::slt:
    if (k.hi > INT64_MIN)
      v.hi = std::min(v.hi, k.hi - 1);
    break;
  case CmpIPredicate::sle:
    v.hi = std::min(v.hi, k.hi);
    break;
  case CmpIPredicate::sgt:
    if (k.lo < INT64_MAX)
      v.lo = std::max(v.lo, k.lo + 1);
    break;
  case CmpIPredicate::sge:
    v.lo = std::max(v.lo, k.lo);
    break;
  default:
    break;
  }
  if (v.lo > v.hi)
    return std::nullopt;
  // A lower largest value is no longer the one at the bounds.
  v.tight = v.tight && v.hi == hi;
  return v;
}

/// Whether `op`, or an op in it, may write a buffer of `aliases`.
bool mayWrite(Operation *op, const llvm::DenseMap<Value, int64_t> &aliases) {
  bool writes = false;
  op->walk([&](Operation *nested) {
    if (writes || isa<ViewLikeOpInterface, memref::ReshapeOp>(nested))
      return;
    if (llvm::none_of(nested->getOperands(), [&](Value v) { return aliases.count(v); }))
      return;
    auto mem = dyn_cast<MemoryEffectOpInterface>(nested);
    if (!mem) {
      writes = !nested->hasTrait<OpTrait::HasRecursiveMemoryEffects>();
      return;
    }
    SmallVector<MemoryEffects::EffectInstance> effects;
    mem.getEffects(effects);
    for (MemoryEffects::EffectInstance &e : effects)
      if (!isa<MemoryEffects::Read>(e.getEffect()) && (!e.getValue() || aliases.count(e.getValue())))
        writes = true;
  });
  return writes;
}

/// Row-major element of constant `indices` in a static `type`, or -1.
int64_t elementOf(MemRefType type, ValueRange indices) {
  if (!type.hasStaticShape())
    return -1;
  int64_t element = 0;
  for (auto [index, size] : llvm::zip(indices, type.getShape())) {
    APInt i;
    if (!matchPattern(index, m_ConstantInt(&i)))
      return -1;
    element = element * size + i.getSExtValue();
  }
  return element;
}

/// Where `view`'s first element is in its source, counted in elements, for
/// the contiguous views of shape buffers; -1 for any other view.
int64_t viewOffset(Operation *view) {
  if (isa<memref::ExpandShapeOp, memref::CollapseShapeOp, memref::CastOp>(view))
    return 0;
  if (auto subview = dyn_cast<memref::SubViewOp>(view)) {
    if (subview.getSourceType().getRank() != 1 || subview.getType().getRank() != 1 ||
        subview.getStaticStrides()[0] != 1 || ShapedType::isDynamic(subview.getStaticOffsets()[0]))
      return -1;
    return subview.getStaticOffsets()[0];
  }
  return -1;
}

} // namespace

SizeBound SizeBoundAnalysis::select(Value condition, Value onTrue, Value onFalse) {
  APInt constant;
  if (matchPattern(condition, m_ConstantInt(&constant)))
    return get(constant.isZero() ? onFalse : onTrue);
  auto cmp = condition.getDefiningOp<arith::CmpIOp>();
  std::optional<SizeBound> lhs, rhs;
  if (cmp) {
    SizeBound a = get(cmp.getLhs()), b = get(cmp.getRhs());
    if (a.known && b.known) {
      lhs = a;
      rhs = b;
      if (std::optional<bool> holds = decide(cmp.getPredicate(), a, b))
        return get(*holds ? onTrue : onFalse);
    }
  }
  SizeBound t = get(onTrue);
  if (!t.known)
    return t;
  SizeBound f = get(onFalse);
  if (!f.known)
    return f;
  if (!lhs)
    return join(t, f);
  // Each side keeps what the comparison leaves of it, if it is compared.
  auto side = [&](Value v, SizeBound r, bool holds) -> std::optional<SizeBound> {
    CmpIPredicate pred =
        holds ? cmp.getPredicate() : arith::invertPredicate(cmp.getPredicate());
    if (v == cmp.getLhs())
      return restrict(r, pred, *rhs);
    if (v == cmp.getRhs())
      return restrict(r, swapped(pred), *lhs);
    return r;
  };
  std::optional<SizeBound> ts = side(onTrue, t, true), fs = side(onFalse, f, false);
  if (!ts || !fs)
    return ts ? *ts : fs ? *fs : join(t, f);
  SizeBound result = join(*ts, *fs);
  // With both compared values tight, the side taken when every symbol is at
  // its bound is known; the select is tight when that side is and holds the
  // largest value.
  if (lhs->tight && rhs->tight) {
    SizeBound a = SizeBound::exactly(lhs->hi), b = SizeBound::exactly(rhs->hi);
    if (std::optional<bool> atBounds = decide(cmp.getPredicate(), a, b)) {
      const SizeBound &taken = *atBounds ? *ts : *fs;
      result.tight = taken.tight && taken.hi == result.hi;
    }
  }
  return result;
}

SizeBound SizeBoundAnalysis::predicate(Operation *op) {
  SizeBound a = get(op->getOperand(0)), b = get(op->getOperand(1));
  if (!a.known || !b.known)
    return SizeBound::range(0, 1);
  if (auto cmp = dyn_cast<arith::CmpIOp>(op)) {
    if (std::optional<bool> holds = decide(cmp.getPredicate(), a, b))
      return SizeBound::exactly(*holds);
    return SizeBound::range(0, 1);
  }
  // i1 values in [0, 1]: and and or are monotone in each operand.
  if (isa<arith::AndIOp>(op))
    return SizeBound::range(a.lo & b.lo, a.hi & b.hi);
  if (isa<arith::OrIOp>(op))
    return SizeBound::range(a.lo | b.lo, a.hi | b.hi);
  if (a.lo == a.hi && b.lo == b.hi)
    return SizeBound::exactly(a.lo ^ b.lo);
  return SizeBound::range(0, 1);
}

SizeBound SizeBoundAnalysis::valueAt(Value buffer, int64_t element, Operation *before) {
  const SizeBound dataDependent = SizeBound::unknown("data-dependent size");
  Block &body = func.getBody().front();
  // The allocation under the views, and the element in it.
  Value v = buffer;
  while (Operation *def = v.getDefiningOp()) {
    if (isa<memref::AllocOp>(def))
      break;
    int64_t offset = viewOffset(def);
    if (offset < 0)
      return dataDependent;
    element += offset;
    v = def->getOperand(0);
  }
  auto root = v.getDefiningOp<memref::AllocOp>();
  // Shape buffers are small; a larger one is data, not a shape.
  if (!root || root->getBlock() != &body || !root.getType().hasStaticShape() ||
      root.getType().getNumElements() > 64 || !root.getType().getLayout().isIdentity())
    return dataDependent;
  // Only ops of the top level are in program order with `before`: a read
  // inside a loop could follow a write earlier in the same iteration.
  if (before->getBlock() != &body)
    return dataDependent;

  // Every view of the allocation, with where its first element is (-1: not
  // a contiguous piece); a memref made from one by anything but a view could
  // be written unseen, so it stops the search.
  llvm::DenseMap<Value, int64_t> aliases{{root.getResult(), 0}};
  SmallVector<Value> worklist{root.getResult()};
  while (!worklist.empty()) {
    Value a = worklist.pop_back_val();
    for (Operation *user : a.getUsers()) {
      bool isView = isa<ViewLikeOpInterface>(user) || isa<memref::ReshapeOp>(user);
      if (isView && user->getOperand(0) == a) {
        int64_t offset = viewOffset(user);
        int64_t base = aliases.lookup(a);
        aliases[user->getResult(0)] = offset < 0 || base < 0 ? -1 : base + offset;
        worklist.push_back(user->getResult(0));
        continue;
      }
      if (!isView && llvm::any_of(user->getResultTypes(),
                                  [](Type t) { return isa<BaseMemRefType>(t); }))
        return dataDependent;
    }
  }

  // The last write of the element before `before`.
  for (Operation *op = before->getPrevNode(); op && op != root.getOperation();
       op = op->getPrevNode()) {
    if (!mayWrite(op, aliases))
      continue;
    if (auto store = dyn_cast<memref::StoreOp>(op)) {
      int64_t base = aliases.lookup(store.getMemRef());
      int64_t at = elementOf(store.getMemRefType(), store.getIndices());
      if (base < 0 || at < 0)
        return dataDependent;
      if (base + at == element)
        return get(store.getValueToStore());
      continue;
    }
    if (auto write = dyn_cast<vector::TransferWriteOp>(op)) {
      auto type = dyn_cast<MemRefType>(write.getSource().getType());
      int64_t base = aliases.lookup(write.getSource());
      DenseIntElementsAttr values;
      if (!type || type.getRank() > 1 || write.getVectorType().getRank() != 1 || write.getMask() ||
          base < 0 || !matchPattern(write.getVector(), m_Constant(&values)))
        return dataDependent;
      int64_t start = elementOf(type, write.getIndices());
      if (start < 0)
        return dataDependent;
      start += base;
      int64_t count = write.getVectorType().getNumElements();
      if (element < start || element >= start + count)
        continue;
      return SizeBound::exactly(values.getValues<APInt>()[element - start].getSExtValue());
    }
    if (auto copy = dyn_cast<memref::CopyOp>(op)) {
      auto type = dyn_cast<MemRefType>(copy.getTarget().getType());
      auto it = aliases.find(copy.getTarget());
      if (it == aliases.end() || it->second < 0 || !type || !type.hasStaticShape())
        return dataDependent;
      if (element < it->second || element >= it->second + type.getNumElements())
        continue;
      return valueAt(copy.getSource(), element - it->second, copy);
    }
    if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
      // A scalar computed from scalars: the shape arithmetic of a graph.
      if (generic.getNumLoops() != 0 || generic.getNumDpsInits() != 1)
        return dataDependent;
      Value out = generic.getDpsInitOperand(0)->get();
      auto it = aliases.find(out);
      if (it == aliases.end() || it->second < 0)
        return dataDependent;
      if (element != it->second)
        continue;
      Block &block = generic.getRegion().front();
      for (OpOperand *in : generic.getDpsInputOperands()) {
        auto inType = dyn_cast<MemRefType>(in->get().getType());
        if (!inType || !inType.hasStaticShape() || inType.getNumElements() != 1)
          return dataDependent;
        SizeBound value = valueAt(in->get(), 0, generic);
        cache[block.getArgument(in->getOperandNumber())] = value;
      }
      cache[block.getArgument(generic.getNumDpsInputs())] = dataDependent;
      return get(cast<linalg::YieldOp>(block.getTerminator()).getOperand(0));
    }
    return dataDependent;
  }
  return dataDependent;
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
