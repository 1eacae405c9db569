// RUN: kiln-opt %s --convert-nn-to-linalg --canonicalize --cse --split-input-file | FileCheck %s

// Dynamic sizes through batch norm and softmax (Normalization.cpp).

// CHECK-LABEL: func @batch_norm
// CHECK-NOT: cf.assert
// CHECK: tensor.empty(%{{.*}}) : tensor<?x3x4x4xf32>
func.func @batch_norm(%x: tensor<?x3x4x4xf32>, %s: tensor<3xf32>) -> tensor<?x3x4x4xf32> {
  %0 = nn.batch_norm %x, %s, %s, %s, %s {epsilon = 1.0e-5 : f64}
      : (tensor<?x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x4x4xf32>
  return %0 : tensor<?x3x4x4xf32>
}

// -----

// Dynamic channels are checked against each per-channel parameter.
// CHECK-LABEL: func @batch_norm_channels
// CHECK-COUNT-4: cf.assert %{{.*}}, "nn.batch_norm: expects per-channel parameters of the input's channel count"
func.func @batch_norm_channels(%x: tensor<1x?xf32>, %s: tensor<3xf32>) -> tensor<1x?xf32> {
  %0 = nn.batch_norm %x, %s, %s, %s, %s {epsilon = 1.0e-5 : f64}
      : (tensor<1x?xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x?xf32>
  return %0 : tensor<1x?xf32>
}

// -----

// Softmax over a dynamic axis: the max and the sum keep the other sizes.
// CHECK-LABEL: func @softmax
// CHECK-SAME: (%[[X:.*]]: tensor<?x?xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: tensor.empty(%[[N]]) : tensor<?xf32>
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: arith.divf
func.func @softmax(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = nn.softmax %x {axis = -1 : i64} : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
