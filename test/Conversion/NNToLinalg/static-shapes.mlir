// RUN: kiln-opt %s --convert-nn-to-linalg --verify-diagnostics

// Code generation needs static shapes, and says how to get them.
func.func @dynamic(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{'nn.relu' op expects static shapes for code generation, found 'tensor<?x3xf32>' (specialize symbolic dimensions with --input-shape)}}
  %0 = nn.relu %x : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
