// RUN: kiln-opt %s --split-input-file --verify-diagnostics

// Verifier messages of the semantic ops (ops-semantic.mlir has the valid forms).

// layer_norm needs a dimension to normalize.
func.func @layer_norm_rank(%x: tensor<f32>, %s: tensor<f32>) {
  // expected-error @+1 {{'nn.layer_norm' op expects an input of rank >= 1}}
  %y, %m, %i = nn.layer_norm %x, %s {axis = 0 : i64, epsilon = 1.0e-5 : f64} : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>, tensor<f32>)
  return
}

// -----

// layer_norm axis out of range.
func.func @layer_norm_axis(%x: tensor<2x5x8xf32>, %s: tensor<8xf32>) {
  // expected-error @+1 {{'nn.layer_norm' op expects axis in [-3, 2], found 3}}
  %y, %m, %i = nn.layer_norm %x, %s {axis = 3 : i64, epsilon = 1.0e-5 : f64} : (tensor<2x5x8xf32>, tensor<8xf32>) -> (tensor<2x5x8xf32>, tensor<2x5x1xf32>, tensor<2x5x1xf32>)
  return
}

// -----

// layer_norm scale must broadcast to the input.
func.func @layer_norm_scale(%x: tensor<2x5x8xf32>, %s: tensor<5xf32>) {
  // expected-error @+1 {{'nn.layer_norm' op expects scale to broadcast to the input shape 2x5x8 'f32', found 5 'f32'}}
  %y, %m, %i = nn.layer_norm %x, %s {axis = -1 : i64, epsilon = 1.0e-5 : f64} : (tensor<2x5x8xf32>, tensor<5xf32>) -> (tensor<2x5x8xf32>, tensor<2x5x1xf32>, tensor<2x5x1xf32>)
  return
}

// -----

// layer_norm bias must not widen the input.
func.func @layer_norm_bias(%x: tensor<2x5x8xf32>, %s: tensor<8xf32>, %b: tensor<3x5x8xf32>) {
  // expected-error @+1 {{'nn.layer_norm' op expects bias to broadcast to the input shape 2x5x8 'f32', found 3x5x8 'f32'}}
  %y, %m, %i = nn.layer_norm %x, %s, %b {axis = -1 : i64, epsilon = 1.0e-5 : f64} : (tensor<2x5x8xf32>, tensor<8xf32>, tensor<3x5x8xf32>) -> (tensor<2x5x8xf32>, tensor<2x5x1xf32>, tensor<2x5x1xf32>)
  return
}

// -----

// layer_norm statistics keep the normalized dimensions as 1.
func.func @layer_norm_result(%x: tensor<2x5x8xf32>, %s: tensor<8xf32>) {
  // expected-error @+1 {{'nn.layer_norm' op expects result type 'tensor<2x5x8xf32>', 'tensor<2x5x1xf32>', 'tensor<2x5x1xf32>' (inferred from the operands and attributes), found 'tensor<2x5x8xf32>', 'tensor<2x5xf32>', 'tensor<2x5xf32>'}}
  %y, %m, %i = nn.layer_norm %x, %s {axis = -1 : i64, epsilon = 1.0e-5 : f64} : (tensor<2x5x8xf32>, tensor<8xf32>) -> (tensor<2x5x8xf32>, tensor<2x5xf32>, tensor<2x5xf32>)
  return
}

// -----

// instance_norm needs spatial dimensions.
func.func @instance_norm_rank(%x: tensor<2x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{'nn.instance_norm' op expects an input of rank >= 3 (N, C, spatial...), found rank 2}}
  %y = nn.instance_norm %x, %s, %s {epsilon = 1.0e-5 : f64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return
}

// -----

// instance_norm parameters are per channel.
func.func @instance_norm_scale(%x: tensor<1x3x4x4xf32>, %s: tensor<4xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'nn.instance_norm' op expects scale of shape 3 'f32', found 4 'f32'}}
  %y = nn.instance_norm %x, %s, %b {epsilon = 1.0e-5 : f64} : (tensor<1x3x4x4xf32>, tensor<4xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  return
}

// -----

// lrn needs channels and spatial dimensions.
func.func @lrn_rank(%x: tensor<8x4xf32>) {
  // expected-error @+1 {{'nn.lrn' op expects an input of rank >= 3 (N, C, spatial...), found rank 2}}
  %y = nn.lrn %x {size = 3 : i64, alpha = 1.0e-4 : f64, beta = 0.75 : f64, bias = 1.0 : f64} : (tensor<8x4xf32>) -> tensor<8x4xf32>
  return
}

// -----

// lrn window size.
func.func @lrn_size(%x: tensor<1x8x4x4xf32>) {
  // expected-error @+1 {{'nn.lrn' op expects size >= 1, found 0}}
  %y = nn.lrn %x {size = 0 : i64, alpha = 1.0e-4 : f64, beta = 0.75 : f64, bias = 1.0 : f64} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return
}

// -----

// mean_variance_norm needs axes.
func.func @mvn_no_axes(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'nn.mean_variance_norm' op expects at least one axis, found none}}
  %y = nn.mean_variance_norm %x {axes = array<i64>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

// mean_variance_norm axes are distinct.
func.func @mvn_axes(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'nn.mean_variance_norm' op expects distinct axes, found dimension 1 twice}}
  %y = nn.mean_variance_norm %x {axes = array<i64: 1, -1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

// hardmax axis out of range.
func.func @hardmax_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'nn.hardmax' op expects axis in [-2, 1], found 2}}
  %y = nn.hardmax %x {axis = 2 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

// conv_transpose input rank.
func.func @conv_transpose_rank(%x: tensor<4x3xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{'nn.conv_transpose' op expects an input of rank 3, 4 or 5 (N, C, 1 to 3 spatial), found rank 2}}
  %y = nn.conv_transpose %x, %w {strides = array<i64>, pads = array<i64>, dilations = array<i64>, output_padding = array<i64>, group = 1 : i64} : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  return
}

// -----

// conv_transpose weight rank.
func.func @conv_transpose_weight_rank(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x3xf32>) {
  // expected-error @+1 {{'nn.conv_transpose' op expects a weight of the input's rank 4, found rank 3}}
  %y = nn.conv_transpose %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, group = 1 : i64} : (tensor<1x4x3x3xf32>, tensor<4x2x3xf32>) -> tensor<1x2x5x5xf32>
  return
}

// -----

// conv_transpose element types.
func.func @conv_transpose_types(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf16>) {
  // expected-error @+1 {{'nn.conv_transpose' op expects input and weight of one element type, found 'f32' and 'f16'}}
  %y = nn.conv_transpose %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, group = 1 : i64} : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf16>) -> tensor<1x2x5x5xf32>
  return
}

// -----

// conv_transpose group.
func.func @conv_transpose_group(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{'nn.conv_transpose' op expects group >= 1, found 0}}
  %y = nn.conv_transpose %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, group = 0 : i64} : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  return
}

// -----

// conv_transpose channels divisible by group.
func.func @conv_transpose_group_channels(%x: tensor<1x3x3x3xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{'nn.conv_transpose' op expects the weight's input channels (3) to be a multiple of group (2)}}
  %y = nn.conv_transpose %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, group = 2 : i64} : (tensor<1x3x3x3xf32>, tensor<3x2x3x3xf32>) -> tensor<1x4x5x5xf32>
  return
}

// -----

// conv_transpose input channels.
func.func @conv_transpose_channels(%x: tensor<1x4x3x3xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{'nn.conv_transpose' op expects input channels (4) to equal the weight's first dimension (3)}}
  %y = nn.conv_transpose %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, group = 1 : i64} : (tensor<1x4x3x3xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  return
}

// -----

// conv_transpose bias per output channel (weight dim 1 times group).
func.func @conv_transpose_bias(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{'nn.conv_transpose' op expects a bias of shape 4 'f32', found 2 'f32'}}
  %y = nn.conv_transpose %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, group = 2 : i64} : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>, tensor<2xf32>) -> tensor<1x4x5x5xf32>
  return
}

// -----

// conv_transpose attribute lengths.
func.func @conv_transpose_attrs(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{'nn.conv_transpose' op expects 2 strides, dilations and output paddings and 4 pads, found 2, 2, 1 and 4}}
  %y = nn.conv_transpose %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0>, group = 1 : i64} : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  return
}

// -----

// conv_transpose strides.
func.func @conv_transpose_strides(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{'nn.conv_transpose' op expects positive strides and dilations}}
  %y = nn.conv_transpose %x, %w {strides = array<i64: 0, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, group = 1 : i64} : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  return
}

// -----

// conv_transpose output padding.
func.func @conv_transpose_pads(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{'nn.conv_transpose' op expects non-negative output paddings, found -1}}
  %y = nn.conv_transpose %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, -1>, group = 1 : i64} : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  return
}

// -----

// conv_transpose pads larger than the output.
func.func @conv_transpose_output(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{'nn.conv_transpose' op expects a positive output size in spatial dimension 0, found -1}}
  %y = nn.conv_transpose %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 3, 0, 3, 0>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, group = 1 : i64} : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  return
}

// -----

// resize sizes and scales per dimension.
func.func @resize_count(%x: tensor<1x1x2x2xf32>) {
  // expected-error @+1 {{'nn.resize' op expects one size and one scale per input dimension (4), found 2 and 4}}
  %y = nn.resize %x {sizes = array<i64: 4, 4>, scales = array<f64: 1.0, 1.0, 2.0, 2.0>, mode = "nearest", coordinate_transformation_mode = "asymmetric", nearest_mode = "floor"} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return
}

// -----

// resize sizes and scales positive.
func.func @resize_positive(%x: tensor<1x1x2x2xf32>) {
  // expected-error @+1 {{'nn.resize' op expects positive sizes and scales, found sizes [1, 1, 0, 4]}}
  %y = nn.resize %x {sizes = array<i64: 1, 1, 0, 4>, scales = array<f64: 1.0, 1.0, 2.0, 2.0>, mode = "nearest", coordinate_transformation_mode = "asymmetric", nearest_mode = "floor"} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return
}

// -----

// resize mode.
func.func @resize_mode(%x: tensor<1x1x2x2xf32>) {
  // expected-error @+1 {{'nn.resize' op expects mode 'nearest' or 'linear', found 'cubic'}}
  %y = nn.resize %x {sizes = array<i64: 1, 1, 4, 4>, scales = array<f64: 1.0, 1.0, 2.0, 2.0>, mode = "cubic", coordinate_transformation_mode = "asymmetric", nearest_mode = "floor"} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return
}

// -----

// resize coordinate transformation.
func.func @resize_coord(%x: tensor<1x1x2x2xf32>) {
  // expected-error @+1 {{'nn.resize' op expects coordinate_transformation_mode 'half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric' or 'tf_half_pixel_for_nn', found 'tf_crop_and_resize'}}
  %y = nn.resize %x {sizes = array<i64: 1, 1, 4, 4>, scales = array<f64: 1.0, 1.0, 2.0, 2.0>, mode = "nearest", coordinate_transformation_mode = "tf_crop_and_resize", nearest_mode = "floor"} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return
}

// -----

// resize rounding.
func.func @resize_nearest_mode(%x: tensor<1x1x2x2xf32>) {
  // expected-error @+1 {{'nn.resize' op expects nearest_mode 'round_prefer_floor', 'round_prefer_ceil', 'floor' or 'ceil', found 'round'}}
  %y = nn.resize %x {sizes = array<i64: 1, 1, 4, 4>, scales = array<f64: 1.0, 1.0, 2.0, 2.0>, mode = "nearest", coordinate_transformation_mode = "asymmetric", nearest_mode = "round"} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return
}

// -----

// linear resize of integers.
func.func @resize_linear_int(%x: tensor<1x1x2x2xi32>) {
  // expected-error @+1 {{'nn.resize' op expects a float input for linear mode, found 'i32'}}
  %y = nn.resize %x {sizes = array<i64: 1, 1, 4, 4>, scales = array<f64: 1.0, 1.0, 2.0, 2.0>, mode = "linear", coordinate_transformation_mode = "asymmetric", nearest_mode = "floor"} : (tensor<1x1x2x2xi32>) -> tensor<1x1x4x4xi32>
  return
}

// -----

// Composed reductions check their axes like the others.
func.func @reduce_l2_axis(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'nn.reduce_l2' op expects axis in [-2, 1], found 2}}
  %y = nn.reduce_l2 %x {axes = array<i64: 2>, keep_dims = false} : (tensor<2x8xf32>) -> tensor<2xf32>
  return
}

// -----

// Composed reduction axes are distinct.
func.func @reduce_log_sum_exp_axes(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'nn.reduce_log_sum_exp' op expects distinct axes, found dimension 0 twice}}
  %y = nn.reduce_log_sum_exp %x {axes = array<i64: 0, -2>, keep_dims = false} : (tensor<2x8xf32>) -> tensor<8xf32>
  return
}

// -----

// softmax_cross_entropy target drops the class dimension.
func.func @sce_target(%s: tensor<4x10xf32>, %t: tensor<4x10xi64>) {
  // expected-error @+1 {{'nn.softmax_cross_entropy' op expects a target of shape 4 (the input without its class dimension), found 4x10}}
  %l, %p = nn.softmax_cross_entropy %s, %t {reduction = "mean"} : (tensor<4x10xf32>, tensor<4x10xi64>) -> (tensor<f32>, tensor<4x10xf32>)
  return
}

// -----

// softmax_cross_entropy reduction.
func.func @sce_reduction(%s: tensor<4x10xf32>, %t: tensor<4xi64>) {
  // expected-error @+1 {{'nn.softmax_cross_entropy' op expects reduction 'none', 'sum' or 'mean', found 'max'}}
  %l, %p = nn.softmax_cross_entropy %s, %t {reduction = "max"} : (tensor<4x10xf32>, tensor<4xi64>) -> (tensor<f32>, tensor<4x10xf32>)
  return
}

// -----

// softmax_cross_entropy weight per class.
func.func @sce_weight(%s: tensor<4x10xf32>, %t: tensor<4xi64>, %w: tensor<4xf32>) {
  // expected-error @+1 {{'nn.softmax_cross_entropy' op expects a weight of shape 10 'f32', found 4 'f32'}}
  %l, %p = nn.softmax_cross_entropy %s, %t, %w {reduction = "sum"} : (tensor<4x10xf32>, tensor<4xi64>, tensor<4xf32>) -> (tensor<f32>, tensor<4x10xf32>)
  return
}

// -----

// batch_norm_training's momentum blends two statistics: it lies in [0, 1].
func.func @batch_norm_training_momentum(%x: tensor<2x3xf32>, %p: tensor<3xf32>) {
  // expected-error @+1 {{'nn.batch_norm_training' op expects momentum in [0, 1], found 1.5}}
  %y, %rm, %rv = nn.batch_norm_training %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f64, momentum = 1.5 : f64}
      : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

// Its per-channel parameters have the input's channel count.
func.func @batch_norm_training_channels(%x: tensor<2x3xf32>, %p: tensor<3xf32>, %q: tensor<4xf32>) {
  // expected-error @+1 {{'nn.batch_norm_training' op expects input_var of shape 3 'f32', found 4 'f32'}}
  %y, %rm, %rv = nn.batch_norm_training %x, %p, %p, %p, %q {epsilon = 1.0e-5 : f64, momentum = 0.9 : f64}
      : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<4xf32>) -> (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

// An optimizer's state has the parameter's type.
func.func @sgd_update_buf_type(%p: tensor<3xf32>, %b: tensor<3xf64>) {
  // expected-error @+1 {{'nn.sgd_update' op expects buf of the param's type 'tensor<3xf32>', found 'tensor<3xf64>'}}
  %p1, %b1 = nn.sgd_update %p, %p, %b {lr = 0.1 : f64, momentum = 0.9 : f64, nesterov = false, weight_decay = 0.0 : f64}
      : (tensor<3xf32>, tensor<3xf32>, tensor<3xf64>) -> (tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

// A gradient has the parameter's shape.
func.func @sgd_update_grad_shape(%p: tensor<3xf32>, %g: tensor<4xf32>) {
  // expected-error @+1 {{'nn.sgd_update' op expects grad of the param's type 'tensor<3xf32>', found 'tensor<4xf32>'}}
  %p1, %b1 = nn.sgd_update %p, %g, %p {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false, weight_decay = 0.0 : f64}
      : (tensor<3xf32>, tensor<4xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

// Nesterov momentum needs a momentum (torch.optim.SGD refuses it too).
func.func @sgd_update_nesterov(%p: tensor<3xf32>) {
  // expected-error @+1 {{'nn.sgd_update' op expects momentum > 0 with nesterov, found 0}}
  %p1, %b1 = nn.sgd_update %p, %p, %p {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = true, weight_decay = 0.0 : f64}
      : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

// A learning rate is >= 0.
func.func @sgd_update_lr(%p: tensor<3xf32>) {
  // expected-error @+1 {{'nn.sgd_update' op expects lr >= 0, found -1.000000e-01}}
  %p1, %b1 = nn.sgd_update %p, %p, %p {lr = -0.1 : f64, momentum = 0.0 : f64, nesterov = false, weight_decay = 0.0 : f64}
      : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

// rmsprop's square average has the parameter's type.
func.func @rmsprop_update_square_avg(%p: tensor<3xf32>, %s: tensor<1xf32>) {
  // expected-error @+1 {{'nn.rmsprop_update' op expects square_avg of the param's type 'tensor<3xf32>', found 'tensor<1xf32>'}}
  %p1, %s1 = nn.rmsprop_update %p, %p, %s {lr = 0.01 : f64, alpha = 0.99 : f64, eps = 1.0e-8 : f64, weight_decay = 0.0 : f64}
      : (tensor<3xf32>, tensor<3xf32>, tensor<1xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

// rmsprop's alpha is >= 0.
func.func @rmsprop_update_alpha(%p: tensor<3xf32>) {
  // expected-error @+1 {{'nn.rmsprop_update' op expects alpha >= 0, found -1}}
  %p1, %s1 = nn.rmsprop_update %p, %p, %p {lr = 0.01 : f64, alpha = -1.0 : f64, eps = 1.0e-8 : f64, weight_decay = 0.0 : f64}
      : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

// adam's step count is an i64 scalar.
func.func @adam_update_step(%p: tensor<3xf32>, %t: tensor<f32>) {
  // expected-error @+1 {{'nn.adam_update' op expects a rank-0 i64 step, found 'tensor<f32>'}}
  %p1, %m1, %v1 = nn.adam_update %p, %p, %p, %p, %t {lr = 1.0e-3 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64, weight_decay = 0.0 : f64, decoupled = false}
      : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<f32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

// adam's betas lie in [0, 1).
func.func @adam_update_beta2(%p: tensor<3xf32>, %t: tensor<i64>) {
  // expected-error @+1 {{'nn.adam_update' op expects beta2 in [0, 1), found 1}}
  %p1, %m1, %v1 = nn.adam_update %p, %p, %p, %p, %t {lr = 1.0e-3 : f64, beta1 = 0.9 : f64, beta2 = 1.0 : f64, eps = 1.0e-8 : f64, weight_decay = 0.0 : f64, decoupled = false}
      : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<i64>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

// adam's moments have the parameter's type.
func.func @adam_update_exp_avg_sq(%p: tensor<3xf32>, %v: tensor<3xf16>, %t: tensor<i64>) {
  // expected-error @+1 {{'nn.adam_update' op expects exp_avg_sq of the param's type 'tensor<3xf32>', found 'tensor<3xf16>'}}
  %p1, %m1, %v1 = nn.adam_update %p, %p, %p, %v, %t {lr = 1.0e-3 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64, weight_decay = 0.0 : f64, decoupled = false}
      : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf16>, tensor<i64>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}
