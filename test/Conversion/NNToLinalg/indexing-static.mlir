// RUN: kiln-opt %s --convert-nn-to-linalg --split-input-file --verify-diagnostics

// Max pooling's indices are flat positions computed with the spatial sizes
// at compile time (a dynamic batch is fine).
func.func @max_pool_indices_dynamic(%x: tensor<1x1x?x4xf32>) -> tensor<1x1x?x2xi64> {
  // expected-error @+1 {{'nn.max_pool_indices' op expects static sizes here for code generation, found 'tensor<1x1x?x4xf32>' (specialize symbolic dimensions with --input-shape)}}
  %0 = nn.max_pool_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false, storage_order = 0 : i64} : (tensor<1x1x?x4xf32>) -> tensor<1x1x?x2xi64>
  return %0 : tensor<1x1x?x2xi64>
}
