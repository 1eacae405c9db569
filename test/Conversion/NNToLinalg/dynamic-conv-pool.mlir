// RUN: kiln-opt %s --convert-nn-to-linalg --canonicalize --cse --split-input-file -verify-diagnostics | FileCheck %s

// A dynamic batch through convolution and pooling (ConvPool.cpp): the
// padded input, the accumulator and the result take the input's batch.

// CHECK-LABEL: func @conv_batch
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x8x8xf32>
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %{{.*}}
// CHECK: %[[P:.*]] = tensor.empty(%[[N]]) : tensor<?x3x10x10xf32>
// CHECK: tensor.insert_slice %[[X]] into %{{.*}}[0, 0, 1, 1] [%{{.*}}, 3, 8, 8] [1, 1, 1, 1]
// CHECK: tensor.empty(%[[N]]) : tensor<?x4x8x8xf32>
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} -> tensor<?x4x8x8xf32>
func.func @conv_batch(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<?x4x8x8xf32> {
  %0 = nn.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
      : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  return %0 : tensor<?x4x8x8xf32>
}

// -----

// Dynamic channels are checked against the weight.
// CHECK-LABEL: func @conv_channels
// CHECK: cf.assert %{{.*}}, "nn.conv: expects the input channels to equal the weight's times group"
func.func @conv_channels(%x: tensor<1x?x8x8xf32>, %w: tensor<4x3x1x1xf32>) -> tensor<1x4x8x8xf32> {
  %0 = nn.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x?x8x8xf32>, tensor<4x3x1x1xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// CHECK-LABEL: func @max_pool_batch
// CHECK: tensor.empty(%{{.*}}) : tensor<?x2x4x4xf32>
// CHECK: linalg.pooling_nchw_max {{.*}} -> tensor<?x2x4x4xf32>
func.func @max_pool_batch(%x: tensor<?x2x8x8xf32>) -> tensor<?x2x4x4xf32> {
  %0 = nn.max_pool %x {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
      : (tensor<?x2x8x8xf32>) -> tensor<?x2x4x4xf32>
  return %0 : tensor<?x2x4x4xf32>
}

// -----

// Global average pooling over dynamic spatial sizes divides by their
// product at run time.
// CHECK-LABEL: func @global_average_spatial
// CHECK-SAME: (%[[X:.*]]: tensor<?x2x?x?xf32>)
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK: %[[H:.*]] = tensor.dim %[[X]], %{{.*}}
// CHECK: %[[W:.*]] = tensor.dim %[[X]], %{{.*}}
// CHECK: %[[HW:.*]] = arith.muli %[[H]], %[[W]]
// CHECK: %[[I:.*]] = arith.index_cast %[[HW]] : index to i64
// CHECK: arith.sitofp %[[I]] : i64 to f32
// CHECK: tensor.expand_shape {{.*}} : tensor<?x2xf32> into tensor<?x2x1x1xf32>
func.func @global_average_spatial(%x: tensor<?x2x?x?xf32>) -> tensor<?x2x1x1xf32> {
  %0 = nn.global_average_pool %x : (tensor<?x2x?x?xf32>) -> tensor<?x2x1x1xf32>
  return %0 : tensor<?x2x1x1xf32>
}

// -----

// Average pooling in ceil mode over dynamic spatial sizes is not lowered
// (its extra end padding and divisors are computed at compile time).
func.func @pool_spatial_ceil(%x: tensor<1x2x?x8xf32>) -> tensor<1x2x?x4xf32> {
  // expected-error @+1 {{'nn.average_pool' op expects static sizes here for code generation, found 'tensor<1x2x?x8xf32>' (specialize symbolic dimensions with --input-shape)}}
  %0 = nn.average_pool %x {ceil_mode = true, count_include_pad = false, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
      : (tensor<1x2x?x8xf32>) -> tensor<1x2x?x4xf32>
  return %0 : tensor<1x2x?x4xf32>
}

// -----

// Average pooling over dynamic spatial sizes without the padding in the
// count: the sums (linalg.pooling_nchw_sum over the zero-padded input) are
// divided by each window's count, computed from the output position at run
// time: per spatial dim min(o * 2 - 1 + 3, in) - max(o * 2 - 1, 0).
// CHECK-LABEL: func @average_pool_spatial
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x?x?xf32>)
// CHECK-DAG: %[[H:.*]] = tensor.dim %[[X]], %c2
// CHECK-DAG: %[[W:.*]] = tensor.dim %[[X]], %c3
// CHECK: %[[SUM:.*]] = linalg.pooling_nchw_sum
// CHECK: linalg.generic {{.*}} ins(%[[SUM]] : tensor<1x2x?x?xf32>)
// CHECK: %[[OH:.*]] = linalg.index 2 : index
// CHECK: %[[S:.*]] = arith.muli %[[OH]], %c2
// CHECK: %[[START:.*]] = arith.subi %[[S]], %c1
// CHECK: %[[END:.*]] = arith.addi %[[S]], %c2
// CHECK: %[[LO:.*]] = arith.maxsi %[[START]], %c0
// CHECK: %[[HI:.*]] = arith.minsi %[[END]], %[[H]]
// CHECK: arith.subi %[[HI]], %[[LO]]
// CHECK: linalg.index 3 : index
// CHECK: arith.minsi %{{.*}}, %[[W]]
// CHECK: arith.muli
// CHECK: arith.sitofp %{{.*}} : i64 to f32
// CHECK: arith.divf
func.func @average_pool_spatial(%x: tensor<1x2x?x?xf32>) -> tensor<1x2x?x?xf32> {
  %0 = nn.average_pool %x {ceil_mode = false, count_include_pad = false, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
      : (tensor<1x2x?x?xf32>) -> tensor<1x2x?x?xf32>
  return %0 : tensor<1x2x?x?xf32>
}

// -----

// With the padding in the count, every window (no ceil mode) holds the
// kernel's 6 positions.
// CHECK-LABEL: func @average_pool_spatial_include_pad
// CHECK: %[[SIX:.*]] = arith.constant 6.000000e+00 : f32
// CHECK: %[[SUM:.*]] = linalg.pooling_nchw_sum
// CHECK: linalg.generic {{.*}} ins(%[[SUM]] : tensor<1x2x?x?xf32>)
// CHECK-NOT: linalg.index
// CHECK: arith.divf %{{.*}}, %[[SIX]] : f32
func.func @average_pool_spatial_include_pad(%x: tensor<1x2x?x?xf32>) -> tensor<1x2x?x?xf32> {
  %0 = nn.average_pool %x {ceil_mode = false, count_include_pad = true, kernel_shape = array<i64: 2, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 2>}
      : (tensor<1x2x?x?xf32>) -> tensor<1x2x?x?xf32>
  return %0 : tensor<1x2x?x?xf32>
}

// -----

// Dynamic spatial sizes: the padded input grows at run time and the
// result's sizes follow the window arithmetic.
// CHECK-LABEL: func @conv_spatial
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x?x?xf32>
// CHECK-DAG: %[[H:.*]] = tensor.dim %[[X]], %c2
// CHECK-DAG: %[[W:.*]] = tensor.dim %[[X]], %c3
// CHECK: tensor.empty(%{{.*}}, %{{.*}}) : tensor<1x3x?x?xf32>
// CHECK: arith.divui
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} -> tensor<1x4x?x?xf32>
func.func @conv_spatial(%x: tensor<1x3x?x?xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x?x?xf32> {
  %0 = nn.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
      : (tensor<1x3x?x?xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x?x?xf32>
  return %0 : tensor<1x4x?x?xf32>
}

// -----

// Max pooling over dynamic spatial sizes (not in ceil mode).
// CHECK-LABEL: func @max_pool_spatial
// CHECK: linalg.pooling_nchw_max {{.*}} -> tensor<?x2x?x?xf32>
func.func @max_pool_spatial(%x: tensor<?x2x?x?xf32>) -> tensor<?x2x?x?xf32> {
  %0 = nn.max_pool %x {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
      : (tensor<?x2x?x?xf32>) -> tensor<?x2x?x?xf32>
  return %0 : tensor<?x2x?x?xf32>
}

// -----

// Ceil mode over a dynamic spatial size is not lowered (its extra padding is
// computed at compile time).
func.func @max_pool_ceil(%x: tensor<1x2x?x8xf32>) -> tensor<1x2x?x4xf32> {
  // expected-error @+1 {{'nn.max_pool' op expects static sizes here for code generation, found 'tensor<1x2x?x8xf32>' (specialize symbolic dimensions with --input-shape)}}
  %0 = nn.max_pool %x {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
      : (tensor<1x2x?x8xf32>) -> tensor<1x2x?x4xf32>
  return %0 : tensor<1x2x?x4xf32>
}

// -----

// A window that may not fit a dynamic spatial dim plus its pads (here H + 2
// against a dilated window of 5) fails the run before the conv: the output
// size would be negative and clamp to 0. The static W needs no check.
// CHECK-LABEL: func @conv_window_check
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x?x8xf32>
// CHECK: %[[H:.*]] = tensor.dim %[[X]], %c2
// CHECK: %[[H64:.*]] = arith.index_cast %[[H]] : index to i64
// CHECK: %[[P:.*]] = arith.addi %[[H64]], %c2_i64
// CHECK: %[[OK:.*]] = arith.cmpi sge, %[[P]], %c5_i64
// CHECK: cf.assert %[[OK]], "nn.conv: expects the window to fit in spatial dimension 0 (padded 2, window 5), found a smaller size"
// CHECK-NOT: spatial dimension 1
// CHECK: linalg.conv_2d_nchw_fchw
func.func @conv_window_check(%x: tensor<1x3x?x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x?x4xf32> {
  %0 = nn.conv %x, %w {dilations = array<i64: 2, 2>, group = 1 : i64, pads = array<i64: 1, 0, 1, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x3x?x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x?x4xf32>
  return %0 : tensor<1x4x?x4xf32>
}

// -----

// The same check for max and average pooling, per dynamic spatial dim.
// CHECK-LABEL: func @pool_window_check
// CHECK: cf.assert %{{.*}}, "nn.max_pool: expects the window to fit in spatial dimension 0 (padded 0, window 3), found a smaller size"
// CHECK: cf.assert %{{.*}}, "nn.max_pool: expects the window to fit in spatial dimension 1 (padded 0, window 3), found a smaller size"
// CHECK: linalg.pooling_nchw_max
// CHECK: cf.assert %{{.*}}, "nn.average_pool: expects the window to fit in spatial dimension 0 (padded 2, window 4), found a smaller size"
// CHECK: linalg.pooling_nchw_sum
func.func @pool_window_check(%x: tensor<1x2x?x?xf32>) -> (tensor<1x2x?x?xf32>, tensor<1x2x?x?xf32>) {
  %0 = nn.max_pool %x {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x2x?x?xf32>) -> tensor<1x2x?x?xf32>
  %1 = nn.average_pool %x {ceil_mode = false, count_include_pad = true, kernel_shape = array<i64: 4, 1>, pads = array<i64: 1, 0, 1, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x2x?x?xf32>) -> tensor<1x2x?x?xf32>
  return %0, %1 : tensor<1x2x?x?xf32>, tensor<1x2x?x?xf32>
}
