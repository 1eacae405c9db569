//===- Passes.h - Kiln transformation passes -------------------*- C++ -*-===//

#ifndef KILN_COMPILER_TRANSFORMS_PASSES_H
#define KILN_COMPILER_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace kiln {

#define GEN_PASS_DECL
#include "compiler/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Transforms/Passes.h.inc"

} // namespace kiln

#endif // KILN_COMPILER_TRANSFORMS_PASSES_H
