// RUN: kiln-opt %s --nn-generate-gradient --split-input-file --verify-diagnostics | FileCheck %s

// A cast between float types sends the gradient back through the inverse
// cast (the finite-difference harness cannot see through f32 rounding).
// CHECK-LABEL: func.func @cast_grad(
// CHECK-SAME: %[[X:.*]]: tensor<4xf64>, %[[DY:.*]]: tensor<4xf32>
// CHECK: %[[DX:.*]] = nn.cast %[[DY]] : (tensor<4xf32>) -> tensor<4xf64>
// CHECK: return %{{.*}}, %[[DX]]
func.func @cast(%x: tensor<4xf64>) -> tensor<4xf32> {
  %0 = nn.cast %x : (tensor<4xf64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Repeated gather indices accumulate: the adjoint is a scatter with
// reduction add of the clamped indices into zeros.
// CHECK-LABEL: func.func @gather_grad(
// CHECK: %[[LO:.*]] = nn.constant dense<-5> : tensor<i64>
// CHECK: %[[HI:.*]] = nn.constant dense<4> : tensor<i64>
// CHECK: %[[C1:.*]] = nn.max %{{.*}}, %[[LO]]
// CHECK: %[[C2:.*]] = nn.min %[[C1]], %[[HI]]
// CHECK: %[[I:.*]] = nn.expand %[[C2]] {shape = array<i64: 8, 3>}
// CHECK: nn.scatter_elements %{{.*}}, %[[I]], %{{.*}} {axis = 0 : i64, reduction = "add"}
func.func @gather(%t: tensor<5x3xf32>, %i: tensor<2x4xi64>) -> tensor<2x4x3xf32> {
  %0 = nn.gather %t, %i {axis = 0 : i64} : (tensor<5x3xf32>, tensor<2x4xi64>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// -----

func.func @border_pad_runtime(%x: tensor<3x4xf32>, %p: tensor<4xi64>) -> tensor<6x7xf32> {
  // expected-error @+1 {{'nn.border_pad' op expects constant pads for a gradient, found a run-time value}}
  %0 = nn.border_pad %x, %p {mode = "edge"} : (tensor<3x4xf32>, tensor<4xi64>) -> tensor<6x7xf32>
  return %0 : tensor<6x7xf32>
}

// -----

func.func @gather_nd_batch(%x: tensor<2x3x4xf32>, %i: tensor<2x1xi64>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'nn.gather_nd' op expects batch_dims 0 for a gradient, found 1}}
  %0 = nn.gather_nd %x, %i {batch_dims = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x1xi64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
