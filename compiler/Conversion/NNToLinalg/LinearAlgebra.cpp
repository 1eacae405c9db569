//===- LinearAlgebra.cpp - determinants to scf loops ---------------------===//
//
// nn.det is Gaussian elimination with partial pivoting, one matrix at a
// time: an scf.for over the batch, and in it the elimination as scf.for
// loops over a copy of the matrix (tensor.extract / tensor.insert, updated
// in place by bufferization). The matrices are small in the models that
// use Det; the loops favour clarity over vector width.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NNToLinalg/NNToLinalg.h"
#include "compiler/Conversion/NNToLinalg/NNToLinalgUtils.h"
#include "dialects/NN/IR/NNOps.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::nn;
using namespace kiln::nntolinalg;

namespace {

/// The determinant of the M x M matrix `a` (M = `m`, an index value).
Value determinant(OpBuilder &b, Location loc, Value a, Value m, Type elem) {
  Value c0 = b.create<arith::ConstantIndexOp>(loc, 0), c1 = b.create<arith::ConstantIndexOp>(loc, 1);
  Value one = scalar(b, loc, elem, 1.0), zero = scalar(b, loc, elem, 0.0);
  auto at = [&](OpBuilder &nb, Location l, Value t, Value i, Value j) -> Value {
    return nb.create<tensor::ExtractOp>(l, t, ValueRange{i, j});
  };
  auto column = b.create<scf::ForOp>(
      loc, c0, m, c1, ValueRange{a, one},
      [&](OpBuilder &b, Location l, Value k, ValueRange acc) {
        Value mat = acc[0], det = acc[1];
        // The pivot: the first row from k on with the largest magnitude in column k.
        Value kk = at(b, l, mat, k, k);
        Value k1 = b.create<arith::AddIOp>(l, k, c1);
        auto search = b.create<scf::ForOp>(
            l, k1, m, c1, ValueRange{k, b.create<math::AbsFOp>(l, kk)},
            [&](OpBuilder &b, Location l, Value i, ValueRange best) {
              Value mag = b.create<math::AbsFOp>(l, at(b, l, mat, i, k));
              Value better = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, mag, best[1]);
              b.create<scf::YieldOp>(
                  l, ValueRange{b.create<arith::SelectOp>(l, better, i, best[0]),
                                b.create<arith::SelectOp>(l, better, mag, best[1])});
            });
        Value p = search.getResult(0);
        // Swap rows k and p (a no-op when p == k).
        auto swap = b.create<scf::ForOp>(
            l, c0, m, c1, ValueRange{mat}, [&](OpBuilder &b, Location l, Value j, ValueRange t) {
              Value rowK = at(b, l, t[0], k, j), rowP = at(b, l, t[0], p, j);
              Value s = b.create<tensor::InsertOp>(l, rowP, t[0], ValueRange{k, j});
              s = b.create<tensor::InsertOp>(l, rowK, s, ValueRange{p, j});
              b.create<scf::YieldOp>(l, s);
            });
        mat = swap.getResult(0);
        Value pivot = at(b, l, mat, k, k);
        Value swapped = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::ne, p, k);
        Value signed_ = b.create<arith::SelectOp>(l, swapped, b.create<arith::NegFOp>(l, pivot),
                                                  pivot);
        det = b.create<arith::MulFOp>(l, det, signed_);
        // A zero pivot leaves det 0 and eliminates nothing (no 0 / 0).
        Value isZero = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OEQ, pivot, zero);
        Value inv = b.create<arith::SelectOp>(l, isZero, zero,
                                              b.create<arith::DivFOp>(l, one, pivot));
        auto rows = b.create<scf::ForOp>(
            l, k1, m, c1, ValueRange{mat}, [&](OpBuilder &b, Location l, Value i, ValueRange t) {
              Value f = b.create<arith::MulFOp>(l, at(b, l, t[0], i, k), inv);
              auto cols = b.create<scf::ForOp>(
                  l, k1, m, c1, ValueRange{t[0]},
                  [&](OpBuilder &b, Location l, Value j, ValueRange u) {
                    Value v = b.create<arith::SubFOp>(
                        l, at(b, l, u[0], i, j),
                        b.create<arith::MulFOp>(l, f, at(b, l, u[0], k, j)));
                    b.create<scf::YieldOp>(
                        l, ValueRange{b.create<tensor::InsertOp>(l, v, u[0], ValueRange{i, j})});
                  });
              b.create<scf::YieldOp>(l, cols.getResults());
            });
        b.create<scf::YieldOp>(l, ValueRange{rows.getResult(0), det});
      });
  return column.getResult(1);
}

struct DetLowering : OpConversionPattern<DetOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(DetOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType in = cast<RankedTensorType>(adaptor.getInput().getType());
    RankedTensorType type = op.getType();
    Type elem = type.getElementType();
    int64_t rank = in.getRank();
    SmallVector<Value> sizes = allSizes(rewriter, loc, adaptor.getInput());
    Value m = sizes[rank - 1];
    if (in.isDynamicDim(rank - 1) || in.isDynamicDim(rank - 2))
      assertEqual(rewriter, loc, op, sizes[rank - 2], m, "expects square matrices");
    // The batch as one dimension.
    Value count = rewriter.create<arith::ConstantIndexOp>(loc, 1);
    int64_t staticCount = 1;
    for (int64_t d = 0; d < rank - 2; ++d) {
      count = rewriter.createOrFold<arith::MulIOp>(loc, count, sizes[d]);
      staticCount = ShapedType::isDynamic(in.getDimSize(d)) || ShapedType::isDynamic(staticCount)
                        ? ShapedType::kDynamic
                        : staticCount * in.getDimSize(d);
    }
    auto flatType = RankedTensorType::get(
        {staticCount, in.getDimSize(rank - 2), in.getDimSize(rank - 1)}, elem);
    SmallVector<Value> flatDyn;
    for (int64_t d = 0; d < 3; ++d)
      if (flatType.isDynamicDim(d))
        flatDyn.push_back(d == 0 ? count : sizes[rank - 3 + d]);
    Value flat = reshapeTo(rewriter, loc, adaptor.getInput(), flatType, flatDyn);
    auto outFlatType = RankedTensorType::get({staticCount}, elem);
    Value out = emptyTensor(rewriter, loc, outFlatType,
                            staticCount == ShapedType::kDynamic ? ValueRange{count} : ValueRange{});
    Value c0 = rewriter.create<arith::ConstantIndexOp>(loc, 0);
    Value c1 = rewriter.create<arith::ConstantIndexOp>(loc, 1);
    auto matType = RankedTensorType::get({in.getDimSize(rank - 2), in.getDimSize(rank - 1)}, elem);
    auto batch = rewriter.create<scf::ForOp>(
        loc, c0, count, c1, ValueRange{out}, [&](OpBuilder &b, Location l, Value i, ValueRange acc) {
          SmallVector<OpFoldResult> offsets{i, b.getIndexAttr(0), b.getIndexAttr(0)};
          auto extent = [&](int64_t d) -> OpFoldResult {
            return in.isDynamicDim(d) ? OpFoldResult(sizes[d]) : b.getIndexAttr(in.getDimSize(d));
          };
          SmallVector<OpFoldResult> extents{b.getIndexAttr(1), extent(rank - 2), extent(rank - 1)};
          SmallVector<OpFoldResult> unit(3, b.getIndexAttr(1));
          Value mat = b.create<tensor::ExtractSliceOp>(l, matType, flat, offsets, extents, unit);
          Value det = determinant(b, l, mat, m, elem);
          b.create<scf::YieldOp>(l, ValueRange{b.create<tensor::InsertOp>(l, det, acc[0], i)});
        });
    SmallVector<Value> outDyn;
    for (int64_t d = 0; d < rank - 2; ++d)
      if (type.isDynamicDim(d))
        outDyn.push_back(sizes[d]);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, batch.getResult(0), type, outDyn));
    return success();
  }
};

} // namespace

void kiln::populateNNToLinalgLinearAlgebraPatterns(RewritePatternSet &patterns) {
  patterns.add<DetLowering>(patterns.getContext());
}
