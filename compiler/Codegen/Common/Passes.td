//===- Passes.td - target-neutral code generation ----------*- tablegen -*-===//
//
// Passes every target runs: elementwise fusion on linalg, memory planning
// after bufferization, and the model ABI (signature and C entry points).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_COMMON_PASSES
#define KILN_CODEGEN_COMMON_PASSES

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

def PlanMemoryPass : Pass<"kiln-plan-memory", "mlir::ModuleOp"> {
  let summary = "Place the model's intermediate buffers in one planned workspace";
  let description = [{
    Runs after bufferization and `buffer-results-to-out-params`, before
    deallocations are inserted. Every `memref.alloc` of a static shape at the
    top level of the model function whose uses (through views) stay inside
    the function gets a live range: from the allocation to the last top-level
    op that touches it. Buffers are placed largest first at the lowest
    64-byte-aligned offset that does not overlap a placed buffer whose range
    intersects theirs, and each allocation becomes a `memref.view` into a new
    last argument `memref<BYTESxi8>`, the workspace. The signature gains the
    line `workspace BYTES`; the runtime allocates the workspace once per
    loaded model and passes it after the outputs. Nothing is allocated or
    freed per run for planned buffers, and the workspace size is known at
    compile time.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::memref::MemRefDialect"];
}

def FuseElementwisePass : Pass<"kiln-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse elementwise producers into elementwise consumers";
  let description = [{
    Upstream's elementwise fusion, with one rule changed: a producer is fused
    only into a consumer whose loops are all parallel. Fusing, say, a ReLU into
    the matrix multiply that reads it would recompute it once per output column
    and turn the contraction into a generic op that is no longer recognized as
    one (so it would not get the register-blocked strategy). Reshapes are still
    folded into their producers by expansion, and constants folded.
  }];
  let dependentDialects = [
    "mlir::affine::AffineDialect", "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect",
  ];
}

#endif // KILN_CODEGEN_COMMON_PASSES
