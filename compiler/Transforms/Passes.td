//===- Passes.td - Kiln transformation passes ------------------*- tablegen -*-===//

#ifndef KILN_TRANSFORMS_PASSES
#define KILN_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def RecordSignaturePass : Pass<"kiln-record-signature", "mlir::ModuleOp"> {
  let summary = "Record the entry function's signature on the module";
  let description = [{
    Finds the module's one public `func.func` (the model) and stores, while
    types are still tensors, the text the runtime reads to validate inputs:
    `kiln-model 1`, then a line `input NAME DTYPE DIMS` per argument and
    `output NAME DTYPE DIMS` per result. Names come from the `kiln.name`
    argument attributes and the `kiln.result_names` function attribute
    (defaults: input_K, output_K). The text goes in the module attribute
    `kiln.signature` and the function name in `kiln.entry`.
  }];
}

def EmitEntryPointPass : Pass<"kiln-emit-entry-point", "mlir::ModuleOp"> {
  let summary = "Add the C entry points the runtime calls, in the LLVM dialect";
  let description = [{
    Runs after lowering to the LLVM dialect with the bare-pointer calling
    convention. Adds `kiln_entry_signature()`, returning the recorded
    signature text, and `kiln_entry_run(void **buffers)`, which passes
    `buffers[0..n)` (inputs, then outputs) to the model function, and makes
    the model function internal so its name cannot clash at link time.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def LowerStridedCopiesPass : Pass<"kiln-lower-strided-copies", "mlir::func::FuncOp"> {
  let summary = "Turn memref.copy between non-contiguous buffers into linalg.copy";
  let description = [{
    The LLVM lowering of a `memref.copy` whose operands are not both
    contiguous calls `memrefCopy` from MLIR's C runner utilities, which
    compiled models do not link. A `linalg.copy` becomes plain loops instead.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

#endif // KILN_TRANSFORMS_PASSES
