// RUN: kiln-opt %s --kiln-entry-checks-to-errors --split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-entry-checks-to-errors --ownership-based-buffer-deallocation --split-input-file > /dev/null

// A run-time check becomes a branch to one error block that stores the
// message through the new `error` argument and returns status 1 with an empty
// buffer for each result; every other return gets status 0. The empty
// buffer is aligned to its element size: the default alignment (16) with a
// byte size of one element was an aligned_alloc(16, 4) that C11 forbids and
// AddressSanitizer refused (make test-sanitize, e2e/indexing.test).
// CHECK: llvm.mlir.global internal constant @kiln_check_0("node 'Add_3' (nn.add): expects dim 0 of the operands to be equal\00")
// CHECK-LABEL: func.func @model(
// CHECK-SAME: %[[X:[^:]*]]: memref<?x4xf32>, %[[Y:[^:]*]]: memref<?x4xf32>, %[[ERR:[^:]*]]: !llvm.ptr {kiln.name = "error"}) -> (memref<?x4xf32>, i32)
// CHECK: %[[OK:.*]] = arith.cmpi eq
// CHECK: %[[G:.*]] = llvm.mlir.addressof @kiln_check_0 : !llvm.ptr
// CHECK: %[[MSG:.*]] = llvm.getelementptr %[[G]][0, 0]
// CHECK: cf.cond_br %[[OK]], ^[[CONT:bb[0-9]+]](%{{.*}} : index), ^[[FAIL:bb[0-9]+]](%[[MSG]] : !llvm.ptr)
// CHECK: ^[[CONT]](%{{.*}}: index):
// CHECK: %[[Z:.*]] = memref.alloc
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK: return %[[Z]], %[[ZERO]] : memref<?x4xf32>, i32
// CHECK: ^[[FAIL]](%[[M:.*]]: !llvm.ptr):
// CHECK: llvm.store %[[M]], %[[ERR]] : !llvm.ptr, !llvm.ptr
// CHECK: %[[EMPTY:.*]] = memref.alloc(%{{.*}}) {alignment = 4 : i64} : memref<?x4xf32>
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

// -----

// Values other than memrefs that live across a check travel as the next
// block's arguments: MLIR 19's ownership-based deallocation crashes on a
// vector result of an scf.for that is live out of a block ending in a
// branch (a training step's loss gradient reduced before an index check).
// CHECK-LABEL: func.func @model(
// CHECK: %[[V:.*]] = scf.for
// CHECK: cf.cond_br %{{.*}}, ^[[CONT:bb[0-9]+]](%[[V]], %{{.*}} : vector<4xf32>, i64), ^{{.*}}(%{{.*}} : !llvm.ptr)
// CHECK: ^[[CONT]](%[[A:.*]]: vector<4xf32>, %[[K:.*]]: i64):
// CHECK: cf.cond_br %{{.*}}, ^[[CONT2:bb[0-9]+]](%[[A]] : vector<4xf32>), ^{{.*}}(%{{.*}} : !llvm.ptr)
// CHECK: ^[[CONT2]](%[[B:.*]]: vector<4xf32>):
// CHECK: arith.mulf %[[B]], %[[B]]
module attributes {kiln.abi = {entries = [{name = "model", function = @model, workspace = 0,
    inputs = [{name = "x", dtype = "f32", shape = [4]}, {name = "k", dtype = "i64", shape = []}],
    outputs = [{name = "y", dtype = "f32", shape = [4]}]}]}} {
  func.func @model(%x: memref<4xf32>, %k: memref<i64>, %y: memref<4xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %pad = arith.constant 0.0 : f32
    %z = arith.constant dense<0.0> : vector<4xf32>
    %v = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %z) -> (vector<4xf32>) {
      %r = vector.transfer_read %x[%c0], %pad {in_bounds = [true]} : memref<4xf32>, vector<4xf32>
      %s = arith.addf %acc, %r : vector<4xf32>
      scf.yield %s : vector<4xf32>
    }
    %kv = memref.load %k[] : memref<i64>
    %zero = arith.constant 0 : i64
    %ok = arith.cmpi sge, %kv, %zero : i64
    cf.assert %ok, "node 'g' (nn.gather): expects indices along axis 0 in [-size, size - 1], found one outside"
    %four = arith.constant 4 : i64
    %ok2 = arith.cmpi slt, %kv, %four : i64
    cf.assert %ok2, "node 'g' (nn.gather): expects indices along axis 0 in [-size, size - 1], found one outside"
    %m = arith.mulf %v, %v : vector<4xf32>
    vector.transfer_write %m, %y[%c0] {in_bounds = [true]} : vector<4xf32>, memref<4xf32>
    return
  }
}

// -----

// A memref result of an scf.while that is live across a check travels as the
// next block's argument too (the shape of an ONNX Loop whose carried value is
// returned after the loop's shape check, test_loop11): the deallocation pass
// rebuilds the while and would otherwise retain a dangling value at the
// branch. A memref from an allocation still crosses as itself.
// CHECK-LABEL: func.func @model(
// CHECK: %[[A:.*]] = memref.alloc() : memref<4xf32>
// CHECK: %[[W:.*]]:3 = scf.while
// CHECK: cf.cond_br %[[W]]#2, ^[[CONT:bb[0-9]+]](%[[W]]#1 : memref<1xf32>), ^{{.*}}(%{{.*}} : !llvm.ptr)
// CHECK: ^[[CONT]](%[[R:.*]]: memref<1xf32>):
// CHECK: return %[[R]], %[[A]], %{{.*}} : memref<1xf32>, memref<4xf32>, i32
module attributes {kiln.abi = {entries = [{name = "model", function = @model, workspace = 0,
    inputs = [{name = "n", dtype = "i64", shape = []}, {name = "y", dtype = "f32", shape = [1]}],
    outputs = [{name = "r", dtype = "f32", shape = [1]}, {name = "s", dtype = "f32", shape = [4]}]}]}} {
  func.func @model(%n: memref<i64>, %y: memref<1xf32>) -> (memref<1xf32>, memref<4xf32>) {
    %c0_i64 = arith.constant 0 : i64
    %c1_i64 = arith.constant 1 : i64
    %true = arith.constant true
    %cst = arith.constant 1.0 : f32
    %s = memref.alloc() : memref<4xf32>
    %nv = memref.load %n[] : memref<i64>
    %w:3 = scf.while (%i = %c0_i64, %acc = %y, %ok = %true) : (i64, memref<1xf32>, i1) -> (i64, memref<1xf32>, i1) {
      %more = arith.cmpi slt, %i, %nv : i64
      %copy = memref.alloc() : memref<1xf32>
      memref.copy %acc, %copy : memref<1xf32> to memref<1xf32>
      scf.condition(%more) %i, %copy, %ok : i64, memref<1xf32>, i1
    } do {
    ^bb0(%i: i64, %acc: memref<1xf32>, %ok: i1):
      %next = memref.alloc() : memref<1xf32>
      linalg.fill ins(%cst : f32) outs(%next : memref<1xf32>)
      %i1 = arith.addi %i, %c1_i64 : i64
      scf.yield %i1, %next, %ok : i64, memref<1xf32>, i1
    }
    cf.assert %w#2, "node 'l' (Loop): expects the loop-carried and scan values of the shapes the body declares"
    return %w#1, %s : memref<1xf32>, memref<4xf32>
  }
}

// -----

// A check in a loop body records its message through `error` (NULL at entry;
// the first failure's message stays) and the test after the loop takes the
// error block with the recorded message; an scf.while also stops once a
// message is recorded. A check in an scf.if inside an scf.for works alike.
// CHECK-LABEL: func.func @model(
// CHECK-SAME: %[[ERR:[^:]*]]: !llvm.ptr {kiln.name = "error"}) -> i32
// CHECK: %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK: llvm.store %[[NULL]], %[[ERR]] : !llvm.ptr, !llvm.ptr
// CHECK: scf.while
// CHECK: %[[SEEN:.*]] = llvm.load %[[ERR]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[NONE:.*]] = llvm.icmp "eq" %[[SEEN]], %{{.*}} : !llvm.ptr
// CHECK: %[[GO:.*]] = arith.andi %{{.*}}, %[[NONE]] : i1
// CHECK: scf.condition(%[[GO]])
// CHECK: } do {
// CHECK: %[[FAILED:.*]] = arith.xori %{{.*}}, %true : i1
// CHECK: scf.if %[[FAILED]] {
// CHECK: %[[G:.*]] = llvm.mlir.addressof @kiln_check_{{[0-9]+}} : !llvm.ptr
// CHECK: %[[TEXT:.*]] = llvm.getelementptr %[[G]][0, 0]
// CHECK: %[[OLD:.*]] = llvm.load %[[ERR]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[FIRST:.*]] = llvm.icmp "eq" %[[OLD]], %{{.*}} : !llvm.ptr
// CHECK: %[[PICK:.*]] = llvm.select %[[FIRST]], %[[TEXT]], %[[OLD]] : i1, !llvm.ptr
// CHECK: llvm.store %[[PICK]], %[[ERR]] : !llvm.ptr, !llvm.ptr
// CHECK: }
// CHECK-NOT: cf.assert
// CHECK: %[[MSG:.*]] = llvm.load %[[ERR]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[OK:.*]] = llvm.icmp "eq" %[[MSG]], %{{.*}} : !llvm.ptr
// CHECK: cf.cond_br %[[OK]], ^[[CONT:bb[0-9]+]], ^[[FAIL:bb[0-9]+]](%[[MSG]] : !llvm.ptr)
// CHECK: ^[[CONT]]:
// CHECK: scf.for
// CHECK: scf.if
// CHECK: scf.if
// CHECK: llvm.store
// CHECK: %[[MSG2:.*]] = llvm.load %[[ERR]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[OK2:.*]] = llvm.icmp "eq" %[[MSG2]], %{{.*}} : !llvm.ptr
// CHECK: cf.cond_br %[[OK2]], ^{{bb[0-9]+}}, ^[[FAIL]](%[[MSG2]] : !llvm.ptr)
// CHECK: ^[[FAIL]](%[[M:.*]]: !llvm.ptr):
// CHECK: llvm.store %[[M]], %[[ERR]] : !llvm.ptr, !llvm.ptr
// CHECK: return %{{.*}} : i32
module attributes {kiln.abi = {entries = [{name = "model", function = @model, workspace = 0,
    inputs = [{name = "k", dtype = "i64", shape = [4]}], outputs = []}]}} {
  func.func @model(%k: memref<4xi64>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %c0i = arith.constant 0 : i64
    %c4i = arith.constant 4 : i64
    %n = scf.while (%i = %c0) : (index) -> index {
      %more = arith.cmpi slt, %i, %c4 : index
      scf.condition(%more) %i : index
    } do {
    ^bb0(%i: index):
      %v = memref.load %k[%i] : memref<4xi64>
      %ok = arith.cmpi slt, %v, %c4i : i64
      cf.assert %ok, "node 'g' (nn.gather): expects indices along axis 0 in [-size, size - 1], found one outside"
      %next = arith.addi %i, %c1 : index
      scf.yield %next : index
    }
    scf.for %i = %c0 to %c4 step %c1 {
      %v = memref.load %k[%i] : memref<4xi64>
      %pos = arith.cmpi sge, %v, %c0i : i64
      scf.if %pos {
        %ok = arith.cmpi slt, %v, %c4i : i64
        cf.assert %ok, "node 'e' (nn.gather_elements): expects indices along axis 0 in [-size, size - 1], found one outside"
      }
    }
    return
  }
}

// -----

// A memref result of a loop that is live across the test after the loop
// travels as the next block's argument too (MLIR 19's ownership-based
// deallocation crashes on it otherwise; the second RUN line runs it).
// CHECK-LABEL: func.func @model(
// CHECK: %[[R:.*]]:2 = scf.while
// CHECK: cf.cond_br %{{.*}}, ^[[CONT:bb[0-9]+]](%[[R]]#1 : memref<f32>), ^{{bb[0-9]+}}(%{{.*}} : !llvm.ptr)
// CHECK: ^[[CONT]](%[[S:.*]]: memref<f32>):
// CHECK: memref.copy %[[S]], %{{.*}} : memref<f32> to memref<f32>
module attributes {kiln.abi = {entries = [{name = "model", function = @model, workspace = 0,
    inputs = [{name = "k", dtype = "i64", shape = [4]}],
    outputs = [{name = "s", dtype = "f32", shape = []}]}]}} {
  func.func @model(%k: memref<4xi64>, %s: memref<f32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %c4i = arith.constant 4 : i64
    %init = memref.alloc() : memref<f32>
    %r:2 = scf.while (%i = %c0, %acc = %init) : (index, memref<f32>) -> (index, memref<f32>) {
      %more = arith.cmpi slt, %i, %c4 : index
      scf.condition(%more) %i, %acc : index, memref<f32>
    } do {
    ^bb0(%i: index, %acc: memref<f32>):
      %v = memref.load %k[%i] : memref<4xi64>
      %ok = arith.cmpi slt, %v, %c4i : i64
      cf.assert %ok, "node 'g' (nn.gather): expects indices along axis 0 in [-size, size - 1], found one outside"
      %next = arith.addi %i, %c1 : index
      scf.yield %next, %acc : index, memref<f32>
    }
    memref.copy %r#1, %s : memref<f32> to memref<f32>
    return
  }
}

// -----

// A run-time allocation (dynamic sizes) at the top level is guarded: before
// it, its byte size (4 bytes x 4 x N here) must stay within 2^62 unless a
// size is 0; after it, the pointer must not be NULL (unless the buffer is
// empty); an empty buffer's dims, counting 0 as 1, must multiply to at
// most 2^31, as an input's (the loops over it still run over its other
// dims). The checks name the node from the location and become error
// returns like any other. A static allocation gets no check.
// CHECK-DAG: llvm.mlir.global internal constant @kiln_check_2("node 'Tile_1': could not allocate a run-time buffer of type memref<?x4xf32>: out of memory\00")
// CHECK-DAG: llvm.mlir.global internal constant @kiln_check_1("node 'Tile_1': could not allocate a run-time buffer of type memref<?x4xf32>: it is empty, but its dims, counting 0 as 1, multiply past 2^31 (the loops over it would still run that often)\00")
// CHECK-DAG: llvm.mlir.global internal constant @kiln_check_0("node 'Tile_1': could not allocate a run-time buffer of type memref<?x4xf32>: its size is over 2^62 bytes\00")
// CHECK-LABEL: func.func @model(
// CHECK: memref.alloc() : memref<4xf32>
// CHECK-NOT: cf.cond_br
// CHECK: arith.constant 4611686018427387904 : i64
// CHECK: arith.divsi
// CHECK: arith.constant 2147483648 : i64
// CHECK: cf.cond_br %{{.*}}, ^[[A:bb[0-9]+]](%{{.*}}), ^[[FAIL:bb[0-9]+]](%{{.*}} : !llvm.ptr)
// CHECK: ^[[A]](%{{.*}}):
// CHECK: cf.cond_br %{{.*}}, ^[[B:bb[0-9]+]](%{{.*}}), ^[[FAIL]](%{{.*}} : !llvm.ptr)
// CHECK: ^[[B]](%{{.*}}):
// CHECK: %[[Z:.*]] = memref.alloc(%{{.*}}) : memref<?x4xf32>
// CHECK-NEXT: %[[P:.*]] = memref.extract_aligned_pointer_as_index %[[Z]]
// CHECK: arith.cmpi ne
// CHECK: cf.cond_br %{{.*}}, ^{{bb[0-9]+}}, ^[[FAIL]](%{{.*}} : !llvm.ptr)
// CHECK: return %[[Z]], %{{.*}} : memref<?x4xf32>, i32
module attributes {kiln.abi = {entries = [{name = "model", function = @model, workspace = 0,
    inputs = [{name = "x", dtype = "f32", shape = ["N", 4]}],
    outputs = [{name = "z", dtype = "f32", shape = ["N", 4]}]}]}} {
  func.func @model(%x: memref<?x4xf32>) -> memref<?x4xf32> {
    %c0 = arith.constant 0 : index
    %n = memref.dim %x, %c0 : memref<?x4xf32>
    %s = memref.alloc() : memref<4xf32>
    %z = memref.alloc(%n) : memref<?x4xf32> loc("Tile_1")
    memref.copy %x, %z : memref<?x4xf32> to memref<?x4xf32>
    return %z : memref<?x4xf32>
  }
}

// -----

// A run-time allocation in a loop body gets the same two checks, recorded
// like any nested check; an oversized buffer is allocated empty, and the
// rest of the body runs only when both checks pass (else the iter_args pass
// through, and the run fails after the loop with the recorded message).
// CHECK-DAG: llvm.mlir.global internal constant @kiln_check_{{[0-9]+}}("node 'fill_1': could not allocate a run-time buffer of type memref<?xf32>: out of memory\00")
// CHECK-DAG: llvm.mlir.global internal constant @kiln_check_{{[0-9]+}}("node 'fill_1': could not allocate a run-time buffer of type memref<?xf32>: its size is over 2^62 bytes\00")
// CHECK-LABEL: func.func @model(
// CHECK: scf.for %{{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (f32) {
// CHECK: scf.if
// CHECK: %[[SIZE:.*]] = arith.select %[[FITS:[^,]*]], %{{.*}}, %{{.*}} : index
// CHECK: %[[B:.*]] = memref.alloc(%[[SIZE]]) : memref<?xf32>
// CHECK: memref.extract_aligned_pointer_as_index %[[B]]
// CHECK: %[[HAS:.*]] = arith.ori
// CHECK: scf.if
// CHECK: %[[GO:.*]] = arith.andi %[[FITS]], %[[HAS]] : i1
// CHECK: %[[R:.*]] = scf.if %[[GO]] -> (f32) {
// CHECK: memref.store %{{.*}}, %[[B]]
// CHECK: scf.yield %{{.*}} : f32
// CHECK: } else {
// CHECK: scf.yield %[[ACC]] : f32
// CHECK: scf.yield %[[R]] : f32
// CHECK: cf.cond_br
module attributes {kiln.abi = {entries = [{name = "model", function = @model, workspace = 0,
    inputs = [{name = "s", dtype = "i64", shape = []}],
    outputs = [{name = "y", dtype = "f32", shape = []}]}]}} {
  func.func @model(%s: memref<i64>, %y: memref<f32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c3 = arith.constant 3 : index
    %one = arith.constant 1.0 : f32
    %zero = arith.constant 0.0 : f32
    %r = scf.for %i = %c0 to %c3 step %c1 iter_args(%acc = %zero) -> (f32) {
      %v = memref.load %s[] : memref<i64>
      %n = arith.index_cast %v : i64 to index
      %b = memref.alloc(%n) : memref<?xf32> loc("fill_1")
      memref.store %one, %b[%c0] : memref<?xf32>
      %x = memref.load %b[%c0] : memref<?xf32>
      %sum = arith.addf %acc, %x : f32
      scf.yield %sum : f32
    }
    memref.store %r, %y[] : memref<f32>
    return
  }
}
