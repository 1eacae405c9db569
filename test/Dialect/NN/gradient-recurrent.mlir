// RUN: kiln-opt %s --nn-generate-gradient --split-input-file --verify-diagnostics | FileCheck %s

// Backpropagation through time: a recomputation loop for the LSTM's cell
// state, then a reverse loop whose step multiplies by R; the weight
// gradients are gemms over every step at once.
// CHECK-LABEL: func.func @lstm_grad(
// CHECK: nn.lstm
// CHECK: scf.for
// CHECK: scf.for
// CHECK: nn.gemm
// CHECK: scf.yield
// CHECK: nn.gemm %{{.*}}, %{{.*}} {alpha = 1.000000e+00 : f64, beta = 1.000000e+00 : f64, trans_a = true, trans_b = false} : (tensor<6x8xf32>, tensor<6x3xf32>) -> tensor<8x3xf32>
func.func @lstm(%x: tensor<3x2x3xf32>, %w: tensor<1x8x3xf32>, %r: tensor<1x8x2xf32>) -> tensor<3x1x2x2xf32> {
  %y, %y_h, %y_c = nn.lstm %x, %w, %r {activation_alpha = array<f64: 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0>, activations = ["sigmoid", "tanh", "tanh"], direction = "forward", hidden_size = 2 : i64, input_forget = false} : (tensor<3x2x3xf32>, tensor<1x8x3xf32>, tensor<1x8x2xf32>) -> (tensor<3x1x2x2xf32>, tensor<1x2x2xf32>, tensor<1x2x2xf32>)
  return %y : tensor<3x1x2x2xf32>
}

// -----

func.func @leaky(%x: tensor<3x2x3xf32>, %w: tensor<1x3x3xf32>, %r: tensor<1x3x3xf32>) -> tensor<1x2x3xf32> {
  // expected-error @+1 {{'nn.rnn' op expects a positive alpha for leaky_relu in a gradient, found 0}}
  %y, %y_h = nn.rnn %x, %w, %r {activation_alpha = array<f64: 0.0>, activation_beta = array<f64: 0.0>, activations = ["leaky_relu"], direction = "forward", hidden_size = 3 : i64} : (tensor<3x2x3xf32>, tensor<1x3x3xf32>, tensor<1x3x3xf32>) -> (tensor<3x1x2x3xf32>, tensor<1x2x3xf32>)
  return %y_h : tensor<1x2x3xf32>
}

// -----

func.func @elu(%x: tensor<3x2x3xf32>, %w: tensor<1x9x3xf32>, %r: tensor<1x9x3xf32>) -> tensor<1x2x3xf32> {
  // expected-error @+1 {{'nn.gru' op expects a non-negative alpha for elu in a gradient, found -1}}
  %y, %y_h = nn.gru %x, %w, %r {activation_alpha = array<f64: 0.0, -1.0>, activation_beta = array<f64: 0.0, 0.0>, activations = ["sigmoid", "elu"], direction = "forward", hidden_size = 3 : i64, linear_before_reset = false} : (tensor<3x2x3xf32>, tensor<1x9x3xf32>, tensor<1x9x3xf32>) -> (tensor<3x1x2x3xf32>, tensor<1x2x3xf32>)
  return %y_h : tensor<1x2x3xf32>
}

// -----

// Only the input is trained: no gradient code for the constant weights
// (their gradients would be the gemms with trans_a).
// CHECK-LABEL: func.func @frozen_grad(
// CHECK-NOT: trans_a = true
// CHECK: return
func.func @frozen(%x: tensor<3x2x3xf32>) -> tensor<1x2x3xf32> {
  %w = nn.constant dense<0.5> : tensor<1x3x3xf32>
  %r = nn.constant dense<0.25> : tensor<1x3x3xf32>
  %y, %y_h = nn.rnn %x, %w, %r {activation_alpha = array<f64: 0.0>, activation_beta = array<f64: 0.0>, activations = ["tanh"], direction = "forward", hidden_size = 3 : i64} : (tensor<3x2x3xf32>, tensor<1x3x3xf32>, tensor<1x3x3xf32>) -> (tensor<3x1x2x3xf32>, tensor<1x2x3xf32>)
  return %y_h : tensor<1x2x3xf32>
}
