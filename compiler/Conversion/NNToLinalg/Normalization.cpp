//===- Normalization.cpp - batch norm and softmax to linalg --------------===//
//
// Inference batch norm is one elementwise generic; softmax and log-softmax
// are max, shifted exp, sum and quotient along the axis.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NNToLinalg/NNToLinalg.h"
#include "compiler/Conversion/NNToLinalg/NNToLinalgUtils.h"
#include "dialects/NN/IR/NNOps.h"

#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::nn;
using namespace kiln::nntolinalg;

namespace {

struct BatchNormLowering : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank();
    AffineMap channel = AffineMap::get(rank, 0, getAffineDimExpr(1, ctx), ctx);
    SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank), channel, channel,
                                channel, channel};
    if (type.isDynamicDim(1)) {
      Value c = rewriter.create<tensor::DimOp>(loc, adaptor.getInput(), 1);
      for (Value p : {adaptor.getScale(), adaptor.getBias(), adaptor.getMean(),
                      adaptor.getVariance()})
        assertEqual(rewriter, loc, op, rewriter.createOrFold<tensor::DimOp>(loc, p, 0), c,
                    "expects per-channel parameters of the input's channel count");
    }
    Value eps = scalar(rewriter, loc, type.getElementType(), op.getEpsilon().convertToDouble());
    Value result = elementwise(
        rewriter, loc, type,
        {adaptor.getInput(), adaptor.getScale(), adaptor.getBias(), adaptor.getMean(),
         adaptor.getVariance()},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value inv = b.create<math::RsqrtOp>(l, b.create<arith::AddFOp>(l, a[4], eps));
          Value norm = b.create<arith::MulFOp>(l, b.create<arith::SubFOp>(l, a[0], a[3]), inv);
          return b.create<arith::AddFOp>(l, b.create<arith::MulFOp>(l, norm, a[1]), a[2]);
        },
        maps);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Softmax, or with `Log` log-softmax, along one axis: the maximum, the
/// shifted exponentials, their sum, then the quotient (or `x - max - log sum`).
template <typename Op, bool Log>
struct SoftmaxLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    Type elem = type.getElementType();
    int64_t rank = type.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    Value x = adaptor.getInput();
    SmallVector<AffineExpr> keep;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis)
        keep.push_back(getAffineDimExpr(d, ctx));
    SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank),
                                AffineMap::get(rank, 0, keep, ctx)};
    Value max = reduce(rewriter, loc, x, axis, extreme(rewriter, loc, elem, /*largest=*/false),
                       [](OpBuilder &b, Location l, Value acc, Value v) -> Value {
                         return b.create<arith::MaximumFOp>(l, acc, v);
                       });
    Value e = elementwise(
        rewriter, loc, type, {x, max},
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          return b.create<math::ExpOp>(l, b.create<arith::SubFOp>(l, a[0], a[1]));
        },
        maps);
    Value sum = reduce(rewriter, loc, e, axis, scalar(rewriter, loc, elem, 0),
                       [](OpBuilder &b, Location l, Value acc, Value v) -> Value {
                         return b.create<arith::AddFOp>(l, acc, v);
                       });
    Value result;
    if (Log) {
      SmallVector<AffineMap> logMaps{maps[0], maps[1], maps[1]};
      result = elementwise(
          rewriter, loc, type, {x, max, sum},
          [](OpBuilder &b, Location l, ValueRange a) -> Value {
            Value shifted = b.create<arith::SubFOp>(l, a[0], a[1]);
            return b.create<arith::SubFOp>(l, shifted, b.create<math::LogOp>(l, a[2]));
          },
          logMaps);
    } else {
      result = elementwise(
          rewriter, loc, type, {e, sum},
          [](OpBuilder &b, Location l, ValueRange a) -> Value {
            return b.create<arith::DivFOp>(l, a[0], a[1]);
          },
          maps);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void kiln::populateNNToLinalgNormalizationPatterns(RewritePatternSet &patterns) {
  patterns.add<BatchNormLowering, SoftmaxLowering<SoftmaxOp, false>,
               SoftmaxLowering<LogSoftmaxOp, true>>(patterns.getContext());
}
