// RUN: kiln-opt %s --split-input-file | kiln-opt --split-input-file | FileCheck %s

// Round trips of the semantic ops (ONNX-level ops that nn-decompose rewrites
// into primitive nn ops).

// layer_norm: three results, the statistics keep the normalized dims as 1.
// CHECK-LABEL: func.func @layer_norm
// CHECK: nn.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {axis = -1 : i64, epsilon = 9.9999997473787516E-6 : f64}
// CHECK-SAME: -> (tensor<2x5x8xf32>, tensor<2x5x1xf32>, tensor<2x5x1xf32>)
func.func @layer_norm(%x: tensor<2x5x8xf32>, %s: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x5x8xf32> {
  %y, %m, %i = nn.layer_norm %x, %s, %b {axis = -1 : i64, epsilon = 9.9999997473787516E-6 : f64}
      : (tensor<2x5x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<2x5x8xf32>, tensor<2x5x1xf32>, tensor<2x5x1xf32>)
  return %y : tensor<2x5x8xf32>
}

// -----

// layer_norm without a bias, normalizing the last two dimensions.
// CHECK-LABEL: func.func @layer_norm_no_bias
// CHECK: nn.layer_norm %{{.*}}, %{{.*}} {axis = 1 : i64, epsilon = 1.000000e-03 : f64}
// CHECK-SAME: -> (tensor<2x5x8xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>)
func.func @layer_norm_no_bias(%x: tensor<2x5x8xf32>, %s: tensor<5x8xf32>) -> tensor<2x5x8xf32> {
  %y, %m, %i = nn.layer_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-3 : f64}
      : (tensor<2x5x8xf32>, tensor<5x8xf32>) -> (tensor<2x5x8xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>)
  return %y : tensor<2x5x8xf32>
}

// -----

// CHECK-LABEL: func.func @instance_norm
// CHECK: nn.instance_norm %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-05 : f64} : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
func.func @instance_norm(%x: tensor<1x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<1x3x4x4xf32> {
  %y = nn.instance_norm %x, %s, %b {epsilon = 1.0e-5 : f64}
      : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @lrn
// CHECK: nn.lrn %{{.*}} {alpha = 1.000000e-04 : f64, beta = 7.500000e-01 : f64, bias = 1.000000e+00 : f64, size = 3 : i64} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
func.func @lrn(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> {
  %y = nn.lrn %x {size = 3 : i64, alpha = 1.0e-4 : f64, beta = 0.75 : f64, bias = 1.0 : f64}
      : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return %y : tensor<1x8x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @mean_variance_norm
// CHECK: nn.mean_variance_norm %{{.*}} {axes = array<i64: 0, 2, 3>} : (tensor<2x3x4x4xf32>) -> tensor<2x3x4x4xf32>
func.func @mean_variance_norm(%x: tensor<2x3x4x4xf32>) -> tensor<2x3x4x4xf32> {
  %y = nn.mean_variance_norm %x {axes = array<i64: 0, 2, 3>} : (tensor<2x3x4x4xf32>) -> tensor<2x3x4x4xf32>
  return %y : tensor<2x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @hardmax
// CHECK: nn.hardmax %{{.*}} {axis = -1 : i64} : (tensor<2x10xf32>) -> tensor<2x10xf32>
func.func @hardmax(%x: tensor<2x10xf32>) -> tensor<2x10xf32> {
  %y = nn.hardmax %x {axis = -1 : i64} : (tensor<2x10xf32>) -> tensor<2x10xf32>
  return %y : tensor<2x10xf32>
}

// -----

// conv_transpose: stride 2 with output padding, and a bias.
// CHECK-LABEL: func.func @conv_transpose
// CHECK: nn.conv_transpose %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
// CHECK-SAME: -> tensor<1x2x6x6xf32>
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
// CHECK: nn.conv_transpose {{.*}} : (tensor<1x4x5xf32>, tensor<4x3x2xf32>) -> tensor<1x6x6xf32>
func.func @conv_transpose_grouped(%x: tensor<1x4x5xf32>, %w: tensor<4x3x2xf32>) -> tensor<1x6x6xf32> {
  %y = nn.conv_transpose %x, %w {strides = array<i64: 1>, pads = array<i64: 0, 0>,
                                 dilations = array<i64: 1>, output_padding = array<i64: 0>, group = 2 : i64}
      : (tensor<1x4x5xf32>, tensor<4x3x2xf32>) -> tensor<1x6x6xf32>
  return %y : tensor<1x6x6xf32>
}

// -----

// CHECK-LABEL: func.func @resize
// CHECK: nn.resize %{{.*}} {coordinate_transformation_mode = "half_pixel", mode = "linear", nearest_mode = "round_prefer_floor", scales = array<f64: 1.000000e+00, 1.000000e+00, 2.000000e+00, 1.500000e+00>, sizes = array<i64: 1, 3, 8, 6>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x6xf32>
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
// CHECK: nn.reduce_l1 %{{.*}} {axes = array<i64: 1>, keep_dims = false} : (tensor<2x8xi32>) -> tensor<2xi32>
// CHECK: nn.reduce_l2 %{{.*}} {axes = array<i64: 1>, keep_dims = true} : (tensor<2x8xf32>) -> tensor<2x1xf32>
// CHECK: nn.reduce_sum_square %{{.*}} {axes = array<i64: 0, 1>, keep_dims = false} : (tensor<2x8xf32>) -> tensor<f32>
// CHECK: nn.reduce_log_sum %{{.*}} {axes = array<i64: -1>, keep_dims = false} : (tensor<2x8xf32>) -> tensor<2xf32>
// CHECK: nn.reduce_log_sum_exp %{{.*}} {axes = array<i64: 0>, keep_dims = true} : (tensor<2x8xf32>) -> tensor<1x8xf32>
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
// CHECK: nn.reduce_l2 %{{.*}} {axes = array<i64>, keep_dims = true} : (tensor<2x8xf32>) -> tensor<2x8xf32>
func.func @reduce_no_axes(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = nn.reduce_l2 %x {axes = array<i64>, keep_dims = true} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func.func @softmax_cross_entropy
// CHECK: nn.softmax_cross_entropy %{{.*}}, %{{.*}}, %{{.*}} {ignore_index = -1 : i64, reduction = "none"}
// CHECK-SAME: : (tensor<4x10x3xf32>, tensor<4x3xi64>, tensor<10xf32>) -> (tensor<4x3xf32>, tensor<4x10x3xf32>)
func.func @softmax_cross_entropy(%s: tensor<4x10x3xf32>, %t: tensor<4x3xi64>, %w: tensor<10xf32>)
    -> (tensor<4x3xf32>, tensor<4x10x3xf32>) {
  %l, %p = nn.softmax_cross_entropy %s, %t, %w {reduction = "none", ignore_index = -1 : i64}
      : (tensor<4x10x3xf32>, tensor<4x3xi64>, tensor<10xf32>) -> (tensor<4x3xf32>, tensor<4x10x3xf32>)
  return %l, %p : tensor<4x3xf32>, tensor<4x10x3xf32>
}

// -----

// lstm: optional bias, lengths, initial states and peepholes by keyword;
// dynamic seq and batch.
// CHECK-LABEL: func.func @lstm
// CHECK: nn.lstm %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} lengths %{{.*}} initial_h %{{.*}} initial_c %{{.*}} peepholes %{{.*}} {
// CHECK-SAME: -> (tensor<?x2x?x4xf32>, tensor<2x?x4xf32>, tensor<2x?x4xf32>)
func.func @lstm(%x: tensor<?x?x3xf32>, %w: tensor<2x16x3xf32>, %r: tensor<2x16x4xf32>, %b: tensor<2x32xf32>,
                %l: tensor<?xi32>, %h: tensor<2x?x4xf32>, %c: tensor<2x?x4xf32>, %p: tensor<2x12xf32>)
    -> (tensor<?x2x?x4xf32>, tensor<2x?x4xf32>, tensor<2x?x4xf32>) {
  %y, %yh, %yc = nn.lstm %x, %w, %r bias %b lengths %l initial_h %h initial_c %c peepholes %p {
      activation_alpha = array<f64: 0.0, 0.0, 0.0, 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0, 0.0, 0.0, 0.0>,
      activations = ["sigmoid", "tanh", "tanh", "sigmoid", "tanh", "tanh"], clip = 3.0 : f64,
      direction = "bidirectional", hidden_size = 4 : i64, input_forget = false}
      : (tensor<?x?x3xf32>, tensor<2x16x3xf32>, tensor<2x16x4xf32>, tensor<2x32xf32>, tensor<?xi32>, tensor<2x?x4xf32>, tensor<2x?x4xf32>, tensor<2x12xf32>)
      -> (tensor<?x2x?x4xf32>, tensor<2x?x4xf32>, tensor<2x?x4xf32>)
  return %y, %yh, %yc : tensor<?x2x?x4xf32>, tensor<2x?x4xf32>, tensor<2x?x4xf32>
}

// -----

// gru: linear_before_reset, an initial state and no bias.
// CHECK-LABEL: func.func @gru
// CHECK: nn.gru %{{.*}}, %{{.*}}, %{{.*}} initial_h %{{.*}} {{{.*}}linear_before_reset = true}
func.func @gru(%x: tensor<5x2x3xf32>, %w: tensor<1x12x3xf32>, %r: tensor<1x12x4xf32>, %h: tensor<1x2x4xf32>)
    -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>) {
  %y, %yh = nn.gru %x, %w, %r initial_h %h {activation_alpha = array<f64: 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0>,
      activations = ["sigmoid", "tanh"], direction = "reverse", hidden_size = 4 : i64, linear_before_reset = true}
      : (tensor<5x2x3xf32>, tensor<1x12x3xf32>, tensor<1x12x4xf32>, tensor<1x2x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return %y, %yh : tensor<5x1x2x4xf32>, tensor<1x2x4xf32>
}

// -----

// rnn: one activation per direction, with its alpha.
// CHECK-LABEL: func.func @rnn
// CHECK: nn.rnn %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} {activation_alpha = array<f64: 1.000000e-01>, {{.*}}activations = ["leaky_relu"]
func.func @rnn(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>, %b: tensor<1x8xf32>)
    -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>) {
  %y, %yh = nn.rnn %x, %w, %r bias %b {activation_alpha = array<f64: 0.1>, activation_beta = array<f64: 0.0>,
      activations = ["leaky_relu"], direction = "forward", hidden_size = 4 : i64}
      : (tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>, tensor<1x8xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return %y, %yh : tensor<5x1x2x4xf32>, tensor<1x2x4xf32>
}

// -----

// batch_norm_training: the normalized input and the two running statistics [C].
// CHECK-LABEL: func.func @batch_norm_training
// CHECK: nn.batch_norm_training %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-05 : f64, momentum = 9.000000e-01 : f64}
// CHECK-SAME: -> (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>)
func.func @batch_norm_training(%x: tensor<2x3x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<2x3x4xf32> {
  %y, %rm, %rv = nn.batch_norm_training %x, %s, %b, %m, %v {epsilon = 1.0e-5 : f64, momentum = 0.9 : f64}
      : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>)
  return %y : tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @quantize_linear
// CHECK: nn.quantize_linear %{{.*}}, %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x3xi8>
// CHECK: nn.dequantize_linear %{{.*}}, %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<2x3xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x3xf32>
func.func @quantize_linear(%x: tensor<2x3xf32>, %s: tensor<2xf32>, %z: tensor<2xi8>) -> tensor<2x3xf32> {
  %q = nn.quantize_linear %x, %s, %z {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x3xi8>
  %d = nn.dequantize_linear %q, %s, %z {axis = 0 : i64} : (tensor<2x3xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x3xf32>
  return %d : tensor<2x3xf32>
}

// -----

// The optimizer updates: every state tensor has the parameter's type; adam's
// step is an i64 scalar.
// CHECK-LABEL: func.func @optimizer_updates
// CHECK: nn.sgd_update %{{.*}}, %{{.*}}, %{{.*}} {lr = 1.000000e-01 : f64, momentum = 9.000000e-01 : f64, nesterov = true, weight_decay = 1.000000e-02 : f64} : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>)
// CHECK: nn.rmsprop_update %{{.*}}, %{{.*}}, %{{.*}} {alpha = 0.98999999999999999 : f64, eps = 1.000000e-08 : f64, lr = 1.000000e-02 : f64, weight_decay = 0.000000e+00 : f64} : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>)
// CHECK: nn.adam_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {beta1 = 9.000000e-01 : f64, beta2 = 0.99899999999999999 : f64, decoupled = true, eps = 1.000000e-08 : f64, lr = 1.000000e-03 : f64, weight_decay = 1.000000e-02 : f64} : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<i64>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>)
func.func @optimizer_updates(%p: tensor<2x3xf32>, %g: tensor<2x3xf32>, %s: tensor<2x3xf32>, %t: tensor<i64>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %p1, %b1 = nn.sgd_update %p, %g, %s {lr = 0.1 : f64, momentum = 0.9 : f64, nesterov = true, weight_decay = 0.01 : f64}
      : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>)
  %p2, %s2 = nn.rmsprop_update %p1, %g, %s {lr = 0.01 : f64, alpha = 0.99 : f64, eps = 1.0e-8 : f64, weight_decay = 0.0 : f64}
      : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>)
  %p3, %m3, %v3 = nn.adam_update %p2, %g, %b1, %s2, %t {lr = 1.0e-3 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64, weight_decay = 0.01 : f64, decoupled = true}
      : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<i64>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>)
  return %p3, %m3, %v3 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}
