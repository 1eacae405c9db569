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
