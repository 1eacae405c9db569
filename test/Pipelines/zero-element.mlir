// A model whose inputs or outputs hold no elements is refused with the name
// of each such value (the C calling convention has no layout for them).
// RUN: not kiln-opt %s --pass-pipeline='builtin.module(kiln-cpu-pipeline)' 2>&1 | FileCheck %s
// CHECK: error: expects the model's input 'x' to have elements (zero-element inputs and outputs are not supported), found 'tensor<3x0xf32>'
// CHECK: error: expects the model's output 'y' to have elements
func.func @model(%x: tensor<3x0xf32> {kiln.name = "x"}) -> tensor<3x0xf32> attributes {kiln.result_names = ["y"]} {
  return %x : tensor<3x0xf32>
}
