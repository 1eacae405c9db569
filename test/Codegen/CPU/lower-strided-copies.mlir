// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(kiln-lower-strided-copies))' | FileCheck %s
// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(kiln-lower-strided-copies{parallel=true min-parallel-elements=16}))' | FileCheck %s --check-prefix=PAR

// A copy into the interior of a padded image: loops over the leading dims
// (the unit batch dim skipped), a memref.copy of one contiguous row inside.
// CHECK-LABEL: func @pad_rows
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: scf.for %[[C:.*]] = %[[C0]] to %[[C3]] step %[[C1]]
// CHECK: scf.for %[[H:.*]] = %[[C0]] to %[[C4]] step %[[C1]]
// CHECK: %[[SRC:.*]] = memref.subview %arg0[0, %[[C]], %[[H]], 0] [1, 1, 1, 5] [1, 1, 1, 1] : memref<1x3x4x5xf32> to memref<1x1x1x5xf32, strided<[60, 20, 5, 1], offset: ?>>
// CHECK: %[[DST:.*]] = memref.subview %{{.*}}[0, %[[C]], %[[H]], 0] [1, 1, 1, 5] [1, 1, 1, 1] : memref<1x3x4x5xf32, strided<[126, 42, 7, 1], offset: 8>> to memref<1x1x1x5xf32, strided<[126, 42, 7, 1], offset: ?>>
// CHECK: memref.copy %[[SRC]], %[[DST]]
// CHECK-NOT: linalg.copy
// PAR-LABEL: func @pad_rows
// PAR: scf.forall (%[[C:.*]]) in (3)
// PAR: scf.for %[[H:.*]] =
// PAR: memref.copy
func.func @pad_rows(%x: memref<1x3x4x5xf32>, %padded: memref<1x3x6x7xf32>) {
  %interior = memref.subview %padded[0, 0, 1, 1] [1, 3, 4, 5] [1, 1, 1, 1] : memref<1x3x6x7xf32> to memref<1x3x4x5xf32, strided<[126, 42, 7, 1], offset: 8>>
  memref.copy %x, %interior : memref<1x3x4x5xf32> to memref<1x3x4x5xf32, strided<[126, 42, 7, 1], offset: 8>>
  return
}

// -----

// A concat along channels: each input's block of channels is contiguous per
// image, one copy of 2x4x5 elements per image.
// CHECK-LABEL: func @concat_channels
// CHECK: scf.for %[[N:.*]] =
// CHECK-NOT: scf.for
// CHECK: memref.subview %arg0[%[[N]], 0, 0, 0] [1, 2, 4, 5] [1, 1, 1, 1]
// CHECK: memref.subview %{{.*}}[%[[N]], 0, 0, 0] [1, 2, 4, 5] [1, 1, 1, 1]
// CHECK: memref.copy
func.func @concat_channels(%a: memref<2x2x4x5xf32>, %out: memref<2x6x4x5xf32>) {
  %view = memref.subview %out[0, 1, 0, 0] [2, 2, 4, 5] [1, 1, 1, 1] : memref<2x6x4x5xf32> to memref<2x2x4x5xf32, strided<[120, 20, 5, 1], offset: 20>>
  memref.copy %a, %view : memref<2x2x4x5xf32> to memref<2x2x4x5xf32, strided<[120, 20, 5, 1], offset: 20>>
  return
}

// -----

// A view that is contiguous as a whole stays one memref.copy (a memcpy).
// CHECK-LABEL: func @contiguous_view
// CHECK-NOT: scf.for
// CHECK: memref.copy %arg0, %{{.*}} : memref<2x4xf32> to memref<2x4xf32, strided<[4, 1], offset: 8>>
func.func @contiguous_view(%a: memref<2x4xf32>, %out: memref<4x4xf32>) {
  %view = memref.subview %out[2, 0] [2, 4] [1, 1] : memref<4x4xf32> to memref<2x4xf32, strided<[4, 1], offset: 8>>
  memref.copy %a, %view : memref<2x4xf32> to memref<2x4xf32, strided<[4, 1], offset: 8>>
  return
}

// -----

// A strided innermost dim (a transpose) and sub-byte elements become element
// loops (linalg.copy).
// CHECK-LABEL: func @element_loops
// CHECK: linalg.copy ins(%arg0 : memref<4x3xf32, strided<[1, 4]>>) outs(%arg1 : memref<4x3xf32>)
// CHECK: linalg.copy ins(%{{.*}} : memref<2x3xi1>) outs(%{{.*}} : memref<2x3xi1, strided<[4, 1], offset: 1>>)
func.func @element_loops(%t: memref<4x3xf32, strided<[1, 4]>>, %out: memref<4x3xf32>, %b: memref<2x3xi1>, %bout: memref<2x4xi1>) {
  memref.copy %t, %out : memref<4x3xf32, strided<[1, 4]>> to memref<4x3xf32>
  %view = memref.subview %bout[0, 1] [2, 3] [1, 1] : memref<2x4xi1> to memref<2x3xi1, strided<[4, 1], offset: 1>>
  memref.copy %b, %view : memref<2x3xi1> to memref<2x3xi1, strided<[4, 1], offset: 1>>
  return
}

// -----

// An im2col left as a copying generic: its innermost loop walks the last dim
// of both buffers with step 1 (`ow + kw` in the input), so it becomes loops
// over the other dims around a copy of one 8-element row.
// CHECK-DAG: #[[SUM:.*]] = affine_map<(d0, d1) -> (d0 + d1)>
// CHECK-LABEL: func @im2col_rows
// CHECK: scf.for %[[N:.*]] =
// CHECK: scf.for %[[C:.*]] =
// CHECK: scf.for %[[KW:.*]] =
// CHECK: scf.for %[[OH:.*]] =
// CHECK: %[[H:.*]] = affine.apply #[[SUM]](%[[C]], %[[OH]])
// CHECK: %[[SRC:.*]] = memref.subview %arg0[%[[N]], %[[H]], %[[KW]]] [1, 1, 8] [1, 1, 1] : memref<2x6x10xf32> to memref<8xf32, strided<[1], offset: ?>>
// CHECK: %[[DST:.*]] = memref.subview %arg1[%[[N]], %[[C]], %[[KW]], %[[OH]], 0] [1, 1, 1, 1, 8] [1, 1, 1, 1, 1] : memref<2x3x3x4x8xf32> to memref<8xf32, strided<[1], offset: ?>>
// CHECK: memref.copy %[[SRC]], %[[DST]]
// CHECK-NOT: linalg.generic
#in = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 + d3, d2 + d4)>
#out = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
func.func @im2col_rows(%x: memref<2x6x10xf32>, %cols: memref<2x3x3x4x8xf32>) {
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%x : memref<2x6x10xf32>) outs(%cols : memref<2x3x3x4x8xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  }
  return
}

// -----

// A strided window (stride 2 along the row) is not a row copy: the generic
// stays for the element loops.
// CHECK-LABEL: func @strided_im2col
// CHECK: linalg.generic
#in = affine_map<(d0, d1) -> (d0, d1 * 2)>
#out = affine_map<(d0, d1) -> (d0, d1)>
func.func @strided_im2col(%x: memref<4x16xf32>, %cols: memref<4x8xf32>) {
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "parallel"]} ins(%x : memref<4x16xf32>) outs(%cols : memref<4x8xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  }
  return
}
