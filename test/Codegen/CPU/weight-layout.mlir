// RUN: kiln-opt %s --pass-pipeline='builtin.module(kiln-cpu-weight-layout)' --split-input-file | FileCheck %s

// A dense trans_b weight is stored transposed and trans_b cleared:
// [[1, 2, 3], [4, 5, 6]] (2x3) becomes [[1, 4], [2, 5], [3, 6]] (3x2).
// CHECK-LABEL: func.func @gemm_dense_weight
// CHECK: %[[W:.*]] = nn.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK: nn.gemm %{{.*}}, %[[W]], %{{.*}} {alpha = 1.000000e+00 : f64, beta = 1.000000e+00 : f64, trans_a = false, trans_b = false} : (tensor<1x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
// CHECK-NOT: tensor<2x3xf32>
func.func @gemm_dense_weight(%x: tensor<1x3xf32>, %c: tensor<2xf32>) -> tensor<1x2xf32> {
  %w = nn.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %y = nn.gemm %x, %w, %c {alpha = 1.0 : f64, beta = 1.0 : f64, trans_a = false, trans_b = true}
      : (tensor<1x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// A resource-backed weight becomes a new resource named after it, with the
// same values transposed.
// CHECK-LABEL: func.func @gemm_resource_weight
// CHECK: %[[W:.*]] = nn.constant dense_resource<fc_w_transposed> : tensor<3x2xf32>
// CHECK: nn.gemm %{{.*}}, %[[W]] {{.*}}trans_b = false
// CHECK: fc_w_transposed: "0x040000000000803F00008040000000400000A040000040400000C040"
func.func @gemm_resource_weight(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = nn.constant dense_resource<fc_w> : tensor<2x3xf32>
  %y = nn.gemm %x, %w {alpha = 1.0 : f64, beta = 1.0 : f64, trans_a = false, trans_b = true}
      : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      fc_w: "0x040000000000803F0000004000004040000080400000A0400000C040"
    }
  }
#-}

// -----

// A weight that something else also reads is left as it is (transposing it
// would store it twice).
// CHECK-LABEL: func.func @gemm_shared_weight
// CHECK: nn.gemm {{.*}}trans_b = true
func.func @gemm_shared_weight(%x: tensor<1x3xf32>) -> (tensor<1x2xf32>, tensor<2x3xf32>) {
  %w = nn.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %y = nn.gemm %x, %w {alpha = 1.0 : f64, beta = 1.0 : f64, trans_a = false, trans_b = true}
      : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  return %y, %w : tensor<1x2xf32>, tensor<2x3xf32>
}

// -----

// A weight computed at run time (an argument) and a gemm without trans_b are
// left as they are.
// CHECK-LABEL: func.func @gemm_not_constant
// CHECK: nn.gemm {{.*}}trans_b = true
// CHECK: nn.gemm {{.*}}trans_b = false
func.func @gemm_not_constant(%x: tensor<1x3xf32>, %w: tensor<2x3xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
  %y = nn.gemm %x, %w {alpha = 1.0 : f64, beta = 1.0 : f64, trans_a = false, trans_b = true}
      : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  %v = nn.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %z = nn.gemm %x, %v {alpha = 1.0 : f64, beta = 1.0 : f64, trans_a = false, trans_b = false}
      : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  return %y, %z : tensor<1x2xf32>, tensor<1x2xf32>
}

// -----

// A weight reached through static slices and reshapes of a constant (a
// recurrent layer's per-direction R) is sliced and transposed here:
// entry 1, [[5, 6], [7, 8]], is stored transposed;
// the chain goes once nothing reads it.
// CHECK-LABEL: func.func @gemm_through_slice
// CHECK: %[[W:.*]] = nn.constant dense<{{\[\[}}5.000000e+00, 7.000000e+00], [6.000000e+00, 8.000000e+00]]> : tensor<2x2xf32>
// CHECK-NOT: nn.slice
// CHECK: nn.gemm %{{.*}}, %[[W]] {{.*}}trans_b = false
func.func @gemm_through_slice(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %r = nn.constant dense<[[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]]> : tensor<2x2x2xf32>
  %s = nn.slice %r {offsets = array<i64: 1, 0, 0>, sizes = array<i64: 1, 2, 2>, strides = array<i64: 1, 1, 1>}
      : (tensor<2x2x2xf32>) -> tensor<1x2x2xf32>
  %m = nn.reshape %s : (tensor<1x2x2xf32>) -> tensor<2x2xf32>
  %y = nn.gemm %x, %m {alpha = 1.0 : f64, beta = 1.0 : f64, trans_a = false, trans_b = true}
      : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
