//===- Training.cpp - training-mode dropout to linalg --------------------===//
//
// nn.dropout is one elementwise generic with two results (the scaled input
// and the mask). Each element's uniform number is Philox-4x32-10 of its
// linear index (and the optional offset) under the op's seed, so the mask
// depends on nothing but the seed, the offset and the position (not on
// tiling or threads). nn.batch_norm_training
// is decomposed by nn-decompose before this pass.
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

/// The low and high 32-bit words of an i64 value.
std::pair<Value, Value> splitWords(OpBuilder &b, Location loc, Value v) {
  Type i32 = b.getI32Type();
  Value shift = b.create<arith::ConstantOp>(loc, b.getIntegerAttr(b.getI64Type(), 32));
  return {b.create<arith::TruncIOp>(loc, i32, v),
          b.create<arith::TruncIOp>(loc, i32, b.create<arith::ShRUIOp>(loc, v, shift))};
}

/// Philox-4x32-10's first output word for the 128-bit counter (`index` low,
/// `index` high, `offset`) and the 64-bit key `seed`; `offset` holds counter
/// words 2 and 3 (i32 each), or is null for (0, 0).
Value philoxWord(OpBuilder &b, Location loc, Value index,
                 std::optional<std::pair<Value, Value>> offset, uint64_t seed) {
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  auto c32 = [&](uint32_t v) -> Value {
    return b.create<arith::ConstantOp>(loc, b.getIntegerAttr(i32, static_cast<int32_t>(v)));
  };
  Value c[4] = {b.create<arith::TruncIOp>(loc, i32, index),
                b.create<arith::TruncIOp>(
                    loc, i32,
                    b.create<arith::ShRUIOp>(
                        loc, index, b.create<arith::ConstantOp>(loc, b.getIntegerAttr(i64, 32)))),
                offset ? offset->first : c32(0), offset ? offset->second : c32(0)};
  uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  Value shift = b.create<arith::ConstantOp>(loc, b.getIntegerAttr(i64, 32));
  // The 64-bit product of two 32-bit words as (low, high). Written with i64
  // arithmetic rather than arith.mului_extended: vector lowering's
  // leading-unit-dim patterns do not terminate on that two-result op.
  auto mulHiLo = [&](uint32_t m, Value x) -> std::pair<Value, Value> {
    Value wide = b.create<arith::MulIOp>(
        loc, b.create<arith::ConstantOp>(loc, b.getIntegerAttr(i64, static_cast<int64_t>(m))),
        b.create<arith::ExtUIOp>(loc, i64, x));
    return {b.create<arith::TruncIOp>(loc, i32, wide),
            b.create<arith::TruncIOp>(loc, i32, b.create<arith::ShRUIOp>(loc, wide, shift))};
  };
  for (int round = 0; round < 10; ++round) {
    auto [lo0, hi0] = mulHiLo(0xD2511F53u, c[0]);
    auto [lo1, hi1] = mulHiLo(0xCD9E8D57u, c[2]);
    Value n0 = b.create<arith::XOrIOp>(loc, b.create<arith::XOrIOp>(loc, hi1, c[1]), c32(k0));
    Value n2 = b.create<arith::XOrIOp>(loc, b.create<arith::XOrIOp>(loc, hi0, c[3]), c32(k1));
    c[0] = n0;
    c[1] = lo1;
    c[2] = n2;
    c[3] = lo0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return c[0];
}

struct DropoutLowering : OpConversionPattern<DropoutOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(DropoutOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getOutput().getType();
    RankedTensorType maskType = op.getMask().getType();
    Type elem = type.getElementType();
    int64_t rank = type.getRank();
    Value input = adaptor.getInput();
    SmallVector<Value> dyn = dynamicSizes(rewriter, loc, input);
    SmallVector<Value> sizes = allSizes(rewriter, loc, input);
    // Row-major strides of the linear index.
    SmallVector<Value> strides(rank);
    Value stride = rewriter.create<arith::ConstantIndexOp>(loc, 1);
    for (int64_t d = rank - 1; d >= 0; --d) {
      strides[d] = stride;
      stride = rewriter.createOrFold<arith::MulIOp>(loc, stride, sizes[d]);
    }
    Value ratio = rewriter.create<tensor::ExtractOp>(loc, adaptor.getRatio(), ValueRange{});
    // Counter words 2 and 3, split once outside the loop.
    std::optional<std::pair<Value, Value>> offset;
    if (Value o = adaptor.getOffset())
      offset = splitWords(rewriter, loc,
                          rewriter.create<tensor::ExtractOp>(loc, o, ValueRange{}));
    Value one = scalar(rewriter, loc, elem, 1.0), zero = scalar(rewriter, loc, elem, 0.0);
    // 1 / (1 - ratio), and 0 when nothing is kept (ratio >= 1).
    Value scale = rewriter.create<arith::SelectOp>(
        loc, rewriter.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, ratio, one),
        rewriter.create<arith::DivFOp>(loc, one, rewriter.create<arith::SubFOp>(loc, one, ratio)),
        zero);
    uint64_t seed = static_cast<uint64_t>(op.getSeed());
    SmallVector<AffineMap> maps(3, rewriter.getMultiDimIdentityMap(rank));
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{type, maskType}, ValueRange{input},
        ValueRange{emptyTensor(rewriter, loc, type, dyn), emptyTensor(rewriter, loc, maskType, dyn)},
        maps, iters, [&](OpBuilder &b, Location l, ValueRange args) {
          Value linear = b.create<arith::ConstantIndexOp>(l, 0);
          for (int64_t d = 0; d < rank; ++d)
            linear = b.create<arith::AddIOp>(
                l, linear, b.create<arith::MulIOp>(l, b.create<linalg::IndexOp>(l, d), strides[d]));
          Value word = philoxWord(
              b, l, b.create<arith::IndexCastUIOp>(l, b.getI64Type(), linear), offset, seed);
          // The top 24 bits as a float in [0, 1): exact in f32.
          Value bits = b.create<arith::ShRUIOp>(
              l, word, b.create<arith::ConstantOp>(l, b.getI32IntegerAttr(8)));
          Value u = b.create<arith::MulFOp>(
              l, b.create<arith::UIToFPOp>(l, b.getF32Type(), bits),
              b.create<arith::ConstantOp>(l, b.getF32FloatAttr(1.0f / 16777216.0f)));
          u = convertElement(b, l, u, elem);
          Value keep = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGE, u, ratio);
          Value scaled = b.create<arith::MulFOp>(l, args[0], scale);
          Value y = b.create<arith::SelectOp>(l, keep, scaled, zero);
          b.create<linalg::YieldOp>(l, ValueRange{y, keep});
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

} // namespace

void kiln::populateNNToLinalgTrainingPatterns(RewritePatternSet &patterns) {
  patterns.add<DropoutLowering>(patterns.getContext());
}
