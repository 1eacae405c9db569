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
    `kiln.dim_names` array or else `inK_dA` / `outK_dA`. Zero-size dims are
    legal.

    The module attribute `kiln.dim_bounds = {N = 64 : i64}` (kiln-compile's
    `--dim-bound`) bounds symbols: each entry whose inputs have the symbol
    gets `bounds = {N = 64 : i64}`. A bound must be an i64 >= 1 and name a
    symbolic input dim of some entry.
  }];
}

def EmitEntryPointPass : Pass<"kiln-emit-entry-point", "mlir::ModuleOp"> {
  let summary = "Add the C entry points the runtime calls, in the LLVM dialect";
  let description = [{
    Runs after lowering to the LLVM dialect with the bare-pointer calling
    convention, and reads `kiln.abi`. For each entry E it adds an exported
    `int32_t kiln_run_E(void **buffers, int64_t *dims, const char **error)`
    (ABI v3, docs/model-abi.md) that calls the entry's function, which
    becomes internal so its name cannot clash at link time, with
    `buffers[i]` for each input, static output and the workspace, the slot
    address `&buffers[i]` for each dynamically shaped output (the function
    stores a malloc'd pointer there), `dims` and `error`, and returns its
    status. The function must have the shape kiln-lower-entry-abi gives it.
    It adds `kiln_entry_signature()`, returning the signature text serialized
    from `kiln.abi` (the format in runtime/kiln_runtime.h), and
    `kiln_entry_functions()`, returning the run functions in signature order,
    NULL-terminated.

    The signature's second line, `cpu-features F1 F2 ...`, lists the CPU
    features the code may use, as the `cpu-features` option gives them
    (comma-separated LLVM names from runtime/kiln_cpu_features.def, in that
    file's order; kiln-compile passes those of its target machine). The
    runtime refuses to load the model on a machine that lacks one.
  }];
  let options = [
    Option<"cpuFeatures", "cpu-features", "std::string", /*default=*/"\"\"",
           "CPU features the code may use, comma-separated, recorded in the signature">,
  ];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def EntryChecksToErrorsPass : Pass<"kiln-entry-checks-to-errors", "mlir::ModuleOp"> {
  let summary = "Turn the entry functions' run-time checks into error returns";
  let description = [{
    Runs on buffers, after kiln-plan-memory and before deallocations are
    inserted. Each entry function (from `kiln.abi`) gets a last argument
    `error: !llvm.ptr` and a last result `i32`, the status: 0 on every
    existing return. Each `cf.assert %ok, "MSG"` at the top level of the
    function becomes a branch to one error block that stores the address of
    a NUL-terminated copy of MSG through `error` and returns status 1 (with
    zero-size buffers for memref results). Since deallocation runs later, it
    frees what is live on the error path as on any other.

    A check nested in scf loops and branches (the body of an ONNX Loop or
    If) cannot branch out of them: it becomes an `scf.if` that stores its
    message through `error` unless one is stored already (the entry stores
    NULL there first), each `scf.while` around it also stops once a message
    is stored, and after the top-level op that holds it a test of the stored
    pointer against NULL takes the same error block with that message. A
    check in any other region (a linalg body, a parallel loop) or outside
    an entry function is an error.

    First, each run-time allocation at the top level of an entry function
    (`memref.alloc` with dynamic sizes) is guarded by two such checks: one
    before it, that its byte size neither wraps nor passes 2^62 bytes, and
    one after it, that the pointer is not NULL unless the buffer is empty
    (the message names the node from the location). Allocations nested in
    scf loops and branches get the same checks as nested checks; there an
    oversized buffer is allocated empty and the rest of the allocation's
    block moves into an `scf.if` that runs only when both checks pass (its
    else branch yields what the block received, where the types agree, or
    zeros and empty buffers; an allocation whose block has no such values
    is left unchecked). Statically shaped allocations get no check.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::cf::ControlFlowDialect",
    "mlir::LLVM::LLVMDialect", "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect",
  ];
}

def LowerEntryABIPass : Pass<"kiln-lower-entry-abi", "mlir::ModuleOp"> {
  let summary = "Give entry functions the dims and output hand-over of ABI v3";
  let description = [{
    Runs on buffers after deallocation, before the LLVM lowering. Each entry
    function, as kiln-entry-checks-to-errors leaves it, gets an argument
    `dims: memref<Kxi64>` before `error` (K: the sum of the ranks of its
    inputs and outputs) and ends up as

      (inputs..., outputs..., [workspace], dims, error) -> i32

    with only statically shaped memref arguments, so the bare-pointer calling
    convention applies. A dynamically shaped input takes `memref<1xT>` (its
    data pointer) and is reinterpreted, row-major, with the sizes read from
    `dims`. Before each return, every output's dims are written to `dims`
    after the inputs' (static ones as constants). When the function still
    returns memrefs (it has a dynamically shaped result), each statically
    shaped result is copied into a new out-parameter and freed, and each
    dynamically shaped one is handed over: its pointer is stored into a new
    `memref<1xi64>` argument, the runtime's buffers slot. That pointer must
    be the one the allocation returned (true of `memref.alloc` when lowered
    to aligned_alloc, as the CPU pipeline does, and of reshapes of it), so a
    result that is a view or an alias is first copied into a new allocation.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::memref::MemRefDialect"];
}

def FoldShapeArithmeticPass : Pass<"kiln-fold-shape-arithmetic", "mlir::func::FuncOp"> {
  let summary = "Forward run-time shape tensors to scalars and simplify their arithmetic";
  let description = [{
    Runs on linalg on tensors, after nn-to-linalg. An exporter's shape
    arithmetic (Shape, Gather, Concat, Mul on i64 tensors) lowers to linalg
    on tensors of at most 64 integers whose elements a dynamic Reshape, Slice
    or Expand reads back with `tensor.extract`. Each such read becomes the
    scalar the element holds (followed through `tensor.from_elements`,
    constants, `linalg.fill`, reshapes, static `insert_slice` and
    `extract_slice`, and element-wise `linalg.generic`s, whose body is
    cloned on the scalars), so canonicalization folds what is constant.

    The scalar arithmetic is then simplified with value ranges, a dim being
    never negative: a comparison the ranges decide is a constant, a max or
    min they decide is the operand, and `select(x > y, x, y)` is a max. A
    division (or remainder) of a product by a product of some of its factors
    is the other factors (or 0), selected against 0 where a checked divisor
    `select(y == 0, 1, y)` is 0. ONNX's Reshape rules (a 0 copies the input's
    dim, a -1 is the element count over the other dims) and Slice's clamps
    then give the dims themselves: `N*S*128 / (N*S*4)` is 32.

    A `linalg.generic` with no inputs whose body only yields
    `tensor.extract %src[off_0 + i_0 * s_0, ...]` at its loop indices `i`
    (constant strides `s` >= 1, offsets defined outside it) becomes
    `tensor.extract_slice`: a Slice with run-time starts is no gather.
  }];
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
    compile time. A dynamically shaped buffer whose every size is bounded
    by the entry's `bounds` (through the dims of its inputs and the index
    arithmetic on them) is placed the same way at its bytes at the bounds,
    through a `memref.view` that keeps its run-time sizes: the runtime
    checks the inputs against the bounds before a run, so each run's buffer
    fits. Entries that share a function are planned for the bounds all of
    them have. Other dynamically shaped buffers whose bytes are one run-time
    size times a constant (an unbounded dynamic batch) and that share that
    size share one allocation per run, planned the same way for a size of 1
    with every offset and the total then scaled by the size. The rest (any
    other dynamic buffer, buffers that escape, allocations inside loops and
    branches) stay `memref.alloc`s of their own. Each planned function
    reports the split as `kiln.memory = {planned = P, bounded = B, per_run =
    D, runtime = R, unshared = U, bounded_symbols = [...], runtime_buffers =
    [...]}`, each row of the last `{why = "...", count = C, bytes = N}`: P
    static and B bounded buffers
    in the workspace, D in per-run allocations, R with an allocation of their
    own, U the bytes the workspace would take without reuse (each planned
    buffer in its own 64-byte-aligned slot), the symbols whose bounds sized
    the workspace, and every buffer allocated at run time grouped by why
    (`unbounded symbol S`, `data-dependent size`, `output handed to the
    caller`, `allocated inside scf.for`, ...) with their bytes when all are
    known (static, or at the bounds). Each entry of `kiln.abi` gets
    `workspace` (the planned bytes) and `unshared = U`.

    With `record-peak` (kiln-compile --report sets it), a function with
    planned buffers also gets `kiln.memory_peak = {bytes =
    B, op = K, ops = N, count = C, buffers = [...], rest_bytes = R}`: B, the
    most bytes of workspace buffers (each rounded up to 64) live at one
    top-level op, first reached at op K of the N in the function's block (no
    placement can take less than B); the C buffers live there, the largest
    16 listed as `{bytes, type, from, to, first_user, loc}` (the ops over
    which the buffer is live, the first top-level op that uses it and that
    op's location: the ONNX node names of a name location, else its
    file:line:col), and R the bytes of the others. `kiln-compile --report`
    prints it. (Off by default: the locations differ between kiln-compile,
    whose ops carry the ONNX node names, and kiln-opt on printed IR.)
  }];
  let options = [
    Option<"recordPeak", "record-peak", "bool", "false",
           "Record the buffers live at the peak of planned bytes in kiln.memory_peak">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::memref::MemRefDialect"];
}

def FuseElementwisePass : Pass<"kiln-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse elementwise producers into elementwise consumers";
  let description = [{
    Upstream's elementwise fusion, with one rule changed: a producer is fused
    only into a consumer whose loops are all parallel, or into a reduction
    that is not a contraction with row or column dims and reads the
    producer's result element for element (a permutation map: batch norm's
    sum of `(x - mean)^2` computes each square once, without writing the
    squares out). Fusing, say, a ReLU into
    the matrix multiply that reads it would recompute it once per output column
    and turn the contraction into a generic op that is no longer recognized as
    one (so it would not get the register-blocked strategy). A second rule: a
    rank-0 producer (a scalar computed once, such as Adam's bias corrections)
    is not fused into a consumer with loops, which would compute it again per
    element. Reshapes are still folded into their producers by expansion, and
    constants folded.

    Then sibling reductions are merged: two reductions with the same loops,
    iterators and result map that read a value alike (batch norm's backward
    sums `dy` and `dy * x_hat` over the same dims) become one generic with
    two results, each accumulating into a fill of its own, so the shared
    input is read once. A reduction's single-use elementwise producer that
    reads what its sibling reads, through a permutation map (each element
    read once), is fused into it first, so the product is never written
    out. Contractions with row or column dims are never merged, nor a
    reduction that depends on its sibling.
  }];
  let dependentDialects = [
    "mlir::affine::AffineDialect", "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect",
  ];
}

def ExpandPartialTransferWritesPass
    : Pass<"kiln-expand-partial-transfer-writes", "mlir::func::FuncOp"> {
  let summary = "Give partial vector writes on tensors the destination's rank, for bufferization";
  let description = [{
    Runs just before One-Shot Bufferize, as a workaround for its MLIR 19
    analysis. That analysis takes an unmasked `vector.transfer_write` at index
    0 in every dim of a static tensor for a write of the whole tensor (one
    that does not read it, so an out-of-place copy need not carry the old
    contents) when no tensor dim exceeds the vector dim at the same position,
    comparing the shapes from the front and ignoring the permutation map. A
    rank-reduced write such as `vector<7xf32>` into `tensor<3x7xf32>` (row 0
    only) passes that test, and bufferizing it out of place left rows 1 and 2
    of the new buffer uninitialized. Each write the test misjudges, and only
    those, gets a vector of the tensor's rank in the tensor's dim order (a
    `vector.transpose` when the map permutes, then a `vector.shape_cast`, or
    a `vector.broadcast` from 0-d) and an identity map, for which the test is
    exact. The vector lowering after bufferization drops the unit dims again.
  }];
  let dependentDialects = ["mlir::vector::VectorDialect"];
}

def CloneSharedFillsPass : Pass<"kiln-clone-shared-fills", "mlir::func::FuncOp"> {
  let summary = "Give each user of an empty tensor or a fill its own, for bufferization";
  let description = [{
    Runs just before One-Shot Bufferize. CSE merges equal `tensor.empty` ops
    and equal fills, so in a training step one zero-filled tensor can be the
    destination of every convolution of its shape, forward and backward.
    One-Shot Bufferize gives such a value one buffer: the fill's buffer
    stays live from its first user to its last while each user writes into a
    copy, and the users of a shared empty tensor write one after another
    into one allocation whose live range then spans all of them, so
    `kiln-plan-memory` cannot put anything else there in between.

    Each op with tensor results that computes them from scalars alone (no
    memory effects, tensor operands that are all `tensor.empty`, no tensor
    read from outside its regions: a `linalg.fill`, or the loop nest tiling
    made of one) is kept for the first op of its block that uses it; every
    later op of the block that uses it gets a clone, with new empty tensors,
    right before it. Then each `tensor.empty` left with users in several
    ops of its block gets the same treatment. A clone costs one write of the
    tensor, as the copy it replaces did.

    ```mlir
    %e = tensor.empty() : tensor<4xf32>
    %z = linalg.fill ins(%cst : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
    %a = linalg.generic ... outs(%z : tensor<4xf32>)
    %b = linalg.generic ... outs(%z : tensor<4xf32>)
    ```
    becomes
    ```mlir
    %e = tensor.empty() : tensor<4xf32>
    %z = linalg.fill ins(%cst : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
    %a = linalg.generic ... outs(%z : tensor<4xf32>)
    %e2 = tensor.empty() : tensor<4xf32>
    %z2 = linalg.fill ins(%cst : f32) outs(%e2 : tensor<4xf32>) -> tensor<4xf32>
    %b = linalg.generic ... outs(%z2 : tensor<4xf32>)
    ```
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

def CopySharedResultsPass : Pass<"kiln-copy-shared-results", "mlir::func::FuncOp"> {
  let summary = "Give each result a function hands over a buffer of its own";
  let description = [{
    Runs just before One-Shot Bufferize, on functions with a dynamically
    shaped result (their results stay results and `kiln-lower-entry-abi`
    hands each buffer to the caller, who frees it). Two results that are one
    tensor, or views of one tensor through `tensor.collapse_shape`,
    `expand_shape`, `cast`, `extract_slice` or `reshape`, would bufferize to
    one buffer handed over twice, and the caller freed it twice. Every such
    result after the first becomes a copy (`bufferization.alloc_tensor`
    with `copy`). Functions with static results only are left alone: their
    results become out-parameters, each written by a copy.

    ```mlir
    %y = linalg.generic ... -> tensor<?x4xf32>
    %v = tensor.collapse_shape %y [[0, 1]] : tensor<?x4xf32> into tensor<?xf32>
    return %y, %y, %v : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?xf32>
    ```
    becomes
    ```mlir
    %c = bufferization.alloc_tensor() copy(%y) : tensor<?x4xf32>
    %c2 = bufferization.alloc_tensor() copy(%v) : tensor<?xf32>
    return %y, %c, %c2 : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?xf32>
    ```
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect"];
}

#endif // KILN_CODEGEN_COMMON_PASSES
