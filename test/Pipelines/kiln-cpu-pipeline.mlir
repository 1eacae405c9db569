// RUN: kiln-opt %s --pass-pipeline='builtin.module(kiln-cpu-pipeline)' | FileCheck %s

// The named CPU pipeline takes nn all the way to the LLVM dialect, with the
// signature text and the C entry points the runtime calls. The intermediate
// relu result lives in the planned workspace, the last argument.
// CHECK: llvm.func internal @model(%{{.*}}: !llvm.ptr {kiln.name = "x"}, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr {kiln.name = "workspace"})
// CHECK: llvm.mlir.global internal constant @kiln_signature_text("kiln-model 1\0Ainput x f32 2x3\0Aoutput output_0 f32 2x3\0Aworkspace 64\0A\00")
// CHECK-LABEL: llvm.func @kiln_entry_signature() -> !llvm.ptr
// CHECK-LABEL: llvm.func @kiln_entry_run(%{{.*}}: !llvm.ptr)
// CHECK: llvm.call @model
func.func @model(%x: tensor<2x3xf32> {kiln.name = "x"}) -> tensor<2x3xf32> {
  %0 = nn.relu %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
