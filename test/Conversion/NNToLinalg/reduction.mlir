// RUN: kiln-opt %s --convert-nn-to-linalg --split-input-file | FileCheck %s

// nn.reduce_sum reduces the listed axes (negative ones count from the end)
// from zero; kept dims come back by a reshape.
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-LABEL: func @reduce_sum
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : i32)
// CHECK: %[[S:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #[[OUT]]], iterator_types = ["parallel", "reduction", "reduction"]} ins(%arg0 : tensor<2x3x4xi32>) outs(%[[INIT]] : tensor<2xi32>)
// CHECK: arith.addi
// CHECK: tensor.expand_shape %[[S]] {{.*}} into tensor<2x1x1xi32>
func.func @reduce_sum(%x: tensor<2x3x4xi32>) -> tensor<2x1x1xi32> {
  %0 = nn.reduce_sum %x {axes = array<i64: 1, -1>, keep_dims = true} : (tensor<2x3x4xi32>) -> tensor<2x1x1xi32>
  return %0 : tensor<2x1x1xi32>
}

// -----

// nn.reduce_mean is a sum over the reduced dimensions divided by their size.
// CHECK-LABEL: func @reduce_mean
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]
// CHECK: arith.addf
// CHECK: %[[N:.*]] = arith.constant 3.000000e+00 : f32
// CHECK: linalg.generic {{.*}} ins(%[[SUM]] : tensor<2x4xf32>)
// CHECK: arith.divf %{{.*}}, %[[N]]
// CHECK: tensor.expand_shape {{.*}} into tensor<2x1x4xf32>
func.func @reduce_mean(%x: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  %0 = nn.reduce_mean %x {axes = array<i64: 1>, keep_dims = true} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  return %0 : tensor<2x1x4xf32>
}

// -----

// nn.reduce_max starts from -inf and combines with maximumf.
// CHECK-LABEL: func @reduce_max
// CHECK: %[[NEG:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[NEG]] : f32)
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]} ins(%arg0 : tensor<3x4xf32>) outs(%[[INIT]] : tensor<4xf32>)
// CHECK: arith.maximumf
func.func @reduce_max(%x: tensor<3x4xf32>) -> tensor<4xf32> {
  %0 = nn.reduce_max %x {axes = array<i64: 0>, keep_dims = false} : (tensor<3x4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Integer nn.reduce_min starts from the largest i32 and combines with minsi.
// CHECK-LABEL: func @reduce_min
// CHECK: %[[BIG:.*]] = arith.constant 2147483647 : i32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[BIG]] : i32)
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%arg0 : tensor<3x4xi32>) outs(%[[INIT]] : tensor<3xi32>)
// CHECK: arith.minsi
func.func @reduce_min(%x: tensor<3x4xi32>) -> tensor<3xi32> {
  %0 = nn.reduce_min %x {axes = array<i64: 1>, keep_dims = false} : (tensor<3x4xi32>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

// nn.reduce_prod starts from one and multiplies.
// CHECK-LABEL: func @reduce_prod
// CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ONE]] : f32)
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%arg0 : tensor<3x4xf32>) outs(%[[INIT]] : tensor<3xf32>)
// CHECK: arith.mulf
func.func @reduce_prod(%x: tensor<3x4xf32>) -> tensor<3xf32> {
  %0 = nn.reduce_prod %x {axes = array<i64: 1>, keep_dims = false} : (tensor<3x4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// nn.cumsum reduces over an extra dimension k, counting x[k] when k < i
// (exclusive, forward).
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func @cumsum
// CHECK: linalg.generic {indexing_maps = [#[[IN]], {{.*}}], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: %[[K:.*]] = linalg.index 2
// CHECK: %[[I:.*]] = linalg.index 1
// CHECK: %[[C:.*]] = arith.cmpi slt, %[[K]], %[[I]]
// CHECK: arith.select %[[C]]
// CHECK: arith.addf
func.func @cumsum(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = nn.cumsum %x {axis = 1 : i64, exclusive = true, reverse = false} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// nn.arg_max reduces into a (value, index) pair from -inf; a strictly
// greater value takes the index, and the first element always counts.
// CHECK-LABEL: func @arg_max
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: %[[R:.*]]:2 = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: %[[IDX:.*]] = linalg.index 1
// CHECK: arith.index_cast %[[IDX]] : index to i64
// CHECK: arith.cmpf ogt
// CHECK: arith.ori
// CHECK: return %[[R]]#1 : tensor<2xi64>
func.func @arg_max(%x: tensor<2x5xf32>) -> tensor<2xi64> {
  %0 = nn.arg_max %x {axis = 1 : i64, keep_dims = false, select_last_index = false} : (tensor<2x5xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// Integer nn.arg_min starts from the largest i32; the last equal element
// wins with select_last_index (sle).
// CHECK-LABEL: func @arg_min
// CHECK: arith.constant 2147483647 : i32
// CHECK: %[[R:.*]]:2 = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: linalg.index 1
// CHECK: arith.cmpi sle
// CHECK: linalg.yield
// CHECK: return %[[R]]#1 : tensor<2xi64>
func.func @arg_min(%x: tensor<2x5xi32>) -> tensor<2xi64> {
  %0 = nn.arg_min %x {axis = 1 : i64, keep_dims = false, select_last_index = true} : (tensor<2x5xi32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}
