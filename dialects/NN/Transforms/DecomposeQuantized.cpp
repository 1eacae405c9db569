//===- DecomposeQuantized.cpp - quantize/dequantize as float arithmetic ---===//
//
// The float ops ONNX's reference computes (divide, round half to even, add
// the zero point, clip to the integer range, cast), so the result is exact:
// every value the clip lets through is an integer of the target type.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/Transforms/Passes.h"

#include <cmath>

using namespace mlir;
using namespace kiln::nn;

namespace {

/// A per-axis `param` ([C]) reshaped to broadcast along dimension `axis` of a
/// rank-`rank` tensor ([C, 1, ...]); a rank-0 one as it is.
Value alongAxis(PatternRewriter &rewriter, Location loc, Value param, int64_t axis,
                int64_t rank) {
  auto t = cast<RankedTensorType>(param.getType());
  if (t.getRank() == 0 || axis == rank - 1)
    return param;
  SmallVector<int64_t> shape{t.getDimSize(0)};
  shape.append(rank - 1 - axis, 1);
  return rewriter.create<ReshapeOp>(loc, t.clone(shape), param);
}

/// `v` with element type `elem` (nn.cast unless it already has it).
Value castTo(PatternRewriter &rewriter, Location loc, Value v, Type elem) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getElementType() == elem)
    return v;
  return rewriter.create<CastOp>(loc, t.clone(elem), v);
}

struct DecomposeQuantizeLinear : OpRewritePattern<QuantizeLinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeLinearOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto in = cast<RankedTensorType>(op.getInput().getType());
    Type f = in.getElementType().isF64() ? Type(rewriter.getF64Type()) : rewriter.getF32Type();
    Type q = op.getType().getElementType();
    int64_t rank = in.getRank(), axis = op.getAxis();
    Value x = castTo(rewriter, loc, op.getInput(), f);
    Value scale = castTo(rewriter, loc, alongAxis(rewriter, loc, op.getScale(), axis, rank), f);
    Value zp = castTo(rewriter, loc, alongAxis(rewriter, loc, op.getZeroPoint(), axis, rank), f);
    Value y = rewriter.create<RoundOp>(loc, rewriter.create<DivOp>(loc, x, scale));
    y = rewriter.create<AddOp>(loc, y, zp);
    unsigned width = q.getIntOrFloatBitWidth();
    double lo = q.isUnsignedInteger() ? 0 : -std::ldexp(1.0, width - 1);
    double hi = q.isUnsignedInteger() ? std::ldexp(1.0, width) - 1 : std::ldexp(1.0, width - 1) - 1;
    y = rewriter.create<ClipOp>(loc, y, rewriter.getF64FloatAttr(lo), rewriter.getF64FloatAttr(hi));
    rewriter.replaceOp(op, castTo(rewriter, loc, y, q));
    return success();
  }
};

struct DecomposeDequantizeLinear : OpRewritePattern<DequantizeLinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DequantizeLinearOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type f = op.getType().getElementType();
    int64_t rank = op.getType().getRank(), axis = op.getAxis();
    Value x = castTo(rewriter, loc, op.getInput(), f);
    Value scale = alongAxis(rewriter, loc, op.getScale(), axis, rank);
    Value zp = castTo(rewriter, loc, alongAxis(rewriter, loc, op.getZeroPoint(), axis, rank), f);
    Value y = rewriter.create<MulOp>(loc, rewriter.create<SubOp>(loc, x, zp), scale);
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void kiln::nn::populateNNDecomposeQuantizedPatterns(RewritePatternSet &patterns) {
  patterns.add<DecomposeQuantizeLinear, DecomposeDequantizeLinear>(patterns.getContext());
}
