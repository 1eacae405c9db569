// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-cpu-tile-and-vectorize{vector-width=8 vector-registers=16}))' --split-input-file | FileCheck %s

// Max pooling with a dynamic batch and image size: loops over images,
// channels and output rows around vectors of 8 output pixels. A stride-2
// window position reads 16 contiguous inputs (masked at the row's end) and
// keeps every other lane; the last, partial vector of a row is masked.
// CHECK-LABEL: func.func @max_pool_dynamic_hw
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x?x?xf32>, %[[O:.*]]: tensor<?x4x?x?xf32>)
// CHECK-NOT: linalg.pooling_nchw_max
// CHECK: %[[OW:.*]] = tensor.dim %[[O]], %c3
// CHECK: %[[REM:.*]] = arith.remui %[[OW]], %c8
// CHECK: %[[FULL:.*]] = arith.subi %[[OW]], %[[REM]]
// CHECK: scf.for
// CHECK: scf.for %{{.*}} = %c0 to %c4
// CHECK: scf.for
// The whole vectors: no mask on the accumulator.
// CHECK: scf.for %[[W0:.*]] = %c0 to %[[FULL]] step %c8
// CHECK: vector.transfer_read %{{.*}} {in_bounds = [true]} : tensor<?x4x?x?xf32>, vector<8xf32>
// CHECK: %[[WM:.*]] = vector.create_mask %{{.*}} : vector<16xi1>
// CHECK: %[[WIDE:.*]] = vector.transfer_read %[[X]]{{.*}}, %[[WM]] {in_bounds = [true]} : tensor<?x4x?x?xf32>, vector<16xf32>
// CHECK: %[[ODD:.*]] = vector.shuffle %[[WIDE]], %[[WIDE]] [0, 2, 4, 6, 8, 10, 12, 14]
// CHECK: arith.maximumf %{{.*}}, %[[ODD]] : vector<8xf32>
// CHECK-COUNT-8: arith.maximumf {{.*}} : vector<8xf32>
// CHECK: vector.transfer_write %{{.*}} {in_bounds = [true]} : vector<8xf32>, tensor<?x4x?x?xf32>
// The partial vector: masked at the pixels left.
// CHECK: scf.if
// CHECK: %[[M:.*]] = vector.create_mask %{{.*}} : vector<8xi1>
// CHECK: vector.transfer_read {{.*}}, %[[M]] {in_bounds = [true]} : tensor<?x4x?x?xf32>, vector<8xf32>
// CHECK: vector.transfer_write {{.*}}, %[[M]] {in_bounds = [true]} : vector<8xf32>, tensor<?x4x?x?xf32>
func.func @max_pool_dynamic_hw(%x: tensor<?x4x?x?xf32>, %o: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  %k = tensor.empty() : tensor<3x3xf32>
  %r = linalg.pooling_nchw_max {strides = dense<2> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
         ins(%x, %k : tensor<?x4x?x?xf32>, tensor<3x3xf32>) outs(%o : tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32>
  return %r : tensor<?x4x?x?xf32>
}

// -----

// Stride 1, a filled accumulator and a dilated window: the accumulator
// starts as a splat of the fill value (the fill itself goes: the loops
// write every element of its destination), and each window position is one
// vector read, unmasked in whole vectors, no shuffle.
// CHECK-LABEL: func.func @sum_pool_dynamic_w
// CHECK-DAG: %[[ZEROS:.*]] = arith.constant dense<0.000000e+00> : vector<8xf32>
// CHECK-DAG: %[[E:.*]] = tensor.empty(%{{.*}}) : tensor<1x2x2x?xf32>
// CHECK-NOT: linalg.fill
// CHECK-NOT: linalg.pooling_nchw_sum
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[E]])
// CHECK: scf.for %{{.*}} step %c8
// CHECK-NOT: vector.shuffle
// CHECK: %[[V:.*]] = vector.transfer_read %{{.*}} {in_bounds = [true]} : tensor<1x2x5x?xf32>, vector<8xf32>
// CHECK: arith.addf %[[V]], %[[ZEROS]] : vector<8xf32>
// CHECK: scf.if
// CHECK: vector.create_mask %{{.*}} : vector<8xi1>
func.func @sum_pool_dynamic_w(%x: tensor<1x2x5x?xf32>, %n: index) -> tensor<1x2x2x?xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<1x2x2x?xf32>
  %o = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x2x?xf32>) -> tensor<1x2x2x?xf32>
  %k = tensor.empty() : tensor<2x2xf32>
  %r = linalg.pooling_nchw_sum {strides = dense<1> : tensor<2xi64>, dilations = dense<2> : tensor<2xi64>}
         ins(%x, %k : tensor<1x2x5x?xf32>, tensor<2x2xf32>) outs(%o : tensor<1x2x2x?xf32>) -> tensor<1x2x2x?xf32>
  return %r : tensor<1x2x2x?xf32>
}

// -----

// Static pooling is left to the scalar loops (LLVM vectorizes them), and a
// stride above 4 to the dynamic-loop tiling.
// CHECK-LABEL: func.func @static_pool_untouched
// CHECK: linalg.pooling_nchw_max
// CHECK-NOT: vector.
func.func @static_pool_untouched(%x: tensor<1x4x8x8xf32>, %o: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> {
  %k = tensor.empty() : tensor<2x2xf32>
  %r = linalg.pooling_nchw_max {strides = dense<2> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
         ins(%x, %k : tensor<1x4x8x8xf32>, tensor<2x2xf32>) outs(%o : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %r : tensor<1x4x4x4xf32>
}

// CHECK-LABEL: func.func @wide_stride_not_vectorized
// CHECK-NOT: vector.shuffle
// CHECK: linalg.pooling_nchw_max
func.func @wide_stride_not_vectorized(%x: tensor<1x4x?x?xf32>, %o: tensor<1x4x?x?xf32>) -> tensor<1x4x?x?xf32> {
  %k = tensor.empty() : tensor<5x5xf32>
  %r = linalg.pooling_nchw_max {strides = dense<5> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
         ins(%x, %k : tensor<1x4x?x?xf32>, tensor<5x5xf32>) outs(%o : tensor<1x4x?x?xf32>) -> tensor<1x4x?x?xf32>
  return %r : tensor<1x4x?x?xf32>
}
