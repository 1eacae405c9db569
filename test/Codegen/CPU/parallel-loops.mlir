// RUN: kiln-opt %s --split-input-file --kiln-outline-parallel-loops | FileCheck %s

// A one-dimensional scf.forall becomes a body function of (index,
// captures...) and a call to its launcher with the trip count; constants are
// cloned into the body, not passed.
// CHECK-LABEL: func.func private @model_parallel(
// CHECK-SAME: %[[I:.*]]: index, %[[SRC:.*]]: memref<64xf32>, %[[DST:.*]]: memref<64xf32>)
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: %[[SCALED:.*]] = arith.muli %[[I]], %[[C16]]
// CHECK: %[[IV:.*]] = arith.addi %[[C4]], %[[SCALED]]
// CHECK: memref.subview %[[SRC]][%[[IV]]] [16] [1]
// CHECK: return
// CHECK: func.func private @model_parallel_launch(index, memref<64xf32>, memref<64xf32>) attributes {kiln.parallel_body = @model_parallel}
// CHECK-LABEL: func.func @model(
// CHECK: %[[N:.*]] = arith.ceildivsi
// CHECK: call @model_parallel_launch(%[[N]], %arg0, %arg1)
// CHECK-NOT: scf.forall
func.func @model(%src: memref<64xf32>, %dst: memref<64xf32>) {
  scf.forall (%i) = (4) to (52) step (16) {
    %s = memref.subview %src[%i] [16] [1] : memref<64xf32> to memref<16xf32, strided<[1], offset: ?>>
    %d = memref.subview %dst[%i] [16] [1] : memref<64xf32> to memref<16xf32, strided<[1], offset: ?>>
    memref.copy %s, %d : memref<16xf32, strided<[1], offset: ?>> to memref<16xf32, strided<[1], offset: ?>>
  }
  return
}

// -----

// A capture with a strided layout or a dynamic shape cannot travel as one
// bare pointer: it crosses as its base pointer, offset, sizes and strides, and
// is rebuilt in the body, with what its type fixes kept static.
// CHECK-LABEL: func.func private @dynamic_capture_parallel(
// CHECK-SAME: %[[I:[^:]*]]: index, %[[BASE:[^:]*]]: memref<f32>, %[[OFF:[^:]*]]: index, %{{.*}}: index, %{{.*}}: index)
// CHECK: %[[ROW:.*]] = memref.reinterpret_cast %[[BASE]] to offset: [%[[OFF]]], sizes: [8], strides: [1] : memref<f32> to memref<8xf32, strided<[1], offset: ?>>
// CHECK: memref.store %{{.*}}, %[[ROW]][
// CHECK-LABEL: func.func @dynamic_capture(
// CHECK: %[[B:.*]], %[[O:.*]], %[[S:.*]], %[[ST:.*]] = memref.extract_strided_metadata
// CHECK: call @dynamic_capture_parallel_launch(%{{.*}}, %[[B]], %[[O]], %[[S]], %[[ST]])
// CHECK-NOT: scf.for
func.func @dynamic_capture(%src: memref<?x8xf32>, %n: index) {
  %c0 = arith.constant 0.0 : f32
  %row = memref.subview %src[%n, 0] [1, 8] [1, 1] : memref<?x8xf32> to memref<8xf32, strided<[1], offset: ?>>
  scf.forall (%i) in (8) {
    memref.store %c0, %row[%i] : memref<8xf32, strided<[1], offset: ?>>
  }
  return
}

// -----

// A loop nested in another parallel loop runs sequentially.
// CHECK-LABEL: func.func private @nested_parallel(
// CHECK: scf.for
// CHECK-NOT: scf.forall
// CHECK-LABEL: func.func @nested(
// CHECK: call @nested_parallel_launch
func.func @nested(%buf: memref<4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  scf.forall (%i) in (4) {
    scf.forall (%j) in (4) {
      memref.store %zero, %buf[%i, %j] : memref<4x4xf32>
    }
  }
  return
}
