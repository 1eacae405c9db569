//===- PartialTiles.cpp - masked partial tiles for the CPU ----------------===//
//
// Helpers of kiln-cpu-tile-and-vectorize for partial tiles: the constant
// bound of a dynamic tile size, and the removal of the masks the vectorizer
// puts on computations (see docs/lowering-choices.md, "Partial tiles").
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/CPU/PartialTiles.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"

using namespace mlir;

namespace {

/// The identity of a reduction `kind` on `type` elements, or a null
/// attribute for a kind without one here.
TypedAttr reductionIdentity(vector::CombiningKind kind, Type type) {
  using Kind = vector::CombiningKind;
  if (auto f = dyn_cast<FloatType>(type)) {
    const llvm::fltSemantics &sem = f.getFloatSemantics();
    switch (kind) {
    case Kind::ADD: return FloatAttr::get(f, llvm::APFloat::getZero(sem));
    case Kind::MUL: return FloatAttr::get(f, llvm::APFloat::getOne(sem));
    case Kind::MAXNUMF:
    case Kind::MAXIMUMF: return FloatAttr::get(f, llvm::APFloat::getInf(sem, /*Negative=*/true));
    case Kind::MINNUMF:
    case Kind::MINIMUMF: return FloatAttr::get(f, llvm::APFloat::getInf(sem, /*Negative=*/false));
    default: return {};
    }
  }
  auto i = dyn_cast<IntegerType>(type);
  if (!i)
    return {};
  unsigned w = i.getWidth();
  switch (kind) {
  case Kind::ADD:
  case Kind::OR:
  case Kind::XOR:
  case Kind::MAXUI: return IntegerAttr::get(i, llvm::APInt::getZero(w));
  case Kind::MUL: return IntegerAttr::get(i, llvm::APInt(w, 1));
  case Kind::AND:
  case Kind::MINUI: return IntegerAttr::get(i, llvm::APInt::getAllOnes(w));
  case Kind::MAXSI: return IntegerAttr::get(i, llvm::APInt::getSignedMinValue(w));
  case Kind::MINSI: return IntegerAttr::get(i, llvm::APInt::getSignedMaxValue(w));
  default: return {};
  }
}

} // namespace

/// A constant upper bound (inclusive) of loop `d` of `op`, whose extent is
/// dynamic, when the IR proves one: the partial tile of a loop split into
/// tiles of T is at most T - 1 long. Such a loop is vectorized at that bound
/// with a mask rather than split further.
std::optional<int64_t> kiln::cpu::loopUpperBound(linalg::LinalgOp op, unsigned d) {
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    for (unsigned i = 0; i < map.getNumResults(); ++i) {
      auto dim = dyn_cast<AffineDimExpr>(map.getResult(i));
      if (!dim || dim.getPosition() != d)
        continue;
      FailureOr<int64_t> bound = ValueBoundsConstraintSet::computeConstantBound(
          presburger::BoundType::UB, ValueBoundsConstraintSet::Variable(operand.get(), i),
          /*stopCondition=*/nullptr, /*closedUB=*/true);
      if (succeeded(bound))
        return *bound;
    }
  }
  return std::nullopt;
}


/// Removes the masks the vectorizer puts on computations, keeping those on
/// loads and stores:
/// - a `vector.contract` or `vector.multi_reduction` whose mask is all true
///   along its reduction dims masks only result lanes, which reach memory
///   only through the masked transfer_write of the same op: computing them
///   changes nothing stored, and the unmasked contraction takes the usual
///   FMA lowering (a masked one would not become outer products);
/// - any other `vector.multi_reduction` (a dynamic reduction's partial tile)
///   reduces its source with masked-off lanes replaced by the kind's
///   identity. MLIR 19 lowers a masked reduction to a reduction of the
///   operand selected against a "neutral" value, and takes the smallest
///   denormal for maximumf, not -inf: a row of negative numbers got -1e-45.
void kiln::cpu::unmaskComputations(func::FuncOp func) {
  SmallVector<vector::MaskOp> masks;
  func.walk([&](vector::MaskOp mask) { masks.push_back(mask); });
  for (vector::MaskOp mask : masks) {
    Operation *inner = mask.getMaskableOp();
    auto create = mask.getMask().getDefiningOp<vector::CreateMaskOp>();
    if (!inner || !create || mask.hasPassthru())
      continue;
    auto maskType = cast<VectorType>(mask.getMask().getType());
    SmallVector<bool> reduction(maskType.getRank(), false);
    if (auto contract = dyn_cast<vector::ContractionOp>(inner)) {
      for (auto [d, it] : llvm::enumerate(contract.getIteratorTypesArray()))
        reduction[d] = it == vector::IteratorType::reduction;
    } else if (auto reduce = dyn_cast<vector::MultiDimReductionOp>(inner)) {
      for (auto [d, isReduced] : llvm::enumerate(reduce.getReductionMask()))
        reduction[d] = isReduced;
    } else {
      continue;
    }
    bool full = true;
    for (int64_t d = 0; d < maskType.getRank(); ++d) {
      if (!reduction[d])
        continue;
      std::optional<int64_t> size = getConstantIntValue(create.getOperand(d));
      full &= size && *size >= maskType.getDimSize(d);
    }
    auto reduce = dyn_cast<vector::MultiDimReductionOp>(inner);
    if (!full && !reduce)
      continue;
    OpBuilder b(mask);
    IRMapping mapping;
    if (!full) {
      auto sourceType = cast<VectorType>(reduce.getSource().getType());
      TypedAttr identity = reductionIdentity(reduce.getKind(), sourceType.getElementType());
      if (!identity || sourceType.getShape() != maskType.getShape())
        continue;
      Location loc = reduce.getLoc();
      Value neutral = b.create<arith::ConstantOp>(loc, SplatElementsAttr::get(sourceType, identity));
      Value source = b.create<arith::SelectOp>(loc, mask.getMask(), reduce.getSource(), neutral);
      mapping.map(reduce.getSource(), source);
    }
    Operation *clone = b.clone(*inner, mapping);
    mask->replaceAllUsesWith(clone->getResults());
    mask->erase();
  }
}

