// A model whose inputs and outputs hold no elements compiles: such buffers
// are passed as one pointer each, which the code never reads through, and the
// output's dims are still written after the input's.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(kiln-cpu-pipeline)' | FileCheck %s
// CHECK-LABEL: llvm.func internal @model(
// CHECK-DAG: %[[THREE:.*]] = llvm.mlir.constant(3 : i64) : i64
// CHECK-DAG: %[[ZERO:.*]] = llvm.mlir.constant(0 : i64) : i64
// CHECK: %[[D2:.*]] = llvm.getelementptr %{{.*}}[2] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK: llvm.store %[[THREE]], %[[D2]]
// CHECK: %[[D3:.*]] = llvm.getelementptr %{{.*}}[3] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK: llvm.store %[[ZERO]], %[[D3]]
// CHECK: kiln_signature_text("kiln-model 4\0Acpu-features\0Aentry model\0Ainput x f32 [3,0]\0Aoutput y f32 [3,0]
func.func @model(%x: tensor<3x0xf32> {kiln.name = "x"}) -> tensor<3x0xf32> attributes {kiln.result_names = ["y"]} {
  return %x : tensor<3x0xf32>
}
