// RUN: kiln-opt %s --pass-pipeline='builtin.module(kiln-cpu-pipeline)' | FileCheck %s

// Every public function is an entry point of one artifact (inference now; a
// training step or parameter init later): each is planned on its own and gets
// its own kiln_run_<entry>, and the signature lists both, the first (here
// renamed by kiln.entry_name) being the runtime's default entry.
// CHECK: module attributes {kiln.abi = {entries = [{function = @model, inputs = [{dtype = "f32", name = "x", shape = [2, 3]}], name = "infer", outputs = [{dtype = "f32", name = "output_0", shape = [2, 3]}], unshared = 64 : i64, workspace = 64 : i64}, {function = @double, inputs = [{dtype = "f32", name = "x", shape = [4]}], name = "double", outputs = [{dtype = "f32", name = "y", shape = [4]}], unshared = 64 : i64, workspace = 64 : i64}]}}
// CHECK-DAG: llvm.func internal @model(
// CHECK-DAG: llvm.func internal @double(
// CHECK-LABEL: llvm.func @kiln_run_infer(
// CHECK: llvm.call @model(
// CHECK-LABEL: llvm.func @kiln_run_double(
// CHECK: llvm.call @double(
// CHECK: @kiln_signature_text("kiln-model 4\0Acpu-features\0Aentry infer\0Ainput x f32 [2,3]\0Aoutput output_0 f32 [2,3]\0Aworkspace 64\0Aentry double\0Ainput x f32 [4]\0Aoutput y f32 [4]\0Aworkspace 64\0A\00")
// CHECK-LABEL: llvm.func @kiln_entry_signature()
// CHECK: !llvm.array<3 x ptr>
// CHECK-LABEL: llvm.func @kiln_entry_functions()
func.func @model(%x: tensor<2x3xf32> {kiln.name = "x"}) -> tensor<2x3xf32> attributes {kiln.entry_name = "infer"} {
  %0 = nn.relu %x : tensor<2x3xf32>
  %1 = nn.relu %0 : tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}
func.func @double(%x: tensor<4xf32> {kiln.name = "x"}) -> tensor<4xf32> attributes {kiln.result_names = ["y"]} {
  %0 = nn.add %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
