//===- Passes.td - Kiln transformation passes ------------------*- tablegen -*-===//

#ifndef KILN_TRANSFORMS_PASSES
#define KILN_TRANSFORMS_PASSES

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

def LowerStridedCopiesPass : Pass<"kiln-lower-strided-copies", "mlir::func::FuncOp"> {
  let summary = "Turn memref.copy between non-contiguous buffers into linalg.copy";
  let description = [{
    The LLVM lowering of a `memref.copy` whose operands are not both
    contiguous calls `memrefCopy` from MLIR's C runner utilities, which
    compiled models do not link. A `linalg.copy` becomes plain loops instead.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def CPUTileAndVectorizePass
    : Pass<"kiln-cpu-tile-and-vectorize", "mlir::func::FuncOp"> {
  let summary = "Tile linalg ops on tensors into register blocks and vectorize them";
  let description = [{
    The CPU code generation strategy, applied while ops are still linalg on
    tensors (after elementwise fusion, before bufferization):

    1. `linalg.conv_2d_nchw_fchw` becomes an im2col copy plus a contraction
       `[N, F, OH*OW] += filter[F, C*KH*KW] * cols[N, C*KH*KW, OH*OW]`
       (a 1x1, stride-1 convolution needs no copy: its input already is the
       column matrix).
    2. Contractions (matmul, batch matmul, the convolution's contraction) are
       first split into column blocks by an `scf.forall` (at least 8 when the
       columns allow; threads share these out), then tiled three times: the
       reduction dimension into cache blocks of
       `reduction-block` elements; the output into `rows x cols` register
       blocks, columns outer so the block of the right-hand side stays in L1;
       then the reduction dimension into single steps. The step becomes one
       `vector.contract` of `rows x 1 x cols`: a row of outer-product FMAs.
    3. Every other linalg op that the vectorizer accepts (elementwise maps,
       broadcasts, reductions, fills, transposes) is tiled to 1 on all loops
       but the innermost, which is tiled to at most `inner-tile` elements, and
       vectorized.

    Tile sizes always divide the loop's static extent, so no tile is partial
    and no masks are needed. Ops the vectorizer rejects (pooling, grouped
    convolution, gathers) are left whole and become scalar loops later.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"8",
           "f32 lanes in one vector register of the target">,
    Option<"numVectorRegisters", "vector-registers", "int64_t", /*default=*/"16",
           "Vector registers of the target">,
    Option<"reductionBlock", "reduction-block", "int64_t", /*default=*/"256",
           "Largest cache block of a contraction's reduction dimension">,
    Option<"innerTile", "inner-tile", "int64_t", /*default=*/"64",
           "Largest tile of the innermost loop of a non-contraction op">,
    Option<"parallel", "parallel", "bool", /*default=*/"true",
           "Make a contraction's outer column-block loop an scf.forall">,
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect", "mlir::vector::VectorDialect",
  ];
}

def CPULowerVectorsPass : Pass<"kiln-cpu-lower-vectors", "mlir::func::FuncOp"> {
  let summary = "Lower vector ops on buffers to 1-D vectors for the CPU";
  let description = [{
    Runs after bufferization. Hoists accumulator loads and stores out of the
    reduction loops (`linalg::hoistRedundantVectorTransfers`), then lowers
    `vector.contract` to outer products and FMAs, multi-reductions to
    horizontal reductions, transposes and broadcasts to shuffles, and
    transfers with permutation maps to minor-identity transfers, so that
    `convert-vector-to-scf` and `convert-vector-to-llvm` see only 1-D work.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
  ];
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

def OutlineParallelLoopsPass : Pass<"kiln-outline-parallel-loops", "mlir::ModuleOp"> {
  let summary = "Outline each scf.forall on buffers into a function run by the thread pool";
  let description = [{
    Runs after bufferization. The body of a one-dimensional `scf.forall`
    without results becomes a private function `@<parent>_parallel_<K>(%i:
    index, captures...)` computing iteration `%i`, and the loop becomes a call
    to a declared launcher `@<parent>_parallel_<K>_launch(%n, captures...)`
    marked `kiln.parallel_body`; `kiln-emit-parallel-launchers` defines it
    once the module is in the LLVM dialect. Captures must be static memrefs
    with identity layouts (one pointer each under the bare-pointer calling
    convention) or scalars; any other `scf.forall`, and one nested in another,
    becomes a sequential `scf.for`.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::func::FuncDialect", "mlir::scf::SCFDialect",
  ];
}

def EmitParallelLaunchersPass : Pass<"kiln-emit-parallel-launchers", "mlir::ModuleOp"> {
  let summary = "Define the launchers of outlined parallel loops in the LLVM dialect";
  let description = [{
    For each launcher declaration marked `kiln.parallel_body`: stores the
    captures in a stack context, and calls the runtime's
    `kiln_parallel_for(n, trampoline, context)`; the trampoline loads the
    captures back and calls the body for each index of its range.
    `kiln_parallel_for` is referenced weakly: a host that does not export the
    runtime gets a sequential loop instead of an unresolved symbol.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif // KILN_TRANSFORMS_PASSES
