// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-cpu-tile-and-vectorize{vector-width=16 vector-registers=32}))' \
// RUN:   | FileCheck %s
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-cpu-tile-and-vectorize{vector-width=8 vector-registers=16}))' \
// RUN:   | FileCheck %s --check-prefix=AVX2
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-cpu-tile-and-vectorize{vector-width=4 vector-registers=16}))' \
// RUN:   | FileCheck %s --check-prefix=SSE

// A weight gradient's shape, as the nn gradient rule of a stride-1 3x3
// convolution of 32-pixel rows builds it: the input with batch and channels
// swapped and zero-padded, convolved with the output gradient (also swapped)
// as a 8x32 kernel into [C, F, 3, 3]. The pixels are the lanes: loops over
// images, 4x4 blocks of (channel, filter) and kernel rows, then (the kernel
// column static) over the output-gradient rows whose input row is inside
// (affine.max/min); each step reads the block's input rows whole from the
// NCHW input, shifts each chunk's window with zeros in (vector.shuffle), and
// multiply-adds it with an output-gradient vector read in place. The swaps
// and the pad are dead. The images are split in two groups (an scf.forall,
// the threads' share), each summing into partial sums of its own, which the
// final lane sum adds.
// CHECK-LABEL: func.func @weight_grad(
// CHECK-SAME: %[[X:[^:]*]]: tensor<2x4x8x32xf32>, %[[DY:[^:]*]]: tensor<2x8x8x32xf32>
// CHECK-NOT: linalg.transpose
// CHECK-NOT: tensor.insert_slice
// CHECK: scf.forall (%[[GRP:.*]]) in (2) shared_outs(%[[ALL:.*]] = %{{.*}}) -> (tensor<2x4x8x3x3x16xf32>)
// CHECK: %[[MINE:.*]] = tensor.extract_slice %[[ALL]][%[[GRP]], 0, 0, 0, 0, 0] [1, 4, 8, 3, 3, 16] [1, 1, 1, 1, 1, 1] : tensor<2x4x8x3x3x16xf32> to tensor<4x8x3x3x16xf32>
// CHECK: scf.for %{{.*}} = %[[GRP]] to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %[[MINE]])
// CHECK: vector.transfer_read {{.*}} : tensor<4x8x3x3x16xf32>, vector<4x4x16xf32>
// CHECK: %[[LB:.*]] = affine.max
// CHECK: %[[UB:.*]] = affine.min
// CHECK: scf.for %[[P:.*]] = %[[LB]] to %[[UB]]
// CHECK: %[[LINE:.*]] = vector.transfer_read %[[X]]{{.*}} : tensor<2x4x8x32xf32>, vector<32xf32>
// CHECK: vector.shuffle %[[LINE]], %{{.*}} [32, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
// CHECK: %[[G:.*]] = vector.transfer_read %[[DY]][%{{.*}}, %{{.*}}, %[[P]], %{{.*}}]{{.*}} : tensor<2x8x8x32xf32>, vector<16xf32>
// CHECK: vector.fma %{{.*}}, %[[G]], %{{.*}} : vector<16xf32>
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[ALL]][%[[GRP]], 0, 0, 0, 0, 0] [1, 4, 8, 3, 3, 16]
// CHECK-NOT: linalg.conv_2d_nchw_fchw
// AVX2-LABEL: func.func @weight_grad(
// AVX2-NOT: linalg.transpose
// AVX2: vector.transfer_read {{.*}} : tensor<2x4x8x32xf32>, vector<32xf32>
// AVX2: vector.fma {{.*}} : vector<8xf32>
// AVX2-NOT: linalg.conv_2d_nchw_fchw
// SSE-LABEL: func.func @weight_grad(
// SSE: vector.transfer_read {{.*}} : tensor<2x4x8x32xf32>, vector<32xf32>
// SSE: vector.fma {{.*}} : vector<4xf32>
// SSE-NOT: linalg.conv_2d_nchw_fchw
func.func @weight_grad(%x: tensor<2x4x8x32xf32>, %dy: tensor<2x8x8x32xf32>, %init: tensor<4x8x3x3xf32>) -> tensor<4x8x3x3xf32> {
  %cst = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<4x2x8x32xf32>
  %xt = linalg.transpose ins(%x : tensor<2x4x8x32xf32>) outs(%e0 : tensor<4x2x8x32xf32>) permutation = [1, 0, 2, 3]
  %e1 = tensor.empty() : tensor<8x2x8x32xf32>
  %gt = linalg.transpose ins(%dy : tensor<2x8x8x32xf32>) outs(%e1 : tensor<8x2x8x32xf32>) permutation = [1, 0, 2, 3]
  %e2 = tensor.empty() : tensor<4x2x10x34xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e2 : tensor<4x2x10x34xf32>) -> tensor<4x2x10x34xf32>
  %p = tensor.insert_slice %xt into %z[0, 0, 1, 1] [4, 2, 8, 32] [1, 1, 1, 1] : tensor<4x2x8x32xf32> into tensor<4x2x10x34xf32>
  %r = linalg.conv_2d_nchw_fchw {strides = dense<1> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
         ins(%p, %gt : tensor<4x2x10x34xf32>, tensor<8x2x8x32xf32>) outs(%init : tensor<4x8x3x3xf32>) -> tensor<4x8x3x3xf32>
  return %r : tensor<4x8x3x3xf32>
}
