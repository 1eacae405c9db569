//===- IndexingUtils.h - helpers of the data-dependent lowerings -*- C++ -*-===//
//
// Internal to compiler/Conversion/NNToLinalg/Indexing*.cpp. Values read
// from data (indices, counts, pads) are checked with a cf.assert before any
// computed index reads or writes memory; the checks are built at the op's
// position, an entry's top level or a loop or branch body (ONNX Loop, If),
// and code generation turns a failed one into an error return
// (docs/model-abi.md). Scalar loops (scatters, compaction) are scf.for over
// tensors; their indices are also clamped, so no access leaves a buffer
// while a body whose check failed runs to its end.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_CONVERSION_NNTOLINALG_INDEXINGUTILS_H
#define KILN_COMPILER_CONVERSION_NNTOLINALG_INDEXINGUTILS_H

#include "compiler/Conversion/NNToLinalg/NNToLinalgUtils.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace kiln::nntolinalg {

/// i64 and index arithmetic, reads of small operands, and run-time checks
/// for one op (messages start with the node's label).
class Emitter {
public:
  Emitter(OpBuilder &b, mlir::Operation *op) : b(b), loc(op->getLoc()), prefix(checkPrefix(op)) {}

  Value i64(int64_t v) { return b.create<mlir::arith::ConstantIntOp>(loc, v, 64); }
  Value idx(int64_t v) { return b.create<mlir::arith::ConstantIndexOp>(loc, v); }
  Value toI64(Value v) {
    if (v.getType().isIndex())
      return b.create<mlir::arith::IndexCastOp>(loc, b.getI64Type(), v);
    if (v.getType().getIntOrFloatBitWidth() < 64)
      return b.create<mlir::arith::ExtSIOp>(loc, b.getI64Type(), v);
    return v;
  }
  Value toIdx(Value v) {
    return v.getType().isIndex()
               ? v
               : b.create<mlir::arith::IndexCastOp>(loc, b.getIndexType(), toI64(v));
  }
  /// Dim `d` of `t` as i64 / as index.
  Value dimI64(Value t, int64_t d) { return toI64(dimIdx(t, d)); }
  Value dimIdx(Value t, int64_t d) { return b.createOrFold<mlir::tensor::DimOp>(loc, t, d); }
  /// Every element of a small static 1-D tensor, and the one element of a
  /// one-element tensor of any rank.
  llvm::SmallVector<Value> all(Value vec);
  Value only(Value t);

  Value cmp(mlir::arith::CmpIPredicate p, Value x, Value y) {
    return b.create<mlir::arith::CmpIOp>(loc, p, x, y);
  }
  Value eq(Value x, Value y) { return cmp(mlir::arith::CmpIPredicate::eq, x, y); }
  Value lt(Value x, Value y) { return cmp(mlir::arith::CmpIPredicate::slt, x, y); }
  Value le(Value x, Value y) { return cmp(mlir::arith::CmpIPredicate::sle, x, y); }
  Value ge(Value x, Value y) { return cmp(mlir::arith::CmpIPredicate::sge, x, y); }
  Value gt(Value x, Value y) { return cmp(mlir::arith::CmpIPredicate::sgt, x, y); }
  Value sel(Value c, Value x, Value y) { return b.create<mlir::arith::SelectOp>(loc, c, x, y); }
  Value add(Value x, Value y) { return b.create<mlir::arith::AddIOp>(loc, x, y); }
  Value sub(Value x, Value y) { return b.create<mlir::arith::SubIOp>(loc, x, y); }
  Value mul(Value x, Value y) { return b.create<mlir::arith::MulIOp>(loc, x, y); }
  Value max(Value x, Value y) { return b.create<mlir::arith::MaxSIOp>(loc, x, y); }
  Value min(Value x, Value y) { return b.create<mlir::arith::MinSIOp>(loc, x, y); }
  Value clamp(Value x, Value lo, Value hi) { return min(max(x, lo), hi); }
  Value both(Value x, Value y) { return b.create<mlir::arith::AndIOp>(loc, x, y); }
  Value either(Value x, Value y) { return b.create<mlir::arith::OrIOp>(loc, x, y); }
  Value yes() { return b.create<mlir::arith::ConstantIntOp>(loc, 1, 1); }

  /// Fails the run with `message` (after the node label) unless `ok`.
  void require(Value ok, const llvm::Twine &message) {
    b.create<mlir::cf::AssertOp>(loc, ok, prefix + message.str());
  }
  /// Checks i64 `dims` against the static dims of `type` (`what`: "the result").
  void requireStatic(RankedTensorType type, ArrayRef<Value> dims, llvm::StringRef what);
  /// Fails the run unless `dims` (i64, each >= 0) hold at most 2^40 bytes of
  /// `type`'s elements, so a size from data never wraps or exhausts memory.
  void requireAllocatable(RankedTensorType type, ArrayRef<Value> dims);
  /// The dynamic sizes of `type` among i64 `dims`, as index values.
  llvm::SmallVector<Value> dynamicSizes(RankedTensorType type, ArrayRef<Value> dims);

  OpBuilder &b;
  Location loc;
  std::string prefix;
};

/// True when `pred(element, coordinates)` holds for every element of
/// `tensor` (a reduction generic into an i1); true for no elements.
Value allOf(OpBuilder &b, Location loc, Value tensor,
            llvm::function_ref<Value(OpBuilder &, Location, Value, ValueRange)> pred);

/// The number of elements of `tensor` for which `pred` holds, as i64.
Value countOf(OpBuilder &b, Location loc, Value tensor,
              llvm::function_ref<Value(OpBuilder &, Location, Value, ValueRange)> pred);

/// `old` combined with `update` by a scatter reduction (none, add, mul,
/// max, min).
Value combine(OpBuilder &b, Location loc, llvm::StringRef reduction, Value old, Value update);

/// An ONNX index `k` (any integer type) into a dim of size `n` (i64): a
/// negative one counts from the end; the result is clamped into [0, n - 1]
/// (0 when n is 0) and is an index.
Value wrapAndClamp(Emitter &e, Value k, Value n);

/// An scf.for nest over `ubs` (index, from 0 by 1) carrying `inits`; with
/// no bounds, `body` runs once in place.
using LoopBody =
    llvm::function_ref<mlir::scf::ValueVector(OpBuilder &, Location, ValueRange, ValueRange)>;
mlir::scf::ValueVector loopNest(OpBuilder &b, Location loc, ArrayRef<Value> ubs, ValueRange inits,
                                LoopBody body);

/// An scf.if yielding `then`'s values when `cond` holds, else `args`.
using BranchBody = llvm::function_ref<mlir::scf::ValueVector(OpBuilder &, Location)>;
mlir::scf::ValueVector ifThen(OpBuilder &b, Location loc, Value cond, ValueRange args,
                              BranchBody then);

/// `x != 0` (NaN is non-zero; for i1, true).
Value isNonZero(OpBuilder &b, Location loc, Value x);

} // namespace kiln::nntolinalg

namespace kiln {
/// The lowerings of IndexingDynamic.cpp (non_zero, compress, unique) and
/// IndexingPool.cpp (max_pool_indices, max_unpool, non_max_suppression).
void populateNNToLinalgIndexingDynamicPatterns(mlir::RewritePatternSet &patterns);
void populateNNToLinalgIndexingPoolPatterns(mlir::RewritePatternSet &patterns);
} // namespace kiln

#endif // KILN_COMPILER_CONVERSION_NNTOLINALG_INDEXINGUTILS_H
