// RUN: kiln-opt %s --split-input-file | kiln-opt --split-input-file | FileCheck %s

// Round trip: every nn op prints and parses back to the same IR.

// CHECK-LABEL: func @elementwise
func.func @elementwise(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> tensor<2x3xf32> {
  // CHECK: %[[R:.*]] = nn.relu %{{.*}} : tensor<2x3xf32>
  %0 = nn.relu %x : tensor<2x3xf32>
  // CHECK: nn.leaky_relu %[[R]] {alpha = 1.000000e-01 : f64} : tensor<2x3xf32>
  %1 = nn.leaky_relu %0 {alpha = 0.1 : f64} : tensor<2x3xf32>
  // CHECK: nn.clip %{{.*}} {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64} : tensor<2x3xf32>
  %2 = nn.clip %1 {min = 0.0 : f64, max = 6.0 : f64} : tensor<2x3xf32>
  // CHECK: nn.add %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %3 = nn.add %2, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %4 = nn.sigmoid %3 : tensor<2x3xf32>
  %5 = nn.erf %4 : tensor<2x3xf32>
  %6 = nn.pow %5, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %6 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @conv_pool
func.func @conv_pool(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x1x1xf32> {
  // CHECK: nn.conv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
  %0 = nn.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: nn.max_pool
  %1 = nn.max_pool %0 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false}
      : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  // CHECK: nn.average_pool
  %2 = nn.average_pool %1 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, ceil_mode = false, count_include_pad = false}
      : (tensor<1x4x4x4xf32>) -> tensor<1x4x2x2xf32>
  // CHECK: nn.global_average_pool %{{.*}} : (tensor<1x4x2x2xf32>) -> tensor<1x4x1x1xf32>
  %3 = nn.global_average_pool %2 : (tensor<1x4x2x2xf32>) -> tensor<1x4x1x1xf32>
  return %3 : tensor<1x4x1x1xf32>
}

// -----

// CHECK-LABEL: func @linear
func.func @linear(%a: tensor<8x2x3xf32>, %b: tensor<3x4xf32>, %w: tensor<5x4xf32>, %c: tensor<5xf32>) -> tensor<2x5xf32> {
  // CHECK: nn.matmul %{{.*}}, %{{.*}} : (tensor<8x2x3xf32>, tensor<3x4xf32>) -> tensor<8x2x4xf32>
  %0 = nn.matmul %a, %b : (tensor<8x2x3xf32>, tensor<3x4xf32>) -> tensor<8x2x4xf32>
  %1 = nn.reshape %0 : (tensor<8x2x4xf32>) -> tensor<16x4xf32>
  // CHECK: nn.gemm %{{.*}}, %{{.*}}, %{{.*}} {alpha = 1.000000e+00 : f64, beta = 1.000000e+00 : f64, trans_a = false, trans_b = true}
  %2 = nn.gemm %1, %w, %c {alpha = 1.0 : f64, beta = 1.0 : f64, trans_a = false, trans_b = true}
      : (tensor<16x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<16x5xf32>
  %3 = nn.softmax %2 {axis = -1 : i64} : (tensor<16x5xf32>) -> tensor<16x5xf32>
  %4 = nn.transpose %3 {perm = array<i64: 1, 0>} : (tensor<16x5xf32>) -> tensor<5x16xf32>
  %5 = nn.flatten %4 {axis = 1 : i64} : (tensor<5x16xf32>) -> tensor<5x16xf32>
  %6 = nn.concat %5, %5 {axis = 1 : i64} : (tensor<5x16xf32>, tensor<5x16xf32>) -> tensor<5x32xf32>
  %7 = nn.reshape %6 : (tensor<5x32xf32>) -> tensor<2x80xf32>
  %k = nn.constant dense<1.0> : tensor<80x5xf32>
  // CHECK: nn.matmul
  %8 = nn.matmul %7, %k : (tensor<2x80xf32>, tensor<80x5xf32>) -> tensor<2x5xf32>
  return %8 : tensor<2x5xf32>
}

// -----

// CHECK-LABEL: func @batch_norm
func.func @batch_norm(%x: tensor<1x2x3x3xf32>, %p: tensor<2xf32>) -> tensor<1x2x3x3xf32> {
  // CHECK: nn.batch_norm %{{.*}} {epsilon = 1.000000e-05 : f64}
  %0 = nn.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f64}
      : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// CHECK-LABEL: func @reductions
func.func @reductions(%x: tensor<2x3x4xf32>) -> (tensor<2x1x1xf32>, tensor<3xf32>, tensor<2x4xi64>, tensor<2x3x4xf32>) {
  // CHECK: nn.reduce_sum %{{.*}} {axes = array<i64: 1, -1>, keep_dims = true} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  %0 = nn.reduce_sum %x {axes = array<i64: 1, -1>, keep_dims = true} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  // CHECK: nn.reduce_mean %{{.*}} {axes = array<i64: 0, 2>, keep_dims = false}
  %1 = nn.reduce_mean %x {axes = array<i64: 0, 2>, keep_dims = false} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  // CHECK: nn.arg_max %{{.*}} {axis = 1 : i64, keep_dims = false, select_last_index = true}
  %2 = nn.arg_max %x {axis = 1 : i64, keep_dims = false, select_last_index = true} : (tensor<2x3x4xf32>) -> tensor<2x4xi64>
  // CHECK: nn.log_softmax %{{.*}} {axis = -1 : i64}
  %3 = nn.log_softmax %x {axis = -1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %0, %1, %2, %3 : tensor<2x1x1xf32>, tensor<3xf32>, tensor<2x4xi64>, tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func @more_elementwise
func.func @more_elementwise(%x: tensor<4xf32>, %s: tensor<1xf32>) -> tensor<4xf32> {
  // CHECK: nn.acosh
  %0 = nn.acosh %x : tensor<4xf32>
  // CHECK: nn.selu %{{.*}} {alpha = 1.500000e+00 : f64, gamma = 2.000000e+00 : f64}
  %1 = nn.selu %0 {alpha = 1.5 : f64, gamma = 2.0 : f64} : tensor<4xf32>
  // CHECK: nn.shrink %{{.*}} {bias = 1.000000e-01 : f64, lambd = 5.000000e-01 : f64}
  %2 = nn.shrink %1 {lambd = 0.5 : f64, bias = 0.1 : f64} : tensor<4xf32>
  // CHECK: nn.prelu
  %3 = nn.prelu %2, %s : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  return %3 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func @data_movement
func.func @data_movement(%x: tensor<2x4xf32>, %i: tensor<3xi64>) -> (tensor<2x2xf32>, tensor<2x3xf32>, tensor<2x4xi32>, tensor<3x7xf32>, tensor<3x2x4xf32>, tensor<4x4xf32>) {
  // CHECK: nn.slice %{{.*}} {offsets = array<i64: 0, 3>, sizes = array<i64: 2, 2>, strides = array<i64: 1, -2>}
  %0 = nn.slice %x {offsets = array<i64: 0, 3>, sizes = array<i64: 2, 2>, strides = array<i64: 1, -2>} : (tensor<2x4xf32>) -> tensor<2x2xf32>
  // CHECK: nn.gather %{{.*}}, %{{.*}} {axis = 1 : i64}
  %1 = nn.gather %x, %i {axis = 1 : i64} : (tensor<2x4xf32>, tensor<3xi64>) -> tensor<2x3xf32>
  // CHECK: nn.cast %{{.*}} : (tensor<2x4xf32>) -> tensor<2x4xi32>
  %2 = nn.cast %x : (tensor<2x4xf32>) -> tensor<2x4xi32>
  // CHECK: nn.pad %{{.*}} {high = array<i64: 0, 2>, low = array<i64: 1, 1>, value = 0.000000e+00 : f64}
  %3 = nn.pad %x {low = array<i64: 1, 1>, high = array<i64: 0, 2>, value = 0.0 : f64} : (tensor<2x4xf32>) -> tensor<3x7xf32>
  // CHECK: nn.expand %{{.*}} {shape = array<i64: 3, 1, 1>}
  %4 = nn.expand %x {shape = array<i64: 3, 1, 1>} : (tensor<2x4xf32>) -> tensor<3x2x4xf32>
  // CHECK: nn.tile %{{.*}} {repeats = array<i64: 2, 1>}
  %5 = nn.tile %x {repeats = array<i64: 2, 1>} : (tensor<2x4xf32>) -> tensor<4x4xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<2x2xf32>, tensor<2x3xf32>, tensor<2x4xi32>, tensor<3x7xf32>, tensor<3x2x4xf32>, tensor<4x4xf32>
}

// -----

// CHECK-LABEL: func @logic
func.func @logic(%x: tensor<2x3xf32>, %y: tensor<3xf32>, %i: tensor<3xi32>) -> (tensor<2x3xf32>, tensor<3xi32>) {
  // CHECK: nn.greater_equal %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %0 = nn.greater_equal %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: nn.not
  %1 = nn.not %0 : tensor<2x3xi1>
  // CHECK: nn.xor
  %2 = nn.xor %0, %1 : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  // CHECK: nn.where %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %3 = nn.where %2, %x, %y : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: nn.mod %{{.*}}, %{{.*}} {fmod = false}
  %4 = nn.mod %i, %i {fmod = false} : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  return %3, %4 : tensor<2x3xf32>, tensor<3xi32>
}

// -----

// CHECK-LABEL: func @losses
func.func @losses(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %w: tensor<10xf32>, %i: tensor<4x3xi64>) -> (tensor<f32>, tensor<4xf32>, tensor<4x3xf32>) {
  // CHECK: nn.nll_loss %{{.*}}, %{{.*}} {reduction = "mean"} : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  %0 = nn.nll_loss %x, %t {reduction = "mean"} : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  // CHECK: nn.nll_loss %{{.*}}, %{{.*}}, %{{.*}} {ignore_index = -1 : i64, reduction = "none"}
  %1 = nn.nll_loss %x, %t, %w {reduction = "none", ignore_index = -1 : i64} : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> tensor<4xf32>
  // CHECK: nn.gather_elements %{{.*}}, %{{.*}} {axis = 1 : i64}
  %2 = nn.gather_elements %x, %i {axis = 1 : i64} : (tensor<4x10xf32>, tensor<4x3xi64>) -> tensor<4x3xf32>
  return %0, %1, %2 : tensor<f32>, tensor<4xf32>, tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func @masks
func.func @masks(%x: tensor<4x5xf32>, %k: tensor<i64>) -> (tensor<4x5xf32>, tensor<4x5xi1>, tensor<4x5xi1>) {
  // CHECK: nn.trilu %{{.*}}, %{{.*}} {upper = false} : (tensor<4x5xf32>, tensor<i64>) -> tensor<4x5xf32>
  %0 = nn.trilu %x, %k {upper = false} : (tensor<4x5xf32>, tensor<i64>) -> tensor<4x5xf32>
  // CHECK: nn.is_nan
  %1 = nn.is_nan %x : (tensor<4x5xf32>) -> tensor<4x5xi1>
  // CHECK: nn.is_inf %{{.*}} {detect_negative = false, detect_positive = true}
  %2 = nn.is_inf %x {detect_positive = true, detect_negative = false} : (tensor<4x5xf32>) -> tensor<4x5xi1>
  return %0, %1, %2 : tensor<4x5xf32>, tensor<4x5xi1>, tensor<4x5xi1>
}

// -----

// CHECK-LABEL: func @einsum
func.func @einsum(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<2x3x5xf32> {
  // CHECK: nn.einsum %{{.*}}, %{{.*}} {equation = "bij,bjk->bik"}
  %0 = nn.einsum %a, %b {equation = "bij,bjk->bik"} : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// CHECK-LABEL: func @gather_nd
func.func @gather_nd(%x: tensor<2x3x4xf32>, %i: tensor<2x5x1xi64>) -> tensor<2x5x4xf32> {
  // CHECK: nn.gather_nd %{{.*}}, %{{.*}} {batch_dims = 1 : i64}
  %0 = nn.gather_nd %x, %i {batch_dims = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x5x1xi64>) -> tensor<2x5x4xf32>
  return %0 : tensor<2x5x4xf32>
}

// -----

// CHECK-LABEL: func @reverse_sequence
func.func @reverse_sequence(%x: tensor<4x2x3xf32>, %l: tensor<2xi64>) -> tensor<4x2x3xf32> {
  // CHECK: nn.reverse_sequence %{{.*}}, %{{.*}} {batch_axis = 1 : i64, time_axis = 0 : i64}
  %0 = nn.reverse_sequence %x, %l {batch_axis = 1 : i64, time_axis = 0 : i64} : (tensor<4x2x3xf32>, tensor<2xi64>) -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// CHECK-LABEL: func @cumsum
func.func @cumsum(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  // CHECK: nn.cumsum %{{.*}} {axis = 1 : i64, exclusive = true, reverse = false}
  %0 = nn.cumsum %x {axis = 1 : i64, exclusive = true, reverse = false} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// Unary ops without attributes print as `nn.<op> %x : type`.
// CHECK-LABEL: func @unary_round_trip
func.func @unary_round_trip(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: %[[U0:.*]] = nn.abs %arg0 : tensor<4xf32>
  %0 = nn.abs %x : tensor<4xf32>
  // CHECK: %[[U1:.*]] = nn.acos %[[U0]] : tensor<4xf32>
  %1 = nn.acos %0 : tensor<4xf32>
  // CHECK: %[[U2:.*]] = nn.asin %[[U1]] : tensor<4xf32>
  %2 = nn.asin %1 : tensor<4xf32>
  // CHECK: %[[U3:.*]] = nn.asinh %[[U2]] : tensor<4xf32>
  %3 = nn.asinh %2 : tensor<4xf32>
  // CHECK: %[[U4:.*]] = nn.atan %[[U3]] : tensor<4xf32>
  %4 = nn.atan %3 : tensor<4xf32>
  // CHECK: %[[U5:.*]] = nn.atanh %[[U4]] : tensor<4xf32>
  %5 = nn.atanh %4 : tensor<4xf32>
  // CHECK: %[[U6:.*]] = nn.ceil %[[U5]] : tensor<4xf32>
  %6 = nn.ceil %5 : tensor<4xf32>
  // CHECK: %[[U7:.*]] = nn.cos %[[U6]] : tensor<4xf32>
  %7 = nn.cos %6 : tensor<4xf32>
  // CHECK: %[[U8:.*]] = nn.cosh %[[U7]] : tensor<4xf32>
  %8 = nn.cosh %7 : tensor<4xf32>
  // CHECK: %[[U9:.*]] = nn.exp %[[U8]] : tensor<4xf32>
  %9 = nn.exp %8 : tensor<4xf32>
  // CHECK: %[[U10:.*]] = nn.floor %[[U9]] : tensor<4xf32>
  %10 = nn.floor %9 : tensor<4xf32>
  // CHECK: %[[U11:.*]] = nn.log %[[U10]] : tensor<4xf32>
  %11 = nn.log %10 : tensor<4xf32>
  // CHECK: %[[U12:.*]] = nn.mish %[[U11]] : tensor<4xf32>
  %12 = nn.mish %11 : tensor<4xf32>
  // CHECK: %[[U13:.*]] = nn.neg %[[U12]] : tensor<4xf32>
  %13 = nn.neg %12 : tensor<4xf32>
  // CHECK: %[[U14:.*]] = nn.reciprocal %[[U13]] : tensor<4xf32>
  %14 = nn.reciprocal %13 : tensor<4xf32>
  // CHECK: %[[U15:.*]] = nn.round %[[U14]] : tensor<4xf32>
  %15 = nn.round %14 : tensor<4xf32>
  // CHECK: %[[U16:.*]] = nn.sign %[[U15]] : tensor<4xf32>
  %16 = nn.sign %15 : tensor<4xf32>
  // CHECK: %[[U17:.*]] = nn.sin %[[U16]] : tensor<4xf32>
  %17 = nn.sin %16 : tensor<4xf32>
  // CHECK: %[[U18:.*]] = nn.sinh %[[U17]] : tensor<4xf32>
  %18 = nn.sinh %17 : tensor<4xf32>
  // CHECK: %[[U19:.*]] = nn.softplus %[[U18]] : tensor<4xf32>
  %19 = nn.softplus %18 : tensor<4xf32>
  // CHECK: %[[U20:.*]] = nn.softsign %[[U19]] : tensor<4xf32>
  %20 = nn.softsign %19 : tensor<4xf32>
  // CHECK: %[[U21:.*]] = nn.sqrt %[[U20]] : tensor<4xf32>
  %21 = nn.sqrt %20 : tensor<4xf32>
  // CHECK: %[[U22:.*]] = nn.tan %[[U21]] : tensor<4xf32>
  %22 = nn.tan %21 : tensor<4xf32>
  // CHECK: %[[U23:.*]] = nn.tanh %[[U22]] : tensor<4xf32>
  %23 = nn.tanh %22 : tensor<4xf32>
  // CHECK: %[[U24:.*]] = nn.hard_swish %[[U23]] : tensor<4xf32>
  %24 = nn.hard_swish %23 : tensor<4xf32>
  return %24 : tensor<4xf32>
}

// -----

// Unary ops with attributes print them in a dictionary.
// CHECK-LABEL: func @unary_attr_round_trip
func.func @unary_attr_round_trip(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: nn.elu %{{.*}} {alpha = 1.000000e+00 : f64} : tensor<4xf32>
  %0 = nn.elu %x {alpha = 1.0 : f64} : tensor<4xf32>
  // CHECK: nn.celu %{{.*}} {alpha = 1.500000e+00 : f64} : tensor<4xf32>
  %1 = nn.celu %0 {alpha = 1.5 : f64} : tensor<4xf32>
  // CHECK: nn.hard_sigmoid %{{.*}} {alpha = 2.000000e-01 : f64, beta = 5.000000e-01 : f64} : tensor<4xf32>
  %2 = nn.hard_sigmoid %1 {alpha = 0.2 : f64, beta = 0.5 : f64} : tensor<4xf32>
  // CHECK: nn.thresholded_relu %{{.*}} {alpha = 1.000000e+00 : f64} : tensor<4xf32>
  %3 = nn.thresholded_relu %2 {alpha = 1.0 : f64} : tensor<4xf32>
  return %3 : tensor<4xf32>
}

// -----

// Binary arithmetic ops print operand and result types.
// CHECK-LABEL: func @binary_round_trip
func.func @binary_round_trip(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> tensor<2x3xf32> {
  // CHECK: nn.sub %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = nn.sub %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: nn.mul %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = nn.mul %0, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: nn.div %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %2 = nn.div %1, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: nn.max %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %3 = nn.max %2, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: nn.min %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %4 = nn.min %3, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %4 : tensor<2x3xf32>
}

// -----

// Comparisons yield i1 tensors; and/or combine them.
// CHECK-LABEL: func @compare_round_trip
func.func @compare_round_trip(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> tensor<2x3xi1> {
  // CHECK: %[[EQ:.*]] = nn.equal %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %0 = nn.equal %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: nn.less %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %1 = nn.less %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: nn.less_equal %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %2 = nn.less_equal %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: nn.greater %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %3 = nn.greater %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: nn.and %[[EQ]], %{{.*}} : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  %4 = nn.and %0, %1 : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  // CHECK: nn.or %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  %5 = nn.or %4, %2 : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  %6 = nn.or %5, %3 : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  return %6 : tensor<2x3xi1>
}

// -----

// The other reductions and global max pooling.
// CHECK-LABEL: func @more_reductions
func.func @more_reductions(%x: tensor<2x3x4xf32>, %p: tensor<1x2x5x5xf32>) -> (tensor<2x4xf32>, tensor<2x1x4xf32>, tensor<3xf32>, tensor<2x1x4xi64>, tensor<1x2x1x1xf32>) {
  // CHECK: nn.reduce_max %{{.*}} {axes = array<i64: 1>, keep_dims = false} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  %0 = nn.reduce_max %x {axes = array<i64: 1>, keep_dims = false} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  // CHECK: nn.reduce_min %{{.*}} {axes = array<i64: 1>, keep_dims = true} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  %1 = nn.reduce_min %x {axes = array<i64: 1>, keep_dims = true} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  // CHECK: nn.reduce_prod %{{.*}} {axes = array<i64: 0, 2>, keep_dims = false} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  %2 = nn.reduce_prod %x {axes = array<i64: 0, 2>, keep_dims = false} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  // CHECK: nn.arg_min %{{.*}} {axis = 1 : i64, keep_dims = true, select_last_index = false} : (tensor<2x3x4xf32>) -> tensor<2x1x4xi64>
  %3 = nn.arg_min %x {axis = 1 : i64, keep_dims = true, select_last_index = false} : (tensor<2x3x4xf32>) -> tensor<2x1x4xi64>
  // CHECK: nn.global_max_pool %{{.*}} : (tensor<1x2x5x5xf32>) -> tensor<1x2x1x1xf32>
  %4 = nn.global_max_pool %p : (tensor<1x2x5x5xf32>) -> tensor<1x2x1x1xf32>
  return %0, %1, %2, %3, %4 : tensor<2x4xf32>, tensor<2x1x4xf32>, tensor<3xf32>, tensor<2x1x4xi64>, tensor<1x2x1x1xf32>
}

// -----

// CHECK-LABEL: func @shape
func.func @shape(%x: tensor<2x3x4xf32>) -> tensor<2xi64> {
  // CHECK: nn.shape %{{.*}} {end = 3 : i64, start = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2xi64>
  %0 = nn.shape %x {start = 1 : i64, end = 3 : i64} : (tensor<2x3x4xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// The shape-operand ops (NNShapeOperandOps.td) round-trip; result dims may
// be static or dynamic.
// CHECK-LABEL: func @shape_operands
func.func @shape_operands(%x: tensor<2x3x4xf32>, %s: tensor<2xi64>, %a: tensor<1xi64>,
                          %r: tensor<3xi64>, %i: tensor<i32>)
    -> (tensor<?x?xf32>, tensor<2x3x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?xf32>,
        tensor<?x?x4xf32>, tensor<?x?x?xf32>, tensor<?x?xi64>, tensor<?xi32>) {
  // CHECK: nn.dynamic_reshape %{{.*}}, %{{.*}} {allowzero = false} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %0 = nn.dynamic_reshape %x, %s {allowzero = false} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  // CHECK: nn.dynamic_expand %{{.*}}, %{{.*}} : (tensor<2x3x4xf32>, tensor<3xi64>) -> tensor<2x3x?xf32>
  %1 = nn.dynamic_expand %x, %r : (tensor<2x3x4xf32>, tensor<3xi64>) -> tensor<2x3x?xf32>
  // CHECK: nn.dynamic_unsqueeze %{{.*}}, %{{.*}} : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<?x?x?x?xf32>
  %2 = nn.dynamic_unsqueeze %x, %a : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<?x?x?x?xf32>
  // CHECK: nn.dynamic_squeeze %{{.*}}, %{{.*}} : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  %3 = nn.dynamic_squeeze %x, %a : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  // CHECK: nn.dynamic_slice %{{.*}}, %{{.*}}, %{{.*}} steps %{{.*}} : (tensor<2x3x4xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?x4xf32>
  %4 = nn.dynamic_slice %x, %s, %s steps %s : (tensor<2x3x4xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?x4xf32>
  // CHECK: nn.dynamic_tile %{{.*}}, %{{.*}} : (tensor<2x3x4xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  %5 = nn.dynamic_tile %x, %r : (tensor<2x3x4xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  // CHECK: nn.constant_of_shape %{{.*}} {value = 7 : i64} : (tensor<2xi64>) -> tensor<?x?xi64>
  %6 = nn.constant_of_shape %s {value = 7 : i64} : (tensor<2xi64>) -> tensor<?x?xi64>
  // CHECK: nn.range %{{.*}}, %{{.*}}, %{{.*}} : (tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<?xi32>
  %7 = nn.range %i, %i, %i : (tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<?xi32>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<?x?xf32>, tensor<2x3x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?xf32>, tensor<?x?x4xf32>, tensor<?x?x?xf32>, tensor<?x?xi64>, tensor<?xi32>
}

// -----

// Reductions and running sums over axes read at run time.
// CHECK-LABEL: func @shape_operand_reductions
func.func @shape_operand_reductions(%x: tensor<2x3xf32>, %a: tensor<1xi64>, %k: tensor<i32>)
    -> (tensor<?x?xf32>, tensor<?xf32>, tensor<2x3xf32>) {
  // CHECK: nn.dynamic_reduce_sum %{{.*}}, %{{.*}} {keep_dims = true} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  %0 = nn.dynamic_reduce_sum %x, %a {keep_dims = true} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  // CHECK: nn.dynamic_reduce_sum %{{.*}}, %{{.*}} {keep_dims = false} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<?xf32>
  %1 = nn.dynamic_reduce_sum %x, %a {keep_dims = false} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<?xf32>
  // CHECK: nn.dynamic_cumsum %{{.*}}, %{{.*}} {exclusive = true, reverse = false} : (tensor<2x3xf32>, tensor<i32>) -> tensor<2x3xf32>
  %2 = nn.dynamic_cumsum %x, %k {exclusive = true, reverse = false} : (tensor<2x3xf32>, tensor<i32>) -> tensor<2x3xf32>
  return %0, %1, %2 : tensor<?x?xf32>, tensor<?xf32>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @dynamic_pad
func.func @dynamic_pad(%x: tensor<2x3xf32>, %p: tensor<4xi64>) -> tensor<?x?xf32> {
  // CHECK: nn.dynamic_pad %{{.*}}, %{{.*}} {value = 0.000000e+00 : f64} : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<?x?xf32>
  %0 = nn.dynamic_pad %x, %p {value = 0.0 : f64} : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func @dynamic_resize
func.func @dynamic_resize(%x: tensor<1x1x4x4xf32>, %r: tensor<4xf32>, %s: tensor<2xi64>) -> tensor<1x1x?x?xf32> {
  // CHECK: nn.dynamic_resize %{{.*}} roi %{{.*}} sizes %{{.*}} {antialias = false, axes = array<i64: 2, 3>, coordinate_transformation_mode = "tf_crop_and_resize", cubic_coeff_a = -7.500000e-01 : f64, exclude_outside = false, extrapolation_value = 0.000000e+00 : f64, keep_aspect_ratio_policy = "stretch", mode = "cubic", nearest_mode = "floor"} : (tensor<1x1x4x4xf32>, tensor<4xf32>, tensor<2xi64>) -> tensor<1x1x?x?xf32>
  %0 = nn.dynamic_resize %x roi %r sizes %s {antialias = false, axes = array<i64: 2, 3>, coordinate_transformation_mode = "tf_crop_and_resize", cubic_coeff_a = -7.500000e-01 : f64, exclude_outside = false, extrapolation_value = 0.0 : f64, keep_aspect_ratio_policy = "stretch", mode = "cubic", nearest_mode = "floor"} : (tensor<1x1x4x4xf32>, tensor<4xf32>, tensor<2xi64>) -> tensor<1x1x?x?xf32>
  return %0 : tensor<1x1x?x?xf32>
}

// -----

// dropout: the scaled input and its mask, from a seed.
// CHECK-LABEL: func.func @dropout
// CHECK: nn.dropout %{{.*}}, %{{.*}} {seed = 42 : i64} : (tensor<3x4xf32>, tensor<f32>) -> (tensor<3x4xf32>, tensor<3x4xi1>)
func.func @dropout(%x: tensor<3x4xf32>, %r: tensor<f32>) -> tensor<3x4xi1> {
  %y, %mask = nn.dropout %x, %r {seed = 42 : i64} : (tensor<3x4xf32>, tensor<f32>) -> (tensor<3x4xf32>, tensor<3x4xi1>)
  return %mask : tensor<3x4xi1>
}

// -----

// dropout with an offset (a training step's count): counter words 2 and 3.
// CHECK-LABEL: func.func @dropout_offset
// CHECK: nn.dropout %{{.*}}, %{{.*}}, %{{.*}} {seed = 42 : i64} : (tensor<3x4xf32>, tensor<f32>, tensor<i64>) -> (tensor<3x4xf32>, tensor<3x4xi1>)
func.func @dropout_offset(%x: tensor<3x4xf32>, %r: tensor<f32>, %o: tensor<i64>) -> tensor<3x4xi1> {
  %y, %mask = nn.dropout %x, %r, %o {seed = 42 : i64} : (tensor<3x4xf32>, tensor<f32>, tensor<i64>) -> (tensor<3x4xf32>, tensor<3x4xi1>)
  return %mask : tensor<3x4xi1>
}

// -----

// The indexing ops of NNIndexingOps.td.
// CHECK-LABEL: func @indexing
func.func @indexing(%x: tensor<3x4xf32>, %p: tensor<4xi64>, %k: tensor<1xi64>, %i: tensor<2x4xi64>,
                    %u: tensor<2x4xf32>, %j: tensor<2x1xi64>, %v: tensor<2xf32>, %d: tensor<f32>,
                    %c: tensor<3xi1>) {
  // CHECK: nn.border_pad %{{.*}}, %{{.*}} {mode = "reflect"} : (tensor<3x4xf32>, tensor<4xi64>) -> tensor<?x?xf32>
  %0 = nn.border_pad %x, %p {mode = "reflect"} : (tensor<3x4xf32>, tensor<4xi64>) -> tensor<?x?xf32>
  // CHECK: nn.top_k %{{.*}}, %{{.*}} {axis = 1 : i64, largest = false, sorted = true} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x?xf32>, tensor<3x?xi64>)
  %1:2 = nn.top_k %x, %k {axis = 1 : i64, largest = false, sorted = true} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x?xf32>, tensor<3x?xi64>)
  // CHECK: nn.scatter_elements %{{.*}}, %{{.*}}, %{{.*}} {axis = 0 : i64, reduction = "max"} : (tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x4xf32>) -> tensor<3x4xf32>
  %2 = nn.scatter_elements %x, %i, %u {axis = 0 : i64, reduction = "max"} : (tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x4xf32>) -> tensor<3x4xf32>
  // CHECK: nn.scatter_nd %{{.*}}, %{{.*}}, %{{.*}} {reduction = "none"} : (tensor<3x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<3x4xf32>
  %3 = nn.scatter_nd %x, %j, %u {reduction = "none"} : (tensor<3x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<3x4xf32>
  // CHECK: nn.one_hot %{{.*}}, %{{.*}}, %{{.*}} {axis = 2 : i64} : (tensor<2x4xi64>, tensor<f32>, tensor<2xf32>) -> tensor<2x4x?xf32>
  %4 = nn.one_hot %i, %d, %v {axis = 2 : i64} : (tensor<2x4xi64>, tensor<f32>, tensor<2xf32>) -> tensor<2x4x?xf32>
  // CHECK: nn.non_zero %{{.*}} : (tensor<3x4xf32>) -> tensor<2x?xi64>
  %5 = nn.non_zero %x : (tensor<3x4xf32>) -> tensor<2x?xi64>
  // CHECK: nn.compress %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<3x4xf32>, tensor<3xi1>) -> tensor<?x4xf32>
  %6 = nn.compress %x, %c {axis = 0 : i64} : (tensor<3x4xf32>, tensor<3xi1>) -> tensor<?x4xf32>
  // CHECK: nn.unique %{{.*}} {sorted = false} : (tensor<3x4xf32>) -> (tensor<?xf32>, tensor<?xi64>, tensor<12xi64>, tensor<?xi64>)
  %7:4 = nn.unique %x {sorted = false} : (tensor<3x4xf32>) -> (tensor<?xf32>, tensor<?xi64>, tensor<12xi64>, tensor<?xi64>)
  return
}

// -----

// CHECK-LABEL: func @grid_sample_roi_align
func.func @grid_sample_roi_align(%x: tensor<1x2x4x4xf32>, %g: tensor<1x3x5x2xf32>, %r: tensor<3x4xf32>, %i: tensor<3xi64>) -> (tensor<1x2x3x5xf32>, tensor<3x2x2x2xf32>) {
  // CHECK: nn.grid_sample %{{.*}}, %{{.*}} {align_corners = true, mode = "bicubic", padding_mode = "border"} : (tensor<1x2x4x4xf32>, tensor<1x3x5x2xf32>) -> tensor<1x2x3x5xf32>
  %0 = nn.grid_sample %x, %g {mode = "bicubic", padding_mode = "border", align_corners = true} : (tensor<1x2x4x4xf32>, tensor<1x3x5x2xf32>) -> tensor<1x2x3x5xf32>
  // CHECK: nn.roi_align %{{.*}}, %{{.*}}, %{{.*}} {coordinate_transformation_mode = "output_half_pixel", mode = "max", output_height = 2 : i64, output_width = 2 : i64, sampling_ratio = 2 : i64, spatial_scale = 5.000000e-01 : f64} : (tensor<1x2x4x4xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x2x2x2xf32>
  %1 = nn.roi_align %x, %r, %i {mode = "max", coordinate_transformation_mode = "output_half_pixel", output_height = 2, output_width = 2, sampling_ratio = 2, spatial_scale = 0.5 : f64} : (tensor<1x2x4x4xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x2x2x2xf32>
  return %0, %1 : tensor<1x2x3x5xf32>, tensor<3x2x2x2xf32>
}

// -----

// CHECK-LABEL: func @pool_indexing
func.func @pool_indexing(%x: tensor<1x2x4x4xf32>, %b: tensor<1x6x4xf32>, %s: tensor<1x2x6xf32>,
                         %m: tensor<1xi64>, %t: tensor<1xf32>, %o: tensor<4xi64>) {
  // CHECK: nn.max_pool_indices %{{.*}} {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, storage_order = 1 : i64, strides = array<i64: 2, 2>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xi64>
  %0 = nn.max_pool_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false, storage_order = 1 : i64} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xi64>
  %y = nn.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  // CHECK: nn.max_unpool %{{.*}}, %{{.*}} {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>) -> tensor<1x2x4x4xf32>
  %1 = nn.max_unpool %y, %0 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>) -> tensor<1x2x4x4xf32>
  // CHECK: nn.max_unpool %{{.*}}, %{{.*}}, %{{.*}} {{.*}} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>, tensor<4xi64>) -> tensor<?x?x?x?xf32>
  %2 = nn.max_unpool %y, %0, %o {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>, tensor<4xi64>) -> tensor<?x?x?x?xf32>
  // CHECK: nn.non_max_suppression %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {center_point_box = true} : (tensor<1x6x4xf32>, tensor<1x2x6xf32>, tensor<1xi64>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x3xi64>
  %3 = nn.non_max_suppression %b, %s, %m, %t, %t {center_point_box = true} : (tensor<1x6x4xf32>, tensor<1x2x6xf32>, tensor<1xi64>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x3xi64>
  return
}

// -----

// det: one determinant per trailing square matrix.
// CHECK-LABEL: func.func @det
// CHECK: nn.det %{{.*}} : (tensor<2x3x3xf64>) -> tensor<2xf64>
func.func @det(%x: tensor<2x3x3xf64>) -> tensor<2xf64> {
  %d = nn.det %x : (tensor<2x3x3xf64>) -> tensor<2xf64>
  return %d : tensor<2xf64>
}

// -----

// CHECK-LABEL: func @bit_shift
func.func @bit_shift(%x: tensor<2x3xui32>, %n: tensor<3xui32>) -> tensor<2x3xui32> {
  // CHECK: nn.bit_shift %{{.*}}, %{{.*}} {left = false} : (tensor<2x3xui32>, tensor<3xui32>) -> tensor<2x3xui32>
  %0 = nn.bit_shift %x, %n {left = false} : (tensor<2x3xui32>, tensor<3xui32>) -> tensor<2x3xui32>
  return %0 : tensor<2x3xui32>
}
