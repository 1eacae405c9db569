// RUN: kiln-opt %s --split-input-file | FileCheck %s

// Shape inference with dynamic sizes: a dynamic size meeting a static 1
// stays dynamic, meeting a static n > 1 becomes n, two dynamic sizes stay
// dynamic; a run-time check replaces what cannot be checked here.

// CHECK-LABEL: func @broadcast
func.func @broadcast(%a: tensor<?x1x?xf32>, %b: tensor<1x?x5xf32>) -> tensor<?x?x5xf32> {
  // CHECK: -> tensor<?x?x5xf32>
  %0 = nn.add %a, %b : (tensor<?x1x?xf32>, tensor<1x?x5xf32>) -> tensor<?x?x5xf32>
  return %0 : tensor<?x?x5xf32>
}

// -----

// CHECK-LABEL: func @conv_pool
func.func @conv_pool(%x: tensor<?x3x?x?xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<?x8x?x?xf32> {
  // CHECK: -> tensor<?x8x?x?xf32>
  %0 = nn.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
      : (tensor<?x3x?x?xf32>, tensor<8x3x3x3xf32>) -> tensor<?x8x?x?xf32>
  // CHECK: -> tensor<?x8x?x?xf32>
  %1 = nn.max_pool %0 {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
      : (tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32>
  return %1 : tensor<?x8x?x?xf32>
}

// -----

// CHECK-LABEL: func @data_movement
func.func @data_movement(%x: tensor<?x4xf32>, %i: tensor<?xi64>) -> (tensor<2x4xf32>, tensor<?x4xf32>, tensor<?x8xf32>, tensor<?x4xf32>) {
  // A static window in a dynamic dimension is checked at run time.
  // CHECK: nn.slice
  %0 = nn.slice %x {offsets = array<i64: 1, 0>, sizes = array<i64: 2, 4>, strides = array<i64: 1, 1>} : (tensor<?x4xf32>) -> tensor<2x4xf32>
  // CHECK: nn.pad {{.*}} -> tensor<?x4xf32>
  %1 = nn.pad %x {low = array<i64: 1, 0>, high = array<i64: 1, 0>, value = 0.0 : f64} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: nn.tile {{.*}} -> tensor<?x8xf32>
  %2 = nn.tile %x {repeats = array<i64: 1, 2>} : (tensor<?x4xf32>) -> tensor<?x8xf32>
  // CHECK: nn.gather {{.*}} -> tensor<?x4xf32>
  %3 = nn.gather %x, %i {axis = 0 : i64} : (tensor<?x4xf32>, tensor<?xi64>) -> tensor<?x4xf32>
  return %0, %1, %2, %3 : tensor<2x4xf32>, tensor<?x4xf32>, tensor<?x8xf32>, tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func @contraction
func.func @contraction(%a: tensor<?x?xf32>, %b: tensor<4x?xf32>) -> tensor<?x?xf32> {
  // The static size of an einsum letter wins.
  // CHECK: -> tensor<?x?xf32>
  %0 = nn.einsum %a, %b {equation = "ij,jk->ik"} : (tensor<?x?xf32>, tensor<4x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Layer and instance norm: a dynamic dim that the scale (or bias) fixes
// takes its size, as the decomposed broadcast's result does (a run-time
// check there holds the input to it).
// CHECK-LABEL: func @norms_refined
func.func @norms_refined(%x: tensor<?x?xf32>, %s: tensor<4xf32>, %y: tensor<?x?x4xf32>, %c: tensor<2xf32>) -> (tensor<?x4xf32>, tensor<?x2x4xf32>) {
  // CHECK: -> (tensor<?x4xf32>, tensor<?x1xf32>, tensor<?x1xf32>)
  %0:3 = nn.layer_norm %x, %s {axis = -1 : i64, epsilon = 1.0e-05 : f64} : (tensor<?x?xf32>, tensor<4xf32>) -> (tensor<?x4xf32>, tensor<?x1xf32>, tensor<?x1xf32>)
  // CHECK: -> tensor<?x2x4xf32>
  %1 = nn.instance_norm %y, %c, %c {epsilon = 1.0e-05 : f64} : (tensor<?x?x4xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x4xf32>
  return %0#0, %1 : tensor<?x4xf32>, tensor<?x2x4xf32>
}
