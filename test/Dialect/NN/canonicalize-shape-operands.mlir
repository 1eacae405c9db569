// RUN: kiln-opt %s --canonicalize --split-input-file | FileCheck %s

// A constant shape turns nn.dynamic_reshape into nn.reshape with ONNX's
// 0 (copy) and -1 (inferred) resolved.
// CHECK-LABEL: func @reshape_constant
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[R:.*]] = nn.reshape %[[X]] : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_constant(%x: tensor<2x3x4xf32>) -> tensor<2x12xf32> {
  %s = nn.constant dense<[0, -1]> : tensor<2xi64>
  %0 = nn.dynamic_reshape %x, %s {allowzero = false} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x12xf32>
  return %0 : tensor<2x12xf32>
}

// -----

// When the stated type has dynamic dims, the static form is cast back to it.
// CHECK-LABEL: func @reshape_constant_cast
// CHECK: %[[R:.*]] = nn.reshape %{{.*}} : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
// CHECK: %[[C:.*]] = tensor.cast %[[R]] : tensor<4x6xf32> to tensor<?x?xf32>
// CHECK: return %[[C]]
func.func @reshape_constant_cast(%x: tensor<2x3x4xf32>) -> tensor<?x?xf32> {
  %s = nn.constant dense<[4, 6]> : tensor<2xi64>
  %0 = nn.dynamic_reshape %x, %s {allowzero = false} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// An invalid constant shape is left for the run-time check to report.
// CHECK-LABEL: func @reshape_invalid_constant
// CHECK: nn.dynamic_reshape
func.func @reshape_invalid_constant(%x: tensor<2x3x4xf32>) -> tensor<?x?xf32> {
  %s = nn.constant dense<[5, 5]> : tensor<2xi64>
  %0 = nn.dynamic_reshape %x, %s {allowzero = false} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Constant operands give nn.expand, nn.tile, nn.slice (bounds clamped by
// ONNX's rules) and reshapes for unsqueeze and squeeze.
// CHECK-LABEL: func @others_constant
// CHECK-DAG: nn.expand %{{.*}} {shape = array<i64: 2, 1, 4>} : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
// CHECK-DAG: nn.tile %{{.*}} {repeats = array<i64: 2, 1>} : (tensor<3x1xf32>) -> tensor<6x1xf32>
// CHECK-DAG: nn.slice %{{.*}} {offsets = array<i64: 2, 0>, sizes = array<i64: 1, 1>, strides = array<i64: -1, 1>} : (tensor<3x1xf32>) -> tensor<1x1xf32>
// CHECK-DAG: nn.reshape %{{.*}} : (tensor<3x1xf32>) -> tensor<1x3x1xf32>
// CHECK-DAG: nn.reshape %{{.*}} : (tensor<3x1xf32>) -> tensor<3xf32>
// CHECK-NOT: nn.dynamic
func.func @others_constant(%x: tensor<3x1xf32>)
    -> (tensor<2x3x4xf32>, tensor<6x1xf32>, tensor<?x?xf32>, tensor<?x?x?xf32>, tensor<?xf32>) {
  %shape = nn.constant dense<[2, 1, 4]> : tensor<3xi64>
  %reps = nn.constant dense<[2, 1]> : tensor<2xi64>
  %start = nn.constant dense<[100]> : tensor<1xi64>
  %end = nn.constant dense<[1]> : tensor<1xi64>
  %step = nn.constant dense<[-1]> : tensor<1xi64>
  %a0 = nn.constant dense<[0]> : tensor<1xi64>
  %a1 = nn.constant dense<[-1]> : tensor<1xi64>
  %0 = nn.dynamic_expand %x, %shape : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<2x3x4xf32>
  %1 = nn.dynamic_tile %x, %reps : (tensor<3x1xf32>, tensor<2xi64>) -> tensor<6x1xf32>
  %2 = nn.dynamic_slice %x, %start, %end axes %a0 steps %step : (tensor<3x1xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  %3 = nn.dynamic_unsqueeze %x, %a0 : (tensor<3x1xf32>, tensor<1xi64>) -> tensor<?x?x?xf32>
  %4 = nn.dynamic_squeeze %x, %a1 : (tensor<3x1xf32>, tensor<1xi64>) -> tensor<?xf32>
  return %0, %1, %2, %3, %4 : tensor<2x3x4xf32>, tensor<6x1xf32>, tensor<?x?xf32>, tensor<?x?x?xf32>, tensor<?xf32>
}

// -----

// constant_of_shape and range with constant operands become constants.
// CHECK-LABEL: func @constants
// CHECK-DAG: nn.constant dense<7> : tensor<2x3xi64>
// CHECK-DAG: nn.constant dense<[5, 3, 1]> : tensor<3xi32>
// CHECK-NOT: nn.range
// CHECK-NOT: nn.constant_of_shape
func.func @constants() -> (tensor<?x?xi64>, tensor<?xi32>) {
  %s = nn.constant dense<[2, 3]> : tensor<2xi64>
  %a = nn.constant dense<5> : tensor<i32>
  %b = nn.constant dense<0> : tensor<i32>
  %d = nn.constant dense<-2> : tensor<i32>
  %0 = nn.constant_of_shape %s {value = 7 : i64} : (tensor<2xi64>) -> tensor<?x?xi64>
  %1 = nn.range %a, %b, %d : (tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<?xi32>
  return %0, %1 : tensor<?x?xi64>, tensor<?xi32>
}

// -----

// A shape concatenated from a run-time piece and constants (PyTorch's
// batch-size pattern) proves the constant dims: the op gets the refined
// type and a cast back to the stated one.
// CHECK-LABEL: func @reshape_concat_refines
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x4xf32>, %[[N:.*]]: tensor<1xi64>)
// CHECK: %[[S:.*]] = nn.concat
// CHECK: %[[R:.*]] = nn.dynamic_reshape %[[X]], %[[S]] {allowzero = false} : (tensor<?x3x4xf32>, tensor<3xi64>) -> tensor<?x3x4xf32>
// CHECK: %[[C:.*]] = tensor.cast %[[R]] : tensor<?x3x4xf32> to tensor<?x?x?xf32>
// CHECK: return %[[C]]
func.func @reshape_concat_refines(%x: tensor<?x3x4xf32>, %n: tensor<1xi64>) -> tensor<?x?x?xf32> {
  %c = nn.constant dense<[0, 4]> : tensor<2xi64>
  %s = nn.concat %n, %c {axis = 0 : i64} : (tensor<1xi64>, tensor<2xi64>) -> tensor<3xi64>
  %0 = nn.dynamic_reshape %x, %s {allowzero = false} : (tensor<?x3x4xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

// Expand and constant_of_shape refine the same way; an expand entry of 1
// keeps the input's dim.
// CHECK-LABEL: func @expand_concat_refines
// CHECK: nn.dynamic_expand %{{.*}}, %{{.*}} : (tensor<1x3xf32>, tensor<3xi64>) -> tensor<?x5x3xf32>
// CHECK: nn.constant_of_shape %{{.*}} {value = 0.000000e+00 : f32} : (tensor<3xi64>) -> tensor<?x5x1xf32>
func.func @expand_concat_refines(%x: tensor<1x3xf32>, %n: tensor<1xi64>) -> (tensor<?x?x?xf32>, tensor<?x?x?xf32>) {
  %c = nn.constant dense<[5, 1]> : tensor<2xi64>
  %s = nn.concat %n, %c {axis = 0 : i64} : (tensor<1xi64>, tensor<2xi64>) -> tensor<3xi64>
  %0 = nn.dynamic_expand %x, %s : (tensor<1x3xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  %1 = nn.constant_of_shape %s {value = 0.0 : f32} : (tensor<3xi64>) -> tensor<?x?x?xf32>
  return %0, %1 : tensor<?x?x?xf32>, tensor<?x?x?xf32>
}

// -----

// Constant axes give nn.reduce_sum and nn.cumsum.
// CHECK-LABEL: func @reductions_constant
// CHECK-DAG: nn.reduce_sum %{{.*}} {axes = array<i64: 1>, keep_dims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
// CHECK-DAG: nn.cumsum %{{.*}} {axis = -1 : i64, exclusive = false, reverse = true} : (tensor<2x3xf32>) -> tensor<2x3xf32>
func.func @reductions_constant(%x: tensor<2x3xf32>) -> (tensor<?xf32>, tensor<2x3xf32>) {
  %a = nn.constant dense<[-1]> : tensor<1xi64>
  %k = nn.constant dense<-1> : tensor<i32>
  %0 = nn.dynamic_reduce_sum %x, %a {keep_dims = false} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<?xf32>
  %1 = nn.dynamic_cumsum %x, %k {exclusive = false, reverse = true} : (tensor<2x3xf32>, tensor<i32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<?xf32>, tensor<2x3xf32>
}

// -----

// Constant pads turn nn.dynamic_pad into nn.pad, cast back to the stated type.
// CHECK-LABEL: func @pad_constant
// CHECK: %[[P:.*]] = nn.pad %{{.*}} {high = array<i64: 0, 2>, low = array<i64: 1, 0>, value = 5.000000e-01 : f64} : (tensor<2x3xf32>) -> tensor<3x5xf32>
// CHECK: tensor.cast %[[P]] : tensor<3x5xf32> to tensor<?x?xf32>
func.func @pad_constant(%x: tensor<2x3xf32>) -> tensor<?x?xf32> {
  %p = nn.constant dense<[1, 0, 0, 2]> : tensor<4xi64>
  %0 = nn.dynamic_pad %x, %p {value = 0.5 : f64} : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
