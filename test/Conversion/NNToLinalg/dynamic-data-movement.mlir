// RUN: kiln-opt %s --convert-nn-to-linalg --canonicalize --cse --split-input-file | FileCheck %s

// Dynamic sizes through reshapes, transposes, concats, slices and gathers
// (DataMovement.cpp).

// One dynamic result dimension takes what is left (ResNet's flatten).
// CHECK-LABEL: func @reshape_flatten
// CHECK: cf.assert %{{.*}}, "nn.reshape: expects the result to hold as many elements as the input"
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] : tensor<?x512x1x1xf32> into tensor<?x512xf32>
func.func @reshape_flatten(%x: tensor<?x512x1x1xf32>) -> tensor<?x512xf32> {
  %0 = nn.reshape %x : (tensor<?x512x1x1xf32>) -> tensor<?x512xf32>
  return %0 : tensor<?x512xf32>
}

// -----

// Leading dimensions that agree keep the input's sizes (splitting heads).
// CHECK-LABEL: func @reshape_heads
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x32xf32>)
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK-DAG: %[[S:.*]] = tensor.dim %[[X]], %c1
// CHECK: tensor.expand_shape %[[X]] {{\[\[}}0], [1], [2, 3]] output_shape [%[[N]], %[[S]], 4, 8] : tensor<?x?x32xf32> into tensor<?x?x4x8xf32>
func.func @reshape_heads(%x: tensor<?x?x32xf32>) -> tensor<?x?x4x8xf32> {
  %0 = nn.reshape %x : (tensor<?x?x32xf32>) -> tensor<?x?x4x8xf32>
  return %0 : tensor<?x?x4x8xf32>
}

// -----

// Flatten around the axis of two dynamic groups.
// CHECK-LABEL: func @flatten
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2, 3]] : tensor<?x3x?x5xf32> into tensor<?x?xf32>
func.func @flatten(%x: tensor<?x3x?x5xf32>) -> tensor<?x?xf32> {
  %0 = nn.flatten %x {axis = 2 : i64} : (tensor<?x3x?x5xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x?xf32>)
// CHECK-DAG: %[[A:.*]] = tensor.dim %[[X]], %c0
// CHECK-DAG: %[[B:.*]] = tensor.dim %[[X]], %c2
// CHECK: %[[E:.*]] = tensor.empty(%[[B]], %[[A]]) : tensor<?x?x4xf32>
// CHECK: linalg.transpose ins(%[[X]] : tensor<?x4x?xf32>) outs(%[[E]] : tensor<?x?x4xf32>) permutation = [2, 0, 1]
func.func @transpose(%x: tensor<?x4x?xf32>) -> tensor<?x?x4xf32> {
  %0 = nn.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<?x4x?xf32>) -> tensor<?x?x4xf32>
  return %0 : tensor<?x?x4xf32>
}

// -----

// Off the axis the operands must agree at run time; along it they add up.
// CHECK-LABEL: func @concat
// CHECK: cf.assert %{{.*}}, "nn.concat: expects the operands to agree off the axis, in dim 0"
// CHECK: tensor.insert_slice
// CHECK: tensor.insert_slice
func.func @concat(%x: tensor<?x2xf32>, %y: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = nn.concat %x, %y {axis = 1 : i64} : (tensor<?x2xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// A static window in a dynamic dimension is checked to fit.
// CHECK-LABEL: func @slice
// CHECK: %[[D:.*]] = tensor.dim
// CHECK: %[[OK:.*]] = arith.cmpi sge, %[[D]], %c6
// CHECK: cf.assert %[[OK]], "nn.slice: expects dim 0 of the input to hold 6 elements"
// CHECK: tensor.extract_slice %{{.*}}[2, 0] [4, 3] [1, 1] : tensor<?x3xf32> to tensor<4x3xf32>
func.func @slice(%x: tensor<?x3xf32>) -> tensor<4x3xf32> {
  %0 = nn.slice %x {offsets = array<i64: 2, 0>, sizes = array<i64: 4, 3>, strides = array<i64: 1, 1>} : (tensor<?x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Gather from a dynamic axis clamps the index into its run-time size; the
// result takes the input's other dynamic sizes.
// CHECK-LABEL: func @gather
// CHECK-SAME: (%[[X:.*]]: tensor<?x?xf32>, %[[I:.*]]: tensor<3xi64>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: tensor.empty(%[[N]]) : tensor<?x3xf32>
// CHECK: linalg.generic
// CHECK: %[[S:.*]] = tensor.dim %[[X]], %c1
// CHECK: arith.index_cast %[[S]] : index to i64
// CHECK: tensor.extract %[[X]]
func.func @gather(%x: tensor<?x?xf32>, %i: tensor<3xi64>) -> tensor<?x3xf32> {
  %0 = nn.gather %x, %i {axis = 1 : i64} : (tensor<?x?xf32>, tensor<3xi64>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// Pad grows a dynamic dimension by its pads at run time.
// CHECK-LABEL: func @pad
// CHECK: %[[D:.*]] = tensor.dim
// CHECK: %[[G:.*]] = arith.addi %[[D]], %c3
// CHECK: tensor.empty(%[[G]]) : tensor<?x4xf32>
// CHECK: tensor.insert_slice {{.*}}[1, 0] [%[[D]], 4] [1, 1]
func.func @pad(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = nn.pad %x {low = array<i64: 1, 0>, high = array<i64: 2, 0>, value = 0.0 : f64} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Expand checks a dynamic input size against the static one it meets.
// CHECK-LABEL: func @expand
// CHECK: cf.assert %{{.*}}, "nn.expand: expects dim 1 of the operands to be equal (a dynamic size does not broadcast)"
// CHECK: tensor.empty() : tensor<2x3xf32>
func.func @expand(%x: tensor<?xf32>) -> tensor<2x3xf32> {
  %0 = nn.expand %x {shape = array<i64: 2, 3>} : (tensor<?xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A dynamic dimension taken whole beside a window of a static one (a
// transformer's q/k/v split).
// CHECK-LABEL: func @slice_whole
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x96xf32>)
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK-DAG: %[[S:.*]] = tensor.dim %[[X]], %c1
// CHECK-NOT: cf.assert
// CHECK: tensor.extract_slice %[[X]][0, 0, 32] [%[[N]], %[[S]], 32] [1, 1, 1] : tensor<?x?x96xf32> to tensor<?x?x32xf32>
func.func @slice_whole(%x: tensor<?x?x96xf32>) -> tensor<?x?x32xf32> {
  %0 = nn.slice %x {offsets = array<i64: 0, 0, 32>, sizes = array<i64: -9223372036854775808, -9223372036854775808, 32>, strides = array<i64: 1, 1, 1>}
      : (tensor<?x?x96xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

// Run-time sequence lengths are checked to lie in [0, T] (ONNX makes
// others an error; the generic alone clamps them) before the reversal.
// CHECK-LABEL: func @reverse_sequence_lengths
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction"]
// CHECK: arith.cmpi sge
// CHECK: arith.cmpi sle
// CHECK: cf.assert %{{.*}}, "nn.reverse_sequence: expects sequence lengths in [0, the time axis size], found one outside"
// CHECK: tensor.extract
func.func @reverse_sequence_lengths(%x: tensor<?x2xf32>, %l: tensor<2xi64>) -> tensor<?x2xf32> {
  %0 = nn.reverse_sequence %x, %l {batch_axis = 1 : i64, time_axis = 0 : i64} : (tensor<?x2xf32>, tensor<2xi64>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

// Constant lengths known to lie in [0, T] need no check.
// CHECK-LABEL: func @reverse_sequence_constant
// CHECK-NOT: cf.assert
func.func @reverse_sequence_constant(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %l = nn.constant dense<[3, 0]> : tensor<2xi64>
  %0 = nn.reverse_sequence %x, %l {batch_axis = 1 : i64, time_axis = 0 : i64} : (tensor<3x2xf32>, tensor<2xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}
