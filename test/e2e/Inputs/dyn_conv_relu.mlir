// y = relu(conv(x, w) + b), x [N, 8, 18, 18], w [16, 8, 3, 3], b [16]: a
// dynamic batch around the static convolution kernel, large enough to be
// split among threads (test/e2e/dynamic_shapes.test).
#bias = affine_map<(n, f, h, w) -> (f)>
#id = affine_map<(n, f, h, w) -> (n, f, h, w)>
func.func @model(%x: tensor<?x8x18x18xf32> {kiln.name = "x", kiln.dim_names = ["N"]},
                 %w: tensor<16x8x3x3xf32> {kiln.name = "w"}, %b: tensor<16xf32> {kiln.name = "b"})
    -> (tensor<?x16x16x16xf32> {kiln.dim_names = ["N"]}) attributes {kiln.result_names = ["y"]} {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x8x18x18xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<?x16x16x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x16x16x16xf32>) -> tensor<?x16x16x16xf32>
  %conv = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : tensor<?x8x18x18xf32>, tensor<16x8x3x3xf32>) outs(%f : tensor<?x16x16x16xf32>) -> tensor<?x16x16x16xf32>
  %e2 = tensor.empty(%n) : tensor<?x16x16x16xf32>
  %y = linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%conv, %b : tensor<?x16x16x16xf32>, tensor<16xf32>) outs(%e2 : tensor<?x16x16x16xf32>) {
  ^bb0(%v: f32, %bv: f32, %o: f32):
    %s = arith.addf %v, %bv : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  } -> tensor<?x16x16x16xf32>
  return %y : tensor<?x16x16x16xf32>
}
