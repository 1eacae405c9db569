//===- HostTensor.h - integer tensors folded at import --------*- C++ -*-===//
//
// Exporters wrap Reshape in shape arithmetic (Shape, Gather, Concat, ...).
// Small integer tensors known at compile time are kept on the host and
// folded there, and become nn constants only when a real op consumes them.
// (Shape folding is due to move into an nn pass; until then it lives here.)
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_IMPORT_ONNX_HOSTTENSOR_H
#define KILN_COMPILER_IMPORT_ONNX_HOSTTENSOR_H

#include "mlir/IR/Types.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/SmallVector.h"

namespace kiln::onnx_import {

class NodeBinder;

/// A tensor known at compile time, kept on the host for folding. Only
/// integer data (shapes, axes, indices) is held.
struct HostTensor {
  llvm::SmallVector<int64_t> shape;
  mlir::Type elementType;
  llvm::SmallVector<int64_t> ints;

  int64_t numElements() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
};

/// The largest integer tensor kept on the host rather than as an nn constant.
constexpr int64_t kMaxHostElements = 4096;

/// Every present input of the node as a host tensor (null for an omitted
/// optional input), or an error naming the first input computed at run time.
mlir::FailureOr<llvm::SmallVector<const HostTensor *>> requireHostInputs(NodeBinder &b);

/// Folds Cast, Gather, Concat, Add, Sub, Mul and Div on host tensors.
mlir::LogicalResult foldOnHost(NodeBinder &b);

/// Folds a 1-D Slice of the host tensor `data` (one axis).
mlir::LogicalResult foldSliceOnHost(NodeBinder &b, const HostTensor &data,
                                    llvm::ArrayRef<int64_t> starts, llvm::ArrayRef<int64_t> ends,
                                    llvm::ArrayRef<int64_t> steps);

} // namespace kiln::onnx_import

#endif // KILN_COMPILER_IMPORT_ONNX_HOSTTENSOR_H
