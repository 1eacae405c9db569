//===- Loss.cpp - losses to linalg ---------------------------------------===//
//
// Losses: per-position terms in one generic, then the requested reduction.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NNToLinalg/IndexingUtils.h"
#include "compiler/Conversion/NNToLinalg/NNToLinalg.h"
#include "compiler/Conversion/NNToLinalg/NNToLinalgUtils.h"
#include "dialects/NN/IR/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::nn;
using namespace kiln::nntolinalg;

namespace {

/// One generic over the target's positions gives each position's loss and
/// weight (both 0 where the target is ignored), reading the input and the
/// weight at the clamped target; `sum` and `mean` reduce them.
struct NLLLossLowering : OpConversionPattern<NLLLossOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(NLLLossOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput(), weight = adaptor.getWeight();
    auto inType = cast<RankedTensorType>(input.getType());
    auto targetType = cast<RankedTensorType>(adaptor.getTarget().getType());
    Type elem = inType.getElementType();
    int64_t rank = targetType.getRank(), classes = inType.getDimSize(1);
    std::optional<int64_t> ignore = op.getIgnoreIndex();
    auto positionType = RankedTensorType::get(targetType.getShape(), elem);
    SmallVector<AffineMap> maps(3, rewriter.getMultiDimIdentityMap(rank));
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    // Only positions may be dynamic here (needsStaticSizes); the input's
    // must be the target's.
    SmallVector<Value> dyn = dynamicSizes(rewriter, loc, adaptor.getTarget());
    for (int64_t d = 0; d < rank; ++d)
      if (targetType.isDynamicDim(d) || inType.isDynamicDim(d == 0 ? 0 : d + 1))
        assertEqual(rewriter, loc, op, rewriter.create<tensor::DimOp>(loc, adaptor.getTarget(), d),
                    rewriter.createOrFold<tensor::DimOp>(loc, input, d == 0 ? 0 : d + 1),
                    "expects a target of the input's shape without its class dimension");
    // A class index outside [0, C) that is not ignore_index is an error (ONNX
    // and torch), checked before the read, also in loop and branch bodies
    // (kiln-entry-checks-to-errors); a constant target was checked by the
    // importer or is the user's IR. The read below still clamps, so nothing
    // leaves the input.
    if (!matchPattern(adaptor.getTarget(), m_Constant())) {
      Emitter e(rewriter, op);
      Value c = e.dimI64(input, 1);
      Value ok = allOf(rewriter, loc, adaptor.getTarget(),
                       [&](OpBuilder &b, Location, Value t, ValueRange) {
                         Emitter in(b, op);
                         t = in.toI64(t);
                         Value inRange = in.both(in.ge(t, in.i64(0)), in.lt(t, c));
                         return ignore ? in.either(inRange, in.eq(t, in.i64(*ignore))) : inRange;
                       });
      e.require(ok, "expects every target in [0, C)" +
                        (ignore ? " or ignore_index " + std::to_string(*ignore) : std::string()) +
                        ", found one outside");
    }
    Value lossInit = rewriter.create<tensor::EmptyOp>(loc, targetType.getShape(), elem, dyn);
    Value weightInit = rewriter.create<tensor::EmptyOp>(loc, targetType.getShape(), elem, dyn);
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{positionType, positionType}, adaptor.getTarget(),
        ValueRange{lossInit, weightInit}, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value t = args[0];
          Type it = t.getType();
          Value clamped = b.create<arith::MinSIOp>(
              l, b.create<arith::MaxSIOp>(l, t, scalar(b, l, it, 0)),
              scalar(b, l, it, static_cast<double>(classes - 1)));
          Value cls = b.create<arith::IndexCastOp>(l, b.getIndexType(), clamped);
          SmallVector<Value> at{b.create<linalg::IndexOp>(l, 0), cls};
          for (int64_t d = 1; d < rank; ++d)
            at.push_back(b.create<linalg::IndexOp>(l, d));
          Value logp = b.create<tensor::ExtractOp>(l, input, at);
          Value w = weight ? b.create<tensor::ExtractOp>(l, weight, cls).getResult()
                           : scalar(b, l, elem, 1);
          if (ignore) {
            Value ignored = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::eq, t,
                                                    scalar(b, l, it, static_cast<double>(*ignore)));
            w = b.create<arith::SelectOp>(l, ignored, scalar(b, l, elem, 0), w);
          }
          Value loss = b.create<arith::NegFOp>(l, b.create<arith::MulFOp>(l, logp, w));
          b.create<linalg::YieldOp>(l, ValueRange{loss, w});
        });
    Value losses = generic.getResult(0);
    StringRef reduction = op.getReduction();
    if (reduction == "none") {
      rewriter.replaceOp(op, losses);
      return success();
    }
    SmallVector<int64_t> all = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    auto add = [](OpBuilder &b, Location l, Value acc, Value x) -> Value {
      return b.create<arith::AddFOp>(l, acc, x);
    };
    Value zero = scalar(rewriter, loc, elem, 0);
    Value total = reduce(rewriter, loc, losses, all, zero, add);
    if (reduction == "mean") {
      Value weights = reduce(rewriter, loc, generic.getResult(1), all, zero, add);
      total = elementwise(rewriter, loc, cast<RankedTensorType>(total.getType()),
                          {total, weights}, [](OpBuilder &b, Location l, ValueRange a) -> Value {
                            return b.create<arith::DivFOp>(l, a[0], a[1]);
                          });
    }
    rewriter.replaceOp(op, total);
    return success();
  }
};

} // namespace

void kiln::populateNNToLinalgLossPatterns(RewritePatternSet &patterns) {
  patterns.add<NLLLossLowering>(patterns.getContext());
}
