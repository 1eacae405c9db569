//===- PartialTiles.h - masked partial tiles for the CPU ------------------===//

#ifndef KILN_CODEGEN_CPU_PARTIALTILES_H
#define KILN_CODEGEN_CPU_PARTIALTILES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <optional>

namespace kiln::cpu {

/// A constant upper bound (inclusive) of loop `d` of `op`, whose extent is
/// dynamic, when the IR proves one (the partial tile of a split loop).
std::optional<int64_t> loopUpperBound(mlir::linalg::LinalgOp op, unsigned d);

/// Removes the masks the vectorizer puts on computations in `func`, keeping
/// those on loads and stores.
void unmaskComputations(mlir::func::FuncOp func);

} // namespace kiln::cpu

#endif // KILN_CODEGEN_CPU_PARTIALTILES_H
