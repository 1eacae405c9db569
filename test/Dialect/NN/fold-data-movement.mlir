// RUN: kiln-opt %s --canonicalize --split-input-file | FileCheck %s

// The exporters' pad chain: reshape to 2-D, reverse the rows with a
// negative-stride slice, transpose, flatten again, cast.
// CHECK-LABEL: func @pad_chain
// CHECK-NEXT: %[[C:.*]] = nn.constant dense<[0, 0, 3, 1, 0, 0, 4, 2]> : tensor<8xi32>
// CHECK-NEXT: return %[[C]]
func.func @pad_chain() -> tensor<8xi32> {
  %p = nn.constant dense<[1, 2, 3, 4, 0, 0, 0, 0]> : tensor<8xi64>
  %0 = nn.reshape %p : (tensor<8xi64>) -> tensor<4x2xi64>
  %1 = nn.slice %0 {offsets = array<i64: 3, 0>, sizes = array<i64: 4, 2>, strides = array<i64: -1, 1>} : (tensor<4x2xi64>) -> tensor<4x2xi64>
  %2 = nn.transpose %1 {perm = array<i64: 1, 0>} : (tensor<4x2xi64>) -> tensor<2x4xi64>
  %3 = nn.flatten %2 {axis = 0 : i64} : (tensor<2x4xi64>) -> tensor<1x8xi64>
  %4 = nn.reshape %3 : (tensor<1x8xi64>) -> tensor<8xi64>
  %5 = nn.cast %4 : (tensor<8xi64>) -> tensor<8xi32>
  return %5 : tensor<8xi32>
}

// -----

// Concat joins along its axis.
// CHECK-LABEL: func @concat
// CHECK-NEXT: %[[C:.*]] = nn.constant dense<{{\[\[}}1, 2, 5], [3, 4, 6]]> : tensor<2x3xi64>
// CHECK-NEXT: return %[[C]]
func.func @concat() -> tensor<2x3xi64> {
  %a = nn.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi64>
  %b = nn.constant dense<[[5], [6]]> : tensor<2x1xi64>
  %0 = nn.concat %a, %b {axis = -1 : i64} : (tensor<2x2xi64>, tensor<2x1xi64>) -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

// Gathers count negative indices from the end.
// CHECK-LABEL: func @gathers
// CHECK-DAG: nn.constant dense<{{\[\[}}3, 1], [6, 4]]> : tensor<2x2xi64>
// CHECK-DAG: nn.constant dense<{{\[\[}}3, 1], [4, 4]]> : tensor<2x2xi64>
// CHECK-DAG: nn.constant dense<[4, 2]> : tensor<2xi64>
// CHECK-NOT: nn.gather
func.func @gathers() -> (tensor<2x2xi64>, tensor<2x2xi64>, tensor<2xi64>) {
  %x = nn.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %i = nn.constant dense<[-1, 0]> : tensor<2xi64>
  %0 = nn.gather %x, %i {axis = 1 : i64} : (tensor<2x3xi64>, tensor<2xi64>) -> tensor<2x2xi64>
  %e = nn.constant dense<[[2, 0], [0, -3]]> : tensor<2x2xi64>
  %1 = nn.gather_elements %x, %e {axis = 1 : i64} : (tensor<2x3xi64>, tensor<2x2xi64>) -> tensor<2x2xi64>
  %n = nn.constant dense<[[1, 0], [0, 1]]> : tensor<2x2xi64>
  %2 = nn.gather_nd %x, %n {batch_dims = 0 : i64} : (tensor<2x3xi64>, tensor<2x2xi64>) -> tensor<2xi64>
  return %0, %1, %2 : tensor<2x2xi64>, tensor<2x2xi64>, tensor<2xi64>
}

// -----

// Expand broadcasts, tile repeats, pad fills with its value.
// CHECK-LABEL: func @expand_tile_pad
// CHECK-DAG: nn.constant dense<{{\[\[}}1.000000e+00, 1.000000e+00], [2.000000e+00, 2.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: nn.constant dense<[1.000000e+00, 2.000000e+00, 1.000000e+00, 2.000000e+00]> : tensor<4xf32>
// CHECK-DAG: nn.constant dense<[7.000000e+00, 1.000000e+00, 2.000000e+00, 7.000000e+00, 7.000000e+00]> : tensor<5xf32>
// CHECK-NOT: nn.expand
// CHECK-NOT: nn.tile
// CHECK-NOT: nn.pad
func.func @expand_tile_pad() -> (tensor<2x2xf32>, tensor<4xf32>, tensor<5xf32>) {
  %c = nn.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %0 = nn.expand %c {shape = array<i64: 1, 2>} : (tensor<2x1xf32>) -> tensor<2x2xf32>
  %v = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %1 = nn.tile %v {repeats = array<i64: 2>} : (tensor<2xf32>) -> tensor<4xf32>
  %2 = nn.pad %v {low = array<i64: 1>, high = array<i64: 2>, value = 7.0 : f64} : (tensor<2xf32>) -> tensor<5xf32>
  return %0, %1, %2 : tensor<2x2xf32>, tensor<4xf32>, tensor<5xf32>
}

// -----

// Trilu keeps a triangle; reverse_sequence reverses each batch's prefix.
// CHECK-LABEL: func @trilu_reverse
// CHECK-DAG: nn.constant dense<{{\[\[}}0, 2, 3], [0, 0, 6]]> : tensor<2x3xi64>
// CHECK-DAG: nn.constant dense<{{\[\[}}2, 1, 3], [4, 5, 6]]> : tensor<2x3xi64>
// CHECK-NOT: nn.trilu
// CHECK-NOT: nn.reverse_sequence
func.func @trilu_reverse() -> (tensor<2x3xi64>, tensor<2x3xi64>) {
  %x = nn.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %k = nn.constant dense<1> : tensor<i64>
  %0 = nn.trilu %x, %k {upper = true} : (tensor<2x3xi64>, tensor<i64>) -> tensor<2x3xi64>
  %l = nn.constant dense<[2, 1]> : tensor<2xi64>
  %1 = nn.reverse_sequence %x, %l {batch_axis = 0 : i64, time_axis = 1 : i64} : (tensor<2x3xi64>, tensor<2xi64>) -> tensor<2x3xi64>
  return %0, %1 : tensor<2x3xi64>, tensor<2x3xi64>
}

// -----

// nn.shape folds when the dimensions it reads are static, whatever the
// input's values; a dynamic one keeps it.
// CHECK-LABEL: func @shape
// CHECK-DAG: nn.constant dense<[3, 4]> : tensor<2xi64>
// CHECK-DAG: nn.shape %{{.*}} {end = 1 : i64, start = 0 : i64} : (tensor<?x3x4xf32>) -> tensor<1xi64>
func.func @shape(%x: tensor<?x3x4xf32>) -> (tensor<2xi64>, tensor<1xi64>) {
  %0 = nn.shape %x {start = 1 : i64, end = 3 : i64} : (tensor<?x3x4xf32>) -> tensor<2xi64>
  %1 = nn.shape %x {start = 0 : i64, end = 1 : i64} : (tensor<?x3x4xf32>) -> tensor<1xi64>
  return %0, %1 : tensor<2xi64>, tensor<1xi64>
}
