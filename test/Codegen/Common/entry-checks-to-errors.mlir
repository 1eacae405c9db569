// RUN: kiln-opt %s --kiln-entry-checks-to-errors --split-input-file | FileCheck %s

// A run-time check becomes a branch to one error block that stores the
// message through the new `error` argument and returns status 1 with an empty
// buffer for each result; every other return gets status 0.
// CHECK: llvm.mlir.global internal constant @kiln_check_0("node 'Add_3' (nn.add): expects dim 0 of the operands to be equal\00")
// CHECK-LABEL: func.func @model(
// CHECK-SAME: %[[X:[^:]*]]: memref<?x4xf32>, %[[Y:[^:]*]]: memref<?x4xf32>, %[[ERR:[^:]*]]: !llvm.ptr {kiln.name = "error"}) -> (memref<?x4xf32>, i32)
// CHECK: %[[OK:.*]] = arith.cmpi eq
// CHECK: %[[G:.*]] = llvm.mlir.addressof @kiln_check_0 : !llvm.ptr
// CHECK: %[[MSG:.*]] = llvm.getelementptr %[[G]][0, 0]
// CHECK: cf.cond_br %[[OK]], ^[[CONT:.*]], ^[[FAIL:.*]](%[[MSG]] : !llvm.ptr)
// CHECK: ^[[CONT]]:
// CHECK: %[[Z:.*]] = memref.alloc
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK: return %[[Z]], %[[ZERO]] : memref<?x4xf32>, i32
// CHECK: ^[[FAIL]](%[[M:.*]]: !llvm.ptr):
// CHECK: llvm.store %[[M]], %[[ERR]] : !llvm.ptr, !llvm.ptr
// CHECK: %[[EMPTY:.*]] = memref.alloc(%{{.*}}) : memref<?x4xf32>
// CHECK: %[[ONE:.*]] = arith.constant 1 : i32
// CHECK: return %[[EMPTY]], %[[ONE]] : memref<?x4xf32>, i32
module attributes {kiln.abi = {entries = [{name = "model", function = @model, workspace = 0,
    inputs = [{name = "x", dtype = "f32", shape = ["N", 4]}, {name = "y", dtype = "f32", shape = ["M", 4]}],
    outputs = [{name = "z", dtype = "f32", shape = ["N", 4]}]}]}} {
  func.func @model(%x: memref<?x4xf32>, %y: memref<?x4xf32>) -> memref<?x4xf32> {
    %c0 = arith.constant 0 : index
    %n = memref.dim %x, %c0 : memref<?x4xf32>
    %m = memref.dim %y, %c0 : memref<?x4xf32>
    %ok = arith.cmpi eq, %n, %m : index
    cf.assert %ok, "node 'Add_3' (nn.add): expects dim 0 of the operands to be equal"
    %z = memref.alloc(%n) : memref<?x4xf32>
    memref.copy %x, %z : memref<?x4xf32> to memref<?x4xf32>
    return %z : memref<?x4xf32>
  }
}

// -----

// Without checks, an entry (here with an out-parameter) only gets the error
// argument and status 0.
// CHECK-LABEL: func.func @model(
// CHECK-SAME: %{{.*}}: memref<4xf32>, %{{.*}}: memref<4xf32>, %{{.*}}: !llvm.ptr {kiln.name = "error"}) -> i32
// CHECK-NOT: cf.cond_br
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK: return %[[ZERO]] : i32
module attributes {kiln.abi = {entries = [{name = "model", function = @model, workspace = 0,
    inputs = [{name = "x", dtype = "f32", shape = [4]}],
    outputs = [{name = "y", dtype = "f32", shape = [4]}]}]}} {
  func.func @model(%x: memref<4xf32>, %y: memref<4xf32>) {
    memref.copy %x, %y : memref<4xf32> to memref<4xf32>
    return
  }
}
