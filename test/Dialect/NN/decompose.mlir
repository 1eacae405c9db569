// RUN: kiln-opt %s --nn-decompose --split-input-file | FileCheck %s

// layer_norm: mean and 1/sqrt(var + eps) over the trailing dims, then scale
// and bias; the statistics results are the kept-dims mean and inverse.
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x5x8xf32>, %[[S:.*]]: tensor<8xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK-DAG: %[[EPS:.*]] = nn.constant dense<9.99999974E-6> : tensor<f32>
// CHECK: %[[MEAN:.*]] = nn.reduce_mean %[[X]] {axes = array<i64: 2>, keep_dims = true}
// CHECK: %[[C:.*]] = nn.sub %[[X]], %[[MEAN]]
// CHECK: %[[SQ:.*]] = nn.mul %[[C]], %[[C]]
// CHECK: %[[VAR:.*]] = nn.reduce_mean %[[SQ]] {axes = array<i64: 2>, keep_dims = true}
// CHECK: %[[VE:.*]] = nn.add %[[VAR]], %[[EPS]]
// CHECK: %[[SD:.*]] = nn.sqrt %[[VE]]
// CHECK: %[[INV:.*]] = nn.reciprocal %[[SD]]
// CHECK: %[[N:.*]] = nn.mul %[[C]], %[[INV]]
// CHECK: %[[Y:.*]] = nn.mul %[[N]], %[[S]]
// CHECK: %[[YB:.*]] = nn.add %[[Y]], %[[B]]
// CHECK: return %[[YB]], %[[MEAN]], %[[INV]]
func.func @layer_norm(%x: tensor<2x5x8xf32>, %s: tensor<8xf32>, %b: tensor<8xf32>)
    -> (tensor<2x5x8xf32>, tensor<2x5x1xf32>, tensor<2x5x1xf32>) {
  %y, %m, %i = nn.layer_norm %x, %s, %b {axis = -1 : i64, epsilon = 9.9999997473787516E-6 : f64}
      : (tensor<2x5x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<2x5x8xf32>, tensor<2x5x1xf32>, tensor<2x5x1xf32>)
  return %y, %m, %i : tensor<2x5x8xf32>, tensor<2x5x1xf32>, tensor<2x5x1xf32>
}

// -----

// instance_norm: statistics over the spatial dims, per-channel parameters
// reshaped to [C, 1, 1].
// CHECK-LABEL: func.func @instance_norm
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x4x4xf32>, %[[S:.*]]: tensor<3xf32>, %[[B:.*]]: tensor<3xf32>)
// CHECK: nn.reduce_mean %[[X]] {axes = array<i64: 2, 3>, keep_dims = true}
// CHECK: %[[N:.*]] = nn.mul %{{.*}}, %{{.*}} : (tensor<1x3x4x4xf32>, tensor<1x3x1x1xf32>)
// CHECK: %[[S3:.*]] = nn.reshape %[[S]] : (tensor<3xf32>) -> tensor<3x1x1xf32>
// CHECK: %[[Y:.*]] = nn.mul %[[N]], %[[S3]]
// CHECK: %[[B3:.*]] = nn.reshape %[[B]] : (tensor<3xf32>) -> tensor<3x1x1xf32>
// CHECK: %[[R:.*]] = nn.add %[[Y]], %[[B3]]
// CHECK: return %[[R]]
func.func @instance_norm(%x: tensor<1x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<1x3x4x4xf32> {
  %y = nn.instance_norm %x, %s, %b {epsilon = 1.0e-5 : f64}
      : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// -----

// lrn: the channel-window sum of squares as an average pool over [N, 1, C, H*W].
// CHECK-LABEL: func.func @lrn
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x4x4xf32>)
// CHECK-DAG: %[[BETA:.*]] = nn.constant dense<7.500000e-01> : tensor<f32>
// CHECK-DAG: %[[BIAS:.*]] = nn.constant dense<2.000000e+00> : tensor<f32>
// CHECK-DAG: %[[ALPHA:.*]] = nn.constant dense<9.99999974E-5> : tensor<f32>
// CHECK: %[[SQ:.*]] = nn.mul %[[X]], %[[X]]
// CHECK: %[[P:.*]] = nn.reshape %[[SQ]] : (tensor<1x8x4x4xf32>) -> tensor<1x1x8x16xf32>
// CHECK: %[[AVG:.*]] = nn.average_pool %[[P]] {ceil_mode = false, count_include_pad = true, kernel_shape = array<i64: 4, 1>, pads = array<i64: 1, 0, 2, 0>, strides = array<i64: 1, 1>}
// CHECK: %[[M:.*]] = nn.reshape %[[AVG]] : (tensor<1x1x8x16xf32>) -> tensor<1x8x4x4xf32>
// CHECK: %[[A:.*]] = nn.mul %[[M]], %[[ALPHA]]
// CHECK: %[[AB:.*]] = nn.add %[[A]], %[[BIAS]]
// CHECK: %[[D:.*]] = nn.pow %[[AB]], %[[BETA]]
// CHECK: nn.div %[[X]], %[[D]]
func.func @lrn(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> {
  %y = nn.lrn %x {size = 4 : i64, alpha = 1.0e-4 : f64, beta = 0.75 : f64, bias = 2.0 : f64}
      : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return %y : tensor<1x8x4x4xf32>
}

// -----

// mean_variance_norm: (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9).
// CHECK-LABEL: func.func @mean_variance_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4x4xf32>)
// CHECK-DAG: %[[TINY:.*]] = nn.constant dense<9.99999971E-10> : tensor<f32>
// CHECK: %[[MEAN:.*]] = nn.reduce_mean %[[X]] {axes = array<i64: 0, 2, 3>, keep_dims = true}
// CHECK: %[[SQ:.*]] = nn.mul %[[X]], %[[X]]
// CHECK: %[[MSQ:.*]] = nn.reduce_mean %[[SQ]]
// CHECK: %[[SQM:.*]] = nn.mul %[[MEAN]], %[[MEAN]]
// CHECK: %[[VAR:.*]] = nn.sub %[[MSQ]], %[[SQM]]
// CHECK: %[[SD:.*]] = nn.sqrt %[[VAR]]
// CHECK: %[[DEN:.*]] = nn.add %[[SD]], %[[TINY]]
// CHECK: %[[C:.*]] = nn.sub %[[X]], %[[MEAN]]
// CHECK: nn.div %[[C]], %[[DEN]]
func.func @mean_variance_norm(%x: tensor<2x3x4x4xf32>) -> tensor<2x3x4x4xf32> {
  %y = nn.mean_variance_norm %x {axes = array<i64: 0, 2, 3>} : (tensor<2x3x4x4xf32>) -> tensor<2x3x4x4xf32>
  return %y : tensor<2x3x4x4xf32>
}

// -----

// hardmax: the arg max compared with the positions along the axis.
// CHECK-LABEL: func.func @hardmax
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>)
// CHECK-DAG: %[[IOTA:.*]] = nn.constant dense<{{\[}}[0], [1], [2]]> : tensor<3x1xi64>
// CHECK: %[[AM:.*]] = nn.arg_max %[[X]] {axis = 0 : i64, keep_dims = true, select_last_index = false}
// CHECK: %[[HIT:.*]] = nn.equal %[[AM]], %[[IOTA]] : (tensor<1x4xi64>, tensor<3x1xi64>) -> tensor<3x4xi1>
// CHECK: nn.cast %[[HIT]] : (tensor<3x4xi1>) -> tensor<3x4xf32>
func.func @hardmax(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %y = nn.hardmax %x {axis = -2 : i64} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

// conv_transpose with stride 2: zeros inserted between the input's elements
// (reshape, pad, reshape, slice), the weight regrouped to [F, C, k, k] and
// flipped, then a stride-1 convolution padded by kernel - 1 - pad (+1 at
// the end for output_padding).
// CHECK-LABEL: func.func @conv_transpose
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x3x3xf32>, %[[W:.*]]: tensor<4x2x3x3xf32>, %[[B:.*]]: tensor<2xf32>)
// CHECK: %[[SPLIT:.*]] = nn.reshape %[[X]] : (tensor<1x4x3x3xf32>) -> tensor<1x4x3x1x3x1xf32>
// CHECK: %[[SPREAD:.*]] = nn.pad %[[SPLIT]] {high = array<i64: 0, 0, 0, 1, 0, 1>
// CHECK: %[[FLAT:.*]] = nn.reshape %[[SPREAD]] : (tensor<1x4x3x2x3x2xf32>) -> tensor<1x4x6x6xf32>
// CHECK: %[[IN:.*]] = nn.slice %[[FLAT]] {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: 1, 4, 5, 5>, strides = array<i64: 1, 1, 1, 1>}
// CHECK: %[[WG:.*]] = nn.reshape %[[W]] : (tensor<4x2x3x3xf32>) -> tensor<1x4x2x3x3xf32>
// CHECK: %[[WT:.*]] = nn.transpose %[[WG]] {perm = array<i64: 0, 2, 1, 3, 4>}
// CHECK: %[[WD:.*]] = nn.reshape %[[WT]] : (tensor<1x2x4x3x3xf32>) -> tensor<2x4x3x3xf32>
// CHECK: %[[WF:.*]] = nn.slice %[[WD]] {offsets = array<i64: 0, 0, 2, 2>, sizes = array<i64: 2, 4, 3, 3>, strides = array<i64: 1, 1, -1, -1>}
// CHECK: %[[Y:.*]] = nn.conv %[[IN]], %[[WF]], %[[B]] {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 2, 2>, strides = array<i64: 1, 1>}
// CHECK-SAME: -> tensor<1x2x6x6xf32>
// CHECK: return %[[Y]]
func.func @conv_transpose(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>, %b: tensor<2xf32>) -> tensor<1x2x6x6xf32> {
  %y = nn.conv_transpose %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>,
                                     dilations = array<i64: 1, 1>, output_padding = array<i64: 1, 1>,
                                     group = 1 : i64}
      : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x6x6xf32>
  return %y : tensor<1x2x6x6xf32>
}

// -----

// conv_transpose with pads beyond kernel - 1: the convolution pads nothing
// there and its result is cropped.
// CHECK-LABEL: func.func @conv_transpose_crop
// CHECK: %[[Y:.*]] = nn.conv %{{.*}}, %{{.*}} {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 0, 2>, strides = array<i64: 1>}
// CHECK-SAME: -> tensor<1x1x5xf32>
// CHECK: %[[CROP:.*]] = nn.slice %[[Y]] {offsets = array<i64: 0, 0, 1>, sizes = array<i64: 1, 1, 4>, strides = array<i64: 1, 1, 1>}
// CHECK: return %[[CROP]] : tensor<1x1x4xf32>
func.func @conv_transpose_crop(%x: tensor<1x1x5xf32>, %w: tensor<1x1x3xf32>) -> tensor<1x1x4xf32> {
  %y = nn.conv_transpose %x, %w {strides = array<i64: 1>, pads = array<i64: 3, 0>,
                                 dilations = array<i64: 1>, output_padding = array<i64: 0>, group = 1 : i64}
      : (tensor<1x1x5xf32>, tensor<1x1x3xf32>) -> tensor<1x1x4xf32>
  return %y : tensor<1x1x4xf32>
}

// -----

// resize, nearest: one gather of constant indices per resized axis.
// CHECK-LABEL: func.func @resize_nearest
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x2x2xf32>)
// CHECK-DAG: %[[I3:.*]] = nn.constant dense<[0, 0, 0, 1, 1, 1]> : tensor<6xi64>
// CHECK-DAG: %[[I2:.*]] = nn.constant dense<[0, 0, 1, 1]> : tensor<4xi64>
// CHECK: %[[G2:.*]] = nn.gather %[[X]], %[[I2]] {axis = 2 : i64}
// CHECK: %[[G3:.*]] = nn.gather %[[G2]], %[[I3]] {axis = 3 : i64} : (tensor<1x1x4x2xf32>, tensor<6xi64>) -> tensor<1x1x4x6xf32>
// CHECK: return %[[G3]]
func.func @resize_nearest(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x6xf32> {
  %y = nn.resize %x {sizes = array<i64: 1, 1, 4, 6>, scales = array<f64: 1.0, 1.0, 2.0, 3.0>,
                     mode = "nearest", coordinate_transformation_mode = "asymmetric",
                     nearest_mode = "floor"}
      : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x6xf32>
  return %y : tensor<1x1x4x6xf32>
}

// -----

// resize, linear: two gathers blended by constant weights,
// g0 + (g1 - g0) * w (half_pixel: source (i + 0.5) / 2 - 0.5; the first
// source, -0.25, reads element 0 twice: edge clamping).
// CHECK-LABEL: func.func @resize_linear
// CHECK-SAME: (%[[X:.*]]: tensor<2x2xf32>)
// CHECK-DAG: %[[W:.*]] = nn.constant dense<[7.500000e-01, 2.500000e-01, 7.500000e-01, 2.500000e-01]> : tensor<4xf32>
// CHECK-DAG: %[[HI:.*]] = nn.constant dense<[0, 1, 1, 1]> : tensor<4xi64>
// CHECK-DAG: %[[LO:.*]] = nn.constant dense<[0, 0, 0, 1]> : tensor<4xi64>
// CHECK: %[[G0:.*]] = nn.gather %[[X]], %[[LO]] {axis = 1 : i64}
// CHECK: %[[G1:.*]] = nn.gather %[[X]], %[[HI]] {axis = 1 : i64}
// CHECK: %[[D:.*]] = nn.sub %[[G1]], %[[G0]]
// CHECK: %[[DW:.*]] = nn.mul %[[D]], %[[W]]
// CHECK: nn.add %[[G0]], %[[DW]]
func.func @resize_linear(%x: tensor<2x2xf32>) -> tensor<2x4xf32> {
  %y = nn.resize %x {sizes = array<i64: 2, 4>, scales = array<f64: 1.0, 2.0>,
                     mode = "linear", coordinate_transformation_mode = "half_pixel",
                     nearest_mode = "round_prefer_floor"}
      : (tensor<2x2xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// The composed reductions: elementwise ops around a reduce_sum.
// CHECK-LABEL: func.func @reductions
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>)
// CHECK: %[[ABS:.*]] = nn.abs %[[X]]
// CHECK: %[[L1:.*]] = nn.reduce_sum %[[ABS]] {axes = array<i64: 1>, keep_dims = false}
// CHECK: %[[SQ:.*]] = nn.mul %[[X]], %[[X]]
// CHECK: %[[SS:.*]] = nn.reduce_sum %[[SQ]] {axes = array<i64: 1>, keep_dims = true}
// CHECK: %[[L2:.*]] = nn.sqrt %[[SS]] : tensor<2x1xf32>
// CHECK: %[[SQ2:.*]] = nn.mul %[[X]], %[[X]]
// CHECK: %[[SSQ:.*]] = nn.reduce_sum %[[SQ2]] {axes = array<i64: 0, 1>, keep_dims = false}
// CHECK: %[[S:.*]] = nn.reduce_sum %[[X]] {axes = array<i64: -1>, keep_dims = false}
// CHECK: %[[LS:.*]] = nn.log %[[S]] : tensor<2xf32>
// CHECK: return %[[L1]], %[[L2]], %[[SSQ]], %[[LS]]
func.func @reductions(%x: tensor<2x8xf32>) -> (tensor<2xf32>, tensor<2x1xf32>, tensor<f32>, tensor<2xf32>) {
  %0 = nn.reduce_l1 %x {axes = array<i64: 1>, keep_dims = false} : (tensor<2x8xf32>) -> tensor<2xf32>
  %1 = nn.reduce_l2 %x {axes = array<i64: 1>, keep_dims = true} : (tensor<2x8xf32>) -> tensor<2x1xf32>
  %2 = nn.reduce_sum_square %x {axes = array<i64: 0, 1>, keep_dims = false} : (tensor<2x8xf32>) -> tensor<f32>
  %3 = nn.reduce_log_sum %x {axes = array<i64: -1>, keep_dims = false} : (tensor<2x8xf32>) -> tensor<2xf32>
  return %0, %1, %2, %3 : tensor<2xf32>, tensor<2x1xf32>, tensor<f32>, tensor<2xf32>
}

// -----

// reduce_log_sum_exp shifted by the maximum (by 0 where the maximum is
// infinite), the kept dims dropped at the end.
// CHECK-LABEL: func.func @reduce_log_sum_exp
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>)
// CHECK: %[[ZERO:.*]] = nn.constant dense<0.000000e+00> : tensor<f32>
// CHECK: %[[MAX:.*]] = nn.reduce_max %[[X]] {axes = array<i64: 1>, keep_dims = true}
// CHECK: %[[INF:.*]] = nn.is_inf %[[MAX]] {detect_negative = true, detect_positive = true}
// CHECK: %[[M:.*]] = nn.where %[[INF]], %[[ZERO]], %[[MAX]]
// CHECK: %[[D:.*]] = nn.sub %[[X]], %[[M]]
// CHECK: %[[E:.*]] = nn.exp %[[D]]
// CHECK: %[[S:.*]] = nn.reduce_sum %[[E]] {axes = array<i64: 1>, keep_dims = true}
// CHECK: %[[L:.*]] = nn.log %[[S]]
// CHECK: %[[Y:.*]] = nn.add %[[L]], %[[M]]
// CHECK: %[[R:.*]] = nn.reshape %[[Y]] : (tensor<2x1xf32>) -> tensor<2xf32>
// CHECK: return %[[R]]
func.func @reduce_log_sum_exp(%x: tensor<2x8xf32>) -> tensor<2xf32> {
  %0 = nn.reduce_log_sum_exp %x {axes = array<i64: 1>, keep_dims = false} : (tensor<2x8xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// No axes: only the elementwise parts (log-sum-exp of nothing is x).
// CHECK-LABEL: func.func @reduce_no_axes
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
// CHECK-NOT: nn.reduce_sum
// CHECK: %[[A:.*]] = nn.abs %[[X]]
// CHECK: %[[SQ:.*]] = nn.mul %[[X]], %[[X]]
// CHECK: %[[R:.*]] = nn.sqrt %[[SQ]]
// CHECK: return %[[A]], %[[R]], %[[X]]
func.func @reduce_no_axes(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %0 = nn.reduce_l1 %x {axes = array<i64>, keep_dims = true} : (tensor<3xf32>) -> tensor<3xf32>
  %1 = nn.reduce_l2 %x {axes = array<i64>, keep_dims = false} : (tensor<3xf32>) -> tensor<3xf32>
  %2 = nn.reduce_log_sum_exp %x {axes = array<i64>, keep_dims = true} : (tensor<3xf32>) -> tensor<3xf32>
  return %0, %1, %2 : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// softmax_cross_entropy: log_softmax over the class dim, then nll_loss.
// CHECK-LABEL: func.func @softmax_cross_entropy
// CHECK-SAME: (%[[S:.*]]: tensor<4x10xf32>, %[[T:.*]]: tensor<4xi64>, %[[W:.*]]: tensor<10xf32>)
// CHECK: %[[LP:.*]] = nn.log_softmax %[[S]] {axis = 1 : i64}
// CHECK: %[[L:.*]] = nn.nll_loss %[[LP]], %[[T]], %[[W]] {ignore_index = 0 : i64, reduction = "mean"}
// CHECK: return %[[L]], %[[LP]]
func.func @softmax_cross_entropy(%s: tensor<4x10xf32>, %t: tensor<4xi64>, %w: tensor<10xf32>)
    -> (tensor<f32>, tensor<4x10xf32>) {
  %l, %p = nn.softmax_cross_entropy %s, %t, %w {reduction = "mean", ignore_index = 0 : i64}
      : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> (tensor<f32>, tensor<4x10xf32>)
  return %l, %p : tensor<f32>, tensor<4x10xf32>
}
