//===- DecomposeUtils.h - helpers shared by the nn decompositions -*- C++ -*-===//

#ifndef KILN_DIALECTS_NN_TRANSFORMS_DECOMPOSEUTILS_H
#define KILN_DIALECTS_NN_TRANSFORMS_DECOMPOSEUTILS_H

#include "dialects/NN/IR/NNOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"

namespace kiln::nn::detail {

/// A rank-0 constant of float type `elem`.
inline mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc, mlir::Type elem,
                                  double v) {
  auto type = mlir::RankedTensorType::get({}, elem);
  return b.create<ConstantOp>(loc,
                              mlir::DenseElementsAttr::get(type, b.getFloatAttr(elem, v)));
}

/// An i64 vector constant.
inline mlir::Value indexConstant(mlir::OpBuilder &b, mlir::Location loc,
                                 llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int64_t> values) {
  auto type = mlir::RankedTensorType::get(shape, b.getI64Type());
  return b.create<ConstantOp>(loc, mlir::DenseElementsAttr::get(type, values));
}

} // namespace kiln::nn::detail

#endif // KILN_DIALECTS_NN_TRANSFORMS_DECOMPOSEUTILS_H
