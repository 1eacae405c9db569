//===- NNContractionOps.td - matmul, gemm, einsum --------------------------===//
//
// Included by NNOps.td; the op definitions are generated with the others.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_NN_CONTRACTION_OPS
#define KILN_NN_CONTRACTION_OPS

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def NN_MatMulOp : NN_InferredOp<"matmul"> {
  let summary = "matrix product with numpy matmul semantics";
  let description = [{
    Multiplies the last two dimensions of each operand; leading (batch)
    dimensions broadcast. A 1-D lhs is a row vector and a 1-D rhs a column
    vector; the inserted dimension is dropped from the result.

    ```mlir
    %c = nn.matmul %a, %b : (tensor<8x2x3xf32>, tensor<3x4xf32>) -> tensor<8x2x4xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$lhs, NN_NumericTensor:$rhs);
  let results = (outs NN_NumericTensor:$output);
}

def NN_GemmOp : NN_InferredOp<"gemm"> {
  let summary = "general matrix multiply: alpha * op(a) * op(b) + beta * c";
  let description = [{
    `a` and `b` are matrices, transposed first when `trans_a` / `trans_b` is
    set; the optional `c` broadcasts to the [M, N] result.

    ```mlir
    %y = nn.gemm %x, %w, %b {alpha = 1.0 : f64, beta = 1.0 : f64, trans_a = false, trans_b = true}
        : (tensor<1x512xf32>, tensor<1000x512xf32>, tensor<1000xf32>) -> tensor<1x1000xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$a, NN_FloatTensor:$b,
                       Optional<NN_FloatTensor>:$c,
                       F64Attr:$alpha, F64Attr:$beta,
                       BoolAttr:$trans_a, BoolAttr:$trans_b);
  let results = (outs NN_FloatTensor:$output);
}

def NN_EinsumOp : NN_InferredOp<"einsum"> {
  let summary = "Einstein summation over explicit index letters";
  let description = [{
    `equation` names each operand's dimensions with one letter each
    (`a`-`z`, `A`-`Z`) and, after `->`, the result's (distinct letters). A
    letter has one size wherever it appears; letters repeated within an
    operand take its diagonal. The result is the product of the operands
    summed over every letter absent from the output. (The importer expands
    ONNX's `...` and implicit outputs into this form.)

    ```mlir
    %c = nn.einsum %a, %b {equation = "bij,bjk->bik"} : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
    ```
  }];
  let arguments = (ins Variadic<NN_NumericTensor>:$inputs, StrAttr:$equation);
  let results = (outs NN_NumericTensor:$output);
}

#endif // KILN_NN_CONTRACTION_OPS
