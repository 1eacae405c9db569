//===- NNGradient.h - the gradient-rule interface of nn ops ----*- C++ -*-===//
//
// GradientOpInterface (NNGradientInterface.td) and the GradientEmitter its
// rules build with. The rules themselves are in dialects/NN/Gradients/; the
// reverse-mode driver is dialects/NN/Transforms/Autodiff.h.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECTS_NN_IR_NNGRADIENT_H
#define KILN_DIALECTS_NN_IR_NNGRADIENT_H

#include "dialects/NN/IR/NNOps.h"

#include "mlir/IR/Builders.h"

namespace kiln::nn {

/// What one gradient rule sees: the gradients reaching the op's results, which
/// operands need a gradient, and a builder (insertion point after everything
/// built so far) for the nn ops that compute them. Shapes are static.
class GradientEmitter {
public:
  GradientEmitter(mlir::OpBuilder &builder, mlir::Operation *op,
                  llvm::ArrayRef<mlir::Value> resultGrads, llvm::ArrayRef<bool> needed);

  mlir::OpBuilder &builder() { return b; }
  mlir::Location loc() const { return op->getLoc(); }
  mlir::Operation *getOp() const { return op; }

  /// The gradient of the loss with respect to result `i`, or null when none
  /// reaches it (the result does not influence the loss).
  mlir::Value resultGrad(unsigned i) const { return resultGrads[i]; }
  /// resultGrad(i), or zeros of the result's type when none reaches it.
  mlir::Value resultGradOrZeros(unsigned i);
  /// Whether operand `i` needs a gradient (it depends on a trained value).
  /// Rules build nothing for operands that do not.
  bool needs(unsigned i) const { return needed[i]; }
  /// Records the gradient of operand `i`; it must have the operand's type
  /// (checked by the driver).
  void setOperandGrad(unsigned i, mlir::Value grad) { operandGrads[i] = grad; }
  llvm::ArrayRef<mlir::Value> getOperandGrads() const { return operandGrads; }

  /// A rank-0 constant of float type `elem`.
  mlir::Value scalar(mlir::Type elem, double value);
  /// A constant of `type` with every element 0.
  mlir::Value zeros(mlir::RankedTensorType type);
  /// `grad`, of a shape that `type` was broadcast to (numpy's rules), summed
  /// back over the broadcast dimensions and reshaped to `type`.
  mlir::Value unbroadcast(mlir::Value grad, mlir::RankedTensorType type);
  /// `value` reshaped to `type` (same element count); `value` when equal.
  mlir::Value reshape(mlir::Value value, mlir::RankedTensorType type);
  /// nn.reduce_sum of `value` over `axes`.
  mlir::Value reduceSum(mlir::Value value, llvm::ArrayRef<int64_t> axes, bool keepDims);

private:
  mlir::OpBuilder &b;
  mlir::Operation *op;
  llvm::SmallVector<mlir::Value> resultGrads;
  llvm::SmallVector<bool> needed;
  llvm::SmallVector<mlir::Value> operandGrads;
};

} // namespace kiln::nn

#include "dialects/NN/IR/NNGradientInterface.h.inc"

#endif // KILN_DIALECTS_NN_IR_NNGRADIENT_H
