// RUN: kiln-opt %s --nn-generate-gradient --split-input-file --verify-diagnostics | FileCheck %s

// A float-to-float cast passes the gradient through, converted back to the
// input's type.
// CHECK-LABEL: func.func @cast_grad(
// CHECK-SAME: %[[X:.*]]: tensor<2x3xf32>, %[[DY:.*]]: tensor<2x3xf64>
// CHECK: %[[DX:.*]] = nn.cast %[[DY]] : (tensor<2x3xf64>) -> tensor<2x3xf32>
// CHECK: return %{{.*}}, %[[DX]]
func.func @cast(%x: tensor<2x3xf32>) -> tensor<2x3xf64> {
  %0 = nn.cast %x : (tensor<2x3xf32>) -> tensor<2x3xf64>
  return %0 : tensor<2x3xf64>
}

// -----

// max of two tensors: the larger operand takes the gradient and a tie splits
// it evenly (PyTorch's maximum), which finite differences cannot see.
// CHECK-LABEL: func.func @tie_grad(
// CHECK-SAME: %[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>, %[[DZ:.*]]: tensor<4xf32>
// CHECK-DAG: %[[HALFC:.*]] = nn.constant dense<5.000000e-01> : tensor<f32>
// CHECK-DAG: %[[ZERO:.*]] = nn.constant dense<0.000000e+00> : tensor<f32>
// CHECK: %[[HALF:.*]] = nn.mul %[[DZ]], %[[HALFC]]
// CHECK: %[[TIE:.*]] = nn.equal %[[X]], %[[Y]]
// CHECK: %[[WIN:.*]] = nn.greater %[[X]], %[[Y]]
// CHECK: %[[T:.*]] = nn.where %[[TIE]], %[[HALF]], %[[ZERO]]
// CHECK: nn.where %[[WIN]], %[[DZ]], %[[T]]
func.func @tie(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.max %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
