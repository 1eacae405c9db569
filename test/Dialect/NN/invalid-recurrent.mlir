// RUN: kiln-opt %s --split-input-file --verify-diagnostics

// Verifier messages of nn.lstm, nn.gru and nn.rnn (ops-semantic.mlir has the
// valid forms).

// The direction is one of three words.
func.func @direction(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>) {
  // expected-error @+1 {{'nn.rnn' op expects direction 'forward', 'reverse' or 'bidirectional', found 'backward'}}
  %y, %h = nn.rnn %x, %w, %r {activation_alpha = array<f64: 0.0>, activation_beta = array<f64: 0.0>, activations = ["tanh"], direction = "backward", hidden_size = 4 : i64}
      : (tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

// hidden_size is at least 1.
func.func @hidden(%x: tensor<5x2x3xf32>, %w: tensor<1x0x3xf32>, %r: tensor<1x0x0xf32>) {
  // expected-error @+1 {{'nn.rnn' op expects hidden_size >= 1, found 0}}
  %y, %h = nn.rnn %x, %w, %r {activation_alpha = array<f64: 0.0>, activation_beta = array<f64: 0.0>, activations = ["tanh"], direction = "forward", hidden_size = 0 : i64}
      : (tensor<5x2x3xf32>, tensor<1x0x3xf32>, tensor<1x0x0xf32>) -> (tensor<5x1x2x0xf32>, tensor<1x2x0xf32>)
  return
}

// -----

// x is [seq, batch, input].
func.func @x_rank(%x: tensor<5x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>) {
  // expected-error @+1 {{'nn.rnn' op expects x of rank 3 [seq, batch, input], found 5x3}}
  %y, %h = nn.rnn %x, %w, %r {activation_alpha = array<f64: 0.0>, activation_beta = array<f64: 0.0>, activations = ["tanh"], direction = "forward", hidden_size = 4 : i64}
      : (tensor<5x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

// An LSTM's w holds four gates per direction.
func.func @lstm_w(%x: tensor<5x2x3xf32>, %w: tensor<1x12x3xf32>, %r: tensor<1x16x4xf32>) {
  // expected-error @+1 {{'nn.lstm' op expects w of shape 1x16x3 f32, found 1x12x3 f32}}
  %y, %h, %c = nn.lstm %x, %w, %r {activation_alpha = array<f64: 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0>, activations = ["sigmoid", "tanh", "tanh"], direction = "forward", hidden_size = 4 : i64, input_forget = false}
      : (tensor<5x2x3xf32>, tensor<1x12x3xf32>, tensor<1x16x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

// A bidirectional layer has two directions of weights.
func.func @gru_dirs(%x: tensor<5x2x3xf32>, %w: tensor<1x12x3xf32>, %r: tensor<1x12x4xf32>) {
  // expected-error @+1 {{'nn.gru' op expects w of shape 2x12x3 f32, found 1x12x3 f32}}
  %y, %h = nn.gru %x, %w, %r {activation_alpha = array<f64: 0.0, 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0, 0.0>, activations = ["sigmoid", "tanh", "sigmoid", "tanh"], direction = "bidirectional", hidden_size = 4 : i64, linear_before_reset = false}
      : (tensor<5x2x3xf32>, tensor<1x12x3xf32>, tensor<1x12x4xf32>) -> (tensor<5x2x2x4xf32>, tensor<2x2x4xf32>)
  return
}

// -----

// sequence_lens has one length per batch entry.
func.func @lens(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>, %l: tensor<3xi32>) {
  // expected-error @+1 {{'nn.rnn' op expects sequence_lens of shape 2 i32 or i64, found 3 i32}}
  %y, %h = nn.rnn %x, %w, %r lengths %l {activation_alpha = array<f64: 0.0>, activation_beta = array<f64: 0.0>, activations = ["tanh"], direction = "forward", hidden_size = 4 : i64}
      : (tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>, tensor<3xi32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

// Peepholes are [D, 3*H].
func.func @peepholes(%x: tensor<5x2x3xf32>, %w: tensor<1x16x3xf32>, %r: tensor<1x16x4xf32>, %p: tensor<1x4xf32>) {
  // expected-error @+1 {{'nn.lstm' op expects p of shape 1x12 f32, found 1x4 f32}}
  %y, %h, %c = nn.lstm %x, %w, %r peepholes %p {activation_alpha = array<f64: 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0>, activations = ["sigmoid", "tanh", "tanh"], direction = "forward", hidden_size = 4 : i64, input_forget = false}
      : (tensor<5x2x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32>, tensor<1x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

// A GRU has two activations per direction.
func.func @act_count(%x: tensor<5x2x3xf32>, %w: tensor<1x12x3xf32>, %r: tensor<1x12x4xf32>) {
  // expected-error @+1 {{'nn.gru' op expects 2 activations (2 per direction), found 3}}
  %y, %h = nn.gru %x, %w, %r {activation_alpha = array<f64: 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0>, activations = ["sigmoid", "tanh", "tanh"], direction = "forward", hidden_size = 4 : i64, linear_before_reset = false}
      : (tensor<5x2x3xf32>, tensor<1x12x3xf32>, tensor<1x12x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

// Activation names are nn's spelling.
func.func @act_name(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>) {
  // expected-error @+1 {{'nn.rnn' op expects activations among sigmoid, tanh, relu, affine, leaky_relu, thresholded_relu, scaled_tanh, hard_sigmoid, elu, softsign, softplus, found 'Tanh'}}
  %y, %h = nn.rnn %x, %w, %r {activation_alpha = array<f64: 0.0>, activation_beta = array<f64: 0.0>, activations = ["Tanh"], direction = "forward", hidden_size = 4 : i64}
      : (tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

// One alpha and one beta per activation.
func.func @alphas(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>) {
  // expected-error @+1 {{'nn.rnn' op expects one activation_alpha and one activation_beta per activation (1), found 2 and 1}}
  %y, %h = nn.rnn %x, %w, %r {activation_alpha = array<f64: 0.0, 1.0>, activation_beta = array<f64: 0.0>, activations = ["tanh"], direction = "forward", hidden_size = 4 : i64}
      : (tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

// clip is a positive threshold.
func.func @clip(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>) {
  // expected-error @+1 {{'nn.rnn' op expects a positive clip, found -1}}
  %y, %h = nn.rnn %x, %w, %r {activation_alpha = array<f64: 0.0>, activation_beta = array<f64: 0.0>, activations = ["tanh"], clip = -1.0 : f64, direction = "forward", hidden_size = 4 : i64}
      : (tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

// The stated result types must be the inferred ones.
func.func @result(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>) {
  // expected-error @+1 {{'nn.rnn' op expects result type 'tensor<5x1x2x4xf32>', 'tensor<1x2x4xf32>' (inferred from the operands and attributes), found 'tensor<5x2x4xf32>', 'tensor<1x2x4xf32>'}}
  %y, %h = nn.rnn %x, %w, %r {activation_alpha = array<f64: 0.0>, activation_beta = array<f64: 0.0>, activations = ["tanh"], direction = "forward", hidden_size = 4 : i64}
      : (tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>) -> (tensor<5x2x4xf32>, tensor<1x2x4xf32>)
  return
}
