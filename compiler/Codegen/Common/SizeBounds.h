//===- SizeBounds.h - upper bounds of run-time sizes from --dim-bound -*- C++ -*-===//
//
// kiln-plan-memory places a dynamically shaped buffer in the workspace at its
// largest size when every size it has is bounded by the entry's `bounds`.
// The runtime checks each input's dims against the signature (static dims
// equal, bounded symbols at most their bound) before anything runs, so a
// range derived here from those dims holds for every run.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_CODEGEN_COMMON_SIZEBOUNDS_H
#define KILN_COMPILER_CODEGEN_COMMON_SIZEBOUNDS_H

#include "compiler/Codegen/Common/ModelABI.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

#include <set>

namespace kiln {

/// What an index value can be at run time: the closed range [lo, hi] when
/// `known`, else why not (`unbounded symbol N`, `data-dependent size`, ...).
/// `symbols` are the bounded symbols the range rests on. `tight`: the value
/// is `hi` when every symbol is at its bound (it grows with the symbols), so
/// a buffer planned at `hi` is no larger than a run at the bounds needs; a
/// range that joins two different shapes (a select the ranges do not
/// decide) is sound but may be far above any run's size.
struct SizeBound {
  bool known = false;
  bool tight = true;
  int64_t lo = 0, hi = 0;
  std::string why;
  std::set<std::string> symbols;

  static SizeBound exactly(int64_t v) { return range(v, v); }
  static SizeBound range(int64_t lo, int64_t hi) {
    SizeBound b;
    b.known = true;
    b.lo = lo;
    b.hi = hi;
    return b;
  }
  static SizeBound unknown(std::string why) {
    SizeBound b;
    b.why = std::move(why);
    return b;
  }
};

/// Ranges of the index values of one entry function, from its inputs' dims:
/// a static dim is that size, a bounded symbol 0 to its bound, an unbounded
/// one no range. Arithmetic (arith add/sub/mul/div/rem/min/max/select/casts,
/// affine.apply/min/max) is followed in i64 with every overflow a failure;
/// a select whose condition the ranges decide takes that side, and each side
/// of one compared against a constant keeps what the comparison leaves. A
/// value loaded from a small top-level buffer is followed to the store, the
/// constant vector, the copy or the scalar linalg.generic that last wrote
/// it (run-time shapes are built that way); any other value read from memory
/// is data-dependent.
class SizeBoundAnalysis {
public:
  /// `positive`, when given, splits the runs into cases: a symbol it maps
  /// to true is 1 to its bound, one it maps to false is 0.
  SizeBoundAnalysis(mlir::func::FuncOp func, llvm::ArrayRef<abi::TensorSpec> inputs,
                    const std::map<std::string, int64_t> &bounds,
                    std::map<std::string, bool> positive = {})
      : func(func), inputs(inputs), bounds(bounds), positive(std::move(positive)) {}

  /// The range of `value`, an integer or index.
  const SizeBound &get(mlir::Value value);

  /// The largest bytes of a buffer of `type` whose dynamic sizes are
  /// `sizes`, with the symbols it rests on, or why it has no bound (a size
  /// without one, or more than `limit` bytes).
  SizeBound bytesAtBounds(mlir::MemRefType type, mlir::ValueRange sizes, int64_t limit);

private:
  SizeBound compute(mlir::Value value);
  SizeBound dimOf(mlir::Value source, int64_t axis);
  SizeBound select(mlir::Value condition, mlir::Value onTrue, mlir::Value onFalse);
  /// A comparison or a logical op on i1 values: 0 or 1 when the ranges
  /// decide it, else 0 to 1.
  SizeBound predicate(mlir::Operation *op);
  /// The value of element `element` (row-major) of `buffer` just before
  /// `before`, an op of the function's top-level block.
  SizeBound valueAt(mlir::Value buffer, int64_t element, mlir::Operation *before);

  mlir::func::FuncOp func;
  llvm::ArrayRef<abi::TensorSpec> inputs;
  const std::map<std::string, int64_t> &bounds;
  std::map<std::string, bool> positive;
  llvm::DenseMap<mlir::Value, SizeBound> cache;
};

} // namespace kiln

#endif // KILN_COMPILER_CODEGEN_COMMON_SIZEBOUNDS_H
