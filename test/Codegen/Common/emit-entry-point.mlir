// RUN: kiln-opt %s --kiln-emit-entry-point --split-input-file | FileCheck %s

// Two entries: each gets an exported
// `int32_t kiln_run_<entry>(void **buffers, int64_t *dims, const char **error)`
// that unpacks the buffers (inputs, outputs, then the workspace) into its now
// internal function, passes dims and error on and returns the status; the
// signature text is serialized from kiln.abi; kiln_entry_functions returns the
// run functions in signature order, NULL-terminated.
// CHECK-LABEL: llvm.func internal @forward(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32
// CHECK-LABEL: llvm.func internal @step(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32
// CHECK: llvm.func @kiln_run_infer(%[[B:[^:]*]]: !llvm.ptr, %[[D:[^:]*]]: !llvm.ptr, %[[E:[^:]*]]: !llvm.ptr) -> i32
// CHECK: %[[P0:.*]] = llvm.getelementptr %[[B]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[X:.*]] = llvm.load %[[P0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[P1:.*]] = llvm.getelementptr %[[B]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[Y:.*]] = llvm.load %[[P1]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[S:.*]] = llvm.call @forward(%[[X]], %[[Y]], %[[D]], %[[E]])
// CHECK: llvm.return %[[S]] : i32
// CHECK-LABEL: llvm.func @kiln_run_train_step(
// CHECK: llvm.getelementptr %{{.*}}[3] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: llvm.call @step(
// CHECK: llvm.mlir.global internal constant @kiln_signature_text("kiln-model 4\0Acpu-features\0Aentry infer\0Ainput in%20put f32 [2,3]\0Aoutput y f32 [2,3]\0Aworkspace 0\0Aentry train_step\0Ainput x f32 [2,3]\0Ainput labels i64 [2]\0Aoutput loss f32 []\0Aworkspace 128\0A\00")
// CHECK-LABEL: llvm.func @kiln_entry_signature() -> !llvm.ptr
// CHECK: llvm.mlir.addressof @kiln_signature_text
// CHECK-LABEL: llvm.mlir.global internal constant @kiln_entry_table() {{.*}} : !llvm.array<3 x ptr>
// CHECK: %[[R0:.*]] = llvm.mlir.addressof @kiln_run_infer
// CHECK: llvm.insertvalue %[[R0]], %{{.*}}[0]
// CHECK: %[[R1:.*]] = llvm.mlir.addressof @kiln_run_train_step
// CHECK: llvm.insertvalue %[[R1]], %{{.*}}[1]
// CHECK: %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK: llvm.insertvalue %[[NULL]], %{{.*}}[2]
// CHECK-LABEL: llvm.func @kiln_entry_functions() -> !llvm.ptr
// CHECK: llvm.mlir.addressof @kiln_entry_table
module attributes {kiln.abi = {entries = [
    {name = "infer", function = @forward, workspace = 0,
     inputs = [{name = "in put", dtype = "f32", shape = [2, 3]}],
     outputs = [{name = "y", dtype = "f32", shape = [2, 3]}]},
    {name = "train_step", function = @step, workspace = 128,
     inputs = [{name = "x", dtype = "f32", shape = [2, 3]},
               {name = "labels", dtype = "i64", shape = [2]}],
     outputs = [{name = "loss", dtype = "f32", shape = []}]}]}} {
  llvm.func @forward(%x: !llvm.ptr, %y: !llvm.ptr, %dims: !llvm.ptr, %error: !llvm.ptr) -> i32 {
    %0 = llvm.mlir.constant(0 : i32) : i32
    llvm.return %0 : i32
  }
  llvm.func @step(%x: !llvm.ptr, %labels: !llvm.ptr, %loss: !llvm.ptr, %workspace: !llvm.ptr,
                  %dims: !llvm.ptr, %error: !llvm.ptr) -> i32 {
    %0 = llvm.mlir.constant(0 : i32) : i32
    llvm.return %0 : i32
  }
}

// -----

// A dynamically shaped output is handed over: its function gets the address
// of the output's slot in buffers (no load), and stores a pointer there.
// CHECK: llvm.func @kiln_run_dyn(%[[B:[^:]*]]: !llvm.ptr, %[[D:[^:]*]]: !llvm.ptr, %[[E:[^:]*]]: !llvm.ptr) -> i32
// CHECK: %[[P0:.*]] = llvm.getelementptr %[[B]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[X:.*]] = llvm.load %[[P0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[P1:.*]] = llvm.getelementptr %[[B]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NOT: llvm.load
// CHECK: %[[P2:.*]] = llvm.getelementptr %[[B]][2] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[Z:.*]] = llvm.load %[[P2]] : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call @dyn(%[[X]], %[[P1]], %[[Z]], %[[D]], %[[E]])
// CHECK: kiln-model 4\0Acpu-features\0Aentry dyn\0Ainput x f32 [N,3]\0Aoutput y f32 [N,3]\0Aoutput z f32 [2]
module attributes {kiln.abi = {entries = [
    {name = "dyn", function = @dyn, workspace = 0,
     inputs = [{name = "x", dtype = "f32", shape = ["N", 3]}],
     outputs = [{name = "y", dtype = "f32", shape = ["N", 3]},
                {name = "z", dtype = "f32", shape = [2]}]}]}} {
  llvm.func @dyn(%x: !llvm.ptr, %y: !llvm.ptr, %z: !llvm.ptr, %dims: !llvm.ptr,
                 %error: !llvm.ptr) -> i32 {
    %0 = llvm.mlir.constant(0 : i32) : i32
    llvm.return %0 : i32
  }
}
