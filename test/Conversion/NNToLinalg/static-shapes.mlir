// RUN: kiln-opt %s --convert-nn-to-linalg --split-input-file --verify-diagnostics

// A few lowerings need sizes at compile time that a dynamic dimension hides
// (docs/lowering-choices.md), and say how to get them.
func.func @tile_dynamic(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{'nn.tile' op expects static sizes here for code generation, found 'tensor<?x3xf32>' (specialize symbolic dimensions with --input-shape)}}
  %0 = nn.tile %x {repeats = array<i64: 2, 1>} : (tensor<?x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

func.func @nll_classes(%x: tensor<2x?xf32>, %t: tensor<2xi64>) -> tensor<f32> {
  // expected-error @+1 {{'nn.nll_loss' op expects static sizes here for code generation, found 'tensor<2x?xf32>', 'tensor<2xi64>' (specialize symbolic dimensions with --input-shape)}}
  %0 = nn.nll_loss %x, %t {reduction = "mean"} : (tensor<2x?xf32>, tensor<2xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}
