// RUN: kiln-opt %s --nn-decompose --split-input-file --verify-diagnostics

// Decompositions that build reshapes or constant index tables need static
// shapes; an op that cannot be decomposed is reported.
func.func @lrn_dynamic(%x: tensor<?x8x4x4xf32>) -> tensor<?x8x4x4xf32> {
  // expected-error @+1 {{'nn.lrn' op expects static shapes to be decomposed into primitive nn ops, found 'tensor<?x8x4x4xf32>'}}
  %y = nn.lrn %x {size = 3 : i64, alpha = 1.0e-4 : f64, beta = 0.75 : f64, bias = 1.0 : f64}
      : (tensor<?x8x4x4xf32>) -> tensor<?x8x4x4xf32>
  return %y : tensor<?x8x4x4xf32>
}
