// RUN: kiln-opt %s --split-input-file \
// RUN:   --pass-pipeline='builtin.module(func.func(kiln-cpu-tile-and-vectorize{vector-width=8 vector-registers=16 reduction-block=64}))' \
// RUN:   | FileCheck %s

// A matmul's columns are split among threads by an scf.forall (64 columns
// make four 16-column blocks), then tiled into 64-deep reduction blocks, 6x16
// register blocks (16 columns = two 8-lane vectors; six rows use 12 of the 16
// registers), columns outside rows, then single reduction steps: one 6x1 by
// 1x16 outer product per step.
// CHECK-LABEL: func.func @matmul
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C6:.*]] = arith.constant 6 : index
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK: scf.forall (%{{.*}}) = (0) to (64) step (16)
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C64]]
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C16]]
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C6]]
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C1]]
// CHECK: vector.contract {{.*}} : vector<6x1xf32>, vector<1x16xf32> into vector<6x16xf32>
// CHECK-NOT: linalg.matmul
func.func @matmul(%a: tensor<24x256xf32>, %b: tensor<256x64xf32>, %c: tensor<24x64xf32>) -> tensor<24x64xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<24x256xf32>, tensor<256x64xf32>) outs(%c : tensor<24x64xf32>) -> tensor<24x64xf32>
  return %r : tensor<24x64xf32>
}

// -----

// A 3x3 stride-2 convolution becomes an im2col copy into [N, C, KH, KW, OH, OW]
// and a contraction over [N, F, OH*OW]; 7x7 = 49 output pixels are padded to
// 56 (a multiple of 8) and sliced back. The copy is not vectorizable and
// stays a linalg.generic.
// CHECK: #[[IM2COL:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4 * 2 + d2, d5 * 2 + d3)>
// CHECK-LABEL: func.func @conv
// CHECK: linalg.generic {indexing_maps = [#[[IM2COL]],
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2, 3], [4, 5]] : tensor<1x8x3x3x7x7xf32> into tensor<1x72x49xf32>
// CHECK: tensor.pad
// CHECK: tensor<1x72x56xf32>
// CHECK: vector.contract {{.*}} into vector<{{[0-9]+}}x8xf32>
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0] [1, 16, 49] [1, 1, 1] : tensor<1x16x56xf32> to tensor<1x16x49xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0], [1], [2, 3]] output_shape [1, 16, 7, 7]
// CHECK-NOT: linalg.conv_2d_nchw_fchw
func.func @conv(%x: tensor<1x8x16x16xf32>, %w: tensor<16x8x3x3xf32>, %init: tensor<1x16x7x7xf32>) -> tensor<1x16x7x7xf32> {
  %r = linalg.conv_2d_nchw_fchw {strides = dense<2> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x8x16x16xf32>, tensor<16x8x3x3xf32>) outs(%init : tensor<1x16x7x7xf32>) -> tensor<1x16x7x7xf32>
  return %r : tensor<1x16x7x7xf32>
}

// -----

// A static batch of 3 is convolved one image at a time: the im2col copy and
// its contraction run inside a loop over the batch, on one image's columns.
// (Output rows of 10 pixels are not whole 8-lane vectors: im2col, not the
// direct convolution of direct-conv.mlir.)
// CHECK-LABEL: func.func @conv_batch
// CHECK-SAME: %[[X:[^:]*]]: tensor<3x8x10x12xf32>
// CHECK: scf.for %[[B:[^ ]*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK-NEXT: tensor.extract_slice %[[X]][%[[B]], 0, 0, 0] [1, 8, 10, 12] [1, 1, 1, 1] : tensor<3x8x10x12xf32> to tensor<1x8x10x12xf32>
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2, 3], [4, 5]] : tensor<1x8x3x3x8x10xf32> into tensor<1x72x80xf32>
// CHECK: vector.contract
// CHECK: tensor.insert_slice %{{.*}} into tensor<3x16x8x10xf32>
// CHECK-NOT: linalg.conv_2d_nchw_fchw
func.func @conv_batch(%x: tensor<3x8x10x12xf32>, %w: tensor<16x8x3x3xf32>, %init: tensor<3x16x8x10xf32>) -> tensor<3x16x8x10xf32> {
  %r = linalg.conv_2d_nchw_fchw {strides = dense<1> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<3x8x10x12xf32>, tensor<16x8x3x3xf32>) outs(%init : tensor<3x16x8x10xf32>) -> tensor<3x16x8x10xf32>
  return %r : tensor<3x16x8x10xf32>
}

// -----

// A 1x1 stride-1 convolution needs no copy: the input is the column matrix.
// CHECK-LABEL: func.func @pointwise
// CHECK-NOT: linalg.generic
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1], [2, 3]] : tensor<1x8x4x4xf32> into tensor<1x8x16xf32>
// CHECK: vector.contract
func.func @pointwise(%x: tensor<1x8x4x4xf32>, %w: tensor<16x8x1x1xf32>, %init: tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32> {
  %r = linalg.conv_2d_nchw_fchw {strides = dense<1> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x8x4x4xf32>, tensor<16x8x1x1xf32>) outs(%init : tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  return %r : tensor<1x16x4x4xf32>
}

// -----

// Elementwise ops are tiled to 1 on outer loops and to at most 64 lanes
// (a multiple of the vector width that divides the extent: 96 -> 48) inside.
// CHECK-LABEL: func.func @elementwise
// CHECK: scf.for
// CHECK: scf.for %{{.*}} step %c48
// CHECK: arith.maximumf %{{.*}} : vector<48xf32>
// CHECK-NOT: linalg.generic
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @elementwise(%x: tensor<4x96xf32>, %o: tensor<4x96xf32>) -> tensor<4x96xf32> {
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
         ins(%x : tensor<4x96xf32>) outs(%o : tensor<4x96xf32>) {
  ^bb0(%a: f32, %b: f32):
    %z = arith.constant 0.0 : f32
    %m = arith.maximumf %a, %z : f32
    linalg.yield %m : f32
  } -> tensor<4x96xf32>
  return %r : tensor<4x96xf32>
}

// -----

// Max pooling is not vectorizable as a whole op; it is left untiled for the
// scalar loop lowering.
// CHECK-LABEL: func.func @pool
// CHECK: linalg.pooling_nchw_max
// CHECK-NOT: scf.for
func.func @pool(%x: tensor<1x4x8x8xf32>, %o: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> {
  %k = tensor.empty() : tensor<2x2xf32>
  %r = linalg.pooling_nchw_max {strides = dense<2> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
         ins(%x, %k : tensor<1x4x8x8xf32>, tensor<2x2xf32>) outs(%o : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %r : tensor<1x4x4x4xf32>
}

// -----

// Enough work (64 x 4096 iterations) is shared among threads: the outer
// parallel loop becomes an scf.forall of 8 blocks of 8 rows; the innermost
// loop stays whole for the vector tiles inside.
// CHECK-LABEL: func.func @big_elementwise
// CHECK: scf.forall (%{{.*}}) = (0) to (64) step (8)
// CHECK: scf.for
// CHECK: scf.for %{{.*}} step %c64
// CHECK: arith.maximumf %{{.*}} : vector<64xf32>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @big_elementwise(%x: tensor<64x4096xf32>, %o: tensor<64x4096xf32>) -> tensor<64x4096xf32> {
  %r = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
         ins(%x : tensor<64x4096xf32>) outs(%o : tensor<64x4096xf32>) {
  ^bb0(%a: f32, %b: f32):
    %z = arith.constant 0.0 : f32
    %m = arith.maximumf %a, %z : f32
    linalg.yield %m : f32
  } -> tensor<64x4096xf32>
  return %r : tensor<64x4096xf32>
}

// -----

// Bools are one byte per element in memory but bit-packed as vectors, so an
// op writing (or reading) i1 stays a scalar generic.
// CHECK-LABEL: func @bool_stays_scalar
// CHECK-NOT: vector.
// CHECK: linalg.generic
// CHECK-NOT: vector.
func.func @bool_stays_scalar(%x: tensor<4x64xf32>) -> tensor<4x64xi1> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x64xi1>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x64xf32>) outs(%e : tensor<4x64xi1>) {
  ^bb0(%in: f32, %out: i1):
    %c = arith.cmpf une, %in, %cst : f32
    linalg.yield %c : i1
  } -> tensor<4x64xi1>
  return %0 : tensor<4x64xi1>
}

// -----

// A gather (tensor.extract at a computed index) stays a scalar generic.
// CHECK-LABEL: func @gather_stays_scalar
// CHECK-NOT: vector.
// CHECK: linalg.generic
// CHECK: tensor.extract
// CHECK-NOT: vector.
func.func @gather_stays_scalar(%w: tensor<5xf32>, %i: tensor<3x2xindex>) -> tensor<3x2xf32> {
  %e = tensor.empty() : tensor<3x2xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%i : tensor<3x2xindex>) outs(%e : tensor<3x2xf32>) {
  ^bb0(%in: index, %out: f32):
    %v = tensor.extract %w[%in] : tensor<5xf32>
    linalg.yield %v : f32
  } -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// A dynamic batch becomes a sequential loop around the static-shape kernel:
// a convolution of one image (im2col and the register-blocked contraction
// of the static case: output rows of 9 pixels are not whole vectors) per
// iteration.
// CHECK-LABEL: func.func @dynamic_batch_conv(
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x4x10x11xf32>
// The fill, one image at a time.
// CHECK: scf.for
// CHECK: vector.transfer_write
// CHECK: tensor.insert_slice %{{.*}} [1, 8, 8, 9] [1, 1, 1, 1] : tensor<1x8x8x9xf32> into tensor<?x8x8x9xf32>
// The convolution.
// CHECK: scf.for %[[B:[^ ]*]] = %c0 to %{{.*}} step %c1
// CHECK-NEXT: tensor.extract_slice %[[X]][%[[B]], 0, 0, 0] [1, 4, 10, 11] [1, 1, 1, 1] : tensor<?x4x10x11xf32> to tensor<1x4x10x11xf32>
// CHECK: vector.contract {{.*}} : vector<8x1xf32>, vector<1x8xf32> into vector<8x8xf32>
// CHECK: tensor.insert_slice %{{.*}}[%[[B]], 0, 0, 0] [1, 8, 8, 9] [1, 1, 1, 1] : tensor<1x8x8x9xf32> into tensor<?x8x8x9xf32>
func.func @dynamic_batch_conv(%x: tensor<?x4x10x11xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<?x8x8x9xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4x10x11xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<?x8x8x9xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8x8x9xf32>) -> tensor<?x8x8x9xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : tensor<?x4x10x11xf32>, tensor<8x4x3x3xf32>) outs(%f : tensor<?x8x8x9xf32>) -> tensor<?x8x8x9xf32>
  return %y : tensor<?x8x8x9xf32>
}

// -----

// A dynamic innermost loop is split into tiles of 64 elements (inner-tile)
// and the partial last tile is peeled off: the full tiles are vectorized
// without masks, the partial one at 64 lanes with a mask of its length.
// CHECK-LABEL: func.func @dynamic_innermost(
// CHECK: %[[SPLIT:.*]] = affine.apply
// CHECK: scf.for %{{.*}} = %c0 to %[[SPLIT]] step %c64
// CHECK-NOT: vector.create_mask
// CHECK: vector.transfer_read {{.*}} : tensor<4x?xf32>, vector<64xf32>
// CHECK: scf.for %[[IV:.*]] = %[[SPLIT]] to %[[N:.*]] step %c64
// CHECK: %[[LEN:.*]] = affine.apply #{{.*}}(%[[IV]])[%[[N]]]
// CHECK: %[[MASK:.*]] = vector.create_mask %c1, %[[LEN]] : vector<1x64xi1>
// CHECK: %[[M:.*]] = vector.extract %[[MASK]][0]
// CHECK: vector.transfer_read %{{.*}}[%c0, %c0], %{{.*}}, %[[M]] {in_bounds = [true]} : tensor<1x?xf32>, vector<64xf32>
// CHECK: arith.mulf {{.*}} : vector<64xf32>
// CHECK: vector.transfer_write %{{.*}}, %{{.*}}[%c0, %c0], %{{.*}} {in_bounds = [true]} : vector<64xf32>, tensor<1x?xf32>
// CHECK-NOT: linalg.generic
func.func @dynamic_innermost(%x: tensor<4x?xf32>) -> tensor<4x?xf32> {
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c1 : tensor<4x?xf32>
  %e = tensor.empty(%n) : tensor<4x?xf32>
  %two = arith.constant 2.0 : f32
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x?xf32>) outs(%e : tensor<4x?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %two : f32
    linalg.yield %m : f32
  } -> tensor<4x?xf32>
  return %y : tensor<4x?xf32>
}

// -----

// A contraction's dynamic rows are split into blocks of 64 rows, each a
// static contraction with the register-blocked strategy (the right-hand side
// read once per block), and the partial last block into single rows.
// CHECK-LABEL: func.func @dynamic_rows(
// CHECK: %[[SPLIT:.*]] = affine.apply
// CHECK: scf.for %[[R:.*]] = %c0 to %[[SPLIT]] step %c64
// CHECK: tensor.extract_slice %{{.*}}[%[[R]], 0] [64, 64] [1, 1] : tensor<?x64xf32> to tensor<64x64xf32>
// CHECK: vector.contract
// CHECK: scf.for %[[P:.*]] = %[[SPLIT]] to %{{.*}} step %c64
// CHECK: scf.for %{{.*}} = %c0 to %{{.*}} step %c1
// CHECK: vector.contract
func.func @dynamic_rows(%a: tensor<?x32xf32>, %b: tensor<32x64xf32>, %c: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %y = linalg.matmul ins(%a, %b : tensor<?x32xf32>, tensor<32x64xf32>) outs(%c : tensor<?x64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// A reduction over a dynamic innermost loop: the partial tile is reduced at
// 64 lanes, the lanes past its end replaced by the reduction's identity
// (-inf for a max; MLIR 19's own masked-reduction lowering would use the
// smallest denormal) instead of a masked vector.multi_reduction.
// CHECK-LABEL: func.func @dynamic_reduce_max(
// CHECK: arith.constant dense<0xFF800000> : vector<1x64xf32>
// CHECK: scf.for
// CHECK: vector.multi_reduction <maximumf>, %{{.*}} [1] : vector<1x64xf32> to vector<1xf32>
// CHECK: scf.for
// CHECK: vector.create_mask %c1, %{{.*}} : vector<1x64xi1>
// CHECK: %[[SEL:.*]] = arith.select %{{.*}}, %{{.*}}, %{{.*}} : vector<64xi1>, vector<64xf32>
// CHECK: %[[B:.*]] = vector.broadcast %[[SEL]]
// CHECK: vector.multi_reduction <maximumf>, %[[B]], %{{.*}} [1] : vector<1x64xf32> to vector<1xf32>
// CHECK-NOT: vector.mask
func.func @dynamic_reduce_max(%x: tensor<4x?xf32>) -> tensor<4xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%ninf : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                       iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x?xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %o : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// A contraction's dynamic columns are split into blocks of one register
// block's width (16 columns = two 8-lane vectors) with the partial last block
// peeled off: each full block is the static register-blocked kernel. The
// partial block (under 16 columns) is split again at one vector: blocks of 8
// columns, each the same kernel at 8 lanes with masked loads and stores of
// the right-hand side and the accumulator (the FMAs themselves unmasked), so
// a single column costs one vector per row, not two.
// CHECK-LABEL: func.func @dynamic_cols(
// CHECK: %[[SPLIT:.*]] = affine.apply
// CHECK: scf.for %{{.*}} = %c0 to %[[SPLIT]] step %c16
// CHECK-NOT: vector.create_mask
// CHECK: vector.contract {{.*}} : vector<6x1xf32>, vector<1x16xf32> into vector<6x16xf32>
// CHECK: scf.for %{{.*}} = %[[SPLIT]] to %{{.*}} step %c16
// CHECK: scf.for %{{.*}} step %c8
// CHECK: vector.create_mask %c1, %{{.*}} : vector<1x8xi1>
// CHECK: vector.transfer_read {{.*}} : tensor<1x?xf32>, vector<8xf32>
// CHECK: %[[CMASK:.*]] = vector.create_mask %c12, %{{.*}} : vector<12x8xi1>
// CHECK: vector.transfer_read %{{.*}}, %[[CMASK]] {in_bounds = [true, true]} : tensor<12x?xf32>, vector<12x8xf32>
// CHECK: vector.contract {{.*}} : vector<12x1xf32>, vector<1x8xf32> into vector<12x8xf32>
// CHECK: vector.transfer_write %{{.*}}, %[[CMASK]] {in_bounds = [true, true]} : vector<12x8xf32>, tensor<12x?xf32>
// CHECK-NOT: vector.mask
func.func @dynamic_cols(%a: tensor<48x32xf32>, %b: tensor<32x?xf32>, %c: tensor<48x?xf32>) -> tensor<48x?xf32> {
  %y = linalg.matmul ins(%a, %b : tensor<48x32xf32>, tensor<32x?xf32>) outs(%c : tensor<48x?xf32>) -> tensor<48x?xf32>
  return %y : tensor<48x?xf32>
}

// -----

// Static columns with no divisor of whole vectors (36 with 8 lanes used to
// give blocks of 4 columns, half a vector) get blocks of one register block
// (16), the last one ragged: every block is masked at its width.
// CHECK-LABEL: func.func @ragged_cols(
// CHECK: scf.for %[[J:.*]] = %c0 to %c36 step %c16
// CHECK: %[[W:.*]] = affine.min #{{.*}}(%[[J]])
// CHECK: %[[CMASK:.*]] = vector.create_mask %c6, %[[W]] : vector<6x16xi1>
// CHECK: vector.transfer_read %{{.*}}, %[[CMASK]] {in_bounds = [true, true]} : tensor<6x?xf32>, vector<6x16xf32>
// CHECK: vector.contract {{.*}} : vector<6x1xf32>, vector<1x16xf32> into vector<6x16xf32>
// CHECK: vector.transfer_write %{{.*}}, %[[CMASK]] {in_bounds = [true, true]} : vector<6x16xf32>, tensor<6x?xf32>
func.func @ragged_cols(%a: tensor<12x32xf32>, %b: tensor<32x36xf32>, %c: tensor<12x36xf32>) -> tensor<12x36xf32> {
  %y = linalg.matmul ins(%a, %b : tensor<12x32xf32>, tensor<32x36xf32>) outs(%c : tensor<12x36xf32>) -> tensor<12x36xf32>
  return %y : tensor<12x36xf32>
}

// -----

// Likewise a static innermost loop of 100 (no multiple of 8 divides it; it
// used to be tiled by 4): tiles of 64, each masked at its length.
// CHECK-LABEL: func.func @ragged_innermost(
// CHECK: scf.for %[[I:.*]] = %c0 to %c100 step %c64
// CHECK: %[[LEN:.*]] = affine.min #{{.*}}(%[[I]])
// CHECK: vector.create_mask %c1, %[[LEN]] : vector<1x64xi1>
// CHECK: math.exp %{{.*}} : vector<64xf32>
func.func @ragged_innermost(%x: tensor<2x100xf32>) -> tensor<2x100xf32> {
  %e = tensor.empty() : tensor<2x100xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x100xf32>) outs(%e : tensor<2x100xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = math.exp %a : f32
    linalg.yield %m : f32
  } -> tensor<2x100xf32>
  return %y : tensor<2x100xf32>
}

// -----

// A contraction with a dynamic reduction length (attention weights times
// values over a dynamic sequence) keeps the register-blocked kernel: its
// reduction steps are an scf.for to the dynamic length. Split like an
// elementwise op's innermost loop, every output element would be a dot
// product of its own.
// CHECK-LABEL: func.func @dynamic_reduction(
// CHECK: %[[K:.*]] = tensor.dim %{{.*}}, %c1 : tensor<48x?xf32>
// CHECK: scf.for %{{.*}} = %c0 to %c48 step %c6
// CHECK: scf.for %{{.*}} = %c0 to %[[K]] step %c1
// CHECK: vector.contract {{.*}} : vector<6x1xf32>, vector<1x16xf32> into vector<6x16xf32>
func.func @dynamic_reduction(%a: tensor<48x?xf32>, %b: tensor<?x16xf32>, %c: tensor<48x16xf32>) -> tensor<48x16xf32> {
  %y = linalg.matmul ins(%a, %b : tensor<48x?xf32>, tensor<?x16xf32>) outs(%c : tensor<48x16xf32>) -> tensor<48x16xf32>
  return %y : tensor<48x16xf32>
}

// -----

// A convolution's weight gradient at one kernel offset sums over batch, rows
// and columns. Tiling leaves one step of each in the register block; the
// unit batch and row dims are dropped from the contraction (vector
// shape_casts of its operands), so it has the one reduction dim the
// outer-product lowering takes.
// CHECK-LABEL: func.func @weight_grad_offset(
// CHECK: vector.shape_cast %{{.*}} to vector<4x1xf32>
// CHECK: vector.contract {{{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}} : vector<4x1xf32>, vector<1x16xf32> into vector<4x16xf32>
func.func @weight_grad_offset(%dy: tensor<2x8x4x4xf32>, %x: tensor<2x4x4x16xf32>, %init: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(f, c, n, p, q) -> (n, f, p, q)>,
                                        affine_map<(f, c, n, p, q) -> (n, p, q, c)>,
                                        affine_map<(f, c, n, p, q) -> (f, c)>],
                       iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction"]}
         ins(%dy, %x : tensor<2x8x4x4xf32>, tensor<2x4x4x16xf32>) outs(%init : tensor<8x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// -----

// A kernel flipped spatially (a convolution's input gradient reads the
// weights this way): the reversed maps `2 - d` are ones upstream tiling cannot
// slice (it would give a tile of 3 rows a slice of 1), so the op is left
// whole, not split among threads, and becomes scalar loops later.
// CHECK-DAG: #[[FLIP:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, -d2 + 2, -d3 + 2)>
// CHECK-LABEL: func.func @flip_kernel(
// CHECK-NOT: scf.forall
// CHECK: linalg.generic {indexing_maps = [#[[FLIP]], {{.*}}} ins(%{{.*}} : tensor<128x128x3x3xf32>) outs(%{{.*}} : tensor<128x128x3x3xf32>)
func.func @flip_kernel(%w: tensor<128x128x3x3xf32>, %init: tensor<128x128x3x3xf32>) -> tensor<128x128x3x3xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, -d2 + 2, -d3 + 2)>,
                                        affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
         ins(%w : tensor<128x128x3x3xf32>) outs(%init : tensor<128x128x3x3xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<128x128x3x3xf32>
  return %r : tensor<128x128x3x3xf32>
}

// -----

// The same with a dynamic batch: not split into single images either.
// CHECK-DAG: #[[FLIP:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, -d2 + 2, -d3 + 2)>
// CHECK-LABEL: func.func @flip_dynamic(
// CHECK-NOT: scf.for
// CHECK: linalg.generic {indexing_maps = [#[[FLIP]], {{.*}}} ins(%{{.*}} : tensor<?x16x3x3xf32>) outs(%{{.*}} : tensor<?x16x3x3xf32>)
func.func @flip_dynamic(%w: tensor<?x16x3x3xf32>, %init: tensor<?x16x3x3xf32>) -> tensor<?x16x3x3xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, -d2 + 2, -d3 + 2)>,
                                        affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
         ins(%w : tensor<?x16x3x3xf32>) outs(%init : tensor<?x16x3x3xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<?x16x3x3xf32>
  return %r : tensor<?x16x3x3xf32>
}

// -----

// A reduction whose body reads no input element (a sum of a constant, as a
// ReduceSum of a ConstantOfShape of ones lowers) stays scalar: MLIR 19
// vectorized it as one addition per vector of elements (5 ones summed to 1).
// CHECK-LABEL: func.func @sum_of_constant
// CHECK-NOT: vector.transfer_read
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["reduction"]
// CHECK: arith.addf %{{.*}}, %[[ONE:.*]] : f32
// CHECK-NOT: vector.
#in = affine_map<(d0) -> (d0)>
#out = affine_map<(d0) -> ()>
func.func @sum_of_constant(%x: tensor<?xf32>) -> tensor<f32> {
  %one = arith.constant 1.0 : f32
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %r = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["reduction"]}
      ins(%x : tensor<?xf32>) outs(%init : tensor<f32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %acc, %one : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}

// -----

// A sum over the outermost dim (the batch) into a [C, H, W] accumulator,
// as batch-norm statistics take it: the batch loop becomes the innermost,
// so the accumulator vector's read and write are invariant in it (hoisted
// after bufferization) instead of the whole accumulator being swept once per
// image.
// CHECK-LABEL: func.func @batch_sum(
// CHECK: scf.for %{{.*}} = %c0 to %c4 step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c1
// CHECK: scf.for %[[N:.*]] = %c0 to %c16 step %c1
// CHECK-NEXT: vector.transfer_read %{{.*}}[%[[N]], {{.*}} : tensor<16x4x8x16xf32>, vector<16xf32>
// CHECK-NOT: scf.for
// CHECK: vector.multi_reduction <add>
func.func @batch_sum(%x: tensor<16x4x8x16xf32>, %init: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>,
                                        affine_map<(d0, d1, d2, d3) -> (d1, d2, d3)>],
                       iterator_types = ["reduction", "parallel", "parallel", "parallel"]}
       ins(%x : tensor<16x4x8x16xf32>) outs(%init : tensor<4x8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %out, %in : f32
    linalg.yield %s : f32
  } -> tensor<4x8x16xf32>
  return %r : tensor<4x8x16xf32>
}

// -----

// A per-offset weight gradient on 7x7 images, channels last: a contraction
// over images, rows and columns with only 7 columns innermost. All three
// reduction loops run inside the register block (4 channels by 16 filters),
// images outermost, so the accumulators stay in registers across all 196
// steps instead of being stored and reloaded after every 7.
// CHECK-LABEL: func.func @short_reduction_inside
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[C7:.*]] = arith.constant 7 : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C4]]
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[C4]] step %[[C1]]
// CHECK-NEXT: scf.for %{{.*}} = %{{.*}} to %[[C7]] step %[[C1]]
// CHECK-NEXT: scf.for %{{.*}} = %{{.*}} to %[[C7]] step %[[C1]]
// CHECK: vector.contract {{.*}} : vector<1x4xf32>, vector<1x16xf32> into vector<4x16xf32>
#xs = affine_map<(d0, d1, d2, d3, d4) -> (d2, d3, d4, d0)>
#dys = affine_map<(d0, d1, d2, d3, d4) -> (d2, d3, d4, d1)>
#dws = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1)>
func.func @short_reduction_inside(%x: tensor<4x7x7x16xf32>, %dy: tensor<4x7x7x16xf32>,
                                  %init: tensor<16x16xf32>) -> tensor<16x16xf32> {
  %r = linalg.generic {indexing_maps = [#xs, #dys, #dws],
                       iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction"]}
         ins(%x, %dy : tensor<4x7x7x16xf32>, tensor<4x7x7x16xf32>) outs(%init : tensor<16x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<16x16xf32>
  return %r : tensor<16x16xf32>
}

// -----

// The same on 16x16 images: rows and columns make 256 steps, enough; the
// images stay a loop outside the register blocks, so that one image of both
// operands stays in cache while the blocks sweep it.
// CHECK-LABEL: func.func @short_reduction_rows_inside
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[C2]] step %[[C1]]
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C4]]
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[C16]] step %[[C1]]
// CHECK-NEXT: scf.for %{{.*}} = %{{.*}} to %[[C16]] step %[[C1]]
// CHECK: vector.contract {{.*}} : vector<1x4xf32>, vector<1x16xf32> into vector<4x16xf32>
#xs = affine_map<(d0, d1, d2, d3, d4) -> (d2, d3, d4, d0)>
#dys = affine_map<(d0, d1, d2, d3, d4) -> (d2, d3, d4, d1)>
#dws = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1)>
func.func @short_reduction_rows_inside(%x: tensor<2x16x16x16xf32>, %dy: tensor<2x16x16x16xf32>,
                                       %init: tensor<16x16xf32>) -> tensor<16x16xf32> {
  %r = linalg.generic {indexing_maps = [#xs, #dys, #dws],
                       iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction"]}
         ins(%x, %dy : tensor<2x16x16x16xf32>, tensor<2x16x16x16xf32>) outs(%init : tensor<16x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<16x16xf32>
  return %r : tensor<16x16xf32>
}
