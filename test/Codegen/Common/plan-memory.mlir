// RUN: kiln-opt %s --kiln-plan-memory --split-input-file | FileCheck %s

// %a dies at the op that makes %c, so %c reuses %a's bytes; %b is live
// across both and gets its own. Sizes: %a 4096 B, %b 1024 B, %c 4096 B.
// CHECK-LABEL: func.func @model
// CHECK-SAME: %[[WS:[a-z0-9]+]]: memref<5120xi8> {kiln.name = "workspace"}
// CHECK-DAG: %[[O0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[O4096:.*]] = arith.constant 4096 : index
// CHECK: memref.view %[[WS]][%[[O0]]][] : memref<5120xi8> to memref<1024xf32>
// CHECK: memref.view %[[WS]][%[[O4096]]][] : memref<5120xi8> to memref<256xf32>
// CHECK: memref.view %[[WS]][%[[O0]]][] : memref<5120xi8> to memref<32x32xf32>
// CHECK-NOT: memref.alloc
module attributes {kiln.entry = "model", kiln.signature = "kiln-model 1\n"} {
  func.func @model(%x: memref<1024xf32>, %y: memref<1024xf32>) {
    %a = memref.alloc() : memref<1024xf32>
    memref.copy %x, %a : memref<1024xf32> to memref<1024xf32>
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
// and the signature are unchanged.
// CHECK-LABEL: module attributes {kiln.entry = "model", kiln.signature = "kiln-model 1\0A"}
// CHECK: func.func @model(%{{.*}}: index) -> memref<4xf32>
// CHECK-COUNT-3: memref.alloc
// CHECK-NOT: memref.view
module attributes {kiln.entry = "model", kiln.signature = "kiln-model 1\n"} {
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

// The planner appends its line to the recorded signature.
// CHECK-LABEL: module attributes
// CHECK-SAME: kiln.signature = "kiln-model 1\0Aworkspace 128\0A"
// CHECK: memref<128xi8>
module attributes {kiln.entry = "model", kiln.signature = "kiln-model 1\n"} {
  func.func @model(%x: memref<3xi8>) {
    %a = memref.alloc() : memref<3xi8>
    memref.copy %x, %a : memref<3xi8> to memref<3xi8>
    %b = memref.alloc() : memref<3xi8>
    memref.copy %a, %b : memref<3xi8> to memref<3xi8>
    memref.copy %b, %x : memref<3xi8> to memref<3xi8>
    return
  }
}
