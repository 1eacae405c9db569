// RUN: kiln-opt %s --convert-nn-to-linalg --split-input-file | FileCheck %s

// An ungrouped 2-D nn.conv pads the input (copied into the interior, the
// four border bands filled with zeros), starts from the broadcast bias and
// becomes linalg.conv_2d_nchw_fchw.
// CHECK-LABEL: func @conv
// CHECK: %[[IN:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 1, 1] [1, 3, 8, 8] [1, 1, 1, 1]
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x3x1x10xf32>)
// CHECK: tensor.insert_slice %{{.*}}[0, 0, 0, 0] [1, 3, 1, 10] [1, 1, 1, 1]
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x3x1x10xf32>)
// CHECK: tensor.insert_slice %{{.*}}[0, 0, 9, 0] [1, 3, 1, 10] [1, 1, 1, 1]
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x3x8x1xf32>)
// CHECK: tensor.insert_slice %{{.*}}[0, 0, 1, 0] [1, 3, 8, 1] [1, 1, 1, 1]
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x3x8x1xf32>)
// CHECK: %[[PAD:.*]] = tensor.insert_slice %{{.*}}[0, 0, 1, 9] [1, 3, 8, 1] [1, 1, 1, 1]
// CHECK: %[[BIAS:.*]] = linalg.generic
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%[[PAD]], %{{.*}} : tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) outs(%[[BIAS]] : tensor<1x4x4x4xf32>)
func.func @conv(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = nn.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// A depthwise (grouped) convolution splits channels into groups and uses
// linalg.conv_2d_ngchw_gfchw.
// CHECK-LABEL: func @depthwise
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 4, 1, 6, 6]
// CHECK: %[[C:.*]] = linalg.conv_2d_ngchw_gfchw
// CHECK: tensor.collapse_shape %[[C]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x4x1x4x4xf32> into tensor<1x4x4x4xf32>
func.func @depthwise(%x: tensor<1x4x6x6xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32> {
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 4 : i64}
      : (tensor<1x4x6x6xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// A 1-D convolution is widened to 2-D with a unit H (see
// docs/lowering-choices.md) and collapsed back.
// CHECK-LABEL: func @conv_1d
// CHECK: %[[X:.*]] = tensor.expand_shape %arg0 {{\[\[}}0], [1], [2, 3]] output_shape [1, 3, 1, 8]
// CHECK: %[[W:.*]] = tensor.expand_shape %arg1 {{\[\[}}0], [1], [2, 3]] output_shape [4, 3, 1, 3]
// CHECK: %[[C:.*]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%[[X]], %[[W]] : tensor<1x3x1x8xf32>, tensor<4x3x1x3xf32>)
// CHECK: tensor.collapse_shape %[[C]] {{\[\[}}0], [1], [2, 3]] : tensor<1x4x1x6xf32> into tensor<1x4x6xf32>
func.func @conv_1d(%x: tensor<1x3x8xf32>, %w: tensor<4x3x3xf32>) -> tensor<1x4x6xf32> {
  %0 = nn.conv %x, %w {strides = array<i64: 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1>, group = 1 : i64} : (tensor<1x3x8xf32>, tensor<4x3x3xf32>) -> tensor<1x4x6xf32>
  return %0 : tensor<1x4x6xf32>
}

// -----

// A 3-D convolution is one generic over (n, g, f, od, oh, ow, c, kd, kh, kw)
// with channels split by group; a 3-D max pool reads the padded input at
// o * stride + k * dilation with the window's shape from an empty tensor.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d0, d1, d6, d3 + d7, d4 + d8, d5 + d9)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d1, d2, d6, d7, d8, d9)>
// CHECK-DAG: #[[PIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2 * 2 + d5, d3 * 2 + d6, d4 * 2 + d7)>
// CHECK-LABEL: func @conv_pool_3d
// CHECK: tensor.expand_shape %arg0 {{\[}}[0], [1, 2], [3], [4], [5]]
// CHECK: tensor.expand_shape %arg1 {{\[}}[0, 1], [2], [3], [4], [5]]
// CHECK: %[[C:.*]] = linalg.generic {indexing_maps = [#[[IN]], #[[W]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]}
// CHECK: tensor.collapse_shape %[[C]] {{\[}}[0], [1, 2], [3], [4], [5]] : tensor<1x2x3x3x3x3xf32> into tensor<1x6x3x3x3xf32>
// CHECK: tensor.empty() : tensor<2x2x2xf32>
// CHECK: linalg.generic {indexing_maps = [#[[PIN]],
// CHECK: arith.maximumf
func.func @conv_pool_3d(%x: tensor<1x4x5x5x5xf32>, %w: tensor<6x2x3x3x3xf32>) -> (tensor<1x6x3x3x3xf32>, tensor<1x4x2x2x2xf32>) {
  %0 = nn.conv %x, %w {dilations = array<i64: 1, 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 1, 1, 1>} : (tensor<1x4x5x5x5xf32>, tensor<6x2x3x3x3xf32>) -> tensor<1x6x3x3x3xf32>
  %1 = nn.max_pool %x {kernel_shape = array<i64: 2, 2, 2>, strides = array<i64: 2, 2, 2>, pads = array<i64: 0, 0, 0, 0, 0, 0>, dilations = array<i64: 1, 1, 1>, ceil_mode = false} : (tensor<1x4x5x5x5xf32>) -> tensor<1x4x2x2x2xf32>
  return %0, %1 : tensor<1x6x3x3x3xf32>, tensor<1x4x2x2x2xf32>
}

// -----

// nn.max_pool pads with -inf and uses the named pooling op.
// CHECK-LABEL: func @max_pool
// CHECK: %[[NEG:.*]] = arith.constant 0xFF800000 : f32
// CHECK: linalg.fill ins(%[[NEG]] : f32) outs(%{{.*}} : tensor<1x2x5x1xf32>)
// CHECK: %[[PAD:.*]] = tensor.insert_slice %{{.*}}[0, 0, 1, 6] [1, 2, 5, 1] [1, 1, 1, 1]
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[NEG]] : f32) outs(%{{.*}} : tensor<1x2x3x3xf32>)
// CHECK: %[[WIN:.*]] = tensor.empty() : tensor<3x3xf32>
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%[[PAD]], %[[WIN]] : {{.*}}) outs(%[[INIT]] :
func.func @max_pool(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = false}
      : (tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// nn.average_pool sums with linalg.pooling_nchw_sum, then divides by a
// constant of per-position window counts (padding excluded).
// CHECK-DAG: #[[SP:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-LABEL: func @average_pool
// CHECK: %[[SUM:.*]] = linalg.pooling_nchw_sum {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
// CHECK: %[[DIV:.*]] = arith.constant dense<{{\[\[}}4.000000e+00, 6.000000e+00, 4.000000e+00], [6.000000e+00, 9.000000e+00, 6.000000e+00], [4.000000e+00, 6.000000e+00, 4.000000e+00]]> : tensor<3x3xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[SP]], #{{.*}}], {{.*}} ins(%[[SUM]], %[[DIV]] :
// CHECK: arith.divf
func.func @average_pool(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %0 = nn.average_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode = false, count_include_pad = false} : (tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// nn.global_average_pool sums over the spatial dims and divides by their
// size; the result gets its unit dims back by a reshape.
// CHECK-LABEL: func @global_average_pool
// CHECK: %[[S:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
// CHECK: arith.addf
// CHECK: %[[N:.*]] = arith.constant 2.500000e+01 : f32
// CHECK: linalg.generic {{.*}} ins(%[[S]] : tensor<1x2xf32>)
// CHECK: arith.divf %{{.*}}, %[[N]]
// CHECK: tensor.expand_shape {{.*}} into tensor<1x2x1x1xf32>
func.func @global_average_pool(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x1x1xf32> {
  %0 = nn.global_average_pool %x : (tensor<1x2x5x5xf32>) -> tensor<1x2x1x1xf32>
  return %0 : tensor<1x2x1x1xf32>
}

// -----

// nn.global_max_pool reduces the spatial dims with maximumf from -inf.
// CHECK-LABEL: func @global_max_pool
// CHECK: %[[NEG:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[NEG]] : f32)
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%arg0 : tensor<1x2x5x5xf32>) outs(%[[INIT]] : tensor<1x2xf32>)
// CHECK: arith.maximumf
func.func @global_max_pool(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x1x1xf32> {
  %0 = nn.global_max_pool %x : (tensor<1x2x5x5xf32>) -> tensor<1x2x1x1xf32>
  return %0 : tensor<1x2x1x1xf32>
}
