//===- LowerStridedCopies.cpp - memref.copy between strided views --------===//
//
// Pads, concats, slices and insert_slices bufferize to memref.copy between
// views that are not contiguous as a whole but are along their trailing
// dims (a row of a padded image, a channel block of a concat). Those copies
// become loops over the leading dims around a memref.copy of the contiguous
// trailing block, which the LLVM lowering turns into a memcpy (inlined as
// vector moves for short constant sizes), and large ones share their
// outermost loop among threads. Only copies whose innermost dim is strided
// on one side (a transpose, a strided slice) become element loops.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace kiln {
#define GEN_PASS_DEF_LOWERSTRIDEDCOPIESPASS
#include "compiler/Codegen/CPU/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// A memref.cast to the identity layout hides a strided view that
/// expand-strided-metadata exposes again before the LLVM lowering, which
/// then calls the C runner's memrefCopy (not linked) for a dynamic shape.
Value throughCasts(Value v) {
  while (auto c = v.getDefiningOp<memref::CastOp>())
    v = c.getSource();
  return v;
}

/// How many trailing dims of `type` are one contiguous block (static sizes,
/// row-major strides ending in 1).
int64_t contiguousTrailingDims(MemRefType type) {
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(getStridesAndOffset(type, strides, offset)))
    return 0;
  int64_t expected = 1, dims = 0;
  for (int64_t d = type.getRank() - 1; d >= 0; --d) {
    int64_t size = type.getDimSize(d);
    if (ShapedType::isDynamic(size) || strides[d] != expected)
      break;
    expected *= size;
    ++dims;
  }
  return dims;
}

/// Whether the LLVM lowering copies `type` with a memcpy (it calls the
/// unlinked memrefCopy otherwise).
bool copiesByMemcpy(MemRefType type) {
  return type.getLayout().isIdentity() ||
         (type.hasStaticShape() && type.getNumElements() > 0 &&
          memref::isStaticShapeAndContiguousRowMajor(type));
}

struct LowerStridedCopiesPass
    : kiln::impl::LowerStridedCopiesPassBase<LowerStridedCopiesPass> {
  using LowerStridedCopiesPassBase::LowerStridedCopiesPassBase;

  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    auto strided = [](Value v) {
      for (;;) {
        if (!cast<MemRefType>(v.getType()).getLayout().isIdentity())
          return true;
        auto c = v.getDefiningOp<memref::CastOp>();
        if (!c)
          return false;
        v = c.getSource();
      }
    };
    getOperation().walk([&](memref::CopyOp copy) {
      if (strided(copy.getSource()) || strided(copy.getTarget()))
        copies.push_back(copy);
    });
    IRRewriter rewriter(&getContext());
    for (memref::CopyOp copy : copies) {
      rewriter.setInsertionPoint(copy);
      if (succeeded(copyByRows(rewriter, copy)))
        continue;
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(), copy.getTarget());
    }
    SmallVector<linalg::GenericOp> generics;
    getOperation().walk([&](linalg::GenericOp op) { generics.push_back(op); });
    for (linalg::GenericOp op : generics)
      (void)copyGenericByRows(rewriter, op);
  }

  /// A generic that only copies (an im2col the vectorizer left whole), whose
  /// innermost loop walks the innermost dim of both buffers with step 1
  /// (`ow + kw` in the input, `ow` in the output), becomes loops over the
  /// other dims around a memref.copy of one row: a memcpy where LLVM kept
  /// the element loop scalar (it cannot tell that the buffers do not
  /// overlap).
  LogicalResult copyGenericByRows(RewriterBase &rewriter, linalg::GenericOp op) {
    if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
        op.getNumLoops() < 2 || op.getNumParallelLoops() != op.getNumLoops())
      return failure();
    Block *body = op.getBody();
    auto yield = cast<linalg::YieldOp>(body->getTerminator());
    if (body->getOperations().size() != 1 || yield.getNumOperands() != 1 ||
        yield.getOperand(0) != body->getArgument(0))
      return failure();
    Value input = op.getDpsInputs()[0], output = op.getDpsInits()[0];
    auto inType = dyn_cast<MemRefType>(input.getType());
    auto outType = dyn_cast<MemRefType>(output.getType());
    if (!inType || !outType || inType.getElementType() != outType.getElementType())
      return failure();
    Type elem = inType.getElementType();
    if (!elem.isIntOrFloat() || elem.getIntOrFloatBitWidth() % 8 != 0)
      return failure();
    // Both buffers static, their innermost dim contiguous.
    for (MemRefType type : {inType, outType}) {
      SmallVector<int64_t> strides;
      int64_t offset;
      if (!type.hasStaticShape() || type.getRank() == 0 ||
          failed(getStridesAndOffset(type, strides, offset)) || strides.back() != 1)
        return failure();
    }
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (llvm::any_of(ranges, ShapedType::isDynamic))
      return failure();
    unsigned numLoops = ranges.size(), inner = numLoops - 1;
    MLIRContext *ctx = op.getContext();
    AffineExpr innerDim = getAffineDimExpr(inner, ctx);
    // The innermost loop only in the last index, with coefficient 1.
    auto walksRow = [&](AffineMap map) {
      ArrayRef<AffineExpr> results = map.getResults();
      for (AffineExpr r : results.drop_back())
        if (r.isFunctionOfDim(inner))
          return false;
      AffineExpr last = results.back();
      AffineExpr rest = last.replace(innerDim, getAffineConstantExpr(0, ctx));
      return simplifyAffineExpr(last - rest, numLoops, map.getNumSymbols()) == innerDim;
    };
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    if (maps[0].getNumSymbols() != 0 || !walksRow(maps[0]) || !walksRow(maps[1]))
      return failure();

    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    Value zero = rewriter.create<arith::ConstantIndexOp>(loc, 0);
    Value one = rewriter.create<arith::ConstantIndexOp>(loc, 1);
    SmallVector<Value> bounds;
    for (unsigned d = 0; d < inner; ++d)
      bounds.push_back(ranges[d] > 1 ? rewriter.create<arith::ConstantIndexOp>(loc, ranges[d])
                                     : Value());
    SmallVector<OpFoldResult> dims(numLoops, rewriter.getIndexAttr(0));
    for (unsigned d = 0; d < inner; ++d) {
      if (!bounds[d])
        continue;
      auto loop = rewriter.create<scf::ForOp>(loc, zero, bounds[d], one);
      rewriter.setInsertionPointToStart(loop.getBody());
      dims[d] = loop.getInductionVar();
    }
    auto row = [&](Value buffer, AffineMap map) -> Value {
      int64_t rank = map.getNumResults();
      SmallVector<OpFoldResult> offsets, sizes(rank, rewriter.getIndexAttr(1)),
          strides(rank, rewriter.getIndexAttr(1));
      for (int64_t r = 0; r < rank; ++r)
        offsets.push_back(
            affine::makeComposedFoldedAffineApply(rewriter, loc, map.getSubMap({static_cast<unsigned>(r)}), dims));
      sizes.back() = rewriter.getIndexAttr(ranges[inner]);
      // The row alone (1-D), so that both sides have one shape.
      auto type = cast<MemRefType>(memref::SubViewOp::inferRankReducedResultType(
          {ranges[inner]}, cast<MemRefType>(buffer.getType()), offsets, sizes, strides));
      return rewriter.create<memref::SubViewOp>(loc, type, buffer, offsets, sizes, strides);
    };
    Value from = row(input, maps[0]), to = row(output, maps[1]);
    rewriter.create<memref::CopyOp>(loc, from, to);
    rewriter.eraseOp(op);
    return success();
  }

  /// Loops over the dims before the trailing block both sides hold
  /// contiguously, a memcpy-able memref.copy of that block inside.
  LogicalResult copyByRows(RewriterBase &rewriter, memref::CopyOp copy) {
    // The views behind casts: their strides are the real ones.
    Value sourceView = throughCasts(copy.getSource()), targetView = throughCasts(copy.getTarget());
    auto sourceType = cast<MemRefType>(sourceView.getType());
    auto targetType = cast<MemRefType>(targetView.getType());
    if (!sourceType.hasStaticShape() || sourceType.getShape() != targetType.getShape() ||
        sourceType.getElementType() != targetType.getElementType() ||
        sourceType.getNumElements() == 0)
      return failure();
    // memcpy of sub-byte elements (bools are i1) would count bytes wrongly.
    Type elem = sourceType.getElementType();
    if (!elem.isIntOrIndexOrFloat() || elem.isIndex() ||
        elem.getIntOrFloatBitWidth() % 8 != 0)
      return failure();
    int64_t rank = sourceType.getRank();
    int64_t inner = std::min(contiguousTrailingDims(sourceType),
                             contiguousTrailingDims(targetType));
    if (inner == 0)
      return failure();
    Location loc = copy.getLoc();
    if (inner == rank) {
      if (!copiesByMemcpy(sourceType) || !copiesByMemcpy(targetType))
        return failure();
      // One block: a memcpy between the views.
      if (sourceView != copy.getSource() || targetView != copy.getTarget())
        rewriter.replaceOpWithNewOp<memref::CopyOp>(copy, sourceView, targetView);
      return success();
    }
    ArrayRef<int64_t> shape = sourceType.getShape();
    SmallVector<int64_t> loopDims;
    for (int64_t d = 0; d < rank - inner; ++d)
      if (shape[d] != 1)
        loopDims.push_back(d);

    // The block at the loops' position: size 1 in the leading dims (no rank
    // reduction, whose choice of unit dims to drop could be ambiguous), so
    // its type is contiguous by construction.
    auto block = [&](Value buffer, ValueRange ivs) -> Value {
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes, strides(rank, rewriter.getIndexAttr(1));
      for (int64_t d = 0; d < rank; ++d)
        sizes.push_back(rewriter.getIndexAttr(d < rank - inner ? 1 : shape[d]));
      for (auto [d, iv] : llvm::zip(loopDims, ivs))
        offsets[d] = iv;
      return rewriter.create<memref::SubViewOp>(loc, buffer, offsets, sizes, strides);
    };

    bool parallelize =
        parallel && sourceType.getNumElements() >= minParallelElements && !loopDims.empty();
    Value zero = rewriter.create<arith::ConstantIndexOp>(loc, 0);
    Value one = rewriter.create<arith::ConstantIndexOp>(loc, 1);
    SmallVector<Value> bounds, ivs;
    for (int64_t d : loopDims)
      bounds.push_back(rewriter.create<arith::ConstantIndexOp>(loc, shape[d]));
    for (auto [k, d] : llvm::enumerate(loopDims)) {
      if (k == 0 && parallelize) {
        auto loop = rewriter.create<scf::ForallOp>(
            loc, ArrayRef<OpFoldResult>{rewriter.getIndexAttr(0)},
            ArrayRef<OpFoldResult>{rewriter.getIndexAttr(shape[d])},
            ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1)}, ValueRange{}, std::nullopt);
        rewriter.setInsertionPointToStart(loop.getBody());
        ivs.push_back(loop.getInductionVars()[0]);
        continue;
      }
      auto loop = rewriter.create<scf::ForOp>(loc, zero, bounds[k], one);
      rewriter.setInsertionPointToStart(loop.getBody());
      ivs.push_back(loop.getInductionVar());
    }
    Value source = block(sourceView, ivs), target = block(targetView, ivs);
    rewriter.create<memref::CopyOp>(loc, source, target);
    rewriter.eraseOp(copy);
    return success();
  }
};
} // namespace
