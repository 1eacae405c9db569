// RUN: kiln-opt %s --canonicalize --split-input-file | FileCheck %s

// Sum, product, max and min over axes, with and without keep_dims.
// CHECK-LABEL: func @reduce_int
// CHECK-DAG: nn.constant dense<{{\[\[}}6], [15]]> : tensor<2x1xi64>
// CHECK-DAG: nn.constant dense<[4, 10, 18]> : tensor<3xi64>
// CHECK-DAG: nn.constant dense<[3, 6]> : tensor<2xi64>
// CHECK-DAG: nn.constant dense<1> : tensor<i64>
// CHECK-NOT: nn.reduce
func.func @reduce_int() -> (tensor<2x1xi64>, tensor<3xi64>, tensor<2xi64>, tensor<i64>) {
  %x = nn.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %0 = nn.reduce_sum %x {axes = array<i64: 1>, keep_dims = true} : (tensor<2x3xi64>) -> tensor<2x1xi64>
  %1 = nn.reduce_prod %x {axes = array<i64: 0>, keep_dims = false} : (tensor<2x3xi64>) -> tensor<3xi64>
  %2 = nn.reduce_max %x {axes = array<i64: -1>, keep_dims = false} : (tensor<2x3xi64>) -> tensor<2xi64>
  %3 = nn.reduce_min %x {axes = array<i64: 0, 1>, keep_dims = false} : (tensor<2x3xi64>) -> tensor<i64>
  return %0, %1, %2, %3 : tensor<2x1xi64>, tensor<3xi64>, tensor<2xi64>, tensor<i64>
}

// -----

// Mean and the composed L2 reduction on floats.
// CHECK-LABEL: func @reduce_float
// CHECK-DAG: nn.constant dense<[2.000000e+00, 5.000000e+00]> : tensor<2xf32>
// CHECK-DAG: nn.constant dense<[5.000000e+00, 1.000000e+01]> : tensor<2xf32>
// CHECK-NOT: nn.reduce
func.func @reduce_float() -> (tensor<2xf32>, tensor<2xf32>) {
  %x = nn.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %0 = nn.reduce_mean %x {axes = array<i64: 1>, keep_dims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  %y = nn.constant dense<[[3.0, 4.0], [6.0, 8.0]]> : tensor<2x2xf32>
  %1 = nn.reduce_l2 %y {axes = array<i64: 1>, keep_dims = false} : (tensor<2x2xf32>) -> tensor<2xf32>
  return %0, %1 : tensor<2xf32>, tensor<2xf32>
}

// -----

// Arg reductions pick the first position, or the last with select_last_index.
// CHECK-LABEL: func @arg_reduce
// CHECK-DAG: nn.constant dense<[1, 0]> : tensor<2xi64>
// CHECK-DAG: nn.constant dense<[2, 0]> : tensor<2xi64>
// CHECK-DAG: nn.constant dense<[0, 2]> : tensor<2xi64>
// CHECK-NOT: nn.arg_
func.func @arg_reduce() -> (tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) {
  %x = nn.constant dense<[[1.0, 5.0, 5.0], [7.0, 2.0, 2.0]]> : tensor<2x3xf32>
  %0 = nn.arg_max %x {axis = 1 : i64, keep_dims = false, select_last_index = false} : (tensor<2x3xf32>) -> tensor<2xi64>
  %1 = nn.arg_max %x {axis = 1 : i64, keep_dims = false, select_last_index = true} : (tensor<2x3xf32>) -> tensor<2xi64>
  %2 = nn.arg_min %x {axis = 1 : i64, keep_dims = false, select_last_index = true} : (tensor<2x3xf32>) -> tensor<2xi64>
  return %0, %1, %2 : tensor<2xi64>, tensor<2xi64>, tensor<2xi64>
}

// -----

// Running sums, plain and exclusive from the end.
// CHECK-LABEL: func @cumsum
// CHECK-DAG: nn.constant dense<[1, 3, 6, 10]> : tensor<4xi64>
// CHECK-DAG: nn.constant dense<[9, 7, 4, 0]> : tensor<4xi64>
// CHECK-NOT: nn.cumsum
func.func @cumsum() -> (tensor<4xi64>, tensor<4xi64>) {
  %x = nn.constant dense<[1, 2, 3, 4]> : tensor<4xi64>
  %0 = nn.cumsum %x {axis = 0 : i64, exclusive = false, reverse = false} : (tensor<4xi64>) -> tensor<4xi64>
  %1 = nn.cumsum %x {axis = 0 : i64, exclusive = true, reverse = true} : (tensor<4xi64>) -> tensor<4xi64>
  return %0, %1 : tensor<4xi64>, tensor<4xi64>
}

// -----

// Small matrix products: matmul with a vector operand, gemm with a
// transposed operand and a bias.
// CHECK-LABEL: func @contractions
// CHECK-DAG: nn.constant dense<[5.000000e+00, 1.100000e+01]> : tensor<2xf32>
// CHECK-DAG: nn.constant dense<{{\[\[}}1.100000e+01, 2.300000e+01], [2.300000e+01, 5.100000e+01]]> : tensor<2x2xf32>
// CHECK-NOT: nn.matmul
// CHECK-NOT: nn.gemm
func.func @contractions() -> (tensor<2xf32>, tensor<2x2xf32>) {
  %a = nn.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %v = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = nn.matmul %a, %v : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %c = nn.constant dense<1.0> : tensor<2xf32>
  %1 = nn.gemm %a, %a, %c {alpha = 2.0 : f64, beta = 1.0 : f64, trans_a = false, trans_b = true} : (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %0, %1 : tensor<2xf32>, tensor<2x2xf32>
}

// -----

// Softmax and log-softmax along an axis (exp(x - max) / sum).
// CHECK-LABEL: func @softmax
// CHECK-DAG: nn.constant dense<{{\[\[}}5.000000e-01, 5.000000e-01], [1.000000e+00, 0.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: nn.constant dense<{{\[\[}}-0.693147182, -0.693147182], [0.000000e+00, -1.000000e+03]]> : tensor<2x2xf32>
// CHECK-NOT: softmax
func.func @softmax() -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %x = nn.constant dense<[[1.0, 1.0], [1000.0, 0.0]]> : tensor<2x2xf32>
  %0 = nn.softmax %x {axis = -1 : i64} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %1 = nn.log_softmax %x {axis = 1 : i64} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  return %0, %1 : tensor<2x2xf32>, tensor<2x2xf32>
}
