//===- FoldShapeArithmetic.cpp - run-time shapes as scalar arithmetic -----===//
//
// An exporter computes the shapes of a Reshape, Slice or Expand at run time
// (Shape, Gather, Concat, Mul on i64 tensors). After nn-to-linalg that is
// linalg on tensors of a few elements, read back with tensor.extract, and
// ONNX's rules on the values (a 0 copies the input's dim, a -1 is the element
// count over the other dims, starts and ends are clamped) are selects,
// divisions and clamps. Nothing folds that: the sizes stay opaque, the memory
// plan cannot bound them tightly, and each slice is a gather.
//
// This pass forwards every read of such a tensor to the scalar it holds, then
// simplifies the scalar arithmetic with value ranges (a dim is never
// negative) and products (N*S*128 / (N*S*4) is 32): a Reshape's sizes become
// the dims they are, and a gather whose indices are offsets plus the loop
// indices becomes a tensor.extract_slice.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Common/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/MathExtras.h"

namespace kiln {
#define GEN_PASS_DEF_FOLDSHAPEARITHMETICPASS
#include "compiler/Codegen/Common/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// Tensors of at most this many integers are shape values.
constexpr int64_t kMaxShapeElements = 64;
/// How deep the element and range searches go.
constexpr int kMaxDepth = 24;

bool isShapeTensor(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  return t && t.hasStaticShape() && t.getNumElements() <= kMaxShapeElements &&
         isa<IntegerType, IndexType>(t.getElementType());
}

//===----------------------------------------------------------------------===//
// Elements of shape tensors
//===----------------------------------------------------------------------===//

/// Finds (with `b` null) or builds before `b`'s insertion point the scalar
/// that element `e` (row-major) of the small tensor `t` holds; null when it
/// is not known from the ops that make `t`.
class ElementForwarder {
public:
  explicit ElementForwarder(OpBuilder *b) : b(b) {}

  Value get(Value t, int64_t e, int depth = 0);

private:
  /// A non-null stand-in for a value that checking (b null) does not build.
  Value found(Value v) { return v; }

  OpBuilder *b;
};

Value ElementForwarder::get(Value t, int64_t e, int depth) {
  auto type = dyn_cast<RankedTensorType>(t.getType());
  if (depth > kMaxDepth || !type || !type.hasStaticShape() || e < 0 ||
      e >= type.getNumElements())
    return {};
  Operation *def = t.getDefiningOp();
  if (!def)
    return {};
  ArrayRef<int64_t> shape = type.getShape();

  if (auto c = dyn_cast<arith::ConstantOp>(def)) {
    auto values = dyn_cast<DenseIntElementsAttr>(c.getValue());
    if (!values)
      return {};
    if (!b)
      return t;
    APInt v = values.isSplat() ? values.getSplatValue<APInt>() : values.getValues<APInt>()[e];
    return b->create<arith::ConstantOp>(def->getLoc(),
                                        b->getIntegerAttr(type.getElementType(), v));
  }
  if (auto from = dyn_cast<tensor::FromElementsOp>(def))
    return from.getElements()[e];
  if (auto splat = dyn_cast<tensor::SplatOp>(def))
    return splat.getInput();
  if (auto fill = dyn_cast<linalg::FillOp>(def)) {
    Value v = fill.getInputs()[0];
    return v.getType() == type.getElementType() ? v : Value();
  }
  // Reshapes keep the row-major order.
  if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp, tensor::CastOp>(def))
    return get(def->getOperand(0), e, depth + 1);
  if (auto reshape = dyn_cast<tensor::ReshapeOp>(def))
    return get(reshape.getSource(), e, depth + 1);

  if (auto insert = dyn_cast<tensor::InsertSliceOp>(def)) {
    auto srcType = insert.getSourceType();
    if (!srcType.hasStaticShape() || srcType.getRank() != type.getRank() ||
        !insert.getOffsets().empty() || !insert.getSizes().empty() || !insert.getStrides().empty())
      return {};
    SmallVector<int64_t> idx = delinearize(e, computeSuffixProduct(shape));
    SmallVector<int64_t> srcIdx;
    bool inside = true;
    for (auto [i, off, size, stride] : llvm::zip(idx, insert.getStaticOffsets(),
                                                 insert.getStaticSizes(),
                                                 insert.getStaticStrides())) {
      int64_t rel = i - off;
      inside &= rel >= 0 && stride > 0 && rel % stride == 0 && rel / stride < size;
      srcIdx.push_back(stride > 0 ? rel / stride : 0);
    }
    if (inside)
      return get(insert.getSource(),
                 linearize(srcIdx, computeSuffixProduct(srcType.getShape())), depth + 1);
    return get(insert.getDest(), e, depth + 1);
  }
  if (auto slice = dyn_cast<tensor::ExtractSliceOp>(def)) {
    auto srcType = slice.getSourceType();
    if (!srcType.hasStaticShape() || srcType.getRank() != type.getRank() ||
        !slice.getOffsets().empty() || !slice.getStrides().empty())
      return {};
    SmallVector<int64_t> idx = delinearize(e, computeSuffixProduct(shape));
    for (auto [i, off, stride] : llvm::zip(idx, slice.getStaticOffsets(),
                                           slice.getStaticStrides()))
      i = off + i * stride;
    return get(slice.getSource(), linearize(idx, computeSuffixProduct(srcType.getShape())),
               depth + 1);
  }

  // A generic computing each element from elements of other small tensors
  // (the shape arithmetic): its body, once, on those scalars.
  auto generic = dyn_cast<linalg::GenericOp>(def);
  if (!generic || generic->getNumResults() != 1 || !generic.hasPureTensorSemantics() ||
      generic.getNumReductionLoops() != 0 ||
      !generic.getMatchingIndexingMap(generic.getDpsInitOperand(0)).isIdentity())
    return {};
  Block &body = generic.getRegion().front();
  for (Operation &op : body.without_terminator())
    if (op.getNumRegions() != 0 || !(isa<linalg::IndexOp>(op) || isMemoryEffectFree(&op)))
      return {};
  SmallVector<int64_t> idx = delinearize(e, computeSuffixProduct(shape));
  IRMapping mapping;
  for (OpOperand &operand : generic->getOpOperands()) {
    BlockArgument arg = body.getArgument(operand.getOperandNumber());
    if (arg.use_empty())
      continue;
    auto opType = dyn_cast<RankedTensorType>(operand.get().getType());
    if (!opType) {
      mapping.map(arg, operand.get());
      continue;
    }
    if (!opType.hasStaticShape())
      return {};
    SmallVector<int64_t> at = generic.getMatchingIndexingMap(&operand).compose(idx);
    Value v = get(operand.get(), linearize(at, computeSuffixProduct(opType.getShape())),
                  depth + 1);
    if (!v)
      return {};
    mapping.map(arg, v);
  }
  Value yielded = cast<linalg::YieldOp>(body.getTerminator()).getOperand(0);
  if (!b)
    return found(t);
  for (Operation &op : body.without_terminator()) {
    if (auto index = dyn_cast<linalg::IndexOp>(op)) {
      mapping.map(index.getResult(),
                  b->create<arith::ConstantIndexOp>(op.getLoc(), idx[index.getDim()]).getResult());
      continue;
    }
    b->clone(op, mapping);
  }
  return mapping.lookupOrDefault(yielded);
}

/// `tensor.extract %t[c...]` of a small shape tensor: the scalar it reads.
struct ForwardShapeExtract : OpRewritePattern<tensor::ExtractOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::ExtractOp op, PatternRewriter &rewriter) const override {
    auto type = op.getTensor().getType();
    if (!isShapeTensor(type))
      return rewriter.notifyMatchFailure(op, "not a small integer tensor");
    SmallVector<int64_t> idx;
    for (Value i : op.getIndices()) {
      std::optional<int64_t> c = getConstantIntValue(i);
      if (!c)
        return rewriter.notifyMatchFailure(op, "index not a constant");
      idx.push_back(*c);
    }
    int64_t e = linearize(idx, computeSuffixProduct(type.getShape()));
    if (!ElementForwarder(nullptr).get(op.getTensor(), e))
      return rewriter.notifyMatchFailure(op, "element not known");
    Value v = ElementForwarder(&rewriter).get(op.getTensor(), e);
    if (!v || v.getType() != op.getType())
      return failure();
    rewriter.replaceOp(op, v);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Ranges
//===----------------------------------------------------------------------===//

struct Range {
  int64_t lo = INT64_MIN, hi = INT64_MAX;
  bool full() const { return lo == INT64_MIN && hi == INT64_MAX; }
};

/// The range of a signless integer or index `v`: sizes (dims) are never
/// negative; arithmetic on them is followed in i64, an overflow is no range.
Range rangeOf(Value v, int depth = 0) {
  Range full;
  Type type = v.getType();
  unsigned width = type.isIndex() ? 64 : type.isSignlessInteger() ? type.getIntOrFloatBitWidth() : 0;
  if (width == 0)
    return full;
  if (width < 64) {
    full.lo = -(int64_t(1) << (width - 1));
    full.hi = (int64_t(1) << (width - 1)) - 1;
  }
  APInt c;
  if (matchPattern(v, m_ConstantInt(&c)))
    return {c.getSExtValue(), c.getSExtValue()};
  Operation *op = v.getDefiningOp();
  if (!op || depth > kMaxDepth)
    return full;
  auto in = [&](unsigned i) { return rangeOf(op->getOperand(i), depth + 1); };
  auto clampTo = [&](Range r) { return r.lo < full.lo || r.hi > full.hi ? full : r; };
  if (isa<tensor::DimOp, memref::DimOp>(op))
    return {0, INT64_MAX};
  if (auto ext = dyn_cast<arith::ExtUIOp>(op)) {
    if (ext.getIn().getType().isInteger(1))
      return {0, 1};
    // A negative input becomes a large positive one.
    Range r = in(0);
    return r.lo >= 0 ? clampTo(r) : full;
  }
  if (isa<arith::IndexCastOp, arith::ExtSIOp, arith::TruncIOp>(op))
    return clampTo(in(0));
  if (isa<arith::AddIOp, arith::SubIOp, arith::MulIOp, arith::MaxSIOp, arith::MinSIOp,
          arith::DivSIOp>(op)) {
    Range a = in(0), b = in(1);
    if (isa<arith::MaxSIOp>(op))
      return {std::max(a.lo, b.lo), std::max(a.hi, b.hi)};
    if (isa<arith::MinSIOp>(op))
      return {std::min(a.lo, b.lo), std::min(a.hi, b.hi)};
    if (a.full() || b.full())
      return full;
    Range r;
    // Sums and products of sizes are taken not to wrap: past 2^63 they
    // saturate (a size that large is no tensor's).
    bool sizes = a.lo >= 0 && b.lo >= 0 && width == 64;
    if (isa<arith::AddIOp>(op)) {
      if (llvm::AddOverflow(a.lo, b.lo, r.lo))
        return full;
      if (llvm::AddOverflow(a.hi, b.hi, r.hi)) {
        if (!sizes)
          return full;
        r.hi = INT64_MAX;
      }
      return clampTo(r);
    }
    if (isa<arith::MulIOp>(op) && sizes) {
      if (llvm::MulOverflow(a.lo, b.lo, r.lo))
        return full;
      if (llvm::MulOverflow(a.hi, b.hi, r.hi))
        r.hi = INT64_MAX;
      return r;
    }
    if (isa<arith::SubIOp>(op)) {
      if (llvm::SubOverflow(a.lo, b.hi, r.lo) || llvm::SubOverflow(a.hi, b.lo, r.hi))
        return full;
      return clampTo(r);
    }
    int64_t q[4];
    int64_t pairs[4][2] = {{a.lo, b.lo}, {a.lo, b.hi}, {a.hi, b.lo}, {a.hi, b.hi}};
    for (int i = 0; i < 4; ++i) {
      if (isa<arith::MulIOp>(op)) {
        if (llvm::MulOverflow(pairs[i][0], pairs[i][1], q[i]))
          return full;
      } else {
        // Truncating division by a positive range is monotone in each.
        if (b.lo <= 0 || pairs[i][0] == INT64_MIN)
          return full;
        q[i] = pairs[i][0] / pairs[i][1];
      }
    }
    return clampTo({*std::min_element(q, q + 4), *std::max_element(q, q + 4)});
  }
  if (auto rem = dyn_cast<arith::RemSIOp>(op)) {
    Range a = in(0), b = in(1);
    if (a.lo >= 0 && b.lo > 0)
      return {0, std::min(a.hi, b.hi - 1)};
    return full;
  }
  if (auto select = dyn_cast<arith::SelectOp>(op)) {
    Range a = in(1), b = in(2);
    return {std::min(a.lo, b.lo), std::max(a.hi, b.hi)};
  }
  return full;
}

/// Whether `pred(a, b)` holds for every value of the ranges, for none, or
/// depends.
std::optional<bool> decide(arith::CmpIPredicate pred, Range a, Range b) {
  using P = arith::CmpIPredicate;
  bool nonNegative = a.lo >= 0 && b.lo >= 0;
  switch (pred) {
  case P::eq:
    if (a.hi < b.lo || b.hi < a.lo)
      return false;
    if (a.lo == a.hi && b.lo == b.hi)
      return true;
    return std::nullopt;
  case P::ne:
    if (std::optional<bool> eq = decide(P::eq, a, b))
      return !*eq;
    return std::nullopt;
  case P::ult:
  case P::slt:
    if (pred == P::ult && !nonNegative)
      return std::nullopt;
    if (a.hi < b.lo)
      return true;
    if (a.lo >= b.hi)
      return false;
    return std::nullopt;
  case P::ule:
  case P::sle:
    if (pred == P::ule && !nonNegative)
      return std::nullopt;
    if (a.hi <= b.lo)
      return true;
    if (a.lo > b.hi)
      return false;
    return std::nullopt;
  case P::ugt:
    return decide(P::ult, b, a);
  case P::sgt:
    return decide(P::slt, b, a);
  case P::uge:
    return decide(P::ule, b, a);
  case P::sge:
    return decide(P::sle, b, a);
  }
  return std::nullopt;
}

/// A comparison the ranges decide: a constant.
struct DecideCompare : OpRewritePattern<arith::CmpIOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::CmpIOp op, PatternRewriter &rewriter) const override {
    if (isa<VectorType>(op.getType()) || matchPattern(op.getResult(), m_Constant()))
      return failure();
    std::optional<bool> holds =
        decide(op.getPredicate(), rangeOf(op.getLhs()), rangeOf(op.getRhs()));
    if (!holds)
      return rewriter.notifyMatchFailure(op, "the ranges do not decide it");
    rewriter.replaceOpWithNewOp<arith::ConstantIntOp>(op, *holds, 1);
    return success();
  }
};

/// A max or min whose operands' ranges decide it: that operand.
template <typename Op, bool IsMax>
struct DecideMinMax : OpRewritePattern<Op> {
  using OpRewritePattern<Op>::OpRewritePattern;
  LogicalResult matchAndRewrite(Op op, PatternRewriter &rewriter) const override {
    Range a = rangeOf(op.getLhs()), b = rangeOf(op.getRhs());
    bool lhs = IsMax ? a.lo >= b.hi : a.hi <= b.lo;
    bool rhs = IsMax ? b.lo >= a.hi : b.hi <= a.lo;
    if (!lhs && !rhs)
      return rewriter.notifyMatchFailure(op, "the ranges do not decide it");
    rewriter.replaceOp(op, lhs ? op.getLhs() : op.getRhs());
    return success();
  }
};

/// `select(x > y, x, y)` is `max(x, y)` (and the like), which the ranges
/// may then decide.
struct SelectToMinMax : OpRewritePattern<arith::SelectOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::SelectOp op, PatternRewriter &rewriter) const override {
    auto cmp = op.getCondition().getDefiningOp<arith::CmpIOp>();
    if (!cmp || !op.getType().isSignlessIntOrIndex())
      return failure();
    Value x = cmp.getLhs(), y = cmp.getRhs();
    bool direct = op.getTrueValue() == x && op.getFalseValue() == y;
    bool swapped = op.getTrueValue() == y && op.getFalseValue() == x;
    if (!direct && !swapped)
      return failure();
    using P = arith::CmpIPredicate;
    P pred = cmp.getPredicate();
    bool greater = pred == P::sgt || pred == P::sge;
    bool less = pred == P::slt || pred == P::sle;
    if (!greater && !less)
      return failure();
    // max when the larger one is taken.
    if (greater == direct)
      rewriter.replaceOpWithNewOp<arith::MaxSIOp>(op, x, y);
    else
      rewriter.replaceOpWithNewOp<arith::MinSIOp>(op, x, y);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Products
//===----------------------------------------------------------------------===//

/// Casts that keep every value (to index or i64, from as wide or narrower):
/// sizes cross them unchanged.
Value stripCasts(Value v) {
  while (Operation *op = v.getDefiningOp()) {
    Type to = op->getResult(0).getType();
    if (!isa<arith::IndexCastOp, arith::ExtSIOp>(op) || !(to.isIndex() || to.isInteger(64)))
      break;
    v = op->getOperand(0);
  }
  return v;
}

/// `v` as a constant times a product of factors (values other than products
/// and constants), or nothing when a factor is not a product.
struct Monomial {
  int64_t coefficient = 1;
  SmallVector<Value> factors;
};

bool factorInto(Value v, Monomial &m, int depth = 0) {
  v = stripCasts(v);
  APInt c;
  if (matchPattern(v, m_ConstantInt(&c)))
    return !llvm::MulOverflow(m.coefficient, c.getSExtValue(), m.coefficient);
  if (auto mul = v.getDefiningOp<arith::MulIOp>(); mul && depth < kMaxDepth)
    return factorInto(mul.getLhs(), m, depth + 1) && factorInto(mul.getRhs(), m, depth + 1);
  m.factors.push_back(v);
  return true;
}

/// `num / den` when `den`'s factors are among `num`'s and its coefficient
/// divides `num`'s: the coefficient quotient and the factors left over.
std::optional<Monomial> divide(Monomial num, const Monomial &den) {
  if (den.coefficient == 0 || num.coefficient % den.coefficient != 0 || den.factors.empty())
    return std::nullopt;
  for (Value f : den.factors) {
    auto it = llvm::find(num.factors, f);
    if (it == num.factors.end())
      return std::nullopt;
    num.factors.erase(it);
  }
  num.coefficient /= den.coefficient;
  return num;
}

Value buildMonomial(PatternRewriter &rewriter, Location loc, const Monomial &m, Type type) {
  Value result = rewriter.create<arith::ConstantOp>(loc, rewriter.getIntegerAttr(type, m.coefficient));
  for (Value f : m.factors) {
    if (f.getType() != type)
      f = rewriter.create<arith::IndexCastOp>(loc, type, f);
    result = rewriter.create<arith::MulIOp>(loc, result, f);
  }
  return result;
}

/// The divisor `d` of a checked division, `select(y == 0, 1, y)` (a 0 is
/// reported by a check, the division must only not trap), as `y`; or `d`
/// itself when it is positive.
Value checkedDivisor(Value d, bool &guarded) {
  guarded = false;
  if (auto select = d.getDefiningOp<arith::SelectOp>()) {
    auto cmp = select.getCondition().getDefiningOp<arith::CmpIOp>();
    if (cmp && cmp.getPredicate() == arith::CmpIPredicate::eq &&
        matchPattern(cmp.getRhs(), m_Zero()) && matchPattern(select.getTrueValue(), m_One()) &&
        select.getFalseValue() == cmp.getLhs()) {
      guarded = true;
      return cmp.getLhs();
    }
  }
  return rangeOf(d).lo > 0 ? d : Value();
}

/// `x / d` and `x % d` where `d` (as checkedDivisor) is a product of
/// factors of `x`: the other factors, and 0. Where the divisor's product is
/// 0, so is `x` (it has the same factors), and `x / 1` is 0: the quotient is
/// selected against 0 there.
template <typename Op>
struct DivideProduct : OpRewritePattern<Op> {
  using OpRewritePattern<Op>::OpRewritePattern;
  LogicalResult matchAndRewrite(Op op, PatternRewriter &rewriter) const override {
    bool guarded;
    Value y = checkedDivisor(op.getRhs(), guarded);
    if (!y)
      return rewriter.notifyMatchFailure(op, "the divisor may be 0");
    Monomial num, den;
    if (!factorInto(op.getLhs(), num) || !factorInto(y, den))
      return failure();
    std::optional<Monomial> q = divide(num, den);
    if (!q)
      return rewriter.notifyMatchFailure(op, "the divisor is no factor of the dividend");
    Location loc = op.getLoc();
    Type type = op.getType();
    Value zero = rewriter.create<arith::ConstantOp>(loc, rewriter.getZeroAttr(type));
    if (std::is_same_v<Op, arith::RemSIOp>) {
      rewriter.replaceOp(op, zero);
      return success();
    }
    Value quotient = buildMonomial(rewriter, loc, *q, type);
    if (guarded) {
      Value yIsZero = rewriter.create<arith::CmpIOp>(
          loc, arith::CmpIPredicate::eq, y,
          rewriter.create<arith::ConstantOp>(loc, rewriter.getZeroAttr(y.getType())));
      quotient = rewriter.create<arith::SelectOp>(loc, yIsZero, zero, quotient);
    }
    rewriter.replaceOp(op, quotient);
    return success();
  }
};

/// `select(a == 0, b, a)` is `a` when every factor of `a` is one of `b`:
/// where `a` is 0 one of its factors is, so `b` is 0 too. (ONNX Reshape's
/// "a 0 copies the input's dim": an entry N*4 over an input dim N.)
struct SelectZeroFactor : OpRewritePattern<arith::SelectOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::SelectOp op, PatternRewriter &rewriter) const override {
    auto cmp = op.getCondition().getDefiningOp<arith::CmpIOp>();
    if (!cmp || !matchPattern(cmp.getRhs(), m_Zero()))
      return failure();
    Value a = cmp.getLhs(), b;
    if (cmp.getPredicate() == arith::CmpIPredicate::eq && op.getFalseValue() == a)
      b = op.getTrueValue();
    else if (cmp.getPredicate() == arith::CmpIPredicate::ne && op.getTrueValue() == a)
      b = op.getFalseValue();
    else
      return failure();
    Monomial ma, mb;
    if (!factorInto(a, ma) || !factorInto(b, mb) || ma.coefficient == 0 || ma.factors.empty() ||
        rangeOf(b).lo < 0)
      return failure();
    for (Value f : ma.factors) {
      auto it = llvm::find(mb.factors, f);
      if (it == mb.factors.end())
        return rewriter.notifyMatchFailure(op, "a factor of the compared value is not copied");
      mb.factors.erase(it);
    }
    rewriter.replaceOp(op, a);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Gathers that are slices
//===----------------------------------------------------------------------===//

/// Matches `index`, in the body of `generic`, as `off + linalg.index d *
/// stride` (a constant stride of 1 or more, `off` defined outside the body).
bool matchAffineIndex(Value index, linalg::GenericOp generic, unsigned &d, OpFoldResult &offset,
                      int64_t &stride, OpBuilder &b) {
  auto outside = [&](Value v) { return !generic.getRegion().isAncestor(v.getParentRegion()); };
  auto scaled = [&](Value v) -> bool {
    if (auto idx = v.getDefiningOp<linalg::IndexOp>()) {
      d = idx.getDim();
      stride = 1;
      return true;
    }
    if (auto mul = v.getDefiningOp<arith::MulIOp>()) {
      for (auto [a, s] : {std::pair(mul.getLhs(), mul.getRhs()), std::pair(mul.getRhs(), mul.getLhs())}) {
        auto idx = a.getDefiningOp<linalg::IndexOp>();
        std::optional<int64_t> c = getConstantIntValue(s);
        if (idx && c && *c >= 1) {
          d = idx.getDim();
          stride = *c;
          return true;
        }
      }
    }
    return false;
  };
  if (scaled(index)) {
    offset = b.getIndexAttr(0);
    return true;
  }
  auto add = index.getDefiningOp<arith::AddIOp>();
  if (!add)
    return false;
  for (auto [a, o] : {std::pair(add.getLhs(), add.getRhs()), std::pair(add.getRhs(), add.getLhs())}) {
    if (scaled(a) && (outside(o) || getConstantIntValue(o))) {
      std::optional<int64_t> c = getConstantIntValue(o);
      offset = c ? OpFoldResult(b.getIndexAttr(*c)) : OpFoldResult(o);
      return true;
    }
  }
  return false;
}

/// A generic that only reads `src[off_0 + i_0 * s_0, ...]` at its loop
/// indices `i` (what a Slice with run-time starts lowers to) is
/// `tensor.extract_slice`: no gather, and its consumers read the source in
/// place.
struct GatherToSlice : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op, PatternRewriter &rewriter) const override {
    if (op.getNumDpsInputs() != 0 || op->getNumResults() != 1 || !op.hasPureTensorSemantics() ||
        op.getNumReductionLoops() != 0 ||
        !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
      return failure();
    Block &body = op.getRegion().front();
    auto yield = cast<linalg::YieldOp>(body.getTerminator());
    auto extract = yield.getOperand(0).getDefiningOp<tensor::ExtractOp>();
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    if (!extract || extract->getBlock() != &body ||
        op.getRegion().isAncestor(extract.getTensor().getParentRegion()) ||
        extract.getTensor().getType().getRank() != resultType.getRank())
      return rewriter.notifyMatchFailure(op, "not a read of an outer tensor");
    rewriter.setInsertionPoint(op);
    SmallVector<OpFoldResult> offsets, sizes, strides;
    for (auto [k, index] : llvm::enumerate(extract.getIndices())) {
      unsigned d;
      OpFoldResult offset;
      int64_t stride;
      if (!matchAffineIndex(index, op, d, offset, stride, rewriter) || d != k)
        return rewriter.notifyMatchFailure(op, "an index is not offset plus the loop index");
      offsets.push_back(offset);
      strides.push_back(rewriter.getIndexAttr(stride));
    }
    Value init = op.getDpsInitOperand(0)->get();
    for (int64_t k = 0; k < resultType.getRank(); ++k)
      sizes.push_back(resultType.isDynamicDim(k)
                          ? OpFoldResult(rewriter.create<tensor::DimOp>(op.getLoc(), init, k).getResult())
                          : OpFoldResult(rewriter.getIndexAttr(resultType.getDimSize(k))));
    Value slice = rewriter.create<tensor::ExtractSliceOp>(op.getLoc(), extract.getTensor(),
                                                          offsets, sizes, strides);
    if (slice.getType() != resultType)
      slice = rewriter.create<tensor::CastOp>(op.getLoc(), resultType, slice);
    rewriter.replaceOp(op, slice);
    return success();
  }
};

struct FoldShapeArithmeticPass
    : kiln::impl::FoldShapeArithmeticPassBase<FoldShapeArithmeticPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<ForwardShapeExtract, DecideCompare, DecideMinMax<arith::MaxSIOp, true>,
                 DecideMinMax<arith::MinSIOp, false>, SelectToMinMax,
                 DivideProduct<arith::DivSIOp>, DivideProduct<arith::RemSIOp>, SelectZeroFactor,
                 GatherToSlice>(ctx);
    for (Dialect *dialect : ctx->getLoadedDialects())
      dialect->getCanonicalizationPatterns(patterns);
    for (RegisteredOperationName name : ctx->getRegisteredOperations())
      name.getCanonicalizationPatterns(patterns, ctx);
    FrozenRewritePatternSet frozen(std::move(patterns));
    // CSE between rounds, so that equal factors (two tensor.dim of one dim)
    // are one value for the products.
    // The driver does not revisit a read whose producer a fold replaced:
    // rounds until nothing changes.
    for (int round = 0; round < 6; ++round) {
      bool rewritten = false, merged = false;
      if (failed(applyPatternsAndFoldGreedily(getOperation(), frozen, GreedyRewriteConfig(),
                                              &rewritten)))
        return signalPassFailure();
      IRRewriter rewriter(ctx);
      DominanceInfo dominance;
      eliminateCommonSubExpressions(rewriter, dominance, getOperation(), &merged);
      if (!rewritten && !merged)
        break;
    }
  }
};

} // namespace
