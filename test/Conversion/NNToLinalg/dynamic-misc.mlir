// RUN: kiln-opt %s --nn-decompose --canonicalize --convert-nn-to-linalg --canonicalize --cse --canonicalize | FileCheck %s

// More ops with a symbolic batch in one function (run against PyTorch by
// dynamic_numerics.py): grouped conv, batch norm, average pool, concat,
// whole-dimension slice, gather, pad, expand, where, reduce_max, arg_max,
// flatten and instance norm lower without nn ops left, and with one
// run-time check: the gather's data indices.
// CHECK-LABEL: func @misc
// CHECK-NOT: = nn.
// CHECK: cf.assert %{{.*}}, "nn.gather: expects indices along axis 1 in [-size, size - 1], found one outside"
// CHECK-NOT: = nn.
// CHECK-NOT: cf.assert
// CHECK: return
func.func @misc(%x: tensor<?x4x6x6xf32>, %w: tensor<4x2x3x3xf32>, %s: tensor<4xf32>, %i: tensor<3xi64>) -> tensor<?x3xf32> {
  %0 = nn.conv %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
      : (tensor<?x4x6x6xf32>, tensor<4x2x3x3xf32>) -> tensor<?x4x6x6xf32>
  %1 = nn.batch_norm %0, %s, %s, %s, %s {epsilon = 1.0e-5 : f64}
      : (tensor<?x4x6x6xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x6x6xf32>
  %2 = nn.average_pool %1 {ceil_mode = true, count_include_pad = false, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
      : (tensor<?x4x6x6xf32>) -> tensor<?x4x3x3xf32>
  %3 = nn.instance_norm %2, %s, %s {epsilon = 1.0e-5 : f64} : (tensor<?x4x3x3xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x3x3xf32>
  %4 = nn.concat %3, %2 {axis = 1 : i64} : (tensor<?x4x3x3xf32>, tensor<?x4x3x3xf32>) -> tensor<?x8x3x3xf32>
  %5 = nn.slice %4 {offsets = array<i64: 0, 2, 0, 0>, sizes = array<i64: -9223372036854775808, 5, 3, 3>, strides = array<i64: 1, 1, 1, 1>}
      : (tensor<?x8x3x3xf32>) -> tensor<?x5x3x3xf32>
  %6 = nn.gather %5, %i {axis = 1 : i64} : (tensor<?x5x3x3xf32>, tensor<3xi64>) -> tensor<?x3x3x3xf32>
  %7 = nn.pad %6 {low = array<i64: 0, 0, 1, 0>, high = array<i64: 0, 0, 0, 1>, value = 0.5 : f64} : (tensor<?x3x3x3xf32>) -> tensor<?x3x4x4xf32>
  %8 = nn.reduce_max %7 {axes = array<i64: 3>, keep_dims = true} : (tensor<?x3x4x4xf32>) -> tensor<?x3x4x1xf32>
  %9 = nn.expand %8 {shape = array<i64: 1, 1, 1, 4>} : (tensor<?x3x4x1xf32>) -> tensor<?x3x4x4xf32>
  %10 = nn.greater %7, %9 : (tensor<?x3x4x4xf32>, tensor<?x3x4x4xf32>) -> tensor<?x3x4x4xi1>
  %11 = nn.where %10, %7, %9 : (tensor<?x3x4x4xi1>, tensor<?x3x4x4xf32>, tensor<?x3x4x4xf32>) -> tensor<?x3x4x4xf32>
  %12 = nn.flatten %11 {axis = 1 : i64} : (tensor<?x3x4x4xf32>) -> tensor<?x48xf32>
  %13 = nn.arg_max %12 {axis = 1 : i64, keep_dims = false, select_last_index = false} : (tensor<?x48xf32>) -> tensor<?xi64>
  %14 = nn.cast %13 : (tensor<?xi64>) -> tensor<?xf32>
  %15 = nn.reshape %14 : (tensor<?xf32>) -> tensor<?x1xf32>
  %16 = nn.reduce_mean %11 {axes = array<i64: 2, 3>, keep_dims = false} : (tensor<?x3x4x4xf32>) -> tensor<?x3xf32>
  %17 = nn.add %16, %15 : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<?x3xf32>
  return %17 : tensor<?x3xf32>
}
