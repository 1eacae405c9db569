//===- NNLinearAlgebraOps.td - matrix functions beyond products ------------===//
//
// Included by NNOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_NN_LINEAR_ALGEBRA_OPS
#define KILN_NN_LINEAR_ALGEBRA_OPS

def NN_DetOp : NN_InferredOp<"det"> {
  let summary = "determinant of each square matrix in a batch";
  let description = [{
    ONNX Det (opset 11): `input` is `[*, M, M]`, the result `[*]` holds the
    determinant of each trailing M x M matrix. Computed by LU decomposition
    with partial pivoting (the largest magnitude in the column is the pivot;
    each row swap flips the sign) in the input's float type; a singular
    matrix gives 0 (or the rounding residue of its elimination).

    ```mlir
    %d = nn.det %x : (tensor<2x3x3xf32>) -> tensor<2xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input);
  let results = (outs NN_FloatTensor:$output);
}

#endif // KILN_NN_LINEAR_ALGEBRA_OPS
