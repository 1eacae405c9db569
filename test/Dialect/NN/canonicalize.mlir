// RUN: kiln-opt %s --canonicalize --split-input-file | FileCheck %s

// A reshape to the same type folds away.
// CHECK-LABEL: func @reshape_identity
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @reshape_identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.reshape %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Two reshapes in a row become one.
// CHECK-LABEL: func @reshape_chain
// CHECK: %[[R:.*]] = nn.reshape %{{.*}} : (tensor<2x3xf32>) -> tensor<3x2xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_chain(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %0 = nn.reshape %x : (tensor<2x3xf32>) -> tensor<6xf32>
  %1 = nn.reshape %0 : (tensor<6xf32>) -> tensor<3x2xf32>
  return %1 : tensor<3x2xf32>
}

// -----

// A reshape of a dense constant folds into a constant of the new shape.
// CHECK-LABEL: func @reshape_constant
// CHECK: %[[C:.*]] = nn.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-NEXT: return %[[C]]
func.func @reshape_constant() -> tensor<2x2xf32> {
  %c = nn.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %0 = nn.reshape %c : (tensor<4xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// flatten is a reshape.
// CHECK-LABEL: func @flatten
// CHECK: nn.reshape %{{.*}} : (tensor<1x512x1x1xf32>) -> tensor<1x512xf32>
// CHECK-NOT: nn.flatten
func.func @flatten(%x: tensor<1x512x1x1xf32>) -> tensor<1x512xf32> {
  %0 = nn.flatten %x {axis = 1 : i64} : (tensor<1x512x1x1xf32>) -> tensor<1x512xf32>
  return %0 : tensor<1x512xf32>
}

// -----

// A flatten with one dynamic result dim is a reshape too (its size is the
// element count over the other); with both dynamic it stays a flatten, whose
// lowering collapses each side of the axis: a reshape pairs its dynamic
// sizes with input dims, and [N, 8, H, W] has none for N*8*H*W.
// CHECK-LABEL: func @flatten_dynamic
// CHECK: nn.reshape %{{.*}} : (tensor<?x8x4x4xf32>) -> tensor<?x128xf32>
// CHECK: nn.flatten %{{.*}} {axis = 1 : i64} : (tensor<?x8x?x?xf32>) -> tensor<?x?xf32>
func.func @flatten_dynamic(%x: tensor<?x8x4x4xf32>, %y: tensor<?x8x?x?xf32>) -> (tensor<?x128xf32>, tensor<?x?xf32>) {
  %0 = nn.flatten %x {axis = 1 : i64} : (tensor<?x8x4x4xf32>) -> tensor<?x128xf32>
  %1 = nn.flatten %y {axis = 1 : i64} : (tensor<?x8x?x?xf32>) -> tensor<?x?xf32>
  return %0, %1 : tensor<?x128xf32>, tensor<?x?xf32>
}

// -----

// An identity transpose and a one-operand concat fold to their input.
// CHECK-LABEL: func @identity_data_movement
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @identity_data_movement(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.transpose %x {perm = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = nn.concat %0 {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// Canonicalization keeps a constant trans_b weight as the model stores it:
// its layout is code generation's choice (kiln-cpu-weight-layout).
// CHECK-LABEL: func.func @gemm_weight_layout_kept
// CHECK: nn.constant dense<{{.*}}> : tensor<2x3xf32>
// CHECK: nn.gemm {{.*}}trans_b = true
func.func @gemm_weight_layout_kept(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = nn.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %y = nn.gemm %x, %w {alpha = 1.0 : f64, beta = 1.0 : f64, trans_a = false, trans_b = true}
      : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
