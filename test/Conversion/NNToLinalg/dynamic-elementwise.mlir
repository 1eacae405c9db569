// RUN: kiln-opt %s --convert-nn-to-linalg --canonicalize --cse --split-input-file --mlir-print-local-scope | FileCheck %s

// Dynamic sizes through the elementwise lowerings (Elementwise.cpp): the
// result is sized from the operands, and operand dimensions that meet are
// checked equal at run time (a dynamic size does not broadcast).

// A unary op takes its input's sizes.
// CHECK-LABEL: func @relu
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>)
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %[[C0]]
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x3xf32>
// CHECK: linalg.generic {{.*}} ins(%[[X]] : tensor<?x3xf32>) outs(%[[E]] : tensor<?x3xf32>)
// CHECK-NOT: cf.assert
func.func @relu(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = nn.relu %x : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// Two dynamic sizes that meet must be equal at run time; the message names
// the node and the dimension.
// CHECK-LABEL: func @add_dynamic
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>, %[[Y:.*]]: tensor<?x3xf32>)
// CHECK-DAG: %[[XN:.*]] = tensor.dim %[[X]]
// CHECK-DAG: %[[YN:.*]] = tensor.dim %[[Y]]
// CHECK: %[[ONE:.*]] = arith.cmpi eq, %[[XN]], %{{.*}}
// CHECK: %[[N:.*]] = arith.select %[[ONE]], %[[YN]], %[[XN]]
// CHECK: %[[OK:.*]] = arith.cmpi eq, %{{.*}}, %[[N]]
// CHECK: cf.assert %[[OK]], "node 'Add_3' (nn.add): expects dim 0 of the operands to be equal (a dynamic size does not broadcast)"
// CHECK: tensor.empty(%[[N]]) : tensor<?x3xf32>
// CHECK: linalg.generic
// CHECK: arith.addf
func.func @add_dynamic(%x: tensor<?x3xf32>, %y: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = nn.add %x, %y : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32> loc("Add_3")
  return %0 : tensor<?x3xf32>
}

// -----

// A static 1 broadcasts against a dynamic size: read at index 0, no check.
// CHECK-LABEL: func @add_unit
// CHECK-NOT: cf.assert
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (d0, d1)>]
func.func @add_unit(%x: tensor<?x3xf32>, %y: tensor<1x3xf32>) -> tensor<?x3xf32> {
  %0 = nn.add %x, %y : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// A dynamic size against a static one larger than 1 must be that size; the
// result is static.
// CHECK-LABEL: func @mul_static
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>
// CHECK: %[[N:.*]] = tensor.dim %[[X]]
// CHECK: %[[OK:.*]] = arith.cmpi eq, %[[N]], %{{.*}}
// CHECK: cf.assert %[[OK]], "nn.mul: expects dim 0 of the operands to be equal (a dynamic size does not broadcast)"
// CHECK: tensor.empty() : tensor<4x3xf32>
func.func @mul_static(%x: tensor<?x3xf32>, %y: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %0 = nn.mul %x, %y : (tensor<?x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// where broadcasts three operands; comparisons give bools of the same sizes.
// CHECK-LABEL: func @where_less
// CHECK: arith.cmpf olt
// CHECK: cf.assert %{{.*}}, "nn.where: expects dim 0 of the operands to be equal
// CHECK: arith.select
func.func @where_less(%c: tensor<?x1xi1>, %x: tensor<?x4xf32>, %y: tensor<4xf32>) -> (tensor<?x4xi1>, tensor<?x4xf32>) {
  %l = nn.less %x, %y : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xi1>
  %0 = nn.where %c, %x, %y : (tensor<?x1xi1>, tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %l, %0 : tensor<?x4xi1>, tensor<?x4xf32>
}

// -----

// cast keeps its input's dynamic sizes.
// CHECK-LABEL: func @cast
// CHECK: tensor.empty(%{{.*}}, %{{.*}}) : tensor<?x?xi64>
// CHECK: arith.fptosi
func.func @cast(%x: tensor<?x?xf32>) -> tensor<?x?xi64> {
  %0 = nn.cast %x : (tensor<?x?xf32>) -> tensor<?x?xi64>
  return %0 : tensor<?x?xi64>
}
