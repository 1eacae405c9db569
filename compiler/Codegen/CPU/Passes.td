//===- Passes.td - CPU code generation ---------------------*- tablegen -*-===//
//
// The CPU strategy: register-blocked tiling and vectorization sized by the
// target's vector registers, vector lowering, strided copies as loops, and
// parallel loops run by the runtime's thread pool.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_PASSES
#define KILN_CODEGEN_CPU_PASSES

include "mlir/Pass/PassBase.td"

def CPUWeightLayoutPass : Pass<"kiln-cpu-weight-layout", "mlir::ModuleOp"> {
  let summary = "Store constant matrix weights in the layout CPU kernels read";
  let description = [{
    Runs on nn ops, before the conversion to linalg: the layout of a constant
    is a code generation decision, not a canonical form, so it is made here
    and not by canonicalization.

    An `nn.gemm` with `trans_b` whose `b` is an f32 `nn.constant` (dense or
    resource-backed) used nowhere else gets that constant transposed at
    compile time and `trans_b` cleared. The product then reads `b` row by row,
    along the output's contiguous dimension, which is what the register-blocked
    contraction of `kiln-cpu-tile-and-vectorize` vectorizes. A resource-backed
    weight `NAME` becomes a new resource `NAME_transposed`. A weight that
    something else also reads is left alone: transposing it would store it
    twice. `b` may also be static `nn.slice`s and `nn.reshape`s of such a
    constant (the per-direction weights of a decomposed recurrent layer):
    the slice is computed here, transposed, and the chain dropped once
    nothing reads it.

    A module pass: once no operation of the module references a weight's
    resource blob any more, the blob is released right away, so a model made
    of such gemms holds each weight once during compilation, not twice.

    ```mlir
    %w = nn.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
    %y = nn.gemm %x, %w {alpha = 1.0 : f64, beta = 1.0 : f64, trans_a = false, trans_b = true}
        : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
    // becomes
    %w = nn.constant dense<[[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]> : tensor<3x2xf32>
    %y = nn.gemm %x, %w {alpha = 1.0 : f64, beta = 1.0 : f64, trans_a = false, trans_b = false}
        : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
    ```
  }];
}

def CPUTileAndVectorizePass
    : Pass<"kiln-cpu-tile-and-vectorize", "mlir::func::FuncOp"> {
  let summary = "Tile linalg ops on tensors into register blocks and vectorize them";
  let description = [{
    The CPU code generation strategy, applied while ops are still linalg on
    tensors (after elementwise fusion, before bufferization):

    0. A float sum (a reduction whose body yields `acc + f(inputs)`: the
       sums, means and norms of ReduceSum, ReduceMean, ReduceL1/L2,
       GlobalAveragePool, a gradient's sum over a broadcast) that adds more
       than `sum-block` elements into one output element, or a dynamic
       number, is blocked first: its reduction loops are tiled so that a
       tile adds at most `sum-block` elements into zeros, and the tile's sum
       is added to the output. A single running f32 total loses what it adds
       once it is large (2^25 ones sum to 2^24); blocked, the rounding error
       grows with the block and the number of blocks, not the length.
       A sum pooling (`pooling_nchw_sum`, `pooling_ncw_sum`) whose window
       holds more than `sum-block` elements is generalized to its generic
       first and blocked the same way. Contractions are not blocked (their
       reduction steps are cache-blocked by `reduction-block` already, each
       block's total kept in memory).

       An op with dynamic loops then gets static kernels: a contraction's
       dynamic row loop is split into blocks of 64 rows with the partial last
       block peeled off, and its dynamic column loop (the output's innermost
       dimension) into blocks of one register block (`2 * vector-width`
       columns) with the partial last block peeled off; then every other
       dynamic loop but the innermost is tiled by 1 into a sequential
       `scf.for` (a dynamic batch becomes a loop around the kernel of one
       image, the partial row block single rows), and a dynamic innermost
       loop is tiled into `inner-tile` elements with the partial last tile
       peeled off, except a contraction's dynamic reduction loop, which the
       register-blocked kernel of step 2 runs as a loop to the dynamic
       length. The steps below then apply to the static ops inside. A
       partial tile (a dynamic size the IR bounds by a constant, found with
       the value-bounds analysis) is vectorized at that bound, rounded up to
       whole vectors, with masks: `vector.create_mask` of its size and masked
       `vector.transfer_read`/`transfer_write`, which LLVM lowers to AVX-512
       masked moves or AVX2 `vmaskmov`. Arithmetic is not masked: a
       contraction's extra lanes are never stored, and a reduction's masked
       lanes are replaced by the reduction's identity before reducing.

    1. A static `linalg.conv_2d_nchw_fchw` that the cost rule takes
       (`direct-conv`; stride 1 or 2, not 1x1, output rows of whole
       vectors, of half a vector (two rows per block), or at stride 1 a
       narrow row using at least 3/4 of its vector lanes, at least 4
       output channels per register block) is convolved directly:
       tiled into an `scf.forall` over output-channel blocks, then one
       image, `rows` output channels, an input-channel cache block (its
       weights under 16 KiB), one or two output rows and `cols` pixels;
       each such register block is an `scf.for` nest over (channel, kh,
       kw) carrying the `rows x lanes` accumulator, each step a
       `rows x 1 x lanes` `vector.contract` of a filter column (the filter
       collapsed to `[F, C*KH*KW]`) with input rows read in place from the
       padded input (at stride 2, twice the lanes and every other one
       kept by a `vector.shuffle`; two rows joined by one). Any other `linalg.conv_2d_nchw_fchw` becomes an im2col copy
       plus a contraction
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
       A contraction that sums over several dimensions (a convolution's
       weight gradient at one kernel offset: batch, rows, columns) has all
       but the innermost tiled to single steps outside the register blocks;
       when the innermost is shorter than 64 steps, the reduction dimensions
       from the innermost outwards until they make 64 steps together run
       inside the register block instead (on 8x8 images all three, on
       16x16 rows and columns), so the accumulators are not stored and
       reloaded every few steps. The unit dimensions are dropped from the
       step's `vector.contract` (its operands `vector.shape_cast` without
       them), so the step is the same outer product.
    3. A `linalg.transpose` has the dims that stay adjacent and in order
       merged; when the output's innermost extent and the extent of the
       input's innermost dim are whole multiples of `vector-width` (32-bit
       elements), it is cut into `vector-width` x `vector-width` tiles, each
       read as rows of the input, transposed by log2(`vector-width`) rounds
       of interleaving `vector.shuffle`s and written as rows of the output.
       An elementwise generic whose innermost loop is shorter than
       `inner-tile` has its trailing loops merged where every operand is
       contiguous along them (all but the outermost at most).
       Every other linalg op that the vectorizer accepts (elementwise maps,
       broadcasts, reductions, fills, other transposes) is tiled to 1 on all
       loops but the innermost, which is tiled to at most `inner-tile`
       elements, and vectorized.

    Static tile sizes divide the loop's static extent where a multiple of
    the vector width does, so those tiles need no masks. Where none does
    (1000 columns with 16 lanes, 127), a contraction's columns are tiled by
    one register block and another op's innermost loop by `inner-tile`, and
    every tile is masked at its length (the last one is ragged), rather than
    tiles narrower than a vector. Ops the vectorizer rejects (pooling,
    grouped convolution, gathers) are left whole and become scalar loops
    later. An op that reads an operand reversed (a negative coefficient in
    an indexing map: a flipped kernel, a slice with a negative step) is
    never tiled, not even split among threads, since upstream tiling slices
    only maps that increase with every loop.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"8",
           "f32 lanes in one vector register of the target">,
    Option<"numVectorRegisters", "vector-registers", "int64_t", /*default=*/"16",
           "Vector registers of the target">,
    Option<"reductionBlock", "reduction-block", "int64_t", /*default=*/"256",
           "Largest cache block of a contraction's reduction dimension">,
    Option<"sumBlock", "sum-block", "int64_t", /*default=*/"4096",
           "Most elements a float sum adds into one running total before "
           "the block's sum is added to the output (step 0)">,
    Option<"innerTile", "inner-tile", "int64_t", /*default=*/"64",
           "Largest tile of the innermost loop of a non-contraction op">,
    Option<"parallel", "parallel", "bool", /*default=*/"true",
           "Make a contraction's outer column-block loop an scf.forall">,
    Option<"directConv", "direct-conv", "bool", /*default=*/"true",
           "Convolve directly (no im2col buffer) where the cost rule prefers it">,
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
    reduction loops (`linalg::hoistRedundantVectorTransfers`; the subviews
    under masked transfers are first folded into their indices, which that
    hoisting needs), then lowers
    `vector.contract` to outer products and FMAs, multi-reductions to
    horizontal reductions, transposes and broadcasts to shuffles, and
    transfers with permutation maps to minor-identity transfers, so that
    `convert-vector-to-scf` and `convert-vector-to-llvm` see only 1-D work.
    `math.tanh` on vectors becomes upstream's polynomial approximation
    (arithmetic that stays vectorized; a libm call per lane otherwise):
    the gates of the recurrent layers, whose sigmoids are tanh-based, are
    its main users. Scalar `math.tanh` keeps the libm call.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::math::MathDialect", "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
  ];
}

def LowerStridedCopiesPass : Pass<"kiln-lower-strided-copies", "mlir::func::FuncOp"> {
  let summary = "Lower memref.copy between non-contiguous views to row copies or loops";
  let description = [{
    Pads, concats, slices and insert_slices bufferize to `memref.copy`
    between views that are not contiguous as a whole. The LLVM lowering of
    such a copy calls `memrefCopy` from MLIR's C runner utilities, which
    compiled models do not link. A copy of static shape whose trailing dims
    are contiguous on both sides (a row of a padded image, a channel block
    of a concat) becomes loops over the leading dims (unit dims skipped)
    around a `memref.copy` of one contiguous block, which the LLVM lowering
    turns into a `memcpy` (inlined as vector moves when short). With
    `parallel`, a copy of at least `min-parallel-elements` elements makes
    its outermost loop an `scf.forall`, which `kiln-outline-parallel-loops`
    shares among threads (so this pass runs before it as well). Any other
    strided copy (the innermost dim strided on one side: a transpose, a
    strided slice; a dynamic shape; sub-byte elements) becomes a
    `linalg.copy`, plain element loops.

    A `linalg.generic` on buffers that only copies (an im2col the vectorizer
    left whole) and whose innermost loop walks the innermost dim of both
    buffers with step 1 (`ow + kw` in the input, `ow` in the output) gets
    the same form: loops over its other loops (unit ones skipped) around a
    `memref.copy` of one row, a `memcpy`, where LLVM kept the element loop
    scalar (it cannot tell that the two buffers do not overlap).

    ```mlir
    memref.copy %src, %view : memref<2x3x4xf32> to memref<2x3x4xf32, strided<[36, 6, 1], offset: 7>>
    // becomes
    scf.for %i = %c0 to %c2 step %c1 {
      scf.for %j = %c0 to %c3 step %c1 {
        %a = memref.subview %src[%i, %j, 0] [1, 1, 4] [1, 1, 1] : ...
        %b = memref.subview %view[%i, %j, 0] [1, 1, 4] [1, 1, 1] : ...
        memref.copy %a, %b : ...
      }
    }
    ```
  }];
  let options = [
    Option<"parallel", "parallel", "bool", /*default=*/"false",
           "Make the outermost loop of a large copy an scf.forall">,
    Option<"minParallelElements", "min-parallel-elements", "int64_t", /*default=*/"65536",
           "Fewest elements of a copy shared among threads">,
  ];
  let dependentDialects = [
    "mlir::affine::AffineDialect", "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::scf::SCFDialect",
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
    once the module is in the LLVM dialect. Captures cross as static memrefs
    with identity layouts (one pointer each under the bare-pointer calling
    convention) or scalars; a strided or dynamically shaped memref (a slice
    of a dynamic batch) crosses as its base buffer plus the offset, sizes and
    strides its type does not fix (`memref.extract_strided_metadata`), and is
    rebuilt in the body by `memref.reinterpret_cast`. Any other `scf.forall`,
    and one nested in another, becomes a sequential `scf.for`.
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

#endif // KILN_CODEGEN_CPU_PASSES
