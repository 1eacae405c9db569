// RUN: kiln-opt %s --convert-nn-to-linalg --split-input-file | FileCheck %s

// nn.constant becomes arith.constant with the same value.
// CHECK-LABEL: func @constant
// CHECK: %[[C:.*]] = arith.constant dense<[1, 2]> : tensor<2xi32>
// CHECK: return %[[C]]
func.func @constant() -> tensor<2xi32> {
  %0 = nn.constant dense<[1, 2]> : tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// nn.reshape is a collapse to 1-D then an expand.
// CHECK-LABEL: func @reshape
// CHECK: %[[F:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1]] : tensor<2x4xf32> into tensor<8xf32>
// CHECK: tensor.expand_shape %[[F]] {{\[\[}}0, 1, 2]] output_shape [2, 2, 2] : tensor<8xf32> into tensor<2x2x2xf32>
func.func @reshape(%x: tensor<2x4xf32>) -> tensor<2x2x2xf32> {
  %0 = nn.reshape %x : (tensor<2x4xf32>) -> tensor<2x2x2xf32>
  return %0 : tensor<2x2x2xf32>
}

// -----

// nn.flatten is a reshape to two dims.
// CHECK-LABEL: func @flatten
// CHECK: %[[F:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK: tensor.expand_shape %[[F]] {{\[\[}}0, 1]] output_shape [2, 12]
func.func @flatten(%x: tensor<2x3x4xf32>) -> tensor<2x12xf32> {
  %0 = nn.flatten %x {axis = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
  return %0 : tensor<2x12xf32>
}

// -----

// nn.transpose is linalg.transpose with the same permutation.
// CHECK-LABEL: func @transpose
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x2x3xf32>
// CHECK: linalg.transpose ins(%arg0 : tensor<2x3x4xf32>) outs(%[[E]] : tensor<4x2x3xf32>) permutation = [2, 0, 1]
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = nn.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// nn.concat is tensor.concat, decomposed by upstream's pattern (MLIR 19
// cannot bufferize it) into inserts of each operand at its offset.
// CHECK-LABEL: func @concat
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x5xf32>
// CHECK: %[[A:.*]] = tensor.insert_slice %arg0 into %[[E]][0, 0] [2, 2] [1, 1]
// CHECK: tensor.insert_slice %arg1 into %[[A]][0, 2] [2, 3] [1, 1]
func.func @concat(%a: tensor<2x2xf32>, %b: tensor<2x3xf32>) -> tensor<2x5xf32> {
  %0 = nn.concat %a, %b {axis = -1 : i64} : (tensor<2x2xf32>, tensor<2x3xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// A forward nn.slice is a tensor.extract_slice; a reversed one reads
// through an affine map.
// CHECK-DAG: #[[REV:.*]] = affine_map<(d0, d1) -> (-d0 + 1, d1 * -2 + 3)>
// CHECK-LABEL: func @slice
// CHECK: tensor.extract_slice %arg0[0, 1] [2, 2] [1, 2] : tensor<2x4xf32> to tensor<2x2xf32>
// CHECK: linalg.generic {indexing_maps = [#[[REV]], #{{.*}}], iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<2x4xf32>)
func.func @slice(%x: tensor<2x4xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %0 = nn.slice %x {offsets = array<i64: 0, 1>, sizes = array<i64: 2, 2>, strides = array<i64: 1, 2>} : (tensor<2x4xf32>) -> tensor<2x2xf32>
  %1 = nn.slice %x {offsets = array<i64: 1, 3>, sizes = array<i64: 2, 2>, strides = array<i64: -1, -2>} : (tensor<2x4xf32>) -> tensor<2x2xf32>
  return %0, %1 : tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// nn.gather: a generic over the result reads each index, wraps a negative
// one, clamps it and extracts the input element there.
// CHECK-DAG: #[[IDX:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @gather
// CHECK: linalg.generic {indexing_maps = [#[[IDX]], #{{.*}}], iterator_types = ["parallel", "parallel"]} ins(%arg1 : tensor<3xi64>)
// CHECK: %[[ROW:.*]] = linalg.index 0
// CHECK: arith.cmpi slt
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: %[[K:.*]] = arith.index_cast
// CHECK: tensor.extract %arg0[%[[ROW]], %[[K]]] : tensor<2x4xf32>
func.func @gather(%x: tensor<2x4xf32>, %i: tensor<3xi64>) -> tensor<2x3xf32> {
  %0 = nn.gather %x, %i {axis = 1 : i64} : (tensor<2x4xf32>, tensor<3xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// nn.gather_elements replaces the axis coordinate of each position by its
// (wrapped, clamped) index.
// CHECK-LABEL: func @gather_elements
// CHECK: linalg.generic {{.*}} ins(%arg1 : tensor<2x2x4xi64>) outs(%{{.*}} : tensor<2x2x4xf32>)
// CHECK: %[[D0:.*]] = linalg.index 0
// CHECK: arith.minsi
// CHECK: %[[K:.*]] = arith.index_cast
// CHECK: %[[D2:.*]] = linalg.index 2
// CHECK: tensor.extract %arg0[%[[D0]], %[[K]], %[[D2]]] : tensor<2x3x4xf32>
func.func @gather_elements(%x: tensor<2x3x4xf32>, %i: tensor<2x2x4xi64>) -> tensor<2x2x4xf32> {
  %0 = nn.gather_elements %x, %i {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x2x4xi64>) -> tensor<2x2x4xf32>
  return %0 : tensor<2x2x4xf32>
}

// -----

// nn.gather_nd: a generic with no inputs reads each tuple element from the
// indices (clamped) and then the input element they name.
// CHECK-LABEL: func @gather_nd
// CHECK: linalg.generic {{.*}} outs(
// CHECK: tensor.extract %arg1[%{{.*}}, %c0]
// CHECK: arith.minsi
// CHECK: tensor.extract %arg1[%{{.*}}, %c1]
// CHECK: arith.minsi
// CHECK: tensor.extract %arg0[
func.func @gather_nd(%x: tensor<3x4xf32>, %i: tensor<5x2xi64>) -> tensor<5xf32> {
  %0 = nn.gather_nd %x, %i {batch_dims = 0 : i64} : (tensor<3x4xf32>, tensor<5x2xi64>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// nn.reverse_sequence reads the entry's clamped length and mirrors the time
// index below it.
// CHECK-DAG: #[[LEN:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func @reverse_sequence
// CHECK: linalg.generic {indexing_maps = [#[[LEN]],
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: %[[IN:.*]] = arith.cmpi slt
// CHECK: arith.subi
// CHECK: %[[M:.*]] = arith.subi
// CHECK: %[[T:.*]] = arith.select %[[IN]], %[[M]]
// CHECK: tensor.extract %arg0[%[[T]],
func.func @reverse_sequence(%x: tensor<4x2x3xf32>, %l: tensor<2xi64>) -> tensor<4x2x3xf32> {
  %0 = nn.reverse_sequence %x, %l {batch_axis = 1 : i64, time_axis = 0 : i64} : (tensor<4x2x3xf32>, tensor<2xi64>) -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// nn.pad (static) inserts the input at the low padding, then fills only the
// border with the pad value: each padded dim's low and high bands (an empty
// band is skipped), over the interior of the dims padded before it.
// CHECK-LABEL: func @pad
// CHECK: %[[V:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: %[[E:.*]] = tensor.empty() : tensor<3x7xf32>
// CHECK: %[[IN:.*]] = tensor.insert_slice %arg0 into %[[E]][1, 1] [2, 4] [1, 1]
// CHECK: %[[S0:.*]] = tensor.extract_slice %[[IN]][0, 0] [1, 7] [1, 1]
// CHECK: %[[F0:.*]] = linalg.fill ins(%[[V]] : f32) outs(%[[S0]] : tensor<1x7xf32>)
// CHECK: %[[P0:.*]] = tensor.insert_slice %[[F0]] into %[[IN]][0, 0] [1, 7] [1, 1]
// CHECK: %[[S1:.*]] = tensor.extract_slice %[[P0]][1, 0] [2, 1] [1, 1]
// CHECK: %[[F1:.*]] = linalg.fill ins(%[[V]] : f32) outs(%[[S1]] : tensor<2x1xf32>)
// CHECK: %[[P1:.*]] = tensor.insert_slice %[[F1]] into %[[P0]][1, 0] [2, 1] [1, 1]
// CHECK: %[[S2:.*]] = tensor.extract_slice %[[P1]][1, 5] [2, 2] [1, 1]
// CHECK: %[[F2:.*]] = linalg.fill ins(%[[V]] : f32) outs(%[[S2]] : tensor<2x2xf32>)
// CHECK: %[[P2:.*]] = tensor.insert_slice %[[F2]] into %[[P1]][1, 5] [2, 2] [1, 1]
// CHECK-NOT: linalg.fill
// CHECK: return %[[P2]]
func.func @pad(%x: tensor<2x4xf32>) -> tensor<3x7xf32> {
  %0 = nn.pad %x {low = array<i64: 1, 1>, high = array<i64: 0, 2>, value = 0.5 : f64} : (tensor<2x4xf32>) -> tensor<3x7xf32>
  return %0 : tensor<3x7xf32>
}

// -----

// nn.expand is a copy through the broadcast map.
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func @expand
// CHECK: linalg.generic {indexing_maps = [#[[B]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0 : tensor<2x4xf32>) outs(%{{.*}} : tensor<3x2x4xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]] : f32
func.func @expand(%x: tensor<2x4xf32>) -> tensor<3x2x4xf32> {
  %0 = nn.expand %x {shape = array<i64: 3, 1, 1>} : (tensor<2x4xf32>) -> tensor<3x2x4xf32>
  return %0 : tensor<3x2x4xf32>
}

// -----

// nn.tile is a copy reading each repeated dim modulo its size.
// CHECK-DAG: #[[MOD:.*]] = affine_map<(d0, d1) -> (d0 mod 2, d1 mod 4)>
// CHECK-LABEL: func @tile
// CHECK: linalg.generic {indexing_maps = [#[[MOD]], #{{.*}}], iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<2x4xf32>) outs(%{{.*}} : tensor<4x8xf32>)
func.func @tile(%x: tensor<2x4xf32>) -> tensor<4x8xf32> {
  %0 = nn.tile %x {repeats = array<i64: 2, 2>} : (tensor<2x4xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// nn.shape reads each dimension with tensor.dim into a 1-D i64 tensor
// (tensor.from_elements); static dimensions fold to a constant.
// CHECK-LABEL: func @shape
// CHECK: %[[C:.*]] = arith.constant dense<[3, 4]> : tensor<2xi64>
// CHECK: return %[[C]]
func.func @shape(%x: tensor<2x3x4xf32>) -> tensor<2xi64> {
  %0 = nn.shape %x {start = 1 : i64, end = 3 : i64} : (tensor<2x3x4xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}
