// RUN: kiln-opt %s --kiln-plan-memory=record-peak=true --split-input-file | FileCheck %s
// Without record-peak, no function records its peak.
// RUN: kiln-opt %s --kiln-plan-memory --split-input-file | FileCheck %s --check-prefix=NOPEAK
// NOPEAK-NOT: kiln.memory_peak

// %a dies at the op that makes %c, so %c reuses %a's bytes; %b is live
// across both and gets its own. Sizes: %a 4096 B, %b 1024 B, %c 4096 B:
// 9216 B unshared, 5120 B planned. The peak of live bytes, 5120, is first
// reached at op 2 (of 12, counting from 0: the allocation of %b), where %a
// (ops 0-4, first used by the copy named "fill_a") and %b (ops 2-9) are live.
// CHECK-LABEL: module attributes
// CHECK-SAME: unshared = 9216 : i64, workspace = 5120 : i64
// CHECK-LABEL: func.func @model
// CHECK-SAME: %[[WS:[a-z0-9]+]]: memref<5120xi8> {kiln.name = "workspace"}
// CHECK-SAME: kiln.memory_peak = {buffers = [
// CHECK-SAME: {bytes = 4096 : i64, first_user = "memref.copy", from = 0 : i64, loc = "fill_a", to = 4 : i64, type = "memref<1024xf32>"},
// CHECK-SAME: {bytes = 1024 : i64, first_user = "memref.copy", from = 2 : i64, loc = "{{[^"]*}}", to = 9 : i64, type = "memref<256xf32>"}],
// CHECK-SAME: bytes = 5120 : i64, count = 2 : i64, op = 2 : i64, ops = 12 : i64}
// CHECK-DAG: %[[O0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[O4096:.*]] = arith.constant 4096 : index
// CHECK: memref.view %[[WS]][%[[O0]]][] : memref<5120xi8> to memref<1024xf32>
// CHECK: memref.view %[[WS]][%[[O4096]]][] : memref<5120xi8> to memref<256xf32>
// CHECK: memref.view %[[WS]][%[[O0]]][] : memref<5120xi8> to memref<32x32xf32>
// CHECK-NOT: memref.alloc
module attributes {kiln.abi = {entries = [{name = "infer", function = @model, inputs = [], outputs = [], workspace = 0}]}} {
  func.func @model(%x: memref<1024xf32>, %y: memref<1024xf32>) {
    %a = memref.alloc() : memref<1024xf32>
    memref.copy %x, %a : memref<1024xf32> to memref<1024xf32> loc("fill_a")
    %b = memref.alloc() : memref<256xf32>
    %sub = memref.subview %a[0] [256] [1] : memref<1024xf32> to memref<256xf32, strided<[1]>>
    memref.copy %sub, %b : memref<256xf32, strided<[1]>> to memref<256xf32>
    %c = memref.alloc() : memref<32x32xf32>
    %flat = memref.collapse_shape %c [[0, 1]] : memref<32x32xf32> into memref<1024xf32>
    memref.copy %x, %flat : memref<1024xf32> to memref<1024xf32>
    %ysub = memref.subview %y[0] [256] [1] : memref<1024xf32> to memref<256xf32, strided<[1]>>
    memref.copy %b, %ysub : memref<256xf32> to memref<256xf32, strided<[1]>>
    memref.copy %flat, %y : memref<1024xf32> to memref<1024xf32>
    return
  }
}

// -----

// A buffer that leaves the function (returned, or passed to a call) and a
// dynamically sized one stay allocations; with nothing to plan the function
// and the entry's workspace stay unchanged.
// CHECK-LABEL: module attributes
// CHECK-SAME: workspace = 0 : i64
// CHECK: func.func @model(%{{.*}}: index) -> memref<4xf32>
// CHECK-COUNT-3: memref.alloc
// CHECK-NOT: memref.view
module attributes {kiln.abi = {entries = [{name = "infer", function = @model, inputs = [], outputs = [], workspace = 0}]}} {
  func.func private @use(memref<8xf32>)
  func.func @model(%n: index) -> memref<4xf32> {
    %r = memref.alloc() : memref<4xf32>
    %p = memref.alloc() : memref<8xf32>
    func.call @use(%p) : (memref<8xf32>) -> ()
    %d = memref.alloc(%n) : memref<?xf32>
    return %r : memref<4xf32>
  }
}

// -----

// The planner records each entry's workspace bytes in kiln.abi.
// CHECK-LABEL: module attributes
// CHECK-SAME: name = "infer"
// CHECK-SAME: workspace = 128 : i64
// CHECK: memref<128xi8>
module attributes {kiln.abi = {entries = [{name = "infer", function = @model, inputs = [], outputs = [], workspace = 0}]}} {
  func.func @model(%x: memref<3xi8>) {
    %a = memref.alloc() : memref<3xi8>
    memref.copy %x, %a : memref<3xi8> to memref<3xi8>
    %b = memref.alloc() : memref<3xi8>
    memref.copy %a, %b : memref<3xi8> to memref<3xi8>
    memref.copy %b, %x : memref<3xi8> to memref<3xi8>
    return
  }
}

// -----

// Each entry is planned on its own; two entries of one function share its plan.
// CHECK-LABEL: module attributes
// CHECK-SAME: {function = @a, inputs = [], name = "a", outputs = [], unshared = 64 : i64, workspace = 64 : i64}
// CHECK-SAME: {function = @b, inputs = [], name = "b", outputs = [], unshared = 4096 : i64, workspace = 4096 : i64}
// CHECK-SAME: {function = @b, inputs = [], name = "b_again", outputs = [], unshared = 4096 : i64, workspace = 4096 : i64}
// CHECK: func.func @a(%{{.*}}: memref<3xi8>, %{{.*}}: memref<64xi8> {kiln.name = "workspace"})
// CHECK: func.func @b(%{{.*}}: memref<1024xf32>, %{{.*}}: memref<4096xi8> {kiln.name = "workspace"})
module attributes {kiln.abi = {entries = [
    {name = "a", function = @a, inputs = [], outputs = [], workspace = 0},
    {name = "b", function = @b, inputs = [], outputs = [], workspace = 0},
    {name = "b_again", function = @b, inputs = [], outputs = [], workspace = 0}]}} {
  func.func @a(%x: memref<3xi8>) {
    %a = memref.alloc() : memref<3xi8>
    memref.copy %x, %a : memref<3xi8> to memref<3xi8>
    memref.copy %a, %x : memref<3xi8> to memref<3xi8>
    return
  }
  func.func @b(%x: memref<1024xf32>) {
    %a = memref.alloc() : memref<1024xf32>
    memref.copy %x, %a : memref<1024xf32> to memref<1024xf32>
    memref.copy %a, %x : memref<1024xf32> to memref<1024xf32>
    return
  }
}


// -----

// A lone dynamically shaped buffer stays a run-time allocation next to the
// planned static one, and the function reports the split and the bytes its
// planned buffers would take unshared (16 B, in a 64-byte slot).
// CHECK-LABEL: func.func @model
// CHECK-SAME: %[[WS:[a-z0-9]+]]: memref<64xi8> {kiln.name = "workspace"}
// CHECK-SAME: attributes {kiln.memory = {bounded = 0 : i64, per_run = 0 : i64, planned = 1 : i64, runtime = 1 : i64, runtime_buffers = [{count = 1 : i64, why = "size of an argument that is no input"}], unshared = 64 : i64}, kiln.memory_peak = {buffers = [{bytes = 64 : i64, {{.*}}}], bytes = 64 : i64, count = 1 : i64
// CHECK: memref.view %[[WS]][%{{.*}}][] : memref<64xi8> to memref<4xf32>
// CHECK: memref.alloc(%{{.*}}) : memref<?x4xf32>
module attributes {kiln.abi = {entries = [{name = "infer", function = @model, inputs = [], outputs = [], workspace = 0}]}} {
  func.func @model(%x: memref<?x4xf32>, %y: memref<?x4xf32>, %v: memref<4xf32>) {
    %c0 = arith.constant 0 : index
    %n = memref.dim %x, %c0 : memref<?x4xf32>
    %s = memref.alloc() : memref<4xf32>
    memref.copy %v, %s : memref<4xf32> to memref<4xf32>
    %d = memref.alloc(%n) : memref<?x4xf32>
    memref.copy %x, %d : memref<?x4xf32> to memref<?x4xf32>
    memref.copy %d, %y : memref<?x4xf32> to memref<?x4xf32>
    memref.copy %s, %v : memref<4xf32> to memref<4xf32>
    return
  }
}

// -----

// Buffers whose bytes are one dynamic size times a constant share one
// allocation per run: planned for a size of 1 (%a, 16 bytes, dies where %c
// is made and gives it its bytes; %b is live across both), then scaled by
// the size: 2 x 16 bytes, aligned to 64 per unit of %n.
// CHECK-LABEL: func.func @model
// CHECK-SAME: attributes {kiln.memory = {bounded = 0 : i64, per_run = 3 : i64, planned = 0 : i64, runtime = 0 : i64, runtime_buffers = [{count = 3 : i64, why = "size of an argument that is no input (one allocation per run, shared)"}], unshared = 0 : i64}}
// The allocation has one dim per size and the unit's bytes last (so that
// its guard checks the product for overflow), and says what it is for the
// guard's messages, naming the nodes of its buffers.
// CHECK: %[[N:.*]] = memref.dim
// CHECK: %[[ALLOC:.*]] = memref.alloc(%[[N]]) {alignment = 64 : i64, kiln.buffer = "the buffer shared by 3 intermediate results sized at run time (of 'scores', 'proj')"} : memref<?x128xi8>
// CHECK: %[[ARENA:.*]] = memref.collapse_shape %[[ALLOC]] {{\[\[}}0, 1]] : memref<?x128xi8> into memref<?xi8>
// CHECK: %[[OA:.*]] = arith.muli %[[N]], %c0
// CHECK: memref.view %[[ARENA]][%[[OA]]][%[[N]]] : memref<?xi8> to memref<?x4xf32>
// CHECK: %[[OB:.*]] = arith.muli %[[N]], %c64
// CHECK: memref.view %[[ARENA]][%[[OB]]][%[[N]]] : memref<?xi8> to memref<?x4xf32>
// CHECK: %[[OC:.*]] = arith.muli %[[N]], %c0
// CHECK: memref.view %[[ARENA]][%[[OC]]][%[[N]]] : memref<?xi8> to memref<?x2x2xf32>
// CHECK-NOT: memref.alloc(
module attributes {kiln.abi = {entries = [{name = "infer", function = @model, inputs = [], outputs = [], workspace = 0}]}} {
  func.func @model(%x: memref<?x4xf32>, %y: memref<?x4xf32>, %z: memref<?x2x2xf32>) {
    %c0 = arith.constant 0 : index
    %n = memref.dim %x, %c0 : memref<?x4xf32>
    %a = memref.alloc(%n) : memref<?x4xf32> loc("scores")
    memref.copy %x, %a : memref<?x4xf32> to memref<?x4xf32>
    %b = memref.alloc(%n) : memref<?x4xf32> loc("scores")
    memref.copy %a, %b : memref<?x4xf32> to memref<?x4xf32>
    %c = memref.alloc(%n) : memref<?x2x2xf32> loc("proj")
    memref.copy %z, %c : memref<?x2x2xf32> to memref<?x2x2xf32>
    memref.copy %b, %y : memref<?x4xf32> to memref<?x4xf32>
    memref.copy %c, %z : memref<?x2x2xf32> to memref<?x2x2xf32>
    return
  }
}

// -----

// The same with two dynamic sizes (a batch and a sequence): buffers whose
// bytes are the product %n * %s times a constant, in either order of dims,
// share one allocation per run, scaled by the product (computed after the
// last size is known). A buffer sized by %s alone is a group of its own
// and keeps its allocation.
// CHECK-LABEL: func.func @model
// CHECK-SAME: attributes {kiln.memory = {bounded = 0 : i64, per_run = 2 : i64, planned = 0 : i64, runtime = 1 : i64, runtime_buffers = [{count = 2 : i64, why = "size of an argument that is no input (one allocation per run, shared)"}, {count = 1 : i64, why = "size of an argument that is no input"}], unshared = 0 : i64}}
// CHECK: %[[N:.*]] = memref.dim %{{.*}}, %c0
// CHECK: %[[S:.*]] = memref.dim %{{.*}}, %c1
// CHECK: %[[NS:.*]] = arith.muli %{{.*}}, %{{.*}} : index
// CHECK: %[[ALLOC:.*]] = memref.alloc(%[[N]], %[[S]]) {alignment = 64 : i64, kiln.buffer = "the buffer shared by 2 intermediate results sized at run time"} : memref<?x?x128xi8>
// CHECK: %[[ARENA:.*]] = memref.collapse_shape %[[ALLOC]] {{\[\[}}0, 1, 2]] : memref<?x?x128xi8> into memref<?xi8>
// CHECK: %[[OA:.*]] = arith.muli %[[NS]], %c0
// CHECK: memref.view %[[ARENA]][%[[OA]]][%[[N]], %[[S]]] : memref<?xi8> to memref<?x?x4xf32>
// CHECK: %[[OB:.*]] = arith.muli %[[NS]], %c64
// CHECK: memref.view %[[ARENA]][%[[OB]]][%[[S]], %[[N]]] : memref<?xi8> to memref<?x4x?xf32>
// CHECK: memref.alloc(%[[S]]) : memref<?x4xf32>
module attributes {kiln.abi = {entries = [{name = "infer", function = @model, inputs = [], outputs = [], workspace = 0}]}} {
  func.func @model(%x: memref<?x?x4xf32>, %y: memref<?x4x?xf32>, %v: memref<?x4xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = memref.dim %x, %c0 : memref<?x?x4xf32>
    %s = memref.dim %x, %c1 : memref<?x?x4xf32>
    %a = memref.alloc(%n, %s) : memref<?x?x4xf32>
    memref.copy %x, %a : memref<?x?x4xf32> to memref<?x?x4xf32>
    %b = memref.alloc(%s, %n) : memref<?x4x?xf32>
    memref.copy %y, %b : memref<?x4x?xf32> to memref<?x4x?xf32>
    %c = memref.alloc(%s) : memref<?x4xf32>
    memref.copy %v, %c : memref<?x4xf32> to memref<?x4xf32>
    memref.copy %a, %x : memref<?x?x4xf32> to memref<?x?x4xf32>
    memref.copy %b, %y : memref<?x4x?xf32> to memref<?x4x?xf32>
    memref.copy %c, %v : memref<?x4xf32> to memref<?x4xf32>
    return
  }
}
