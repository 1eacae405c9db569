//===- NNOps.h - the nn dialect --------------------------------*- C++ -*-===//

#ifndef KILN_DIALECTS_NN_NNOPS_H
#define KILN_DIALECTS_NN_NNOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/NN/NNDialect.h.inc"

#define GET_OP_CLASSES
#include "dialects/NN/NNOps.h.inc"

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

} // namespace kiln::nn

#endif // KILN_DIALECTS_NN_NNOPS_H
