// RUN: kiln-opt %s --nn-decompose --convert-nn-to-linalg --split-input-file | FileCheck %s

// The semantic nn ops reach linalg through nn-decompose (the CPU pipeline
// runs it before convert-nn-to-linalg): every one lowers completely.
// test/Dialect/NN/decompose.mlir checks the decompositions themselves.

// layer_norm: three results, the statistics keep the normalized dims as 1.
// CHECK-LABEL: func.func @layer_norm
// CHECK-NOT: nn.
// CHECK: math.sqrt
// CHECK-NOT: nn.
// CHECK: return
func.func @layer_norm(%x: tensor<2x5x8xf32>, %s: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x5x8xf32> {
  %y, %m, %i = nn.layer_norm %x, %s, %b {axis = -1 : i64, epsilon = 9.9999997473787516E-6 : f64}
      : (tensor<2x5x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<2x5x8xf32>, tensor<2x5x1xf32>, tensor<2x5x1xf32>)
  return %y : tensor<2x5x8xf32>
}

// -----

// layer_norm without a bias, normalizing the last two dimensions.
// CHECK-LABEL: func.func @layer_norm_no_bias
// CHECK-NOT: nn.
// CHECK: math.sqrt
// CHECK-NOT: nn.
// CHECK: return
func.func @layer_norm_no_bias(%x: tensor<2x5x8xf32>, %s: tensor<5x8xf32>) -> tensor<2x5x8xf32> {
  %y, %m, %i = nn.layer_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-3 : f64}
      : (tensor<2x5x8xf32>, tensor<5x8xf32>) -> (tensor<2x5x8xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>)
  return %y : tensor<2x5x8xf32>
}

// -----

// CHECK-LABEL: func.func @instance_norm
// CHECK-NOT: nn.
// CHECK: math.sqrt
// CHECK-NOT: nn.
// CHECK: return
func.func @instance_norm(%x: tensor<1x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<1x3x4x4xf32> {
  %y = nn.instance_norm %x, %s, %b {epsilon = 1.0e-5 : f64}
      : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @lrn
// CHECK-NOT: nn.
// CHECK: linalg.pooling_nchw_sum
// CHECK: math.powf
// CHECK-NOT: nn.
// CHECK: return
func.func @lrn(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> {
  %y = nn.lrn %x {size = 3 : i64, alpha = 1.0e-4 : f64, beta = 0.75 : f64, bias = 1.0 : f64}
      : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return %y : tensor<1x8x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @mean_variance_norm
// CHECK-NOT: nn.
// CHECK: math.sqrt
// CHECK-NOT: nn.
// CHECK: return
func.func @mean_variance_norm(%x: tensor<2x3x4x4xf32>) -> tensor<2x3x4x4xf32> {
  %y = nn.mean_variance_norm %x {axes = array<i64: 0, 2, 3>} : (tensor<2x3x4x4xf32>) -> tensor<2x3x4x4xf32>
  return %y : tensor<2x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @hardmax
// CHECK-NOT: nn.
// CHECK: linalg.generic
// CHECK-NOT: nn.
// CHECK: return
func.func @hardmax(%x: tensor<2x10xf32>) -> tensor<2x10xf32> {
  %y = nn.hardmax %x {axis = -1 : i64} : (tensor<2x10xf32>) -> tensor<2x10xf32>
  return %y : tensor<2x10xf32>
}

// -----

// conv_transpose: stride 2 with output padding, and a bias.
// CHECK-LABEL: func.func @conv_transpose
// CHECK-NOT: nn.
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-NOT: nn.
// CHECK: return
func.func @conv_transpose(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>, %b: tensor<2xf32>) -> tensor<1x2x6x6xf32> {
  %y = nn.conv_transpose %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>,
                                     dilations = array<i64: 1, 1>, output_padding = array<i64: 1, 1>,
                                     group = 1 : i64}
      : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x6x6xf32>
  return %y : tensor<1x2x6x6xf32>
}

// -----

// conv_transpose, 1-D and grouped: F = weight dim 1 times group.
// CHECK-LABEL: func.func @conv_transpose_grouped
// CHECK-NOT: nn.
// CHECK: linalg.generic
// CHECK-NOT: nn.
// CHECK: return
func.func @conv_transpose_grouped(%x: tensor<1x4x5xf32>, %w: tensor<4x3x2xf32>) -> tensor<1x6x6xf32> {
  %y = nn.conv_transpose %x, %w {strides = array<i64: 1>, pads = array<i64: 0, 0>,
                                 dilations = array<i64: 1>, output_padding = array<i64: 0>, group = 2 : i64}
      : (tensor<1x4x5xf32>, tensor<4x3x2xf32>) -> tensor<1x6x6xf32>
  return %y : tensor<1x6x6xf32>
}

// -----

// CHECK-LABEL: func.func @resize
// CHECK-NOT: nn.
// CHECK: tensor.extract
// CHECK-NOT: nn.
// CHECK: return
func.func @resize(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x8x6xf32> {
  %y = nn.resize %x {sizes = array<i64: 1, 3, 8, 6>, scales = array<f64: 1.0, 1.0, 2.0, 1.5>,
                     mode = "linear", coordinate_transformation_mode = "half_pixel",
                     nearest_mode = "round_prefer_floor"}
      : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x6xf32>
  return %y : tensor<1x3x8x6xf32>
}

// -----

// The composed reductions, with and without kept dimensions.
// CHECK-LABEL: func.func @reductions
// CHECK-NOT: nn.
// CHECK: math.absi
// CHECK: math.sqrt
// CHECK: math.log
// CHECK: math.exp
// CHECK-NOT: nn.
// CHECK: return
func.func @reductions(%i: tensor<2x8xi32>, %x: tensor<2x8xf32>)
    -> (tensor<2xi32>, tensor<2x1xf32>, tensor<f32>, tensor<2xf32>, tensor<1x8xf32>) {
  %0 = nn.reduce_l1 %i {axes = array<i64: 1>, keep_dims = false} : (tensor<2x8xi32>) -> tensor<2xi32>
  %1 = nn.reduce_l2 %x {axes = array<i64: 1>, keep_dims = true} : (tensor<2x8xf32>) -> tensor<2x1xf32>
  %2 = nn.reduce_sum_square %x {axes = array<i64: 0, 1>, keep_dims = false} : (tensor<2x8xf32>) -> tensor<f32>
  %3 = nn.reduce_log_sum %x {axes = array<i64: -1>, keep_dims = false} : (tensor<2x8xf32>) -> tensor<2xf32>
  %4 = nn.reduce_log_sum_exp %x {axes = array<i64: 0>, keep_dims = true} : (tensor<2x8xf32>) -> tensor<1x8xf32>
  return %0, %1, %2, %3, %4 : tensor<2xi32>, tensor<2x1xf32>, tensor<f32>, tensor<2xf32>, tensor<1x8xf32>
}

// -----

// No axes: nothing is reduced, the elementwise part stays.
// CHECK-LABEL: func.func @reduce_no_axes
// CHECK-NOT: nn.
// CHECK: math.sqrt
// CHECK-NOT: nn.
// CHECK: return
func.func @reduce_no_axes(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = nn.reduce_l2 %x {axes = array<i64>, keep_dims = true} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func.func @softmax_cross_entropy
// CHECK-NOT: = nn.
// CHECK: math.log
// CHECK: cf.assert %{{.*}}, "nn.nll_loss: expects every target in [0, C) or ignore_index -1, found one outside"
// CHECK-NOT: = nn.
// CHECK: return
func.func @softmax_cross_entropy(%s: tensor<4x10x3xf32>, %t: tensor<4x3xi64>, %w: tensor<10xf32>)
    -> (tensor<4x3xf32>, tensor<4x10x3xf32>) {
  %l, %p = nn.softmax_cross_entropy %s, %t, %w {reduction = "none", ignore_index = -1 : i64}
      : (tensor<4x10x3xf32>, tensor<4x3xi64>, tensor<10xf32>) -> (tensor<4x3xf32>, tensor<4x10x3xf32>)
  return %l, %p : tensor<4x3xf32>, tensor<4x10x3xf32>
}

// -----

// quantize_linear and dequantize_linear: float arithmetic, a round half to
// even, the clip and an unsigned conversion; the lowered IR is signless.
// CHECK-LABEL: func.func @quantize_linear
// CHECK-NOT: nn.
// CHECK: math.roundeven
// CHECK: arith.fptoui %{{.*}} : f32 to i8
// CHECK: arith.uitofp %{{.*}} : i8 to f32
// CHECK: return %{{.*}} : tensor<4xf32>
func.func @quantize_linear(%x: tensor<4xf32>, %s: tensor<f32>, %z: tensor<ui8>) -> tensor<4xf32> {
  %q = nn.quantize_linear %x, %s, %z {axis = 0 : i64} : (tensor<4xf32>, tensor<f32>, tensor<ui8>) -> tensor<4xui8>
  %d = nn.dequantize_linear %q, %s, %z {axis = 0 : i64} : (tensor<4xui8>, tensor<f32>, tensor<ui8>) -> tensor<4xf32>
  return %d : tensor<4xf32>
}
