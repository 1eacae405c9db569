//===- NNConstantEval.h - constant folding of nn ops -----------*- C++ -*-===//
//
// One folding mechanism for the whole dialect: an evaluator that computes an
// op on constant operands by the op's own semantics (the ODS descriptions
// and the arithmetic convert-nn-to-linalg emits). The dialect registers it as
// its DialectFoldInterface, so Operation::fold reaches it for every nn op
// whose own fold() has nothing to say: canonicalization, createOrFold and the
// importer's per-node folding all see the same results.
//
// Only small tensors fold (shapes, pads, masks, index tables): every operand
// and the result must have at most kMaxFoldElements elements, so weights and
// anything computed from them stay ops.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECTS_NN_IR_NNCONSTANTEVAL_H
#define KILN_DIALECTS_NN_IR_NNCONSTANTEVAL_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/Operation.h"
#include "mlir/Interfaces/FoldInterfaces.h"

#include <optional>
#include <vector>

namespace kiln::nn {

/// The most elements an operand or the result of a folded op may have.
constexpr int64_t kMaxFoldElements = 64 * 1024;

/// Folds `op` when every operand is a constant (dense or dense_resource,
/// splats included) and the operands and the result are small enough;
/// failure otherwise, or when the evaluator refuses (an integer conversion
/// out of range, an op it does not evaluate).
mlir::LogicalResult foldConstantOp(mlir::Operation *op, llvm::ArrayRef<mlir::Attribute> operands,
                                   llvm::SmallVectorImpl<mlir::OpFoldResult> &results);

/// The elements of an integer constant (i1 as 0 and 1), or nothing when
/// `value` is not one Kiln can read.
std::optional<llvm::SmallVector<int64_t>> constantInts(mlir::Attribute value);
/// The elements of a numeric constant as doubles (integers converted).
std::optional<llvm::SmallVector<double>> constantFloats(mlir::Attribute value);

/// The dialect's fallback folder: foldConstantOp.
struct NNConstantFoldInterface : mlir::DialectFoldInterface {
  using DialectFoldInterface::DialectFoldInterface;
  mlir::LogicalResult fold(mlir::Operation *op, llvm::ArrayRef<mlir::Attribute> operands,
                           llvm::SmallVectorImpl<mlir::OpFoldResult> &results) const final {
    return foldConstantOp(op, operands, results);
  }
};

namespace eval {

/// A constant tensor on the host. Floats are held as doubles holding values
/// of the element type exactly (rounded after every operation); integers as
/// int64_t sign-extended from their width (unsigned ones of up to 32 bits
/// zero-extended, as operands only), i1 as 0 or 1.
struct Literal {
  mlir::RankedTensorType type;
  std::vector<double> f;
  std::vector<int64_t> i;

  bool isFloat() const { return mlir::isa<mlir::FloatType>(type.getElementType()); }
  mlir::Type elementType() const { return type.getElementType(); }
  llvm::ArrayRef<int64_t> shape() const { return type.getShape(); }
  int64_t size() const { return isFloat() ? f.size() : i.size(); }
  /// A literal of `type` with every element zero.
  static Literal zeros(mlir::RankedTensorType type);
};

std::optional<Literal> readLiteral(mlir::Attribute value);
mlir::DenseElementsAttr writeLiteral(const Literal &l);

/// `v` rounded to the float type `elem`.
double roundTo(mlir::Type elem, double v);
/// `v` wrapped to the width of the integer type `elem` (two's complement).
int64_t wrapTo(mlir::Type elem, int64_t v);

/// Row-major strides of `shape`.
llvm::SmallVector<int64_t> stridesOf(llvm::ArrayRef<int64_t> shape);
/// The coordinates of linear index `k` in `shape`.
void unravel(int64_t k, llvm::ArrayRef<int64_t> shape, llvm::SmallVectorImpl<int64_t> &coords);
/// For every element of `result`, the linear index of the element of an
/// operand of shape `shape` that numpy broadcasting reads there.
std::vector<int64_t> broadcastMap(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int64_t> result);
/// A literal of `type` whose element k is src's element map[k], or `fill`
/// (in the element type) where map[k] is negative.
Literal gather(const Literal &src, mlir::RankedTensorType type, llvm::ArrayRef<int64_t> map,
               double fill = 0);

/// One family of ops each: the result, or nothing when the op is not of the
/// family or its value is not evaluated.
std::optional<Literal> evalElementwise(mlir::Operation *op, llvm::ArrayRef<Literal> in);
std::optional<Literal> evalDataMovement(mlir::Operation *op, llvm::ArrayRef<Literal> in);
std::optional<Literal> evalReduction(mlir::Operation *op, llvm::ArrayRef<Literal> in);
std::optional<Literal> evalConvPool(mlir::Operation *op, llvm::ArrayRef<Literal> in);

} // namespace eval
} // namespace kiln::nn

#endif // KILN_DIALECTS_NN_IR_NNCONSTANTEVAL_H
