// RUN: kiln-opt %s --kiln-plan-memory --split-input-file --allow-unregistered-dialect | FileCheck %s

// Buffers sized by a bounded symbol are placed in the workspace at their
// bytes at the bound, N = 8: %a and %b 8 x 16 = 128 B each, %c 8 x 4 x 4 =
// 128 B. %a dies where %c is made, so %c takes %a's bytes; the view keeps
// the run-time size.
// CHECK-LABEL: module attributes
// CHECK-SAME: unshared = 384 : i64, workspace = 256 : i64
// CHECK-LABEL: func.func @model
// CHECK-SAME: %[[WS:[a-z0-9]+]]: memref<256xi8> {kiln.name = "workspace"}
// CHECK-SAME: kiln.memory = {bounded = 3 : i64, bounded_symbols = ["N"], per_run = 0 : i64, planned = 0 : i64, runtime = 0 : i64, unshared = 384 : i64}
// CHECK-DAG: %[[O0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[O128:.*]] = arith.constant 128 : index
// CHECK: %[[N:.*]] = memref.dim
// CHECK: memref.view %[[WS]][%[[O0]]][%[[N]]] : memref<256xi8> to memref<?x4xf32>
// CHECK: memref.view %[[WS]][%[[O128]]][%[[N]]] : memref<256xi8> to memref<?x4xf32>
// CHECK: memref.view %[[WS]][%[[O0]]][%[[N]]] : memref<256xi8> to memref<?x4xi32>
// CHECK-NOT: memref.alloc
module attributes {kiln.abi = {entries = [{name = "infer", function = @model, workspace = 0,
    bounds = {N = 8 : i64},
    inputs = [{name = "x", dtype = "f32", shape = ["N", 4]}],
    outputs = [{name = "y", dtype = "f32", shape = ["N", 4]}, {name = "z", dtype = "i32", shape = ["N", 4]}]}]}} {
  func.func @model(%x: memref<?x4xf32>, %y: memref<?x4xf32>, %z: memref<?x4xi32>) {
    %c0 = arith.constant 0 : index
    %n = memref.dim %x, %c0 : memref<?x4xf32>
    %a = memref.alloc(%n) : memref<?x4xf32>
    memref.copy %x, %a : memref<?x4xf32> to memref<?x4xf32>
    %b = memref.alloc(%n) : memref<?x4xf32>
    memref.copy %a, %b : memref<?x4xf32> to memref<?x4xf32>
    %c = memref.alloc(%n) : memref<?x4xi32>
    memref.copy %z, %c : memref<?x4xi32> to memref<?x4xi32>
    memref.copy %b, %y : memref<?x4xf32> to memref<?x4xf32>
    memref.copy %c, %z : memref<?x4xi32> to memref<?x4xi32>
    return
  }
}

// -----

// With N bounded and S not, a buffer sized by N alone is planned; one sized
// by both is a run-time allocation for the unbounded symbol, and so is one
// sized by S alone. A buffer returned to the caller is reported with its
// bytes at the bounds (8 x 3 x 4 = 96 B).
// CHECK-LABEL: func.func @model
// CHECK-SAME: memref<128xi8> {kiln.name = "workspace"}
// CHECK-SAME: kiln.memory = {bounded = 1 : i64, bounded_symbols = ["N"], per_run = 0 : i64, planned = 0 : i64, runtime = 3 : i64,
// CHECK-SAME: runtime_buffers = [{count = 2 : i64, why = "unbounded symbol S"}, {bytes = 96 : i64, count = 1 : i64, why = "output handed to the caller"}]
// CHECK: memref.view
// CHECK: memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?xf32>
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: memref.alloc(%{{.*}}) : memref<?x3xf32>
module attributes {kiln.abi = {entries = [{name = "infer", function = @model, workspace = 0,
    bounds = {N = 8 : i64},
    inputs = [{name = "x", dtype = "f32", shape = ["N", "S"]}],
    outputs = [{name = "y", dtype = "f32", shape = ["N", 3]}]}]}} {
  func.func @model(%x: memref<?x?xf32>) -> memref<?x3xf32> {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = memref.dim %x, %c0 : memref<?x?xf32>
    %s = memref.dim %x, %c1 : memref<?x?xf32>
    %a = memref.alloc(%n) : memref<?x4xf32>
    %b = memref.alloc(%n, %s) : memref<?x?xf32>
    %c = memref.alloc(%s) : memref<?xf32>
    "test.use"(%a, %b, %c) : (memref<?x4xf32>, memref<?x?xf32>, memref<?xf32>) -> ()
    %r = memref.alloc(%n) : memref<?x3xf32>
    return %r : memref<?x3xf32>
  }
}

// -----

// A size read from a tensor's values (a shape input) is data-dependent, and
// a buffer allocated inside a loop stays a run-time allocation too (its
// static bytes reported).
// CHECK-LABEL: func.func @model
// CHECK-SAME: kiln.memory = {bounded = 0 : i64, per_run = 0 : i64, planned = 0 : i64, runtime = 2 : i64,
// CHECK-SAME: runtime_buffers = [{bytes = 64 : i64, count = 1 : i64, why = "allocated inside scf.for"}, {count = 1 : i64, why = "data-dependent size"}]
module attributes {kiln.abi = {entries = [{name = "infer", function = @model, workspace = 0,
    bounds = {N = 8 : i64},
    inputs = [{name = "shape", dtype = "i64", shape = [1]}, {name = "x", dtype = "f32", shape = ["N"]}],
    outputs = []}]}} {
  func.func @model(%shape: memref<1xi64>, %x: memref<?xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = memref.dim %x, %c0 : memref<?xf32>
    %v = memref.load %shape[%c0] : memref<1xi64>
    %m = arith.index_cast %v : i64 to index
    %twice = arith.muli %m, %c1 : index
    %d = memref.alloc(%twice) : memref<?xf32>
    "test.use"(%d) : (memref<?xf32>) -> ()
    scf.for %i = %c0 to %n step %c1 {
      %t = memref.alloc() : memref<16xf32>
      "test.use"(%t) : (memref<16xf32>) -> ()
    }
    return
  }
}

// -----

// Sizes computed from bounded dims are bounded through the arithmetic: with
// H <= 10, (H + 2 - 3) floordiv 2 + 1 <= 5 rows, H - 1 <= 9, ceil(H / 4) <= 3
// and min(H, 6) <= 6 rows of 4 bytes: 20 + 36 + 12 + 24 = 92 B, each in a
// 64-byte slot.
// CHECK-LABEL: func.func @model
// CHECK-SAME: memref<256xi8> {kiln.name = "workspace"}
// CHECK-SAME: kiln.memory = {bounded = 4 : i64, bounded_symbols = ["H"], per_run = 0 : i64, planned = 0 : i64, runtime = 0 : i64, unshared = 256 : i64}
#conv = affine_map<()[s0] -> ((s0 - 1) floordiv 2 + 1)>
module attributes {kiln.abi = {entries = [{name = "infer", function = @model, workspace = 0,
    bounds = {H = 10 : i64},
    inputs = [{name = "x", dtype = "f32", shape = [1, "H"]}],
    outputs = []}]}} {
  func.func @model(%x: memref<1x?xf32>) {
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %c6 = arith.constant 6 : index
    %h = memref.dim %x, %c1 : memref<1x?xf32>
    %o = affine.apply #conv()[%h]
    %a = memref.alloc(%o) : memref<?xf32>
    %p = arith.subi %h, %c1 : index
    %b = memref.alloc(%p) : memref<?xf32>
    %q = arith.ceildivui %h, %c4 : index
    %c = memref.alloc(%q) : memref<?xf32>
    %r = arith.minui %h, %c6 : index
    %d = memref.alloc(%r) : memref<?xf32>
    "test.use"(%a, %b, %c, %d) : (memref<?xf32>, memref<?xf32>, memref<?xf32>, memref<?xf32>) -> ()
    return
  }
}

// -----

// A bound that makes a buffer larger than 1 TiB leaves it to run time.
// CHECK-LABEL: func.func @model
// CHECK-SAME: runtime_buffers = [{count = 1 : i64, why = "more than 1099511627776 bytes at the bounds"}]
module attributes {kiln.abi = {entries = [{name = "infer", function = @model, workspace = 0,
    bounds = {N = 1000000000000 : i64},
    inputs = [{name = "x", dtype = "f32", shape = ["N"]}],
    outputs = []}]}} {
  func.func @model(%x: memref<?xf32>) {
    %c0 = arith.constant 0 : index
    %n = memref.dim %x, %c0 : memref<?xf32>
    %a = memref.alloc(%n) : memref<?xf32>
    "test.use"(%a) : (memref<?xf32>) -> ()
    return
  }
}

// -----

// Two entries of one function share its plan, made for the bounds both
// have: N at the larger of its bounds (16 x 4 B = 64 B); M, bounded in one
// entry only, counts as unbounded.
// CHECK-LABEL: module attributes
// CHECK-SAME: name = "a", outputs = [], unshared = 64 : i64, workspace = 64 : i64
// CHECK-SAME: name = "b", outputs = [], unshared = 64 : i64, workspace = 64 : i64
// CHECK-LABEL: func.func @f
// CHECK-SAME: runtime_buffers = [{count = 1 : i64, why = "unbounded symbol M"}]
module attributes {kiln.abi = {entries = [
    {name = "a", function = @f, workspace = 0, bounds = {N = 8 : i64, M = 4 : i64},
     inputs = [{name = "x", dtype = "f32", shape = ["N"]}, {name = "y", dtype = "f32", shape = ["M"]}], outputs = []},
    {name = "b", function = @f, workspace = 0, bounds = {N = 16 : i64},
     inputs = [{name = "x", dtype = "f32", shape = ["N"]}, {name = "y", dtype = "f32", shape = ["M"]}], outputs = []}]}} {
  func.func @f(%x: memref<?xf32>, %y: memref<?xf32>) {
    %c0 = arith.constant 0 : index
    %n = memref.dim %x, %c0 : memref<?xf32>
    %m = memref.dim %y, %c0 : memref<?xf32>
    %a = memref.alloc(%n) : memref<?xf32>
    %b = memref.alloc(%m) : memref<?xf32>
    "test.use"(%a, %b) : (memref<?xf32>, memref<?xf32>) -> ()
    return
  }
}
