// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-cpu-tile-and-vectorize{vector-width=8 vector-registers=16}))' | FileCheck %s

// A convolution with a dynamic batch and image size: one image at a time
// (a loop over the batch), each as an im2col copy plus a contraction whose
// columns are the output pixels of a row, a dynamic count. The columns come
// in register blocks of 2 vectors (16 lanes here) and a partial block of
// whole vectors under a mask, so no output pixel is computed on its own.
// CHECK-LABEL: func.func @conv_dynamic_nhw
// CHECK-NOT: linalg.conv_2d_nchw_fchw
// CHECK: scf.for
// The im2col copy of a row, in tiles of 64 (as an elementwise op's).
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<1x1x1x1x1x64xf32>)
// The full blocks: 16 columns, unmasked.
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2, 3]] : tensor<16x8x3x3xf32> into tensor<16x72xf32>
// CHECK: scf.for %{{.*}} step %c16
// CHECK: %[[ROW:.*]] = vector.transfer_read %{{.*}} {in_bounds = [true]} : tensor<1x72x?x?xf32>, vector<16xf32>
// CHECK: vector.contract
// CHECK-SAME: into vector<4x1x16xf32>
// The partial block: vectors of 8 lanes, masked.
// CHECK: vector.create_mask %c1, %c1, %c1, %{{.*}} : vector<1x1x1x8xi1>
// CHECK: vector.transfer_read {{.*}} : tensor<1x1x1x?xf32>, vector<8xf32>
// CHECK: vector.contract
// CHECK-SAME: into vector<8x1x8xf32>
func.func @conv_dynamic_nhw(%x: tensor<?x8x?x?xf32>, %w: tensor<16x8x3x3xf32>,
                            %init: tensor<?x16x?x?xf32>) -> tensor<?x16x?x?xf32> {
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : tensor<?x8x?x?xf32>, tensor<16x8x3x3xf32>) outs(%init : tensor<?x16x?x?xf32>) -> tensor<?x16x?x?xf32>
  return %r : tensor<?x16x?x?xf32>
}
