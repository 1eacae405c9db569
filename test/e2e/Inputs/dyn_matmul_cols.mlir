// y = w @ x, w [18, 37], x [37, N]: dynamic columns in register blocks, a
// masked partial block, and a partial block of few columns as dot products
// (18 rows: pairs of rows; 37: a masked last step of the reduction)
// (test/e2e/dynamic_shapes.test).
func.func @model(%w: tensor<18x37xf32> {kiln.name = "w"},
                 %x: tensor<37x?xf32> {kiln.name = "x", kiln.dim_names = ["", "N"]})
    -> (tensor<18x?xf32> {kiln.dim_names = ["", "N"]}) attributes {kiln.result_names = ["y"]} {
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c1 : tensor<37x?xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<18x?xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<18x?xf32>) -> tensor<18x?xf32>
  %y = linalg.matmul ins(%w, %x : tensor<18x37xf32>, tensor<37x?xf32>) outs(%f : tensor<18x?xf32>) -> tensor<18x?xf32>
  return %y : tensor<18x?xf32>
}
