//===- Contraction.cpp - matmul, gemm and einsum to linalg ---------------===//
//
// Contractions: linalg.matmul for plain 2-D products, a generic with
// batch/m/n/k dims otherwise, and one generic per einsum equation.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NNToLinalg/NNToLinalg.h"
#include "compiler/Conversion/NNToLinalg/NNToLinalgUtils.h"
#include "dialects/NN/IR/NNOps.h"

#include "mlir/Transforms/DialectConversion.h"

#include <map>

using namespace mlir;
using namespace kiln;
using namespace kiln::nn;
using namespace kiln::nntolinalg;

namespace {

struct MatMulLowering : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto lt = cast<RankedTensorType>(lhs.getType());
    auto rt = cast<RankedTensorType>(rhs.getType());
    Type elem = lt.getElementType();
    // Vectors become matrices; the unit dim is dropped again at the end.
    if (lt.getRank() == 1) {
      lt = RankedTensorType::get({1, lt.getDimSize(0)}, elem);
      lhs = reshapeTo(rewriter, loc, lhs, lt);
    }
    if (rt.getRank() == 1) {
      rt = RankedTensorType::get({rt.getDimSize(0), 1}, elem);
      rhs = reshapeTo(rewriter, loc, rhs, rt);
    }
    SmallVector<int64_t> batch;
    (void)broadcastShapes(lt.getShape().drop_back(2), rt.getShape().drop_back(2), batch);
    int64_t m = lt.getShape().end()[-2], n = rt.getShape().back();
    SmallVector<int64_t> shape(batch);
    shape.append({m, n});
    auto fullType = RankedTensorType::get(shape, elem);
    // The result's sizes with the vectors' unit dims are the same dynamic
    // sizes; the contracted and batch dims are checked at run time.
    SmallVector<Value> dyn = *resultSizes(rewriter, op);
    if (!lt.hasStaticShape() || !rt.hasStaticShape()) {
      Value lk = rewriter.createOrFold<tensor::DimOp>(loc, lhs, lt.getRank() - 1);
      Value rk = rewriter.createOrFold<tensor::DimOp>(loc, rhs, rt.getRank() - 2);
      assertEqual(rewriter, loc, op, lk, rk, "expects the contracted dimensions to be equal");
      SmallVector<Value> sizes;
      size_t next = 0;
      for (int64_t d : ArrayRef<int64_t>(shape).drop_back(2))
        sizes.push_back(ShapedType::isDynamic(d)
                            ? dyn[next++]
                            : rewriter.create<arith::ConstantIndexOp>(loc, d).getResult());
      for (Value v : {lhs, rhs}) {
        auto t = cast<RankedTensorType>(v.getType());
        int64_t tb = t.getRank() - 2, offset = sizes.size() - tb;
        for (int64_t i = 0; i < tb; ++i)
          if (t.getDimSize(i) != 1)
            assertEqual(rewriter, loc, op, rewriter.createOrFold<tensor::DimOp>(loc, v, i),
                        sizes[offset + i],
                        "expects dim " + llvm::Twine(offset + i) +
                            " of the operands to be equal (a dynamic size does not broadcast)");
      }
    }
    Value zero = scalar(rewriter, loc, elem, 0);
    Value result;
    if (batch.empty()) {
      Value init = filled(rewriter, loc, fullType, zero, dyn);
      result = rewriter.create<linalg::MatmulOp>(loc, ValueRange{lhs, rhs}, init).getResult(0);
    } else if (lt.getRank() == 3 && rt.getRank() == 3 && lt.getDimSize(0) == rt.getDimSize(0)) {
      // One batch dim on both sides (no broadcasting): linalg.batch_matmul.
      // More batch dims stay a generic: collapsing them into one would be
      // undone by elementwise fusion, which folds the reshapes back by
      // expansion (measured in docs/lowering-choices.md).
      Value init = filled(rewriter, loc, fullType, zero, dyn);
      result = rewriter.create<linalg::BatchMatmulOp>(loc, ValueRange{lhs, rhs}, init).getResult(0);
    } else {
      Value init = filled(rewriter, loc, fullType, zero, dyn);
      // Batch dims, then m, n, k.
      size_t nb = batch.size();
      auto operandMap = [&](RankedTensorType t, int64_t row, int64_t col) {
        SmallVector<AffineExpr> exprs;
        size_t tb = t.getRank() - 2;
        for (size_t i = 0; i < tb; ++i) {
          size_t d = nb - tb + i;
          exprs.push_back(t.getDimSize(i) == 1 && batch[d] != 1
                              ? getAffineConstantExpr(0, ctx)
                              : getAffineDimExpr(d, ctx));
        }
        exprs.push_back(getAffineDimExpr(row, ctx));
        exprs.push_back(getAffineDimExpr(col, ctx));
        return AffineMap::get(nb + 3, 0, exprs, ctx);
      };
      SmallVector<AffineExpr> outExprs;
      for (size_t d = 0; d < nb + 2; ++d)
        outExprs.push_back(getAffineDimExpr(d, ctx));
      SmallVector<AffineMap> maps{operandMap(lt, nb, nb + 2), operandMap(rt, nb + 2, nb + 1),
                                  AffineMap::get(nb + 3, 0, outExprs, ctx)};
      SmallVector<utils::IteratorType> iters(nb + 2, utils::IteratorType::parallel);
      iters.push_back(utils::IteratorType::reduction);
      result = rewriter
                   .create<linalg::GenericOp>(
                       loc, fullType, ValueRange{lhs, rhs}, init, maps, iters,
                       [&](OpBuilder &b, Location l, ValueRange args) {
                         b.create<linalg::YieldOp>(l, multiplyAdd(b, l, args[2], args[0], args[1]));
                       })
                   .getResult(0);
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, result, op.getType(), dyn));
    return success();
  }
};

/// Einsum: one generic whose dimensions are the result's letters (parallel)
/// then the summed ones (reduction); each operand reads its letters, so a
/// repeated letter reads a diagonal.
struct EinsumLowering : OpConversionPattern<EinsumOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(EinsumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto [operands, result] = *parseEinsum(op.getEquation());
    std::string letters = result;
    for (const std::string &o : operands)
      for (char c : o)
        if (letters.find(c) == std::string::npos)
          letters.push_back(c);
    auto dim = [&](char c) { return getAffineDimExpr(letters.find(c), ctx); };
    SmallVector<AffineMap> maps;
    for (const std::string &o : operands) {
      SmallVector<AffineExpr> exprs;
      for (char c : o)
        exprs.push_back(dim(c));
      maps.push_back(AffineMap::get(letters.size(), 0, exprs, ctx));
    }
    SmallVector<AffineExpr> outExprs;
    for (char c : result)
      outExprs.push_back(dim(c));
    maps.push_back(AffineMap::get(letters.size(), 0, outExprs, ctx));
    SmallVector<utils::IteratorType> iters(result.size(), utils::IteratorType::parallel);
    iters.append(letters.size() - result.size(), utils::IteratorType::reduction);
    RankedTensorType type = op.getType();
    Type elem = type.getElementType();
    // Every operand's size of a letter must be the one the result uses.
    SmallVector<Value> dyn = *resultSizes(rewriter, op);
    if (llvm::any_of(adaptor.getInputs(), [](Value v) {
          return !cast<RankedTensorType>(v.getType()).hasStaticShape();
        })) {
      std::map<char, Value> letterSize;
      for (auto [i, v] : llvm::enumerate(adaptor.getInputs()))
        for (auto [d, c] : llvm::enumerate(operands[i])) {
          Value s = rewriter.createOrFold<tensor::DimOp>(loc, v, d);
          auto [it, inserted] = letterSize.try_emplace(c, s);
          if (!inserted)
            assertEqual(rewriter, loc, op, it->second, s,
                        "expects one size for index '" + llvm::Twine(c) + "'");
        }
    }
    Value init = filled(rewriter, loc, type, scalar(rewriter, loc, elem, 0), dyn);
    bool fp = isFloat(elem);
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, type, adaptor.getInputs(), init, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value prod = args[0];
          for (Value v : args.drop_front().drop_back())
            prod = fp ? b.create<arith::MulFOp>(l, prod, v).getResult()
                      : b.create<arith::MulIOp>(l, prod, v).getResult();
          Value acc = args.back();
          b.create<linalg::YieldOp>(l, fp ? b.create<arith::AddFOp>(l, acc, prod).getResult()
                                          : b.create<arith::AddIOp>(l, acc, prod).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct GemmLowering : OpConversionPattern<GemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    Type elem = type.getElementType();
    double alpha = op.getAlpha().convertToDouble(), beta = op.getBeta().convertToDouble();
    // The accumulator starts as beta * c broadcast to [M, N], or zero.
    SmallVector<Value> dyn = *resultSizes(rewriter, op);
    Value a = adaptor.getA(), bm = adaptor.getB();
    bool dynamic = !cast<RankedTensorType>(a.getType()).hasStaticShape() ||
                   !cast<RankedTensorType>(bm.getType()).hasStaticShape() ||
                   (adaptor.getC() &&
                    !cast<RankedTensorType>(adaptor.getC().getType()).hasStaticShape());
    if (dynamic) {
      bool ta = op.getTransA(), tb = op.getTransB();
      assertEqual(rewriter, loc, op, rewriter.createOrFold<tensor::DimOp>(loc, a, ta ? 0 : 1),
                  rewriter.createOrFold<tensor::DimOp>(loc, bm, tb ? 1 : 0),
                  "expects the contracted dimensions to be equal");
      if (Value c = adaptor.getC())
        assertBroadcast(rewriter, loc, op, c,
                        {rewriter.createOrFold<tensor::DimOp>(loc, a, ta ? 1 : 0),
                         rewriter.createOrFold<tensor::DimOp>(loc, bm, tb ? 0 : 1)});
    }
    Value init;
    if (Value c = adaptor.getC(); c && beta != 0.0) {
      Value betaV = scalar(rewriter, loc, elem, beta);
      init = elementwise(
          rewriter, loc, type, c,
          [&](OpBuilder &b, Location l, ValueRange args) -> Value {
            if (beta == 1.0)
              return args[0];
            return b.create<arith::MulFOp>(l, args[0], betaV);
          },
          {}, dyn);
    } else {
      init = filled(rewriter, loc, type, scalar(rewriter, loc, elem, 0), dyn);
    }
    AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
               k = getAffineDimExpr(2, ctx);
    SmallVector<AffineMap> maps{
        AffineMap::get(3, 0, op.getTransA() ? ArrayRef<AffineExpr>{k, m} : ArrayRef<AffineExpr>{m, k}, ctx),
        AffineMap::get(3, 0, op.getTransB() ? ArrayRef<AffineExpr>{n, k} : ArrayRef<AffineExpr>{k, n}, ctx),
        AffineMap::get(3, 0, {m, n}, ctx)};
    SmallVector<utils::IteratorType> iters{utils::IteratorType::parallel,
                                           utils::IteratorType::parallel,
                                           utils::IteratorType::reduction};
    Value alphaV = scalar(rewriter, loc, elem, alpha);
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, type, ValueRange{adaptor.getA(), adaptor.getB()}, init, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value prod = b.create<arith::MulFOp>(l, args[0], args[1]);
          if (alpha != 1.0)
            prod = b.create<arith::MulFOp>(l, prod, alphaV);
          b.create<linalg::YieldOp>(l, b.create<arith::AddFOp>(l, args[2], prod).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void kiln::populateNNToLinalgContractionPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulLowering, GemmLowering, EinsumLowering>(patterns.getContext());
}
