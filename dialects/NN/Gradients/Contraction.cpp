//===- Contraction.cpp - gradient rules of matmul, gemm and einsum ---------===//
//
// Matrix products differentiate into matrix products with one operand
// transposed: for Y = A B, dA = dY B^T and dB = A^T dY. Batch dimensions
// that broadcast are summed back (unbroadcast); a 1-D operand is a matrix
// with a unit dimension while differentiating. Gemm's gradients are gemms
// again, with the transposes folded into trans_a / trans_b and alpha.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/Gradients/GradientRules.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::gradient;

namespace {

/// `v` with its last two dimensions swapped.
Value transposeLast(GradientEmitter &e, Value v) {
  int64_t rank = typeOf(v).getRank();
  SmallVector<int64_t> perm;
  for (int64_t i = 0; i < rank; ++i)
    perm.push_back(i);
  std::swap(perm[rank - 2], perm[rank - 1]);
  return e.builder().create<TransposeOp>(e.loc(), v, e.builder().getDenseI64ArrayAttr(perm));
}

Value matmul(GradientEmitter &e, Value a, Value b) {
  return e.builder().create<MatMulOp>(e.loc(), a, b);
}

// Y = A B with numpy's matmul rules. With A2, B2 the operands as matrices
// (a 1-D lhs [K] is [1, K], a 1-D rhs [K] is [K, 1]) and dY2 dY reshaped to
// [batch..., M, N]: dA2 = dY2 B2^T, dB2 = A2^T dY2, each summed over the
// batch dimensions its operand broadcast along.
LogicalResult matmulGradient(MatMulOp op, GradientEmitter &e) {
  Value a = op.getLhs(), b = op.getRhs();
  RankedTensorType at = typeOf(a), bt = typeOf(b), yt = op.getType();
  Type elem = at.getElementType();
  bool aVector = at.getRank() == 1, bVector = bt.getRank() == 1;
  int64_t k = at.getShape().back();
  RankedTensorType a2t = aVector ? RankedTensorType::get({1, k}, elem) : at;
  RankedTensorType b2t = bVector ? RankedTensorType::get({k, 1}, elem) : bt;
  int64_t m = a2t.getDimSize(a2t.getRank() - 2), n = b2t.getShape().back();
  int64_t batchRank = yt.getRank() - (aVector ? 0 : 1) - (bVector ? 0 : 1);
  SmallVector<int64_t> dy2Shape(yt.getShape().take_front(batchRank));
  int64_t batchCount = 1;
  for (int64_t d : dy2Shape)
    batchCount *= d;
  dy2Shape.append({m, n});
  Value dy2 = e.reshape(e.resultGradOrZeros(0), RankedTensorType::get(dy2Shape, elem));
  Value a2 = e.reshape(a, a2t), b2 = e.reshape(b, b2t);

  if (e.needs(0)) {
    Value da = matmul(e, dy2, transposeLast(e, b2));
    e.setOperandGrad(0, e.reshape(e.unbroadcast(da, a2t), at));
  }
  if (e.needs(1)) {
    Value db;
    if (b2t.getRank() == 2 && batchRank > 0 && a2t.getRank() == batchRank + 2) {
      // A shared rhs (a linear layer on batched rows): one [K, B*M] x
      // [B*M, N] product sums the batch on the fly.
      auto rows = [&](Value v, int64_t cols) {
        return e.reshape(v, RankedTensorType::get({batchCount * m, cols}, elem));
      };
      db = matmul(e, transposeLast(e, rows(a2, k)), rows(dy2, n));
    } else {
      db = e.unbroadcast(matmul(e, transposeLast(e, a2), dy2), b2t);
    }
    e.setOperandGrad(1, e.reshape(db, bt));
  }
  return success();
}

Value gemm(GradientEmitter &e, Value a, Value b, double alpha, bool transA, bool transB) {
  OpBuilder &bld = e.builder();
  return bld.create<GemmOp>(e.loc(), a, b, Value(), bld.getF64FloatAttr(alpha),
                            bld.getF64FloatAttr(1.0), bld.getBoolAttr(transA),
                            bld.getBoolAttr(transB));
}

// Y = alpha op(A) op(B) + beta C. With A' = op(A), B' = op(B):
// dA' = alpha dY B'^T and dB' = alpha A'^T dY; a transposed operand takes
// the transpose of its gradient, which is again one gemm:
//   dA = trans_a ? alpha op(B) dY^T : alpha dY op(B)^T
//   dB = trans_b ? alpha dY^T op(A) : alpha op(A)^T dY
// and dC = beta dY summed back to C's shape.
LogicalResult gemmGradient(GemmOp op, GradientEmitter &e) {
  Value dy = e.resultGradOrZeros(0);
  double alpha = op.getAlpha().convertToDouble(), beta = op.getBeta().convertToDouble();
  bool transA = op.getTransA(), transB = op.getTransB();
  if (e.needs(0))
    e.setOperandGrad(0, transA ? gemm(e, op.getB(), dy, alpha, transB, true)
                               : gemm(e, dy, op.getB(), alpha, false, !transB));
  if (e.needs(1))
    e.setOperandGrad(1, transB ? gemm(e, dy, op.getA(), alpha, true, transA)
                               : gemm(e, op.getA(), dy, alpha, !transA, false));
  if (op.getC() && e.needs(2)) {
    RankedTensorType ct = typeOf(op.getC());
    Value dc = e.unbroadcast(dy, ct);
    if (beta != 1.0)
      dc = e.builder().create<MulOp>(e.loc(), dc, e.scalar(ct.getElementType(), beta));
    e.setOperandGrad(2, dc);
  }
  return success();
}

// An einsum is linear in each operand: the gradient of operand i is the
// einsum of the other operands and dY onto operand i's letters. Letters of
// operand i found nowhere else (summed in the forward) are broadcast: the
// einsum yields the rest and nn.expand restores them. A repeated letter in
// operand i (a diagonal) would need a diagonal scatter: refused.
LogicalResult einsumGradient(EinsumOp op, GradientEmitter &e) {
  auto parsed = parseEinsum(op.getEquation());
  if (failed(parsed)) // the verifier parsed it already
    return failure();
  auto &[letters, result] = *parsed;
  Value dy = e.resultGradOrZeros(0);
  OpBuilder &b = e.builder();
  for (auto [i, operand] : llvm::enumerate(op.getInputs())) {
    if (!e.needs(i))
      continue;
    const std::string &mine = letters[i];
    for (auto [j, c] : llvm::enumerate(mine))
      if (mine.find(c) != j)
        return op.emitOpError("expects distinct indices in differentiated operand ")
               << i << " ('" << mine << "'), found '" << c << "' repeated (a diagonal)";
    SmallVector<Value> inputs;
    std::string equation, elsewhere = result;
    for (auto [j, other] : llvm::enumerate(op.getInputs())) {
      if (j == i)
        continue;
      inputs.push_back(other);
      equation += letters[j] + ",";
      elsewhere += letters[j];
    }
    inputs.push_back(dy);
    std::string kept;
    SmallVector<int64_t> keptShape;
    RankedTensorType type = typeOf(operand);
    for (auto [d, c] : llvm::enumerate(mine)) {
      bool found = elsewhere.find(c) != std::string::npos;
      if (found)
        kept.push_back(c);
      keptShape.push_back(found ? type.getDimSize(d) : 1);
    }
    equation += result + "->" + kept;
    Value g = b.create<EinsumOp>(e.loc(), inputs, b.getStringAttr(equation));
    if (kept.size() != mine.size()) {
      g = e.reshape(g, type.clone(keptShape));
      g = b.create<ExpandOp>(e.loc(), g, b.getDenseI64ArrayAttr(type.getShape()));
    }
    e.setOperandGrad(i, g);
  }
  return success();
}

} // namespace

void kiln::nn::registerContractionGradients(MLIRContext *ctx) {
  attachGradient<MatMulOp, matmulGradient>(ctx);
  attachGradient<GemmOp, gemmGradient>(ctx);
  attachGradient<EinsumOp, einsumGradient>(ctx);
}
