// RUN: kiln-opt %s --pass-pipeline='builtin.module(kiln-cpu-pipeline)' | FileCheck %s

// The named CPU pipeline takes nn all the way to the LLVM dialect, with the
// signature text and the C entry points the runtime calls. The intermediate
// relu result lives in the planned workspace, followed by the ABI's dims and
// error pointers; the function returns its status.
// CHECK: module attributes {kiln.abi = {entries = [{function = @model, inputs = [{dtype = "f32", name = "x", shape = [2, 3]}], name = "model", outputs = [{dtype = "f32", name = "output_0", shape = [2, 3]}], unshared = 64 : i64, workspace = 64 : i64}]}}
// CHECK: llvm.func internal @model(%{{.*}}: !llvm.ptr {kiln.name = "x"}, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr {kiln.name = "workspace"}, %{{.*}}: !llvm.ptr {kiln.name = "dims"}, %{{.*}}: !llvm.ptr {kiln.name = "error"}) -> i32
// CHECK-LABEL: llvm.func @kiln_run_model(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32
// CHECK: llvm.call @model
// CHECK: llvm.mlir.global internal constant @kiln_signature_text("kiln-model 4\0Acpu-features\0Aentry model\0Ainput x f32 [2,3]\0Aoutput output_0 f32 [2,3]\0Aworkspace 64\0A\00")
// CHECK-LABEL: llvm.func @kiln_entry_signature() -> !llvm.ptr
// CHECK-LABEL: llvm.func @kiln_entry_functions() -> !llvm.ptr
func.func @model(%x: tensor<2x3xf32> {kiln.name = "x"}) -> tensor<2x3xf32> {
  %0 = nn.relu %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
