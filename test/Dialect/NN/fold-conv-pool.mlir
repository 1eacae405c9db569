// RUN: kiln-opt %s --canonicalize --split-input-file | FileCheck %s

// A convolution of constants with its bias, and a max pool.
// CHECK-LABEL: func @conv_max_pool
// CHECK-DAG: nn.constant dense<{{\[\[\[\[}}1.300000e+01, 1.700000e+01], [2.500000e+01, 2.900000e+01]]]]> : tensor<1x1x2x2xf32>
// CHECK-DAG: nn.constant dense<{{\[\[\[\[}}5.000000e+00, 6.000000e+00], [8.000000e+00, 9.000000e+00]]]]> : tensor<1x1x2x2xf32>
// CHECK-NOT: nn.conv
// CHECK-NOT: nn.max_pool
func.func @conv_max_pool() -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) {
  %x = nn.constant dense<[[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]]> : tensor<1x1x3x3xf32>
  %w = nn.constant dense<1.0> : tensor<1x1x2x2xf32>
  %b = nn.constant dense<1.0> : tensor<1xf32>
  %0 = nn.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  %1 = nn.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false}
      : (tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32>
  return %0, %1 : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>
}

// -----

// Average pools divide by the window's overlap with the input, or with the
// padding too under count_include_pad; global pools reduce every position.
// CHECK-LABEL: func @average_pools
// CHECK-DAG: nn.constant dense<{{\[\[\[\[}}3.000000e+00, 4.500000e+00], [7.500000e+00, 9.000000e+00]]]]> : tensor<1x1x2x2xf32>
// CHECK-DAG: nn.constant dense<{{\[\[\[\[}}3.000000e+00, 2.250000e+00], [3.750000e+00, 2.250000e+00]]]]> : tensor<1x1x2x2xf32>
// CHECK-DAG: nn.constant dense<5.000000e+00> : tensor<1x1x1x1xf32>
// CHECK-DAG: nn.constant dense<9.000000e+00> : tensor<1x1x1x1xf32>
// CHECK-NOT: pool
func.func @average_pools() -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>) {
  %x = nn.constant dense<[[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]]> : tensor<1x1x3x3xf32>
  %0 = nn.average_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 1, 1>, ceil_mode = false, count_include_pad = false}
      : (tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32>
  %1 = nn.average_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 1, 1>, ceil_mode = false, count_include_pad = true}
      : (tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32>
  %2 = nn.global_average_pool %x : (tensor<1x1x3x3xf32>) -> tensor<1x1x1x1xf32>
  %3 = nn.global_max_pool %x : (tensor<1x1x3x3xf32>) -> tensor<1x1x1x1xf32>
  return %0, %1, %2, %3 : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>
}

// -----

// Batch normalization with stored statistics.
// CHECK-LABEL: func @batch_norm
// CHECK-NEXT: %[[C:.*]] = nn.constant dense<{{\[\[\[\[}}0.000000e+00]], {{\[\[}}9.000000e+00]]]]> : tensor<1x2x1x1xf32>
// CHECK-NEXT: return %[[C]]
func.func @batch_norm() -> tensor<1x2x1x1xf32> {
  %x = nn.constant dense<[[[[1.0]], [[4.0]]]]> : tensor<1x2x1x1xf32>
  %s = nn.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %b = nn.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %m = nn.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %v = nn.constant dense<[4.0, 0.25]> : tensor<2xf32>
  %0 = nn.batch_norm %x, %s, %b, %m, %v {epsilon = 0.0 : f64}
      : (tensor<1x2x1x1xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x1x1xf32>
  return %0 : tensor<1x2x1x1xf32>
}

// -----

// Einsum: a matrix product, a trace (a repeated letter) and an integer dot.
// CHECK-LABEL: func @einsum
// CHECK-DAG: nn.constant dense<{{\[\[}}7.000000e+00, 1.000000e+01], [1.500000e+01, 2.200000e+01]]> : tensor<2x2xf32>
// CHECK-DAG: nn.constant dense<5.000000e+00> : tensor<f32>
// CHECK-DAG: nn.constant dense<32> : tensor<i64>
// CHECK-NOT: nn.einsum
func.func @einsum() -> (tensor<2x2xf32>, tensor<f32>, tensor<i64>) {
  %a = nn.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %0 = nn.einsum %a, %a {equation = "ij,jk->ik"} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %1 = nn.einsum %a {equation = "ii->"} : (tensor<2x2xf32>) -> tensor<f32>
  %u = nn.constant dense<[1, 2, 3]> : tensor<3xi64>
  %v = nn.constant dense<[4, 5, 6]> : tensor<3xi64>
  %2 = nn.einsum %u, %v {equation = "i,i->"} : (tensor<3xi64>, tensor<3xi64>) -> tensor<i64>
  return %0, %1, %2 : tensor<2x2xf32>, tensor<f32>, tensor<i64>
}
