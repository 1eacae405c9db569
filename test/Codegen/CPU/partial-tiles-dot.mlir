// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-cpu-tile-and-vectorize{vector-width=8 vector-registers=16}))' --split-input-file | FileCheck %s

// A weight times a dynamic number of columns: register blocks of 16
// columns, then blocks of one masked vector, and in each of those a choice
// at run time: up to 2 columns (a quarter of the vector) are dot products
// along the reduction. Their columns are copied into the rows of a static
// buffer; each output element is 8-lane FMAs over a row of the weight and a
// row of that buffer (rows in pairs: 18; a masked last step: 37 = 4*8 + 5)
// and one horizontal sum. More columns keep the masked vector.
// CHECK-LABEL: func.func @weight_times_columns
// CHECK-SAME: (%[[W:.*]]: tensor<18x37xf32>, %[[X:.*]]: tensor<37x?xf32>)
// CHECK: scf.for %{{.*}} step %c16
// CHECK: vector.contract
// CHECK: scf.for %{{.*}} step %c16
// CHECK: scf.for %{{.*}} step %c8
// CHECK: %[[COLS:.*]] = affine.min
// CHECK: %[[BUF:.*]] = tensor.empty() : tensor<8x37xf32>
// CHECK: %[[FEW:.*]] = arith.cmpi ule, %[[COLS]], %c2
// CHECK: scf.if %[[FEW]]
// CHECK: %[[ROWS:.*]] = tensor.extract_slice %[[BUF]][0, 0] [%[[COLS]], 37] [1, 1]
// CHECK: %[[XT:.*]] = linalg.transpose ins(%{{.*}} : tensor<37x?xf32>) outs(%[[ROWS]] : tensor<?x37xf32>) permutation = [1, 0]
// CHECK: %[[TAIL:.*]] = vector.constant_mask [5] : vector<8xi1>
// CHECK: scf.for %[[J:.*]] = %c0 to %[[COLS]] step %c1
// CHECK: scf.for %[[M:.*]] = %c0 to %c18 step %c2
// CHECK: scf.for %[[K:.*]] = %c0 to %c32 step %c8 iter_args(%[[A0:.*]] = %{{.*}}, %[[A1:.*]] = %{{.*}}) -> (vector<8xf32>, vector<8xf32>)
// CHECK: %[[XV:.*]] = vector.transfer_read %[[XT]][%[[J]], %[[K]]]
// CHECK: %[[WV:.*]] = vector.transfer_read %[[W]][%[[M]], %[[K]]]
// CHECK: vector.fma %[[WV]], %[[XV]], %[[A0]] : vector<8xf32>
// CHECK: vector.fma
// CHECK: vector.transfer_read %[[XT]]{{.*}}, %[[TAIL]]
// CHECK: vector.transfer_read %[[W]]{{.*}}, %[[TAIL]]
// CHECK: %[[SUM:.*]] = vector.reduction <add>, %{{.*}} : vector<8xf32> into f32
// CHECK: %[[OLD:.*]] = tensor.extract %{{.*}}[%[[M]], %[[J]]]
// CHECK: arith.addf %[[OLD]], %[[SUM]] : f32
// CHECK: vector.reduction <add>
// CHECK: } else {
// CHECK: vector.create_mask %c9, %[[COLS]] : vector<9x8xi1>
// CHECK: vector.contract
func.func @weight_times_columns(%w: tensor<18x37xf32>, %x: tensor<37x?xf32>) -> tensor<18x?xf32> {
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c1 : tensor<37x?xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<18x?xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<18x?xf32>) -> tensor<18x?xf32>
  %y = linalg.matmul ins(%w, %x : tensor<18x37xf32>, tensor<37x?xf32>) outs(%f : tensor<18x?xf32>) -> tensor<18x?xf32>
  return %y : tensor<18x?xf32>
}

// -----

// A batched contraction (attention scores against a dynamic sequence)
// keeps the masked vectors.
// CHECK-LABEL: func.func @batched_keeps_masked_vectors
// CHECK-NOT: vector.reduction
// CHECK-NOT: scf.if
// CHECK: vector.contract
func.func @batched_keeps_masked_vectors(%q: tensor<4x8x32xf32>, %k: tensor<4x32x?xf32>, %o: tensor<4x8x?xf32>) -> tensor<4x8x?xf32> {
  %y = linalg.batch_matmul ins(%q, %k : tensor<4x8x32xf32>, tensor<4x32x?xf32>) outs(%o : tensor<4x8x?xf32>) -> tensor<4x8x?xf32>
  return %y : tensor<4x8x?xf32>
}
