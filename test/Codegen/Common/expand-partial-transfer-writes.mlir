// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-expand-partial-transfer-writes))' | FileCheck %s
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-expand-partial-transfer-writes),one-shot-bufferize{bufferize-function-boundaries})' | FileCheck %s --check-prefix=BUF

// What kiln-cpu-tile-and-vectorize makes of two zero pads sharing one fill
// (CSE merged them), one of them padding a one-row reduction: the fill loop,
// the reduction's row written into row 0 of the fill, and the other pad's
// insert into row 2 of the same fill. The write bufferizes out of place (the
// insert still needs the fill), and its new buffer must start as a copy of
// the fill: One-Shot Bufferize took vector<7> into tensor<3x7> at [0, 0] for
// a write of the whole tensor and allocated it uncopied, leaving rows 1 and 2
// uninitialized.
// CHECK-LABEL: func.func @shared_pad_fill
// CHECK: %[[FILL:.*]] = scf.for
// CHECK: %[[ROW:.*]] = vector.shape_cast %{{.*}} : vector<7xf64> to vector<1x7xf64>
// CHECK: vector.transfer_write %[[ROW]], %[[FILL]][%{{.*}}, %{{.*}}] {in_bounds = [true, true]} : vector<1x7xf64>, tensor<3x7xf64>
// BUF-LABEL: func.func @shared_pad_fill
// BUF: %[[FILL:.*]] = scf.for
// BUF: %[[NEW:.*]] = memref.alloc() {{.*}} : memref<3x7xf64>
// BUF-NEXT: memref.copy %[[FILL]], %[[NEW]]
// BUF-NEXT: vector.transfer_write %{{.*}}, %[[NEW]]
func.func @shared_pad_fill(%row: vector<7xf64>, %other: tensor<1x7xf64>)
    -> (tensor<3x7xf64>, tensor<3x7xf64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %zero = arith.constant dense<0.0> : vector<7xf64>
  %empty = tensor.empty() : tensor<3x7xf64>
  %fill = scf.for %i = %c0 to %c3 step %c1 iter_args(%t = %empty) -> (tensor<3x7xf64>) {
    %w = vector.transfer_write %zero, %t[%i, %c0] {in_bounds = [true]} : vector<7xf64>, tensor<3x7xf64>
    scf.yield %w : tensor<3x7xf64>
  }
  %a = vector.transfer_write %row, %fill[%c0, %c0] {in_bounds = [true]} : vector<7xf64>, tensor<3x7xf64>
  %b = tensor.insert_slice %other into %fill[2, 0] [1, 7] [1, 1] : tensor<1x7xf64> into tensor<3x7xf64>
  return %a, %b : tensor<3x7xf64>, tensor<3x7xf64>
}

// A vector shorter than the rows: the test compared 3 rows with 3 lanes.
// CHECK-LABEL: func.func @short_row
// CHECK: vector.shape_cast %{{.*}} : vector<3xf32> to vector<1x3xf32>
// CHECK: vector.transfer_write %{{.*}} : vector<1x3xf32>, tensor<3x7xf32>
// BUF-LABEL: func.func @short_row
// BUF: memref.copy
// BUF: vector.transfer_write
func.func @short_row(%t: tensor<3x7xf32>, %v: vector<3xf32>) -> (tensor<3x7xf32>, tensor<3x7xf32>) {
  %c0 = arith.constant 0 : index
  %w = vector.transfer_write %v, %t[%c0, %c0] {in_bounds = [true]} : vector<3xf32>, tensor<3x7xf32>
  return %w, %t : tensor<3x7xf32>, tensor<3x7xf32>
}

// A column (the map picks the rows dim): the vector gets a trailing unit dim.
// CHECK-LABEL: func.func @column
// CHECK: %[[COL:.*]] = vector.shape_cast %{{.*}} : vector<7xf32> to vector<7x1xf32>
// CHECK: vector.transfer_write %[[COL]], %{{.*}} {in_bounds = [true, true]} : vector<7x1xf32>, tensor<7x3xf32>
// BUF-LABEL: func.func @column
// BUF: memref.copy
// BUF: vector.transfer_write
func.func @column(%t: tensor<7x3xf32>, %v: vector<7xf32>) -> (tensor<7x3xf32>, tensor<7x3xf32>) {
  %c0 = arith.constant 0 : index
  %w = vector.transfer_write %v, %t[%c0, %c0] {in_bounds = [true], permutation_map = affine_map<(d0, d1) -> (d0)>} : vector<7xf32>, tensor<7x3xf32>
  return %w, %t : tensor<7x3xf32>, tensor<7x3xf32>
}

// A transposed 4x2 block into a 4x2 tensor covers rows 0 and 1 only: the
// vector is transposed into the tensor's order, and its bounds follow it.
// CHECK-LABEL: func.func @transposed
// CHECK: %[[T:.*]] = vector.transpose %{{.*}}, [1, 0] : vector<4x2xf32> to vector<2x4xf32>
// CHECK-NOT: vector.shape_cast
// CHECK: vector.transfer_write %[[T]], %{{.*}} {in_bounds = [true, false]} : vector<2x4xf32>, tensor<4x2xf32>
// BUF-LABEL: func.func @transposed
// BUF: memref.copy
// BUF: vector.transfer_write
func.func @transposed(%t: tensor<4x2xf32>, %v: vector<4x2xf32>) -> (tensor<4x2xf32>, tensor<4x2xf32>) {
  %c0 = arith.constant 0 : index
  %w = vector.transfer_write %v, %t[%c0, %c0] {in_bounds = [false, true], permutation_map = affine_map<(d0, d1) -> (d1, d0)>} : vector<4x2xf32>, tensor<4x2xf32>
  return %w, %t : tensor<4x2xf32>, tensor<4x2xf32>
}

// A 0-d vector writes one element.
// CHECK-LABEL: func.func @scalar
// CHECK: %[[B:.*]] = vector.broadcast %{{.*}} : vector<f32> to vector<1x1xf32>
// CHECK: vector.transfer_write %[[B]], %{{.*}} {in_bounds = [true, true]} : vector<1x1xf32>, tensor<2x2xf32>
// BUF-LABEL: func.func @scalar
// BUF: memref.copy
// BUF: vector.transfer_write
func.func @scalar(%t: tensor<2x2xf32>, %v: vector<f32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %c0 = arith.constant 0 : index
  %w = vector.transfer_write %v, %t[%c0, %c0] : vector<f32>, tensor<2x2xf32>
  return %w, %t : tensor<2x2xf32>, tensor<2x2xf32>
}

// Writes the test judges right stay as they are: whole-tensor writes (a
// rank-reduced one into a unit dim too), writes the test already takes for
// partial (a full-rank block, a write at a loop index, a masked one, one into
// a dynamic tensor) and a write into a buffer.
// CHECK-LABEL: func.func @unchanged
// CHECK-NOT: vector.shape_cast
// CHECK-NOT: vector.transpose
// CHECK-NOT: vector.broadcast
// CHECK: return
// BUF-LABEL: func.func @unchanged
func.func @unchanged(%unit: tensor<1x7xf32>, %whole: tensor<2x8xf32>, %t: tensor<3x7xf32>,
                     %dyn: tensor<?x7xf32>, %buf: memref<3x7xf32>, %i: index,
                     %v7: vector<7xf32>, %v28: vector<2x8xf32>, %v17: vector<1x7xf32>,
                     %m: vector<7xi1>)
    -> (tensor<1x7xf32>, tensor<2x8xf32>, tensor<3x7xf32>, tensor<3x7xf32>, tensor<3x7xf32>,
        tensor<?x7xf32>) {
  %c0 = arith.constant 0 : index
  %a = vector.transfer_write %v7, %unit[%c0, %c0] {in_bounds = [true]} : vector<7xf32>, tensor<1x7xf32>
  %b = vector.transfer_write %v28, %whole[%c0, %c0] {in_bounds = [true, true]} : vector<2x8xf32>, tensor<2x8xf32>
  %c = vector.transfer_write %v17, %t[%c0, %c0] {in_bounds = [true, true]} : vector<1x7xf32>, tensor<3x7xf32>
  %d = vector.transfer_write %v7, %t[%i, %c0] {in_bounds = [true]} : vector<7xf32>, tensor<3x7xf32>
  %e = vector.transfer_write %v7, %t[%c0, %c0], %m {in_bounds = [true]} : vector<7xf32>, tensor<3x7xf32>
  %f = vector.transfer_write %v7, %dyn[%c0, %c0] {in_bounds = [true]} : vector<7xf32>, tensor<?x7xf32>
  vector.transfer_write %v7, %buf[%c0, %c0] {in_bounds = [true]} : vector<7xf32>, memref<3x7xf32>
  return %a, %b, %c, %d, %e, %f : tensor<1x7xf32>, tensor<2x8xf32>, tensor<3x7xf32>, tensor<3x7xf32>, tensor<3x7xf32>, tensor<?x7xf32>
}
