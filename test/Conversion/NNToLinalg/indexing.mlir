// RUN: kiln-opt %s --convert-nn-to-linalg --canonicalize --split-input-file | FileCheck %s

// Reflect padding reads the pads, checks them (no negative pad, none as
// large as its dim) with asserts naming the node, and extracts each result
// element at its mirrored position.
// CHECK-LABEL: func @border_pad_reflect
// CHECK: cf.assert %{{.*}}, "node 'p' (nn.border_pad): expects pads from 0 to 2^40 (cropping with negative pads is not supported), found another value"
// CHECK: cf.assert %{{.*}}, "node 'p' (nn.border_pad): expects reflect pads of dim 0 smaller than its size, found a larger one"
// CHECK: cf.assert %{{.*}}, "node 'p' (nn.border_pad): expects dim 0 of the result to be 5 (its static size), found another value"
// CHECK: linalg.generic
// CHECK: arith.select
// CHECK: tensor.extract %{{.*}} : tensor<3x4xf32>
func.func @border_pad_reflect(%x: tensor<3x4xf32>, %p: tensor<4xi64>) -> tensor<5x6xf32> {
  %0 = nn.border_pad %x, %p {mode = "reflect"} : (tensor<3x4xf32>, tensor<4xi64>) -> tensor<5x6xf32> loc("p")
  return %0 : tensor<5x6xf32>
}

// -----

// Edge padding clamps instead (a dim that may be empty must not be
// padded); a dynamic result is allocated at the computed sizes.
// CHECK-LABEL: func @border_pad_edge
// CHECK: cf.assert %{{.*}}, "nn.border_pad: expects no edge pad of dim 0 when it is empty, found one"
// CHECK-NOT: dim 1 when it is empty
// CHECK: cf.assert %{{.*}}, "nn.border_pad: expects a result of at most 2^40 bytes (1 TiB), found a larger one"
// CHECK: tensor.empty(%{{.*}}, %{{.*}}) : tensor<?x?xf32>
// CHECK: linalg.generic
// CHECK-NOT: arith.select
// CHECK: tensor.extract
func.func @border_pad_edge(%x: tensor<?x4xf32>, %p: tensor<4xi64>) -> tensor<?x?xf32> {
  %0 = nn.border_pad %x, %p {mode = "edge"} : (tensor<?x4xf32>, tensor<4xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Top-k checks k, counts for each element the ones that beat it (a
// reduction over a second axis coordinate), then finds the element of each
// rank and extracts its value.
// CHECK-LABEL: func @top_k
// CHECK: cf.assert %{{.*}}, "nn.top_k: expects k in [0, the size of dim 1], found another value"
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.cmpf ogt
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: linalg.generic
// CHECK: tensor.extract %{{.*}} : tensor<3x4xf32>
func.func @top_k(%x: tensor<3x4xf32>, %k: tensor<1xi64>) -> (tensor<3x?xf32>, tensor<3x?xi64>) {
  %v, %i = nn.top_k %x, %k {axis = 1 : i64, largest = true, sorted = true} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x?xf32>, tensor<3x?xi64>)
  return %v, %i : tensor<3x?xf32>, tensor<3x?xi64>
}

// -----

// A scatter checks every index in one reduction before the loop that
// writes (so the assert is at the top level, where it becomes an error
// return), then inserts the combined element in an scf.for nest.
// CHECK-LABEL: func @scatter_elements
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "reduction"]
// CHECK: arith.andi
// CHECK: cf.assert %{{.*}}, "node 's' (nn.scatter_elements): expects indices along axis 0 in [-size, size - 1], found one outside"
// CHECK: scf.for
// CHECK: scf.for
// CHECK: arith.addf
// CHECK: tensor.insert
func.func @scatter_elements(%d: tensor<3x4xf32>, %i: tensor<2x4xi64>, %u: tensor<2x4xf32>) -> tensor<3x4xf32> {
  %0 = nn.scatter_elements %d, %i, %u {axis = 0 : i64, reduction = "add"} : (tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x4xf32>) -> tensor<3x4xf32> loc("s")
  return %0 : tensor<3x4xf32>
}

// -----

// ScatterND checks each tuple entry against the dim it indexes.
// CHECK-LABEL: func @scatter_nd
// CHECK: cf.assert %{{.*}}, "nn.scatter_nd: expects every index in [-size, size - 1] of the dim it indexes, found one outside"
// CHECK: scf.for
// CHECK: arith.maximumf
func.func @scatter_nd(%d: tensor<4x5xf32>, %i: tensor<2x1xi64>, %u: tensor<2x5xf32>) -> tensor<4x5xf32> {
  %0 = nn.scatter_nd %d, %i, %u {reduction = "max"} : (tensor<4x5xf32>, tensor<2x1xi64>, tensor<2x5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// NonZero counts first, allocates that many columns, then fills them in a
// loop that carries the next free column.
// CHECK-LABEL: func @non_zero
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "reduction"]
// CHECK: arith.cmpf une
// CHECK: tensor.empty(%{{.*}}) : tensor<2x?xi64>
// CHECK: scf.for
// CHECK: scf.if
// CHECK: tensor.insert
func.func @non_zero(%x: tensor<2x3xf32>) -> tensor<2x?xi64> {
  %0 = nn.non_zero %x : (tensor<2x3xf32>) -> tensor<2x?xi64>
  return %0 : tensor<2x?xi64>
}

// -----

// One-hot compares the new coordinate with the (wrapped) index.
// CHECK-LABEL: func @one_hot
// CHECK: cf.assert %{{.*}}, "nn.one_hot: expects a depth of at least 1, found a smaller one"
// CHECK: linalg.generic
// CHECK: arith.cmpi eq
// CHECK: arith.select
func.func @one_hot(%i: tensor<3xi64>, %d: tensor<f32>, %v: tensor<2xf32>) -> tensor<3x?xf32> {
  %0 = nn.one_hot %i, %d, %v {axis = 1 : i64} : (tensor<3xi64>, tensor<f32>, tensor<2xf32>) -> tensor<3x?xf32>
  return %0 : tensor<3x?xf32>
}

// -----

// Compress counts the kept slices, then copies each kept slice to the next
// free position.
// CHECK-LABEL: func @compress
// CHECK: cf.assert %{{.*}}, "nn.compress: expects a condition no longer than the compressed dim, found a longer one"
// CHECK: tensor.empty(%{{.*}}) : tensor<?x4xf32>
// CHECK: scf.for
// CHECK: scf.if
// CHECK: tensor.extract_slice
// CHECK: tensor.insert_slice
func.func @compress(%x: tensor<3x4xf32>, %c: tensor<?xi1>) -> tensor<?x4xf32> {
  %0 = nn.compress %x, %c {axis = 0 : i64} : (tensor<3x4xf32>, tensor<?xi1>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Unique of slices: the first differing position of every pair (a min
// reduction over the slice), the first equal slice and the rank of each,
// the distinct count, then one loop writing the four results.
// CHECK-LABEL: func @unique
// CHECK: cf.assert %{{.*}}, "nn.unique: expects at most 4096 slices along the axis (they are compared pairwise), found more"
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.minsi
// CHECK: cf.assert %{{.*}}, "nn.unique: expects dim 1 of the result to be 2 (its static size), found another value"
// CHECK: scf.for
// CHECK: tensor.insert_slice
func.func @unique(%x: tensor<3x?xf32>) -> (tensor<3x2xf32>, tensor<2xi64>, tensor<?xi64>, tensor<2xi64>) {
  %0:4 = nn.unique %x {axis = 1 : i64, sorted = true} : (tensor<3x?xf32>) -> (tensor<3x2xf32>, tensor<2xi64>, tensor<?xi64>, tensor<2xi64>)
  return %0#0, %0#1, %0#2, %0#3 : tensor<3x2xf32>, tensor<2xi64>, tensor<?xi64>, tensor<2xi64>
}

// -----

// MaxPool's indices: a reduction over each window keeping the value and
// its flat index; storage_order 1 converts them to column-major.
// CHECK-LABEL: func @max_pool_indices
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.cmpf ogt
// CHECK: linalg.generic
// CHECK: arith.remsi
func.func @max_pool_indices(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xi64> {
  %0 = nn.max_pool_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false, storage_order = 1 : i64} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xi64>
  return %0 : tensor<1x2x2x2xi64>
}

// -----

// MaxUnpool checks the output_shape and every index against the unpooled
// element count, then writes each value at its index's coordinates.
// CHECK-LABEL: func @max_unpool
// CHECK: cf.assert %{{.*}}, "node 'u' (nn.max_unpool): expects an output_shape with the input's N and C and spatial sizes no smaller than the unpooled ones, found another"
// CHECK: cf.assert %{{.*}}, "node 'u' (nn.max_unpool): expects indices in [0, the unpooled element count), found one outside"
// CHECK: scf.for
// CHECK: arith.remui
// CHECK: tensor.insert
func.func @max_unpool(%x: tensor<1x2x2x2xf32>, %i: tensor<1x2x2x2xi64>, %o: tensor<4xi64>) -> tensor<?x?x?x?xf32> {
  %0 = nn.max_unpool %x, %i, %o {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>, tensor<4xi64>) -> tensor<?x?x?x?xf32> loc("u")
  return %0 : tensor<?x?x?x?xf32>
}

// -----

// NMS ranks the boxes by score, selects greedily in loops per batch entry
// and class (the IoU test in the innermost one), then writes the rows.
// CHECK-LABEL: func @non_max_suppression
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.if
// CHECK: arith.divf
// CHECK: tensor.empty(%{{.*}}) : tensor<?x3xi64>
func.func @non_max_suppression(%b: tensor<1x6x4xf32>, %s: tensor<1x2x6xf32>, %m: tensor<1xi64>, %t: tensor<1xf32>) -> tensor<?x3xi64> {
  %0 = nn.non_max_suppression %b, %s, %m, %t, %t {center_point_box = false} : (tensor<1x6x4xf32>, tensor<1x2x6xf32>, tensor<1xi64>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x3xi64>
  return %0 : tensor<?x3xi64>
}
