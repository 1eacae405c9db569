// RUN: kiln-opt %s --split-input-file \
// RUN:   --pass-pipeline='builtin.module(func.func(kiln-cpu-tile-and-vectorize{vector-width=8 vector-registers=16}))' \
// RUN:   | FileCheck %s

// NCHW -> NHWC: H and W stay adjacent, so the transpose is [N, C, H*W] ->
// [N, H*W, C]; it is cut into 8x8 tiles (one vector's lanes each way), each
// read as 8 rows of the input, transposed by log2(8) = 3 rounds of 8
// interleaving shuffles and written as 8 rows of the output.
// CHECK-LABEL: func.func @nchw_to_nhwc
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1], [2, 3]] : tensor<2x16x8x8xf32> into tensor<2x16x64xf32>
// CHECK: scf.for
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C8:.*]] iter_args
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C8]] iter_args
// CHECK: vector.transfer_read {{.*}} : tensor<2x16x64xf32>, vector<8x8xf32>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 8, 1, 9, 2, 10, 3, 11] : vector<8xf32>, vector<8xf32>
// CHECK-NEXT: vector.shuffle %{{.*}}, %{{.*}} [4, 12, 5, 13, 6, 14, 7, 15] : vector<8xf32>, vector<8xf32>
// CHECK-COUNT-22: vector.shuffle
// CHECK-NOT: vector.shuffle
// CHECK: vector.transfer_write {{.*}} : vector<8x8xf32>, tensor<2x64x16xf32>
// CHECK: tensor.expand_shape {{.*}} : tensor<2x64x16xf32> into tensor<2x8x8x16xf32>
// CHECK-NOT: linalg.transpose
func.func @nchw_to_nhwc(%x: tensor<2x16x8x8xf32>) -> tensor<2x8x8x16xf32> {
  %e = tensor.empty() : tensor<2x8x8x16xf32>
  %t = linalg.transpose ins(%x : tensor<2x16x8x8xf32>) outs(%e : tensor<2x8x8x16xf32>) permutation = [0, 2, 3, 1]
  return %t : tensor<2x8x8x16xf32>
}

// -----

// The output's innermost dim (3) is not a whole number of vectors: no square
// tiles; the merged transpose keeps the innermost tiling.
// CHECK-LABEL: func.func @narrow
// CHECK-NOT: vector.shuffle
// CHECK: vector.transpose
func.func @narrow(%x: tensor<32x16x2x3xf32>) -> tensor<3x2x32x16xf32> {
  %e = tensor.empty() : tensor<3x2x32x16xf32>
  %t = linalg.transpose ins(%x : tensor<32x16x2x3xf32>) outs(%e : tensor<3x2x32x16xf32>) permutation = [3, 2, 0, 1]
  return %t : tensor<3x2x32x16xf32>
}

// -----

// i8 elements keep the innermost tiling (the tiles are for 32-bit elements).
// CHECK-LABEL: func.func @bytes
// CHECK-NOT: vector.shuffle
func.func @bytes(%x: tensor<16x16xi8>) -> tensor<16x16xi8> {
  %e = tensor.empty() : tensor<16x16xi8>
  %t = linalg.transpose ins(%x : tensor<16x16xi8>) outs(%e : tensor<16x16xi8>) permutation = [1, 0]
  return %t : tensor<16x16xi8>
}
