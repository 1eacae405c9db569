// RUN: kiln-opt %s --kiln-lower-entry-abi --split-input-file | FileCheck %s

// A dynamic input becomes a bare pointer (memref<1xT>) reinterpreted with its
// size from `dims`; a dynamically shaped result is handed over through its
// buffers slot (memref<1xi64>), a static one copied into its new
// out-parameter and freed; every output's dims are written after the inputs'.
// CHECK-LABEL: func.func @model(
// CHECK-SAME: %[[X:[^:]*]]: memref<1xf32>, %[[YSLOT:[^:]*]]: memref<1xi64> {kiln.name = "y"}, %[[S:[^:]*]]: memref<2xf32> {kiln.name = "s"}, %[[DIMS:[^:]*]]: memref<5xi64> {kiln.name = "dims"}, %{{.*}}: !llvm.ptr) -> i32
// CHECK: %[[N64:.*]] = memref.load %[[DIMS]][%{{.*}}] : memref<5xi64>
// CHECK: %[[N:.*]] = arith.index_cast %[[N64]] : i64 to index
// CHECK: %[[XV:.*]] = memref.reinterpret_cast %[[X]] to offset: [0], sizes: [3, %[[N]]], strides: [%{{.*}}, 1] : memref<1xf32> to memref<3x?xf32>
// CHECK: %[[Y:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<3x?xf32>
// CHECK: memref.copy %[[XV]], %[[Y]]
// CHECK: %[[SUM:.*]] = memref.alloc() : memref<2xf32>
// CHECK: %[[P:.*]] = memref.extract_aligned_pointer_as_index %[[Y]]
// CHECK: %[[P64:.*]] = arith.index_cast %[[P]] : index to i64
// CHECK: memref.store %[[P64]], %[[YSLOT]][%{{.*}}] : memref<1xi64>
// CHECK: %[[C2:.*]] = arith.constant 2 : index
// CHECK: memref.store %{{.*}}, %[[DIMS]][%[[C2]]]
// CHECK: %[[YN:.*]] = memref.dim %[[Y]]
// CHECK: %[[YN64:.*]] = arith.index_cast %[[YN]]
// CHECK: %[[C3:.*]] = arith.constant 3 : index
// CHECK: memref.store %[[YN64]], %[[DIMS]][%[[C3]]]
// CHECK: memref.copy %[[SUM]], %[[S]]
// CHECK: memref.dealloc %[[SUM]]
// CHECK: %[[C4:.*]] = arith.constant 4 : index
// CHECK: memref.store %{{.*}}, %[[DIMS]][%[[C4]]]
// CHECK: return %{{.*}} : i32
module attributes {kiln.abi = {entries = [{name = "model", function = @model, workspace = 0,
    inputs = [{name = "x", dtype = "f32", shape = [3, "N"]}],
    outputs = [{name = "y", dtype = "f32", shape = [3, "N"]}, {name = "s", dtype = "f32", shape = [2]}]}]}} {
  func.func @model(%x: memref<3x?xf32>, %error: !llvm.ptr) -> (memref<3x?xf32>, memref<2xf32>, i32) {
    %c1 = arith.constant 1 : index
    %n = memref.dim %x, %c1 : memref<3x?xf32>
    %y = memref.alloc(%n) {alignment = 64 : i64} : memref<3x?xf32>
    memref.copy %x, %y : memref<3x?xf32> to memref<3x?xf32>
    %s = memref.alloc() : memref<2xf32>
    %ok = arith.constant 0 : i32
    return %y, %s, %ok : memref<3x?xf32>, memref<2xf32>, i32
  }
}

// -----

// A result that is not an allocation of its own (here the input itself) is
// copied into a new one before it is handed over.
// CHECK-LABEL: func.func @model(
// CHECK: %[[XV:.*]] = memref.reinterpret_cast
// CHECK: %[[FRESH:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: memref.copy %[[XV]], %[[FRESH]]
// CHECK: memref.extract_aligned_pointer_as_index %[[FRESH]]
module attributes {kiln.abi = {entries = [{name = "model", function = @model, workspace = 0,
    inputs = [{name = "x", dtype = "f32", shape = ["N"]}],
    outputs = [{name = "y", dtype = "f32", shape = ["N"]}]}]}} {
  func.func @model(%x: memref<?xf32>, %error: !llvm.ptr) -> (memref<?xf32>, i32) {
    %ok = arith.constant 0 : i32
    return %x, %ok : memref<?xf32>, i32
  }
}

// -----

// A static entry keeps its out-parameters and workspace; it only gets `dims`
// (before `error`) and writes its outputs' static dims.
// CHECK-LABEL: func.func @model(
// CHECK-SAME: %{{.*}}: memref<2x3xf32>, %{{.*}}: memref<3xf32>, %{{.*}}: memref<64xi8>, %[[DIMS:[^:]*]]: memref<3xi64> {kiln.name = "dims"}, %{{.*}}: !llvm.ptr) -> i32
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : i64
// CHECK-DAG: %[[AT:.*]] = arith.constant 2 : index
// CHECK: memref.store %[[C3]], %[[DIMS]][%[[AT]]]
module attributes {kiln.abi = {entries = [{name = "model", function = @model, workspace = 64,
    inputs = [{name = "x", dtype = "f32", shape = [2, 3]}],
    outputs = [{name = "y", dtype = "f32", shape = [3]}]}]}} {
  func.func @model(%x: memref<2x3xf32>, %y: memref<3xf32>, %ws: memref<64xi8>, %error: !llvm.ptr) -> i32 {
    %ok = arith.constant 0 : i32
    return %ok : i32
  }
}

// -----

// An output the signature gives a symbolic dim is handed over even when its
// type became static (here an out-parameter): the runtime passes a slot, so
// the function computes into a buffer of its own and stores its pointer.
// CHECK-LABEL: func.func @model(
// CHECK-SAME: %{{.*}}: memref<4xf32>, %[[SLOT:[^:]*]]: memref<1xi64>, %[[DIMS:[^:]*]]: memref<2xi64> {kiln.name = "dims"}
// CHECK: %[[OWN:.*]] = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
// CHECK: memref.copy %{{.*}}, %[[OWN]]
// CHECK: %[[P:.*]] = memref.extract_aligned_pointer_as_index %[[OWN]]
// CHECK: %[[P64:.*]] = arith.index_cast %[[P]] : index to i64
// CHECK: memref.store %[[P64]], %[[SLOT]]
module attributes {kiln.abi = {entries = [{name = "model", function = @model, workspace = 0,
    inputs = [{name = "x", dtype = "f32", shape = [4]}],
    outputs = [{name = "y", dtype = "f32", shape = ["N"]}]}]}} {
  func.func @model(%x: memref<4xf32>, %y: memref<4xf32>, %error: !llvm.ptr) -> i32 {
    memref.copy %x, %y : memref<4xf32> to memref<4xf32>
    %ok = arith.constant 0 : i32
    return %ok : i32
  }
}
