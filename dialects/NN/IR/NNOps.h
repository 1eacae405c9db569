//===- NNOps.h - the nn dialect --------------------------------*- C++ -*-===//

#ifndef KILN_DIALECTS_NN_IR_NNOPS_H
#define KILN_DIALECTS_NN_IR_NNOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/NN/IR/NNDialect.h.inc"

namespace kiln::nn {
/// Verifies an op by running its type inference before anything else looks at
/// its result types: a malformed op reports inference's own message (what was
/// expected, what was found) and nothing more, and a stated result type that
/// disagrees with the inferred one is named with both. Listed before
/// InferTypeOpInterface, whose generic "failed to infer returned types" then
/// never fires on a verified op.
template <typename ConcreteType>
class VerifiedByInference
    : public mlir::OpTrait::TraitBase<ConcreteType, VerifiedByInference> {
public:
  static mlir::LogicalResult verifyTrait(mlir::Operation *op) {
    llvm::SmallVector<mlir::Type, 1> inferred;
    if (mlir::failed(ConcreteType::inferReturnTypes(
            op->getContext(), op->getLoc(), op->getOperands(), op->getRawDictionaryAttrs(),
            op->getPropertiesStorage(), op->getRegions(), inferred)))
      return mlir::failure();
    if (!ConcreteType::isCompatibleReturnTypes(inferred, op->getResultTypes()))
      return op->emitOpError() << "expects result type " << mlir::TypeRange(inferred)
                               << " (inferred from the operands and attributes), found "
                               << op->getResultTypes();
    return mlir::success();
  }
};
} // namespace kiln::nn

#define GET_OP_CLASSES
#include "dialects/NN/IR/NNOps.h.inc"

namespace kiln::nn {

/// Broadcasts two shapes by numpy's rules; fails when a pair of dimensions
/// differs and neither is 1.
mlir::LogicalResult broadcastShapes(llvm::ArrayRef<int64_t> lhs,
                                    llvm::ArrayRef<int64_t> rhs,
                                    llvm::SmallVectorImpl<int64_t> &result);

/// Output size of one spatial dimension of a sliding window (convolution or
/// pooling); kDynamic stays kDynamic.
int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                         int64_t dilation, int64_t padBegin, int64_t padEnd,
                         bool ceilMode);

/// The letters of each operand and of the result in an explicit einsum
/// equation (`ab,bc->ac`); failure when it is not of that form.
mlir::FailureOr<std::pair<llvm::SmallVector<std::string>, std::string>>
parseEinsum(llvm::StringRef equation);

/// True for the activation names nn.lstm, nn.gru and nn.rnn take
/// (`sigmoid`, `tanh`, ..., `softplus`; NNRecurrentOps.td).
bool isRecurrentActivation(llvm::StringRef name);

/// How each dynamic dimension of an nn.reshape result is found: the index of
/// the input dimension it equals, or -1 for the one dimension that takes the
/// remaining element count (also -1 for static dimensions). None when the
/// result's dynamic dimensions are not determined by the input (see the op's
/// description).
std::optional<llvm::SmallVector<int64_t>> reshapeDimSources(llvm::ArrayRef<int64_t> in,
                                                            llvm::ArrayRef<int64_t> out);

/// Every result's sizes built from the operands' (tensor.dim and index
/// arithmetic; static sizes as attributes): the ReifyRankedShapedTypeOpInterface
/// of every nn op, and what the lowerings size their results with. Fails for
/// a dynamic size the op's rule does not know.
mlir::LogicalResult reifyNNResultShapes(mlir::OpBuilder &b, mlir::Operation *op,
                                        mlir::ReifiedRankedShapedTypeDims &shapes);

namespace detail {
/// Attaches ReifyRankedShapedTypeOpInterface to every nn op (NNShapes.cpp).
void attachReifyInterfaces(mlir::MLIRContext *ctx);
} // namespace detail

} // namespace kiln::nn

#endif // KILN_DIALECTS_NN_IR_NNOPS_H
