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
  let summary = "Describe the model's entry points in the kiln.abi module attribute";
  let description = [{
    Runs first, while types are tensors. Every public `func.func` with a body
    becomes an entry point, in module order (the first is the runtime's
    default entry), named by its `kiln.entry_name` attribute or else its
    symbol. The entry lists its inputs (arguments, named by `kiln.name`,
    default `input_K`) and outputs (results, named by the function's
    `kiln.result_names`, default `output_K`) with their dtypes and shapes, and
    a workspace of 0 bytes that `kiln-plan-memory` fills in:

    `kiln.abi = {entries = [E, ...]}`, each entry E
    `{name = "model", function = @model, inputs = [T, ...], outputs = [T, ...],
    workspace = 0 : i64}` and each tensor T
    `{name = "x", dtype = "f32", shape = ["N", 3, 224, 224]}`.

    A dynamic dim is a symbol, named by the argument's or result's
    `kiln.dim_names` array or else `inK_dA` / `outK_dA`. Code generation needs
    static shapes, so symbolic dims are refused unless `allow-symbolic-dims`
    is set.

    The module attribute `kiln.dim_bounds = {N = 64 : i64}` (kiln-compile's
    `--dim-bound`) bounds symbols: each entry whose inputs have the symbol
    gets `bounds = {N = 64 : i64}`. A bound must be an i64 >= 1 and name a
    symbolic input dim of some entry.
  }];
  let options = [
    Option<"allowSymbolicDims", "allow-symbolic-dims", "bool", /*default=*/"false",
           "Record dynamic dims as symbols instead of refusing them">,
  ];
}

def EmitEntryPointPass : Pass<"kiln-emit-entry-point", "mlir::ModuleOp"> {
  let summary = "Add the C entry points the runtime calls, in the LLVM dialect";
  let description = [{
    Runs after lowering to the LLVM dialect with the bare-pointer calling
    convention, and reads `kiln.abi`. For each entry E it adds an exported
    `kiln_run_E(void **buffers)` that passes `buffers[0..n)` (inputs, outputs,
    then the workspace when the entry has one) to the entry's function, which
    becomes internal so its name cannot clash at link time. It adds
    `kiln_entry_signature()`, returning the signature text serialized from
    `kiln.abi` (the format in runtime/kiln_runtime.h), and
    `kiln_entry_functions()`, returning the run functions in signature order,
    NULL-terminated. Symbolic dims are refused: the calling convention passes
    no sizes yet.
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
    last argument `memref<BYTESxi8>`, the workspace. Each entry of `kiln.abi`
    is planned on its own and records its `workspace` bytes; the runtime
    allocates one workspace, as large as the largest, once per loaded model
    and passes it after the outputs. Nothing is allocated or
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
