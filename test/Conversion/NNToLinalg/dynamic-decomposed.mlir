// RUN: kiln-opt %s --nn-decompose --canonicalize --convert-nn-to-linalg --canonicalize --cse --canonicalize | FileCheck %s

// Ops that nn-decompose expands, with a symbolic batch (run against PyTorch
// by dynamic_numerics.py): conv_transpose (stride 2, padding, output padding)
// and hardmax over the channels lower with no check left.
// CHECK-LABEL: func @decomposed
// CHECK-NOT: = nn.
// CHECK-NOT: cf.assert
// CHECK: return %{{.*}} : tensor<?x4x6x6xf32>
func.func @decomposed(%x: tensor<?x2x3x3xf32>, %w: tensor<2x4x3x3xf32>, %b: tensor<4xf32>) -> tensor<?x4x6x6xf32> {
  %0 = nn.conv_transpose %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
      : (tensor<?x2x3x3xf32>, tensor<2x4x3x3xf32>, tensor<4xf32>) -> tensor<?x4x6x6xf32>
  %1 = nn.hardmax %0 {axis = 1 : i64} : (tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32>
  %2 = nn.add %0, %1 : (tensor<?x4x6x6xf32>, tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32>
  return %2 : tensor<?x4x6x6xf32>
}
