// RUN: kiln-opt %s --resolve-ranked-shaped-type-result-dims --split-input-file | FileCheck %s

// tensor.dim of an nn result resolves to its operands' sizes
// (ReifyRankedShapedTypeOpInterface, NNShapes.cpp).

// Broadcasting: a dynamic size meets another as `a == 1 ? b : a`.
// CHECK-LABEL: func @add
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>, %[[Y:.*]]: tensor<?x1xf32>)
// CHECK-DAG: %[[A:.*]] = tensor.dim %[[X]], %c0
// CHECK-DAG: %[[B:.*]] = tensor.dim %[[Y]], %c0
// CHECK: %[[ONE:.*]] = arith.cmpi eq, %[[A]], %c1
// CHECK: %[[N:.*]] = arith.select %[[ONE]], %[[B]], %[[A]]
// CHECK: return %[[N]]
func.func @add(%x: tensor<?x3xf32>, %y: tensor<?x1xf32>) -> index {
  %c0 = arith.constant 0 : index
  %0 = nn.add %x, %y : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<?x3xf32>
  %d = tensor.dim %0, %c0 : tensor<?x3xf32>
  return %d : index
}

// -----

// Convolution: the batch is the input's, a dynamic spatial size goes
// through the window arithmetic.
// CHECK-LABEL: func @conv
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x?x8xf32>
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[H:.*]] = tensor.dim %[[X]], %c2
// CHECK: arith.divui
// CHECK: return %[[N]], %{{.*}}
func.func @conv(%x: tensor<?x3x?x8xf32>, %w: tensor<4x3x3x3xf32>) -> (index, index) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %0 = nn.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
      : (tensor<?x3x?x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x?x4xf32>
  %n = tensor.dim %0, %c0 : tensor<?x4x?x4xf32>
  %h = tensor.dim %0, %c2 : tensor<?x4x?x4xf32>
  return %n, %h : index, index
}

// -----

// Matmul: batch and M from the lhs, N from the rhs.
// CHECK-LABEL: func @matmul
// CHECK-SAME: (%[[A:.*]]: tensor<?x?x8xf32>, %[[B:.*]]: tensor<8x?xf32>)
// CHECK-DAG: %[[S:.*]] = tensor.dim %[[A]], %c1
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[B]], %c1
// CHECK: return %[[S]], %[[N]]
func.func @matmul(%a: tensor<?x?x8xf32>, %b: tensor<8x?xf32>) -> (index, index) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %0 = nn.matmul %a, %b : (tensor<?x?x8xf32>, tensor<8x?xf32>) -> tensor<?x?x?xf32>
  %m = tensor.dim %0, %c1 : tensor<?x?x?xf32>
  %n = tensor.dim %0, %c2 : tensor<?x?x?xf32>
  return %m, %n : index, index
}

// -----

// Transpose permutes, concat adds along the axis, reshape keeps leading
// sizes that agree.
// CHECK-LABEL: func @data_movement
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x32xf32>, %[[Y:.*]]: tensor<?x?x32xf32>)
// CHECK: %[[T0:.*]] = tensor.dim %[[X]], %c1
// CHECK: %[[X1:.*]] = tensor.dim %[[X]], %c1
// CHECK: %[[Y1:.*]] = tensor.dim %[[Y]], %c1
// CHECK: %[[SUM:.*]] = arith.addi %[[X1]], %[[Y1]]
// CHECK: %[[X0:.*]] = tensor.dim %[[X]], %c0
// CHECK: return %[[T0]], %[[SUM]], %[[X0]]
func.func @data_movement(%x: tensor<?x?x32xf32>, %y: tensor<?x?x32xf32>) -> (index, index, index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %t = nn.transpose %x {perm = array<i64: 1, 0, 2>} : (tensor<?x?x32xf32>) -> tensor<?x?x32xf32>
  %c = nn.concat %x, %y {axis = 1 : i64} : (tensor<?x?x32xf32>, tensor<?x?x32xf32>) -> tensor<?x?x32xf32>
  %r = nn.reshape %x : (tensor<?x?x32xf32>) -> tensor<?x?x4x8xf32>
  %a = tensor.dim %t, %c0 : tensor<?x?x32xf32>
  %b = tensor.dim %c, %c1 : tensor<?x?x32xf32>
  %d = tensor.dim %r, %c0 : tensor<?x?x4x8xf32>
  return %a, %b, %d : index, index, index
}

// -----

// A reduction keeps the input's other sizes.
// CHECK-LABEL: func @reduce
// CHECK-SAME: (%[[X:.*]]: tensor<?x?xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c1
// CHECK: return %[[N]]
func.func @reduce(%x: tensor<?x?xf32>) -> index {
  %c0 = arith.constant 0 : index
  %0 = nn.reduce_sum %x {axes = array<i64: 0>, keep_dims = false} : (tensor<?x?xf32>) -> tensor<?xf32>
  %d = tensor.dim %0, %c0 : tensor<?xf32>
  return %d : index
}
