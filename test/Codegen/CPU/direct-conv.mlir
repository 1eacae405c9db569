// RUN: kiln-opt %s --split-input-file \
// RUN:   --pass-pipeline='builtin.module(func.func(kiln-cpu-tile-and-vectorize{vector-width=8 vector-registers=16}))' \
// RUN:   | FileCheck %s
// RUN: kiln-opt %s --split-input-file \
// RUN:   --pass-pipeline='builtin.module(func.func(kiln-cpu-tile-and-vectorize{vector-width=16 vector-registers=32}))' \
// RUN:   | FileCheck %s --check-prefix=W16
// RUN: kiln-opt %s --split-input-file \
// RUN:   --pass-pipeline='builtin.module(func.func(kiln-cpu-tile-and-vectorize{vector-width=8 vector-registers=16 direct-conv=false}))' \
// RUN:   | FileCheck %s --check-prefix=OFF

// A stride-1 3x3 convolution whose output rows are whole vectors is convolved
// directly: a loop over output rows, the rows x cols accumulator read once,
// then loops over input channels and kernel offsets carrying it, each step a
// rows x 1 x cols contraction of a filter column (the filter collapsed to
// [F, C*KH*KW]) with a row of the padded input read in place. With 8 lanes
// and 16 registers: 16 columns (two vectors) by 4 rows; with 16 lanes and 32
// registers: 16 columns (one vector) by 16 rows. Threads share blocks of
// output channels (an scf.forall). No im2col buffer.
// CHECK-LABEL: func.func @direct
// CHECK-SAME: %[[X:[^:]*]]: tensor<1x8x18x18xf32>
// CHECK: %[[W2:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2, 3]] : tensor<16x8x3x3xf32> into tensor<16x72xf32>
// CHECK: scf.forall (%{{.*}}) = (0) to (16) step (4)
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c1
// CHECK: %[[ACC:.*]] = vector.transfer_read {{.*}} : tensor<1x4x16x16xf32>, vector<4x16xf32>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[ACC]]) -> (vector<4x16xf32>)
// CHECK: scf.for {{.*}} -> (vector<4x16xf32>)
// CHECK: scf.for {{.*}} -> (vector<4x16xf32>)
// CHECK: vector.transfer_read %[[W2]]{{.*}} : tensor<16x72xf32>, vector<4x1xf32>
// CHECK: vector.transfer_read %[[X]]{{.*}} : tensor<1x8x18x18xf32>, vector<16xf32>
// CHECK: vector.contract {{.*}} : vector<4x1xf32>, vector<1x16xf32> into vector<4x16xf32>
// CHECK: vector.transfer_write
// CHECK-NOT: linalg.conv_2d_nchw_fchw
// CHECK-NOT: tensor<1x8x3x3x16x16xf32>
// W16-LABEL: func.func @direct
// W16: vector.contract {{.*}} : vector<16x1xf32>, vector<1x16xf32> into vector<16x16xf32>
// OFF-LABEL: func.func @direct
// OFF: tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2, 3], [4, 5]] : tensor<1x8x3x3x16x16xf32> into tensor<1x72x256xf32>
func.func @direct(%x: tensor<1x8x18x18xf32>, %w: tensor<16x8x3x3xf32>, %init: tensor<1x16x16x16xf32>) -> tensor<1x16x16x16xf32> {
  %r = linalg.conv_2d_nchw_fchw {strides = dense<1> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x8x18x18xf32>, tensor<16x8x3x3xf32>) outs(%init : tensor<1x16x16x16xf32>) -> tensor<1x16x16x16xf32>
  return %r : tensor<1x16x16x16xf32>
}

// -----

// Many input channels: the channels are split into cache blocks whose
// weights (4 rows x 64 channels x 9 offsets x 4 bytes = 9 KiB) stay under
// 16 KiB, outside the loops over output rows; a dilation of 2 reads the
// input at twice the kernel offset.
// CHECK-LABEL: func.func @channel_blocks
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C64]]
// CHECK: scf.for
// CHECK: vector.contract {{.*}} : vector<4x1xf32>, vector<1x8xf32> into vector<4x8xf32>
// CHECK-NOT: linalg.conv_2d_nchw_fchw
func.func @channel_blocks(%x: tensor<1x256x12x12xf32>, %w: tensor<4x256x3x3xf32>, %init: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %r = linalg.conv_2d_nchw_fchw {strides = dense<1> : tensor<2xi64>, dilations = dense<2> : tensor<2xi64>}
         ins(%x, %w : tensor<1x256x12x12xf32>, tensor<4x256x3x3xf32>) outs(%init : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return %r : tensor<1x4x8x8xf32>
}

// -----

// With 16 lanes a stride-2 convolution is direct too: each step reads twice
// the row's lanes of the input, contiguous (the last one past the window, so
// not in bounds), and keeps every other lane with a shuffle (one two-source
// permute). With 8 lanes (AVX2, no such permute) it keeps im2col.
// CHECK-LABEL: func.func @stride2
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2, 3], [4, 5]] : tensor<1x8x3x3x16x16xf32> into tensor<1x72x256xf32>
// W16-LABEL: func.func @stride2
// W16: vector.transfer_read %{{[^ ]*}}[{{[^]]*}}], %{{[^ ]*}} : tensor<1x8x3x33xf32>, vector<32xf32>
// W16: vector.shuffle %{{.*}} [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30] : vector<32xf32>, vector<32xf32>
// W16: vector.contract {{.*}} : vector<16x1xf32>, vector<1x16xf32> into vector<16x16xf32>
// W16-NOT: linalg.conv_2d_nchw_fchw
func.func @stride2(%x: tensor<1x8x33x33xf32>, %w: tensor<16x8x3x3xf32>, %init: tensor<1x16x16x16xf32>) -> tensor<1x16x16x16xf32> {
  %r = linalg.conv_2d_nchw_fchw {strides = dense<2> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x8x33x33xf32>, tensor<16x8x3x3xf32>) outs(%init : tensor<1x16x16x16xf32>) -> tensor<1x16x16x16xf32>
  return %r : tensor<1x16x16x16xf32>
}

// -----

// Output rows of half a vector (8 pixels with 16 lanes, 4 with 8): two
// output rows share a register block, read and written as [rows, 2, cols]
// and cast to [rows, lanes]; each step joins the two rows' inputs with a
// shuffle. With 8 lanes the 8-pixel rows are whole vectors.
// CHECK-LABEL: func.func @two_rows
// CHECK: vector.contract {{.*}} : vector<8x1xf32>, vector<1x8xf32> into vector<8x8xf32>
// CHECK-NOT: vector.shuffle
// W16-LABEL: func.func @two_rows
// W16: scf.for %{{.*}} = %c0 to %c8 step %c2
// W16: vector.transfer_read {{.*}} : tensor<1x16x8x8xf32>, vector<16x2x8xf32>
// W16: vector.shape_cast %{{.*}} : vector<16x2x8xf32> to vector<16x16xf32>
// W16: %[[R0:.*]] = vector.transfer_read {{.*}} : tensor<1x8x10x10xf32>, vector<8xf32>
// W16: %[[R1:.*]] = vector.transfer_read {{.*}} : tensor<1x8x10x10xf32>, vector<8xf32>
// W16: vector.shuffle %[[R0]], %[[R1]] [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] : vector<8xf32>, vector<8xf32>
// W16: vector.contract {{.*}} : vector<16x1xf32>, vector<1x16xf32> into vector<16x16xf32>
// W16: vector.shape_cast %{{.*}} : vector<16x16xf32> to vector<16x2x8xf32>
// W16: vector.transfer_write {{.*}} {in_bounds = [true, true, true]} : vector<16x2x8xf32>, tensor<1x16x8x8xf32>
func.func @two_rows(%x: tensor<1x8x10x10xf32>, %w: tensor<16x8x3x3xf32>, %init: tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32> {
  %r = linalg.conv_2d_nchw_fchw {strides = dense<1> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x8x10x10xf32>, tensor<16x8x3x3xf32>) outs(%init : tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
  return %r : tensor<1x16x8x8xf32>
}

// -----

// Two rows of 8 pixels at stride 2 (16 lanes): each row's 16 inputs read,
// and one shuffle keeps every other one of both.
// W16-LABEL: func.func @two_rows_stride2
// W16: vector.shuffle %{{.*}}, %{{.*}} [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30] : vector<16xf32>, vector<16xf32>
// W16: vector.contract {{.*}} : vector<16x1xf32>, vector<1x16xf32> into vector<16x16xf32>
func.func @two_rows_stride2(%x: tensor<1x8x17x17xf32>, %w: tensor<16x8x3x3xf32>, %init: tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32> {
  %r = linalg.conv_2d_nchw_fchw {strides = dense<2> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x8x17x17xf32>, tensor<16x8x3x3xf32>) outs(%init : tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
  return %r : tensor<1x16x8x8xf32>
}

// -----

// The rule keeps im2col for a larger stride (3 would load three times the
// lanes it keeps)...
// CHECK-LABEL: func.func @stride3
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2, 3], [4, 5]] : tensor<1x8x3x3x16x16xf32> into tensor<1x72x256xf32>
func.func @stride3(%x: tensor<1x8x48x48xf32>, %w: tensor<16x8x3x3xf32>, %init: tensor<1x16x16x16xf32>) -> tensor<1x16x16x16xf32> {
  %r = linalg.conv_2d_nchw_fchw {strides = dense<3> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x8x48x48xf32>, tensor<16x8x3x3xf32>) outs(%init : tensor<1x16x16x16xf32>) -> tensor<1x16x16x16xf32>
  return %r : tensor<1x16x16x16xf32>
}

// -----

// An output row narrower than whole vectors (6 pixels, 8 lanes) is one
// block of one vector whose 2 extra lanes are never stored: the accumulator
// and the input rows are read, and the accumulator written, out of bounds
// along the row (masked by the transfer lowering).
// CHECK-LABEL: func.func @narrow_rows
// CHECK: vector.transfer_read {{.*}} {in_bounds = [true, false]{{.*}} : tensor<1x8x1x6xf32>, vector<8x8xf32>
// CHECK: vector.transfer_read %{{[^ ]*}}[{{[^]]*}}], %{{[^ ]*}} : tensor<1x8x3x8xf32>, vector<8xf32>
// CHECK: vector.contract {{.*}} : vector<8x1xf32>, vector<1x8xf32> into vector<8x8xf32>
// CHECK: vector.transfer_write {{.*}} {in_bounds = [true, true, false]} : vector<8x1x8xf32>, tensor<1x8x1x6xf32>
func.func @narrow_rows(%x: tensor<1x8x8x8xf32>, %w: tensor<16x8x3x3xf32>, %init: tensor<1x16x6x6xf32>) -> tensor<1x16x6x6xf32> {
  %r = linalg.conv_2d_nchw_fchw {strides = dense<1> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x8x8x8xf32>, tensor<16x8x3x3xf32>) outs(%init : tensor<1x16x6x6xf32>) -> tensor<1x16x6x6xf32>
  return %r : tensor<1x16x6x6xf32>
}

// -----

// ...but im2col keeps output rows that would use less than 3/4 of their
// lanes (5 pixels, 8 lanes)...
// CHECK-LABEL: func.func @narrower_rows
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2, 3], [4, 5]] : tensor<1x8x3x3x5x5xf32> into tensor<1x72x25xf32>
func.func @narrower_rows(%x: tensor<1x8x7x7xf32>, %w: tensor<16x8x3x3xf32>, %init: tensor<1x16x5x5xf32>) -> tensor<1x16x5x5xf32> {
  %r = linalg.conv_2d_nchw_fchw {strides = dense<1> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x8x7x7xf32>, tensor<16x8x3x3xf32>) outs(%init : tensor<1x16x5x5xf32>) -> tensor<1x16x5x5xf32>
  return %r : tensor<1x16x5x5xf32>
}

// -----

// ...and for narrow rows at stride 2 (6 pixels of 8 lanes), which measured
// slower direct than by im2col...
// CHECK-LABEL: func.func @narrow_rows_stride2
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2, 3], [4, 5]] : tensor<1x8x3x3x6x6xf32> into tensor<1x72x36xf32>
func.func @narrow_rows_stride2(%x: tensor<1x8x13x13xf32>, %w: tensor<16x8x3x3xf32>, %init: tensor<1x16x6x6xf32>) -> tensor<1x16x6x6xf32> {
  %r = linalg.conv_2d_nchw_fchw {strides = dense<2> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x8x13x13xf32>, tensor<16x8x3x3xf32>) outs(%init : tensor<1x16x6x6xf32>) -> tensor<1x16x6x6xf32>
  return %r : tensor<1x16x6x6xf32>
}

// -----

// ...and for fewer than 4 output channels per register block (3 filters).
// CHECK-LABEL: func.func @few_filters
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2, 3], [4, 5]] : tensor<1x8x3x3x16x16xf32> into tensor<1x72x256xf32>
func.func @few_filters(%x: tensor<1x8x18x18xf32>, %w: tensor<3x8x3x3xf32>, %init: tensor<1x3x16x16xf32>) -> tensor<1x3x16x16xf32> {
  %r = linalg.conv_2d_nchw_fchw {strides = dense<1> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x8x18x18xf32>, tensor<3x8x3x3xf32>) outs(%init : tensor<1x3x16x16xf32>) -> tensor<1x3x16x16xf32>
  return %r : tensor<1x3x16x16xf32>
}

// -----

// A zero-padded input (the nn lowering's pattern: the input inserted into an
// empty tensor, the border filled band by band) whose output rows are whole
// vectors as wide as the input's: the unpadded input is read, one row per
// (input channel, kernel row), each kernel column's window made by shifting
// zeros in; rows above or below the input are skipped. The pad is dead.
// W16-LABEL: func.func @pad_direct
// W16-SAME: %[[X:[^:]*]]: tensor<2x8x16x16xf32>
// W16-NOT: tensor.insert_slice
// W16-NOT: linalg.fill
// W16: scf.for {{.*}} -> (vector<16x16xf32>)
// W16: %[[IN:.*]] = arith.andi
// W16: scf.if %[[IN]] -> (vector<16x16xf32>)
// W16: %[[ROW:.*]] = vector.transfer_read %[[X]]{{.*}} : tensor<2x8x16x16xf32>, vector<16xf32>
// W16: vector.shuffle %[[ROW]], %{{.*}} [16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
// W16: vector.contract
// W16: vector.contract
// W16: vector.shuffle %[[ROW]], %{{.*}} [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
// W16: vector.contract
// W16: } else {
// W16-NOT: linalg.conv_2d_nchw_fchw
func.func @pad_direct(%x: tensor<2x8x16x16xf32>, %w: tensor<16x8x3x3xf32>, %init: tensor<2x16x16x16xf32>) -> tensor<2x16x16x16xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x8x18x18xf32>
  %i = tensor.insert_slice %x into %e[0, 0, 1, 1] [2, 8, 16, 16] [1, 1, 1, 1] : tensor<2x8x16x16xf32> into tensor<2x8x18x18xf32>
  %b0 = tensor.extract_slice %i[0, 0, 0, 0] [2, 8, 1, 18] [1, 1, 1, 1] : tensor<2x8x18x18xf32> to tensor<2x8x1x18xf32>
  %f0 = linalg.fill ins(%cst : f32) outs(%b0 : tensor<2x8x1x18xf32>) -> tensor<2x8x1x18xf32>
  %i0 = tensor.insert_slice %f0 into %i[0, 0, 0, 0] [2, 8, 1, 18] [1, 1, 1, 1] : tensor<2x8x1x18xf32> into tensor<2x8x18x18xf32>
  %b1 = tensor.extract_slice %i0[0, 0, 17, 0] [2, 8, 1, 18] [1, 1, 1, 1] : tensor<2x8x18x18xf32> to tensor<2x8x1x18xf32>
  %f1 = linalg.fill ins(%cst : f32) outs(%b1 : tensor<2x8x1x18xf32>) -> tensor<2x8x1x18xf32>
  %i1 = tensor.insert_slice %f1 into %i0[0, 0, 17, 0] [2, 8, 1, 18] [1, 1, 1, 1] : tensor<2x8x1x18xf32> into tensor<2x8x18x18xf32>
  %b2 = tensor.extract_slice %i1[0, 0, 1, 0] [2, 8, 16, 1] [1, 1, 1, 1] : tensor<2x8x18x18xf32> to tensor<2x8x16x1xf32>
  %f2 = linalg.fill ins(%cst : f32) outs(%b2 : tensor<2x8x16x1xf32>) -> tensor<2x8x16x1xf32>
  %i2 = tensor.insert_slice %f2 into %i1[0, 0, 1, 0] [2, 8, 16, 1] [1, 1, 1, 1] : tensor<2x8x16x1xf32> into tensor<2x8x18x18xf32>
  %b3 = tensor.extract_slice %i2[0, 0, 1, 17] [2, 8, 16, 1] [1, 1, 1, 1] : tensor<2x8x18x18xf32> to tensor<2x8x16x1xf32>
  %f3 = linalg.fill ins(%cst : f32) outs(%b3 : tensor<2x8x16x1xf32>) -> tensor<2x8x16x1xf32>
  %p = tensor.insert_slice %f3 into %i2[0, 0, 1, 17] [2, 8, 16, 1] [1, 1, 1, 1] : tensor<2x8x16x1xf32> into tensor<2x8x18x18xf32>
  %r = linalg.conv_2d_nchw_fchw {strides = dense<1> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
         ins(%p, %w : tensor<2x8x18x18xf32>, tensor<16x8x3x3xf32>) outs(%init : tensor<2x16x16x16xf32>) -> tensor<2x16x16x16xf32>
  return %r : tensor<2x16x16x16xf32>
}

// -----

// Padded with ones (not zeros): the padded input is read as before.
// W16-LABEL: func.func @pad_value_one
// W16: tensor.insert_slice
// W16-NOT: scf.if
// W16: vector.contract
func.func @pad_value_one(%x: tensor<2x8x16x16xf32>, %w: tensor<16x8x3x3xf32>, %init: tensor<2x16x16x16xf32>) -> tensor<2x16x16x16xf32> {
  %cst = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<2x8x18x18xf32>
  %i = tensor.insert_slice %x into %e[0, 0, 1, 1] [2, 8, 16, 16] [1, 1, 1, 1] : tensor<2x8x16x16xf32> into tensor<2x8x18x18xf32>
  %b0 = tensor.extract_slice %i[0, 0, 0, 0] [2, 8, 1, 18] [1, 1, 1, 1] : tensor<2x8x18x18xf32> to tensor<2x8x1x18xf32>
  %f0 = linalg.fill ins(%cst : f32) outs(%b0 : tensor<2x8x1x18xf32>) -> tensor<2x8x1x18xf32>
  %i0 = tensor.insert_slice %f0 into %i[0, 0, 0, 0] [2, 8, 1, 18] [1, 1, 1, 1] : tensor<2x8x1x18xf32> into tensor<2x8x18x18xf32>
  %b1 = tensor.extract_slice %i0[0, 0, 17, 0] [2, 8, 1, 18] [1, 1, 1, 1] : tensor<2x8x18x18xf32> to tensor<2x8x1x18xf32>
  %f1 = linalg.fill ins(%cst : f32) outs(%b1 : tensor<2x8x1x18xf32>) -> tensor<2x8x1x18xf32>
  %i1 = tensor.insert_slice %f1 into %i0[0, 0, 17, 0] [2, 8, 1, 18] [1, 1, 1, 1] : tensor<2x8x1x18xf32> into tensor<2x8x18x18xf32>
  %b2 = tensor.extract_slice %i1[0, 0, 1, 0] [2, 8, 16, 1] [1, 1, 1, 1] : tensor<2x8x18x18xf32> to tensor<2x8x16x1xf32>
  %f2 = linalg.fill ins(%cst : f32) outs(%b2 : tensor<2x8x16x1xf32>) -> tensor<2x8x16x1xf32>
  %i2 = tensor.insert_slice %f2 into %i1[0, 0, 1, 0] [2, 8, 16, 1] [1, 1, 1, 1] : tensor<2x8x16x1xf32> into tensor<2x8x18x18xf32>
  %b3 = tensor.extract_slice %i2[0, 0, 1, 17] [2, 8, 16, 1] [1, 1, 1, 1] : tensor<2x8x18x18xf32> to tensor<2x8x16x1xf32>
  %f3 = linalg.fill ins(%cst : f32) outs(%b3 : tensor<2x8x16x1xf32>) -> tensor<2x8x16x1xf32>
  %p = tensor.insert_slice %f3 into %i2[0, 0, 1, 17] [2, 8, 16, 1] [1, 1, 1, 1] : tensor<2x8x16x1xf32> into tensor<2x8x18x18xf32>
  %r = linalg.conv_2d_nchw_fchw {strides = dense<1> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
         ins(%p, %w : tensor<2x8x18x18xf32>, tensor<16x8x3x3xf32>) outs(%init : tensor<2x16x16x16xf32>) -> tensor<2x16x16x16xf32>
  return %r : tensor<2x16x16x16xf32>
}

// -----

// The same at stride 2 (16 lanes): the whole 32-pixel input row is read once
// per (input channel, kernel row) and each kernel column keeps every other
// lane from its offset, a zero for the column left of the input.
// W16-LABEL: func.func @pad_direct_stride2
// W16-SAME: %[[X:[^:]*]]: tensor<1x8x32x32xf32>
// W16-NOT: tensor.insert_slice
// W16: scf.if
// W16: %[[ROW:.*]] = vector.transfer_read %[[X]]{{.*}} : tensor<1x8x32x32xf32>, vector<32xf32>
// W16: vector.shuffle %[[ROW]], %{{.*}} [32, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29] : vector<32xf32>, vector<32xf32>
// W16: vector.shuffle %[[ROW]], %{{.*}} [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30] : vector<32xf32>, vector<32xf32>
// W16: vector.shuffle %[[ROW]], %{{.*}} [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31] : vector<32xf32>, vector<32xf32>
// W16-NOT: linalg.conv_2d_nchw_fchw
func.func @pad_direct_stride2(%x: tensor<1x8x32x32xf32>, %w: tensor<16x8x3x3xf32>, %init: tensor<1x16x16x16xf32>) -> tensor<1x16x16x16xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x34x34xf32>
  %i = tensor.insert_slice %x into %e[0, 0, 1, 1] [1, 8, 32, 32] [1, 1, 1, 1] : tensor<1x8x32x32xf32> into tensor<1x8x34x34xf32>
  %b0 = tensor.extract_slice %i[0, 0, 0, 0] [1, 8, 1, 34] [1, 1, 1, 1] : tensor<1x8x34x34xf32> to tensor<1x8x1x34xf32>
  %f0 = linalg.fill ins(%cst : f32) outs(%b0 : tensor<1x8x1x34xf32>) -> tensor<1x8x1x34xf32>
  %i0 = tensor.insert_slice %f0 into %i[0, 0, 0, 0] [1, 8, 1, 34] [1, 1, 1, 1] : tensor<1x8x1x34xf32> into tensor<1x8x34x34xf32>
  %b1 = tensor.extract_slice %i0[0, 0, 33, 0] [1, 8, 1, 34] [1, 1, 1, 1] : tensor<1x8x34x34xf32> to tensor<1x8x1x34xf32>
  %f1 = linalg.fill ins(%cst : f32) outs(%b1 : tensor<1x8x1x34xf32>) -> tensor<1x8x1x34xf32>
  %i1 = tensor.insert_slice %f1 into %i0[0, 0, 33, 0] [1, 8, 1, 34] [1, 1, 1, 1] : tensor<1x8x1x34xf32> into tensor<1x8x34x34xf32>
  %b2 = tensor.extract_slice %i1[0, 0, 1, 0] [1, 8, 32, 1] [1, 1, 1, 1] : tensor<1x8x34x34xf32> to tensor<1x8x32x1xf32>
  %f2 = linalg.fill ins(%cst : f32) outs(%b2 : tensor<1x8x32x1xf32>) -> tensor<1x8x32x1xf32>
  %i2 = tensor.insert_slice %f2 into %i1[0, 0, 1, 0] [1, 8, 32, 1] [1, 1, 1, 1] : tensor<1x8x32x1xf32> into tensor<1x8x34x34xf32>
  %b3 = tensor.extract_slice %i2[0, 0, 1, 33] [1, 8, 32, 1] [1, 1, 1, 1] : tensor<1x8x34x34xf32> to tensor<1x8x32x1xf32>
  %f3 = linalg.fill ins(%cst : f32) outs(%b3 : tensor<1x8x32x1xf32>) -> tensor<1x8x32x1xf32>
  %i3 = tensor.insert_slice %f3 into %i2[0, 0, 1, 33] [1, 8, 32, 1] [1, 1, 1, 1] : tensor<1x8x32x1xf32> into tensor<1x8x34x34xf32>
  %r = linalg.conv_2d_nchw_fchw {strides = dense<2> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
         ins(%i3, %w : tensor<1x8x34x34xf32>, tensor<16x8x3x3xf32>) outs(%init : tensor<1x16x16x16xf32>) -> tensor<1x16x16x16xf32>
  return %r : tensor<1x16x16x16xf32>
}

// -----

// A narrow row (14 pixels in 16 lanes): the 14-pixel input row is read as one
// whole vector, its last two lanes zeros (a masked read, not in bounds), and
// the lanes past the row's pixels pick zeros too (the middle kernel column
// is the row itself).
// W16-LABEL: func.func @pad_direct_narrow
// W16-SAME: %[[X:[^:]*]]: tensor<1x8x14x14xf32>
// W16-NOT: tensor.insert_slice
// W16: %[[ROW:.*]] = vector.transfer_read %[[X]]{{\[}}{{.*}}], %{{[^ ]*}} : tensor<1x8x14x14xf32>, vector<16xf32>
// W16: vector.shuffle %[[ROW]], %{{.*}} [16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 16, 16] : vector<16xf32>, vector<16xf32>
// W16: vector.shuffle %[[ROW]], %{{.*}} [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 16, 16] : vector<16xf32>, vector<16xf32>
func.func @pad_direct_narrow(%x: tensor<1x8x14x14xf32>, %w: tensor<16x8x3x3xf32>, %init: tensor<1x16x14x14xf32>) -> tensor<1x16x14x14xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x16x16xf32>
  %i = tensor.insert_slice %x into %e[0, 0, 1, 1] [1, 8, 14, 14] [1, 1, 1, 1] : tensor<1x8x14x14xf32> into tensor<1x8x16x16xf32>
  %b0 = tensor.extract_slice %i[0, 0, 0, 0] [1, 8, 1, 16] [1, 1, 1, 1] : tensor<1x8x16x16xf32> to tensor<1x8x1x16xf32>
  %f0 = linalg.fill ins(%cst : f32) outs(%b0 : tensor<1x8x1x16xf32>) -> tensor<1x8x1x16xf32>
  %i0 = tensor.insert_slice %f0 into %i[0, 0, 0, 0] [1, 8, 1, 16] [1, 1, 1, 1] : tensor<1x8x1x16xf32> into tensor<1x8x16x16xf32>
  %b1 = tensor.extract_slice %i0[0, 0, 15, 0] [1, 8, 1, 16] [1, 1, 1, 1] : tensor<1x8x16x16xf32> to tensor<1x8x1x16xf32>
  %f1 = linalg.fill ins(%cst : f32) outs(%b1 : tensor<1x8x1x16xf32>) -> tensor<1x8x1x16xf32>
  %i1 = tensor.insert_slice %f1 into %i0[0, 0, 15, 0] [1, 8, 1, 16] [1, 1, 1, 1] : tensor<1x8x1x16xf32> into tensor<1x8x16x16xf32>
  %b2 = tensor.extract_slice %i1[0, 0, 1, 0] [1, 8, 14, 1] [1, 1, 1, 1] : tensor<1x8x16x16xf32> to tensor<1x8x14x1xf32>
  %f2 = linalg.fill ins(%cst : f32) outs(%b2 : tensor<1x8x14x1xf32>) -> tensor<1x8x14x1xf32>
  %i2 = tensor.insert_slice %f2 into %i1[0, 0, 1, 0] [1, 8, 14, 1] [1, 1, 1, 1] : tensor<1x8x14x1xf32> into tensor<1x8x16x16xf32>
  %b3 = tensor.extract_slice %i2[0, 0, 1, 15] [1, 8, 14, 1] [1, 1, 1, 1] : tensor<1x8x16x16xf32> to tensor<1x8x14x1xf32>
  %f3 = linalg.fill ins(%cst : f32) outs(%b3 : tensor<1x8x14x1xf32>) -> tensor<1x8x14x1xf32>
  %i3 = tensor.insert_slice %f3 into %i2[0, 0, 1, 15] [1, 8, 14, 1] [1, 1, 1, 1] : tensor<1x8x14x1xf32> into tensor<1x8x16x16xf32>
  %r = linalg.conv_2d_nchw_fchw {strides = dense<1> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
         ins(%i3, %w : tensor<1x8x16x16xf32>, tensor<16x8x3x3xf32>) outs(%init : tensor<1x16x14x14xf32>) -> tensor<1x16x14x14xf32>
  return %r : tensor<1x16x14x14xf32>
}

// -----

// An output that starts as zeros (a zero fill) starts from an empty tensor:
// the accumulators start at zero in registers, with no fill and no read of
// the output. With input channels in cache blocks (here 64 of 256), the
// first block starts at zero and the others read what the ones before wrote.
// CHECK-LABEL: func.func @zero_init
// CHECK-NOT: linalg.fill
// CHECK: %[[Z:.*]] = arith.constant dense<0.000000e+00> : vector<4x16xf32>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[Z]]) -> (vector<4x16xf32>)
// CHECK-LABEL: func.func @zero_init_channel_blocks
// CHECK-NOT: linalg.fill
// CHECK: %[[FIRST:.*]] = arith.cmpi eq
// CHECK: %[[ACC:.*]] = scf.if %[[FIRST]] -> (vector<4x8xf32>) {
// CHECK: } else {
// CHECK: vector.transfer_read
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[ACC]]) -> (vector<4x8xf32>)
func.func @zero_init(%x: tensor<1x8x18x18xf32>, %w: tensor<16x8x3x3xf32>) -> tensor<1x16x16x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x16x16x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x16x16x16xf32>) -> tensor<1x16x16x16xf32>
  %r = linalg.conv_2d_nchw_fchw {strides = dense<1> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x8x18x18xf32>, tensor<16x8x3x3xf32>) outs(%init : tensor<1x16x16x16xf32>) -> tensor<1x16x16x16xf32>
  return %r : tensor<1x16x16x16xf32>
}
func.func @zero_init_channel_blocks(%x: tensor<1x256x12x12xf32>, %w: tensor<4x256x3x3xf32>) -> tensor<1x4x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x8x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %r = linalg.conv_2d_nchw_fchw {strides = dense<1> : tensor<2xi64>, dilations = dense<2> : tensor<2xi64>}
         ins(%x, %w : tensor<1x256x12x12xf32>, tensor<4x256x3x3xf32>) outs(%init : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return %r : tensor<1x4x8x8xf32>
}

// -----

// Two output rows of 8 pixels per 16-lane register block, on a zero-padded
// input: each step reads the two input rows whole (8 lanes each; a row above
// or below the input is zeros, scf.if), joins them, and each kernel column's
// window shifts zeros in at both rows' ends. The pad (here inserted into a
// zero fill) is dead.
// W16-LABEL: func.func @pad_two_rows
// W16-SAME: %[[X:[^:]*]]: tensor<2x8x8x8xf32>
// W16-NOT: tensor.insert_slice
// W16: scf.for {{.*}} -> (vector<16x16xf32>)
// W16: %[[IN0:.*]] = arith.andi
// W16: %[[R0:.*]] = scf.if %[[IN0]] -> (vector<8xf32>)
// W16: vector.transfer_read %[[X]]{{.*}} : tensor<2x8x8x8xf32>, vector<8xf32>
// W16: %[[IN1:.*]] = arith.andi
// W16: %[[R1:.*]] = scf.if %[[IN1]] -> (vector<8xf32>)
// W16: %[[LINE:.*]] = vector.shuffle %[[R0]], %[[R1]] [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
// W16: vector.shuffle %[[LINE]], %{{.*}} [16, 0, 1, 2, 3, 4, 5, 6, 16, 8, 9, 10, 11, 12, 13, 14]
// W16: vector.contract
// W16: vector.contract
// W16: vector.shuffle %[[LINE]], %{{.*}} [1, 2, 3, 4, 5, 6, 7, 16, 9, 10, 11, 12, 13, 14, 15, 16]
// W16: vector.contract
// W16-NOT: linalg.conv_2d_nchw_fchw
func.func @pad_two_rows(%x: tensor<2x8x8x8xf32>, %w: tensor<16x8x3x3xf32>, %init: tensor<2x16x8x8xf32>) -> tensor<2x16x8x8xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x8x10x10xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e : tensor<2x8x10x10xf32>) -> tensor<2x8x10x10xf32>
  %p = tensor.insert_slice %x into %z[0, 0, 1, 1] [2, 8, 8, 8] [1, 1, 1, 1] : tensor<2x8x8x8xf32> into tensor<2x8x10x10xf32>
  %r = linalg.conv_2d_nchw_fchw {strides = dense<1> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
         ins(%p, %w : tensor<2x8x10x10xf32>, tensor<16x8x3x3xf32>) outs(%init : tensor<2x16x8x8xf32>) -> tensor<2x16x8x8xf32>
  return %r : tensor<2x16x8x8xf32>
}

// -----

// The same at stride 2: two 16-pixel input rows two rows apart, each kernel
// column keeping every other lane of each, a zero for the column left of the
// input.
// W16-LABEL: func.func @pad_two_rows_stride2
// W16-SAME: %[[X:[^:]*]]: tensor<1x8x16x16xf32>
// W16-NOT: tensor.insert_slice
// W16: vector.transfer_read %[[X]]{{.*}} : tensor<1x8x16x16xf32>, vector<16xf32>
// W16: vector.transfer_read %[[X]]{{.*}} : tensor<1x8x16x16xf32>, vector<16xf32>
// W16: %[[LINE:.*]] = vector.shuffle {{.*}} : vector<16xf32>, vector<16xf32>
// W16: vector.shuffle %[[LINE]], %{{.*}} [32, 1, 3, 5, 7, 9, 11, 13, 32, 17, 19, 21, 23, 25, 27, 29]
// W16: vector.shuffle %[[LINE]], %{{.*}} [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30]
// W16: vector.shuffle %[[LINE]], %{{.*}} [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31]
// W16-NOT: linalg.conv_2d_nchw_fchw
func.func @pad_two_rows_stride2(%x: tensor<1x8x16x16xf32>, %w: tensor<16x8x3x3xf32>, %init: tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x18x18xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e : tensor<1x8x18x18xf32>) -> tensor<1x8x18x18xf32>
  %p = tensor.insert_slice %x into %z[0, 0, 1, 1] [1, 8, 16, 16] [1, 1, 1, 1] : tensor<1x8x16x16xf32> into tensor<1x8x18x18xf32>
  %r = linalg.conv_2d_nchw_fchw {strides = dense<2> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
         ins(%p, %w : tensor<1x8x18x18xf32>, tensor<16x8x3x3xf32>) outs(%init : tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
  return %r : tensor<1x16x8x8xf32>
}
