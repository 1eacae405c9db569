// RUN: kiln-opt %s --convert-nn-to-linalg --canonicalize --split-input-file | FileCheck %s

// Max pooling's gradient (nn.max_pool's rule: a scatter-add of the output
// gradient into zeros at nn.max_pool_indices' flat argmax) lowers in gather
// form when the windows tile the input: one parallel generic over the
// input, no scatter loop, no index check. Windows of up to 16 elements find
// their first maximum again from strided slices of the input, so the
// indices op goes unused.
// CHECK-LABEL: func @tiled
// CHECK-NOT: scf.for
// CHECK-NOT: cf.assert
// CHECK: tensor.extract_slice {{.*}}[0, 0, 0, 1, 0, 1] [2, 3, 3, 1, 2, 1] [1, 1, 1, 1, 1, 1]
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]
// CHECK: arith.cmpf ord
// CHECK: arith.cmpf oge
// CHECK: arith.cmpf ogt
// CHECK-NOT: iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK: return
func.func @tiled(%x: tensor<2x3x6x4xf32>, %dy: tensor<2x3x3x2xf32>) -> tensor<2x3x6x4xf32> {
  %i = nn.max_pool_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false, storage_order = 0 : i64} : (tensor<2x3x6x4xf32>) -> tensor<2x3x3x2xi64>
  %fi = nn.reshape %i : (tensor<2x3x3x2xi64>) -> tensor<36xi64>
  %fg = nn.reshape %dy : (tensor<2x3x3x2xf32>) -> tensor<36xf32>
  %z = nn.constant dense<0.0> : tensor<144xf32>
  %s = nn.scatter_elements %z, %fi, %fg {axis = 0 : i64, reduction = "add"} : (tensor<144xf32>, tensor<36xi64>, tensor<36xf32>) -> tensor<144xf32>
  %r = nn.reshape %s : (tensor<144xf32>) -> tensor<2x3x6x4xf32>
  return %r : tensor<2x3x6x4xf32>
}

// -----

// Windows that do not tile the input keep the checked scatter loop:
// overlapping ones (3x3 at stride 2, padded) and one larger than the
// recomputed-argmax limit.
// CHECK-LABEL: func @overlapping
// CHECK: cf.assert
// CHECK: scf.for
func.func @overlapping(%x: tensor<1x2x5x5xf32>, %dy: tensor<1x2x3x3xf32>) -> tensor<1x2x5x5xf32> {
  %i = nn.max_pool_indices %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = false, storage_order = 0 : i64} : (tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xi64>
  %fi = nn.reshape %i : (tensor<1x2x3x3xi64>) -> tensor<18xi64>
  %fg = nn.reshape %dy : (tensor<1x2x3x3xf32>) -> tensor<18xf32>
  %z = nn.constant dense<0.0> : tensor<50xf32>
  %s = nn.scatter_elements %z, %fi, %fg {axis = 0 : i64, reduction = "add"} : (tensor<50xf32>, tensor<18xi64>, tensor<18xf32>) -> tensor<50xf32>
  %r = nn.reshape %s : (tensor<50xf32>) -> tensor<1x2x5x5xf32>
  return %r : tensor<1x2x5x5xf32>
}

// -----

// Tiling windows of more than 16 elements compare with nn.max_pool_indices'
// argmax, read through the same indexing map as the gradient.
// CHECK-LABEL: func @large_tiles
// CHECK-NOT: scf.for
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]
// CHECK: arith.cmpi eq, %{{.*}}, %{{.*}} : i64
// CHECK: return
func.func @large_tiles(%x: tensor<1x1x10x10xf32>, %dy: tensor<1x1x2x2xf32>) -> tensor<1x1x10x10xf32> {
  %i = nn.max_pool_indices %x {kernel_shape = array<i64: 5, 5>, strides = array<i64: 5, 5>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false, storage_order = 0 : i64} : (tensor<1x1x10x10xf32>) -> tensor<1x1x2x2xi64>
  %fi = nn.reshape %i : (tensor<1x1x2x2xi64>) -> tensor<4xi64>
  %fg = nn.reshape %dy : (tensor<1x1x2x2xf32>) -> tensor<4xf32>
  %z = nn.constant dense<0.0> : tensor<100xf32>
  %s = nn.scatter_elements %z, %fi, %fg {axis = 0 : i64, reduction = "add"} : (tensor<100xf32>, tensor<4xi64>, tensor<4xf32>) -> tensor<100xf32>
  %r = nn.reshape %s : (tensor<100xf32>) -> tensor<1x1x10x10xf32>
  return %r : tensor<1x1x10x10xf32>
}
