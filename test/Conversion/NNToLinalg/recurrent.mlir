// RUN: kiln-opt %s --nn-decompose --convert-nn-to-linalg --split-input-file | FileCheck %s

// The recurrent layers lower completely through nn-decompose: the
// projection and each step's recurrence are contractions (linalg generics
// with a reduction), the time loop an scf.for.
// CHECK-LABEL: func.func @rnn
// CHECK-NOT: nn.
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: scf.for
// CHECK: scf.for
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: math.tanh
// CHECK-NOT: nn.
// CHECK: return
func.func @rnn(%x: tensor<5x2x3xf32>, %w: tensor<2x4x3xf32>, %r: tensor<2x4x4xf32>)
    -> (tensor<5x2x2x4xf32>, tensor<2x2x4xf32>) {
  %y, %yh = nn.rnn %x, %w, %r {activation_alpha = array<f64: 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0>,
      activations = ["tanh", "tanh"], direction = "bidirectional", hidden_size = 4 : i64}
      : (tensor<5x2x3xf32>, tensor<2x4x3xf32>, tensor<2x4x4xf32>) -> (tensor<5x2x2x4xf32>, tensor<2x2x4xf32>)
  return %y, %yh : tensor<5x2x2x4xf32>, tensor<2x2x4xf32>
}

// -----

// An LSTM with a symbolic batch and sequence: nothing of nn is left.
// CHECK-LABEL: func.func @lstm_dynamic
// CHECK-NOT: nn.
// CHECK: scf.for
// CHECK: math.tanh
// CHECK-NOT: nn.
// CHECK: return
func.func @lstm_dynamic(%x: tensor<?x?x3xf32>, %w: tensor<1x16x3xf32>, %r: tensor<1x16x4xf32>)
    -> (tensor<?x1x?x4xf32>, tensor<1x?x4xf32>, tensor<1x?x4xf32>) {
  %y, %yh, %yc = nn.lstm %x, %w, %r {activation_alpha = array<f64: 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0>,
      activations = ["sigmoid", "tanh", "tanh"], direction = "forward", hidden_size = 4 : i64, input_forget = false}
      : (tensor<?x?x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32>) -> (tensor<?x1x?x4xf32>, tensor<1x?x4xf32>, tensor<1x?x4xf32>)
  return %y, %yh, %yc : tensor<?x1x?x4xf32>, tensor<1x?x4xf32>, tensor<1x?x4xf32>
}

// -----

// gru: both ops reach linalg.
// CHECK-LABEL: func.func @gru
// CHECK-NOT: nn.
// CHECK: return
func.func @gru(%x: tensor<5x2x3xf32>, %w: tensor<1x12x3xf32>, %r: tensor<1x12x4xf32>)
    -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>) {
  %y, %yh = nn.gru %x, %w, %r {activation_alpha = array<f64: 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0>,
      activations = ["sigmoid", "tanh"], direction = "forward", hidden_size = 4 : i64, linear_before_reset = false}
      : (tensor<5x2x3xf32>, tensor<1x12x3xf32>, tensor<1x12x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return %y, %yh : tensor<5x1x2x4xf32>, tensor<1x2x4xf32>
}
