// Checked by test/e2e/gradients_contraction.test (kiln-opt --nn-generate-gradient --split-input-file --verify-diagnostics, FileCheck).

// A letter summed in the differentiated operand only is broadcast back by
// nn.expand after the einsum of the others and the seed.
// CHECK-LABEL: func.func @sum_grad(
// CHECK: nn.einsum %{{.*}}, %{{.*}} {equation = "jk,i->ij"}
// CHECK: %[[B:.*]] = nn.einsum %{{.*}}, %{{.*}} {equation = "ij,i->j"}
// CHECK: %[[R:.*]] = nn.reshape %[[B]] : (tensor<4xf32>) -> tensor<4x1xf32>
// CHECK: nn.expand %[[R]] {shape = array<i64: 4, 2>}
func.func @sum(%a: tensor<3x4xf32>, %b: tensor<4x2xf32>) -> tensor<3xf32> {
  %0 = nn.einsum %a, %b {equation = "ij,jk->i"} : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// A diagonal of a differentiated operand is refused.
func.func @diagonal(%a: tensor<3x3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'nn.einsum' op expects distinct indices in differentiated operand 0 ('ii'), found 'i' repeated (a diagonal)}}
  %0 = nn.einsum %a {equation = "ii->i"} : (tensor<3x3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
