// A model whose inputs or outputs hold no elements is refused with the name
// of each such value (the C calling convention has no layout for them).
// RUN: not kiln-opt %s --pass-pipeline='builtin.module(kiln-cpu-pipeline)' 2>&1 | FileCheck %s
// CHECK: error: the model's input 'x' has no elements ('tensor<3x0xf32>'); zero-element inputs and outputs are not supported
// CHECK: error: the model's output 'y' has no elements ('tensor<3x0xf32>')
func.func @model(%x: tensor<3x0xf32> {kiln.name = "x"}) -> tensor<3x0xf32> attributes {kiln.result_names = ["y"]} {
  return %x : tensor<3x0xf32>
}
