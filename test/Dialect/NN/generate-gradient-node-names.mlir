// RUN: not kiln-opt %s --nn-generate-gradient 2>&1 | FileCheck %s

// Ops imported from ONNX carry their node's name (a name location): the
// missing-rule error names the nodes, each op name once.
// CHECK: error: {{.*}}expects a gradient rule for every op between the differentiated values and the outputs, found none for: nn.det (nodes 'Det_1', 'Det_2')
func.func @named(%x: tensor<2x2x2x2xf32>) -> tensor<2x2xf32> {
  %0 = nn.det %x : (tensor<2x2x2x2xf32>) -> tensor<2x2xf32> loc("Det_1")
  %1 = nn.det %x : (tensor<2x2x2x2xf32>) -> tensor<2x2xf32> loc("Det_2")
  %2 = nn.add %0, %1 : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %2 : tensor<2x2xf32>
}
