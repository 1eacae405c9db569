//===- Passes.h - target-neutral code generation passes --------*- C++ -*-===//

#ifndef KILN_COMPILER_CODEGEN_COMMON_PASSES_H
#define KILN_COMPILER_CODEGEN_COMMON_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace kiln {

#define GEN_PASS_DECL
#include "compiler/Codegen/Common/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Codegen/Common/Passes.h.inc"

} // namespace kiln

#endif // KILN_COMPILER_CODEGEN_COMMON_PASSES_H
