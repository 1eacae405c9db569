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
// CHECK-SAME: runtime_buffers = [{bytes = 96 : i64, count = 1 : i64, why = "output handed to the caller"}, {count = 2 : i64, why = "unbounded symbol S"}]
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

// -----

// Run-time shapes are built in small buffers: a scalar linalg.generic, a
// copy through an expand_shape into a subview, a constant vector write. A
// size loaded from such a buffer is followed back to what wrote it: here
// [4, N] with N <= 8, 4 x 8 x 4 = 128 bytes. The write after the load does
// not count. The two shape buffers are planned too (64 bytes each; the
// scalar's die where %a's begin).
// CHECK-LABEL: func.func @model
// CHECK-SAME: memref<192xi8> {kiln.name = "workspace"}
// CHECK-SAME: kiln.memory = {bounded = 1 : i64, bounded_symbols = ["N"], per_run = 0 : i64, planned = 2 : i64, runtime = 0 : i64, unshared = 256 : i64}
#scalar = affine_map<() -> ()>
module attributes {kiln.abi = {entries = [{name = "infer", function = @model, workspace = 0,
    bounds = {N = 8 : i64},
    inputs = [{name = "x", dtype = "f32", shape = ["N"]}],
    outputs = []}]}} {
  func.func @model(%x: memref<?xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %four = arith.constant dense<4> : vector<1xi64>
    %nine = arith.constant 9 : i64
    %n = memref.dim %x, %c0 : memref<?xf32>
    %n64 = arith.index_cast %n : index to i64
    %scalar = memref.alloc() : memref<i64>
    linalg.generic {indexing_maps = [#scalar], iterator_types = []} outs(%scalar : memref<i64>) {
    ^bb0(%out: i64):
      linalg.yield %n64 : i64
    }
    %one = memref.expand_shape %scalar [] output_shape [1] : memref<i64> into memref<1xi64>
    %shape = memref.alloc() : memref<2xi64>
    %second = memref.subview %shape[1] [1] [1] : memref<2xi64> to memref<1xi64, strided<[1], offset: 1>>
    memref.copy %one, %second : memref<1xi64> to memref<1xi64, strided<[1], offset: 1>>
    vector.transfer_write %four, %shape[%c0] {in_bounds = [true]} : vector<1xi64>, memref<2xi64>
    %d0 = memref.load %shape[%c0] : memref<2xi64>
    %d1 = memref.load %shape[%c1] : memref<2xi64>
    memref.store %nine, %shape[%c1] : memref<2xi64>
    %i0 = arith.index_cast %d0 : i64 to index
    %i1 = arith.index_cast %d1 : i64 to index
    %a = memref.alloc(%i0, %i1) : memref<?x?xf32>
    "test.use"(%a, %shape) : (memref<?x?xf32>, memref<2xi64>) -> ()
    return
  }
}

// -----

// A select the ranges decide takes its side (N <= 8 is never -1); one they
// do not decide may be planned only when the side taken at the bounds holds
// the largest value. "0 copies the input dim" joins N with 4 x N, whose
// largest value (32) no run at the bounds reaches; split into the cases
// N = 0 (where 4 x N is 0) and N >= 1 (where the select is N), it is N at
// most, and planned at N = 8. A division by a run-time value has only a
// loose bound.
// CHECK-LABEL: func.func @model
// CHECK-SAME: memref<128xi8> {kiln.name = "workspace"}
// CHECK-SAME: kiln.memory = {bounded = 2 : i64, bounded_symbols = ["N"], per_run = 0 : i64, planned = 0 : i64, runtime = 1 : i64,
// CHECK-SAME: runtime_buffers = [{count = 1 : i64, why = "size divided by a run-time value"}]
module attributes {kiln.abi = {entries = [{name = "infer", function = @model, workspace = 0,
    bounds = {N = 8 : i64, M = 8 : i64},
    inputs = [{name = "x", dtype = "f32", shape = ["N"]}, {name = "y", dtype = "f32", shape = ["M"]}],
    outputs = []}]}} {
  func.func @model(%x: memref<?xf32>, %y: memref<?xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %minus1 = arith.constant -1 : index
    %big = arith.constant 1000000 : index
    %n = memref.dim %x, %c0 : memref<?xf32>
    %m = memref.dim %y, %c0 : memref<?xf32>
    %is_minus1 = arith.cmpi eq, %n, %minus1 : index
    %decided = arith.select %is_minus1, %big, %n : index
    %a = memref.alloc(%decided) : memref<?xf32>
    %n4 = arith.muli %n, %c4 : index
    %is_zero = arith.cmpi eq, %n, %c0 : index
    %copied = arith.select %is_zero, %n4, %n : index
    %b = memref.alloc(%copied) : memref<?xf32>
    %m1 = arith.maxsi %m, %c1 : index
    %q = arith.divsi %n4, %m1 : index
    %c = memref.alloc(%q) : memref<?xf32>
    "test.use"(%a, %b, %c) : (memref<?xf32>, memref<?xf32>, memref<?xf32>) -> ()
    return
  }
}

// -----

// Split into cases, "0 copies the input dim" is 64 where N is 0: no tight
// bound. A check before the buffer (a Reshape's element count: the copied
// dim against N) fails in that case, so no run with N = 0 reaches the
// buffer, and it is planned at N = 8 (32 bytes). The same buffer before
// the check is allocated at run time.
// CHECK-LABEL: func.func @model
// CHECK-SAME: memref<64xi8> {kiln.name = "workspace"}
// CHECK-SAME: kiln.memory = {bounded = 1 : i64, bounded_symbols = ["N"], per_run = 0 : i64, planned = 0 : i64, runtime = 1 : i64,
// CHECK-SAME: runtime_buffers = [{count = 1 : i64, why = "size chosen at run time between shapes, not largest at the bounds"}]
// CHECK: %[[EARLY:.*]] = memref.alloc
// CHECK: cf.assert
// CHECK: memref.view
// CHECK-NOT: memref.alloc
module attributes {kiln.abi = {entries = [{name = "infer", function = @model, workspace = 0,
    bounds = {N = 8 : i64},
    inputs = [{name = "x", dtype = "f32", shape = ["N"]}],
    outputs = []}]}} {
  func.func @model(%x: memref<?xf32>) {
    %c0 = arith.constant 0 : index
    %c64 = arith.constant 64 : index
    %n = memref.dim %x, %c0 : memref<?xf32>
    %is_zero = arith.cmpi eq, %n, %c0 : index
    %copied = arith.select %is_zero, %c64, %n : index
    %early = memref.alloc(%copied) : memref<?xf32>
    "test.use"(%early) : (memref<?xf32>) -> ()
    %count_ok = arith.cmpi eq, %copied, %n : index
    cf.assert %count_ok, "expects the shape to hold as many elements as the input"
    %late = memref.alloc(%copied) : memref<?xf32>
    "test.use"(%late) : (memref<?xf32>) -> ()
    return
  }
}
