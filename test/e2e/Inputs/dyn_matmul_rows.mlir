// y = x @ w, x [N, 32], w [32, 64]: dynamic rows in blocks of 64 plus a
// partial block of single rows (test/e2e/dynamic_shapes.test).
func.func @model(%x: tensor<?x32xf32> {kiln.name = "x", kiln.dim_names = ["N"]},
                 %w: tensor<32x64xf32> {kiln.name = "w"})
    -> (tensor<?x64xf32> {kiln.dim_names = ["N"]}) attributes {kiln.result_names = ["y"]} {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x32xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<?x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x64xf32>) -> tensor<?x64xf32>
  %y = linalg.matmul ins(%x, %w : tensor<?x32xf32>, tensor<32x64xf32>) outs(%f : tensor<?x64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}
