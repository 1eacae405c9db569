// z = x + y, x [N, 8] and y [M, 8], with the run-time check N == M that a
// broadcast between symbolic dims needs (test/e2e/dynamic_shapes.test).
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @model(%x: tensor<?x8xf32> {kiln.name = "x", kiln.dim_names = ["N"]}, %y: tensor<?x8xf32> {kiln.name = "y", kiln.dim_names = ["M"]}) -> (tensor<?x8xf32> {kiln.dim_names = ["N"]}) attributes {kiln.result_names = ["z"]} {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x8xf32>
  %m = tensor.dim %y, %c0 : tensor<?x8xf32>
  %eq = arith.cmpi eq, %n, %m : index
  cf.assert %eq, "node 'Add_3' (nn.add): expects dim 0 of the operands to be equal or 1"
  %e = tensor.empty(%n) : tensor<?x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %y : tensor<?x8xf32>, tensor<?x8xf32>) outs(%e : tensor<?x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}
