// RUN: kiln-opt %s --nn-generate-gradient --split-input-file --verify-diagnostics | FileCheck %s

// The gradient function takes a seed per float result and returns the
// gradient of every float argument; a value used twice sums its adjoints, and
// a broadcast operand's gradient is reduced back to its shape.
// CHECK-LABEL: func.func @f_grad(
// CHECK-SAME: %[[X:.*]]: tensor<2x3xf32> {kiln.name = "x"}, %[[B:.*]]: tensor<3xf32> {kiln.name = "b"}, %[[DY:.*]]: tensor<2x3xf32> {kiln.name = "d_y"})
// CHECK-SAME: attributes {kiln.entry_name = "fwd_grad", kiln.result_names = ["y", "d_x", "d_b"]}
// CHECK: %[[Y:.*]] = nn.mul %[[X]], %[[B]]
// CHECK: %[[DX1:.*]] = nn.mul %[[DY]], %[[B]]
// CHECK: %[[DB:.*]] = nn.mul %[[DY]], %[[X]]
// CHECK: %[[DBR:.*]] = nn.reduce_sum %[[DB]] {axes = array<i64: 0>, keep_dims = false}
// CHECK: %[[DX:.*]] = nn.add %[[DY]], %[[DX1]]
// CHECK: return %{{.*}}, %[[DX]], %[[DBR]]
func.func @f(%x: tensor<2x3xf32> {kiln.name = "x"}, %b: tensor<3xf32> {kiln.name = "b"}) -> tensor<2x3xf32> attributes {kiln.entry_name = "fwd", kiln.result_names = ["y"]} {
  %0 = nn.mul %x, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = nn.add %0, %x : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// An argument the result does not depend on gets zeros; integer arguments
// get no gradient.
// CHECK-LABEL: func.func @g_grad(
// CHECK-SAME: -> (tensor<4xf32>, tensor<4xf32>, tensor<2xf32>)
// CHECK: %[[Z:.*]] = nn.constant dense<0.000000e+00> : tensor<2xf32>
// CHECK: return %{{.*}}, %{{.*}}, %[[Z]]
func.func @g(%x: tensor<4xf32>, %unused: tensor<2xf32>, %i: tensor<4xi64>) -> tensor<4xf32> {
  %0 = nn.neg %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Every op without a rule is listed once, in one error.
func.func @h(%x: tensor<2x2x2x2xf32>, %g: tensor<2x2x2x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{expects a gradient rule for every op between the differentiated values and the outputs, found none for: nn.det, nn.grid_sample}}
  %0 = nn.det %x : (tensor<2x2x2x2xf32>) -> tensor<2x2xf32>
  %1 = nn.grid_sample %x, %g {mode = "bilinear", padding_mode = "zeros", align_corners = false} : (tensor<2x2x2x2xf32>, tensor<2x2x2x2xf32>) -> tensor<2x2x2x2xf32>
  %2 = nn.det %1 : (tensor<2x2x2x2xf32>) -> tensor<2x2xf32>
  %3 = nn.add %0, %2 : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %3 : tensor<2x2xf32>
}

// -----

func.func @d(%x: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{'nn.neg' op expects static shapes for differentiation, found 'tensor<?xf32>'}}
  %0 = nn.neg %x : tensor<?xf32>
  return %0 : tensor<?xf32>
}
