// Recurrent gradient rules (backpropagation through time), checked by
// test/e2e/gradcheck.py. seq 3-4, batch 2, input 3, hidden 2-3.
// gradcheck: lstm_lens_input lens=int:0:4
// gradcheck: rnn_relu_bidirectional_lens lens=int:0:5

// LSTM forward, every operand and every result.
func.func @lstm_forward(%x: tensor<3x2x3xf64> {kiln.name = "x"}, %w: tensor<1x8x3xf64> {kiln.name = "w"}, %r: tensor<1x8x2xf64> {kiln.name = "r"}, %b: tensor<1x16xf64> {kiln.name = "b"}, %h0: tensor<1x2x2xf64> {kiln.name = "h0"}, %c0: tensor<1x2x2xf64> {kiln.name = "c0"}) -> (tensor<3x1x2x2xf64>, tensor<1x2x2xf64>, tensor<1x2x2xf64>) {
  %y, %y_h, %y_c = nn.lstm %x, %w, %r bias %b initial_h %h0 initial_c %c0 {activation_alpha = array<f64: 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0>, activations = ["sigmoid", "tanh", "tanh"], direction = "forward", hidden_size = 2 : i64, input_forget = false} : (tensor<3x2x3xf64>, tensor<1x8x3xf64>, tensor<1x8x2xf64>, tensor<1x16xf64>, tensor<1x2x2xf64>, tensor<1x2x2xf64>) -> (tensor<3x1x2x2xf64>, tensor<1x2x2xf64>, tensor<1x2x2xf64>)
  return %y, %y_h, %y_c : tensor<3x1x2x2xf64>, tensor<1x2x2xf64>, tensor<1x2x2xf64>
}

// Bidirectional with constant lengths (one shorter than seq), no bias, only y.
func.func @lstm_bidirectional_lens(%x: tensor<4x2x3xf64> {kiln.name = "x"}, %w: tensor<2x8x3xf64> {kiln.name = "w"}, %r: tensor<2x8x2xf64> {kiln.name = "r"}, %h0: tensor<2x2x2xf64> {kiln.name = "h0"}) -> tensor<4x2x2x2xf64> {
  %lens = nn.constant dense<[4, 2]> : tensor<2xi32>
  %y, %y_h, %y_c = nn.lstm %x, %w, %r lengths %lens initial_h %h0 {activation_alpha = array<f64: 0.0, 0.0, 0.0, 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0, 0.0, 0.0, 0.0>, activations = ["sigmoid", "tanh", "tanh", "sigmoid", "tanh", "tanh"], direction = "bidirectional", hidden_size = 2 : i64, input_forget = false} : (tensor<4x2x3xf64>, tensor<2x8x3xf64>, tensor<2x8x2xf64>, tensor<2xi32>, tensor<2x2x2xf64>) -> (tensor<4x2x2x2xf64>, tensor<2x2x2xf64>, tensor<2x2x2xf64>)
  return %y : tensor<4x2x2x2xf64>
}

// Reverse with lengths given at run time (0 included), y_h and y_c only.
func.func @lstm_lens_input(%x: tensor<3x2x3xf64> {kiln.name = "x"}, %w: tensor<1x8x3xf64> {kiln.name = "w"}, %r: tensor<1x8x2xf64> {kiln.name = "r"}, %b: tensor<1x16xf64> {kiln.name = "b"}, %lens: tensor<2xi64> {kiln.name = "lens"}, %c0: tensor<1x2x2xf64> {kiln.name = "c0"}) -> (tensor<1x2x2xf64>, tensor<1x2x2xf64>) {
  %y, %y_h, %y_c = nn.lstm %x, %w, %r bias %b lengths %lens initial_c %c0 {activation_alpha = array<f64: 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0>, activations = ["sigmoid", "tanh", "tanh"], direction = "reverse", hidden_size = 2 : i64, input_forget = false} : (tensor<3x2x3xf64>, tensor<1x8x3xf64>, tensor<1x8x2xf64>, tensor<1x16xf64>, tensor<2xi64>, tensor<1x2x2xf64>) -> (tensor<3x1x2x2xf64>, tensor<1x2x2xf64>, tensor<1x2x2xf64>)
  return %y_h, %y_c : tensor<1x2x2xf64>, tensor<1x2x2xf64>
}

// Reverse with peepholes and a coupled forget gate.
func.func @lstm_reverse_peepholes(%x: tensor<3x2x3xf64> {kiln.name = "x"}, %w: tensor<1x8x3xf64> {kiln.name = "w"}, %r: tensor<1x8x2xf64> {kiln.name = "r"}, %b: tensor<1x16xf64> {kiln.name = "b"}, %h0: tensor<1x2x2xf64> {kiln.name = "h0"}, %c0: tensor<1x2x2xf64> {kiln.name = "c0"}, %p: tensor<1x6xf64> {kiln.name = "p"}) -> (tensor<3x1x2x2xf64>, tensor<1x2x2xf64>) {
  %y, %y_h, %y_c = nn.lstm %x, %w, %r bias %b initial_h %h0 initial_c %c0 peepholes %p {activation_alpha = array<f64: 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0>, activations = ["sigmoid", "tanh", "tanh"], direction = "reverse", hidden_size = 2 : i64, input_forget = true} : (tensor<3x2x3xf64>, tensor<1x8x3xf64>, tensor<1x8x2xf64>, tensor<1x16xf64>, tensor<1x2x2xf64>, tensor<1x2x2xf64>, tensor<1x6xf64>) -> (tensor<3x1x2x2xf64>, tensor<1x2x2xf64>, tensor<1x2x2xf64>)
  return %y, %y_c : tensor<3x1x2x2xf64>, tensor<1x2x2xf64>
}

// Bidirectional with peepholes and lengths.
func.func @lstm_bidirectional_peepholes(%x: tensor<3x2x3xf64> {kiln.name = "x"}, %w: tensor<2x8x3xf64> {kiln.name = "w"}, %r: tensor<2x8x2xf64> {kiln.name = "r"}, %b: tensor<2x16xf64> {kiln.name = "b"}, %c0: tensor<2x2x2xf64> {kiln.name = "c0"}, %p: tensor<2x6xf64> {kiln.name = "p"}) -> (tensor<3x2x2x2xf64>, tensor<2x2x2xf64>, tensor<2x2x2xf64>) {
  %lens = nn.constant dense<[2, 3]> : tensor<2xi64>
  %y, %y_h, %y_c = nn.lstm %x, %w, %r bias %b lengths %lens initial_c %c0 peepholes %p {activation_alpha = array<f64: 0.0, 0.0, 0.0, 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0, 0.0, 0.0, 0.0>, activations = ["sigmoid", "tanh", "tanh", "sigmoid", "tanh", "tanh"], direction = "bidirectional", hidden_size = 2 : i64, input_forget = false} : (tensor<3x2x3xf64>, tensor<2x8x3xf64>, tensor<2x8x2xf64>, tensor<2x16xf64>, tensor<2xi64>, tensor<2x2x2xf64>, tensor<2x6xf64>) -> (tensor<3x2x2x2xf64>, tensor<2x2x2xf64>, tensor<2x2x2xf64>)
  return %y, %y_h, %y_c : tensor<3x2x2x2xf64>, tensor<2x2x2xf64>, tensor<2x2x2xf64>
}

// GRU, linear_before_reset 0, forward.
func.func @gru_forward(%x: tensor<3x2x3xf64> {kiln.name = "x"}, %w: tensor<1x9x3xf64> {kiln.name = "w"}, %r: tensor<1x9x3xf64> {kiln.name = "r"}, %b: tensor<1x18xf64> {kiln.name = "b"}, %h0: tensor<1x2x3xf64> {kiln.name = "h0"}) -> (tensor<3x1x2x3xf64>, tensor<1x2x3xf64>) {
  %y, %y_h = nn.gru %x, %w, %r bias %b initial_h %h0 {activation_alpha = array<f64: 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0>, activations = ["sigmoid", "tanh"], direction = "forward", hidden_size = 3 : i64, linear_before_reset = false} : (tensor<3x2x3xf64>, tensor<1x9x3xf64>, tensor<1x9x3xf64>, tensor<1x18xf64>, tensor<1x2x3xf64>) -> (tensor<3x1x2x3xf64>, tensor<1x2x3xf64>)
  return %y, %y_h : tensor<3x1x2x3xf64>, tensor<1x2x3xf64>
}

// GRU, linear_before_reset 1, reverse, y_h only.
func.func @gru_lbr_reverse(%x: tensor<4x2x3xf64> {kiln.name = "x"}, %w: tensor<1x9x3xf64> {kiln.name = "w"}, %r: tensor<1x9x3xf64> {kiln.name = "r"}, %b: tensor<1x18xf64> {kiln.name = "b"}, %h0: tensor<1x2x3xf64> {kiln.name = "h0"}) -> tensor<1x2x3xf64> {
  %y, %y_h = nn.gru %x, %w, %r bias %b initial_h %h0 {activation_alpha = array<f64: 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0>, activations = ["sigmoid", "tanh"], direction = "reverse", hidden_size = 3 : i64, linear_before_reset = true} : (tensor<4x2x3xf64>, tensor<1x9x3xf64>, tensor<1x9x3xf64>, tensor<1x18xf64>, tensor<1x2x3xf64>) -> (tensor<4x1x2x3xf64>, tensor<1x2x3xf64>)
  return %y_h : tensor<1x2x3xf64>
}

// GRU bidirectional with lengths, both linear_before_reset values.
func.func @gru_bidirectional_lens(%x: tensor<4x2x3xf64> {kiln.name = "x"}, %w: tensor<2x9x3xf64> {kiln.name = "w"}, %r: tensor<2x9x3xf64> {kiln.name = "r"}, %b: tensor<2x18xf64> {kiln.name = "b"}, %h0: tensor<2x2x3xf64> {kiln.name = "h0"}) -> (tensor<4x2x2x3xf64>, tensor<2x2x3xf64>, tensor<4x2x2x3xf64>) {
  %lens = nn.constant dense<[3, 4]> : tensor<2xi32>
  %y, %y_h = nn.gru %x, %w, %r bias %b lengths %lens initial_h %h0 {activation_alpha = array<f64: 0.0, 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0, 0.0>, activations = ["sigmoid", "tanh", "sigmoid", "tanh"], direction = "bidirectional", hidden_size = 3 : i64, linear_before_reset = false} : (tensor<4x2x3xf64>, tensor<2x9x3xf64>, tensor<2x9x3xf64>, tensor<2x18xf64>, tensor<2xi32>, tensor<2x2x3xf64>) -> (tensor<4x2x2x3xf64>, tensor<2x2x3xf64>)
  %y2, %y_h2 = nn.gru %x, %w, %r bias %b lengths %lens {activation_alpha = array<f64: 0.0, 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0, 0.0>, activations = ["sigmoid", "tanh", "sigmoid", "tanh"], direction = "bidirectional", hidden_size = 3 : i64, linear_before_reset = true} : (tensor<4x2x3xf64>, tensor<2x9x3xf64>, tensor<2x9x3xf64>, tensor<2x18xf64>, tensor<2xi32>) -> (tensor<4x2x2x3xf64>, tensor<2x2x3xf64>)
  return %y, %y_h, %y2 : tensor<4x2x2x3xf64>, tensor<2x2x3xf64>, tensor<4x2x2x3xf64>
}

// RNN, tanh, forward, without bias.
func.func @rnn_forward(%x: tensor<4x2x3xf64> {kiln.name = "x"}, %w: tensor<1x3x3xf64> {kiln.name = "w"}, %r: tensor<1x3x3xf64> {kiln.name = "r"}, %h0: tensor<1x2x3xf64> {kiln.name = "h0"}) -> (tensor<4x1x2x3xf64>, tensor<1x2x3xf64>) {
  %y, %y_h = nn.rnn %x, %w, %r initial_h %h0 {activation_alpha = array<f64: 0.0>, activation_beta = array<f64: 0.0>, activations = ["tanh"], direction = "forward", hidden_size = 3 : i64} : (tensor<4x2x3xf64>, tensor<1x3x3xf64>, tensor<1x3x3xf64>, tensor<1x2x3xf64>) -> (tensor<4x1x2x3xf64>, tensor<1x2x3xf64>)
  return %y, %y_h : tensor<4x1x2x3xf64>, tensor<1x2x3xf64>
}

// RNN, relu (torch's nonlinearity='relu'), bidirectional, lengths at run time.
func.func @rnn_relu_bidirectional_lens(%x: tensor<4x2x3xf64> {kiln.name = "x"}, %w: tensor<2x3x3xf64> {kiln.name = "w"}, %r: tensor<2x3x3xf64> {kiln.name = "r"}, %b: tensor<2x6xf64> {kiln.name = "b"}, %lens: tensor<2xi32> {kiln.name = "lens"}, %h0: tensor<2x2x3xf64> {kiln.name = "h0"}) -> (tensor<4x2x2x3xf64>, tensor<2x2x3xf64>) {
  %y, %y_h = nn.rnn %x, %w, %r bias %b lengths %lens initial_h %h0 {activation_alpha = array<f64: 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0>, activations = ["relu", "relu"], direction = "bidirectional", hidden_size = 3 : i64} : (tensor<4x2x3xf64>, tensor<2x3x3xf64>, tensor<2x3x3xf64>, tensor<2x6xf64>, tensor<2xi32>, tensor<2x2x3xf64>) -> (tensor<4x2x2x3xf64>, tensor<2x2x3xf64>)
  return %y, %y_h : tensor<4x2x2x3xf64>, tensor<2x2x3xf64>
}

// The other activations, with their alpha and beta: RNN (derivatives from y).
func.func @rnn_leaky_affine(%x: tensor<3x2x3xf64> {kiln.name = "x"}, %w: tensor<2x3x3xf64> {kiln.name = "w"}, %r: tensor<2x3x3xf64> {kiln.name = "r"}, %b: tensor<2x6xf64> {kiln.name = "b"}) -> (tensor<3x2x2x3xf64>, tensor<2x2x3xf64>) {
  %y, %y_h = nn.rnn %x, %w, %r bias %b {activation_alpha = array<f64: 0.1, 0.7>, activation_beta = array<f64: 0.0, 0.2>, activations = ["leaky_relu", "affine"], direction = "bidirectional", hidden_size = 3 : i64} : (tensor<3x2x3xf64>, tensor<2x3x3xf64>, tensor<2x3x3xf64>, tensor<2x6xf64>) -> (tensor<3x2x2x3xf64>, tensor<2x2x3xf64>)
  return %y, %y_h : tensor<3x2x2x3xf64>, tensor<2x2x3xf64>
}

func.func @rnn_thresholded_softplus(%x: tensor<3x2x3xf64> {kiln.name = "x"}, %w: tensor<2x3x3xf64> {kiln.name = "w"}, %r: tensor<2x3x3xf64> {kiln.name = "r"}, %b: tensor<2x6xf64> {kiln.name = "b"}) -> tensor<3x2x2x3xf64> {
  %y, %y_h = nn.rnn %x, %w, %r bias %b {activation_alpha = array<f64: 0.1, 0.0>, activation_beta = array<f64: 0.0, 0.0>, activations = ["thresholded_relu", "softplus"], direction = "bidirectional", hidden_size = 3 : i64} : (tensor<3x2x3xf64>, tensor<2x3x3xf64>, tensor<2x3x3xf64>, tensor<2x6xf64>) -> (tensor<3x2x2x3xf64>, tensor<2x2x3xf64>)
  return %y : tensor<3x2x2x3xf64>
}

// GRU and LSTM (activations recomputed): hard_sigmoid gates, softsign, elu, scaled_tanh.
func.func @gru_hard_sigmoid_softsign(%x: tensor<3x2x3xf64> {kiln.name = "x"}, %w: tensor<1x9x3xf64> {kiln.name = "w"}, %r: tensor<1x9x3xf64> {kiln.name = "r"}, %b: tensor<1x18xf64> {kiln.name = "b"}, %h0: tensor<1x2x3xf64> {kiln.name = "h0"}) -> (tensor<3x1x2x3xf64>, tensor<1x2x3xf64>) {
  %y, %y_h = nn.gru %x, %w, %r bias %b initial_h %h0 {activation_alpha = array<f64: 0.3, 0.0>, activation_beta = array<f64: 0.5, 0.0>, activations = ["hard_sigmoid", "softsign"], direction = "forward", hidden_size = 3 : i64, linear_before_reset = true} : (tensor<3x2x3xf64>, tensor<1x9x3xf64>, tensor<1x9x3xf64>, tensor<1x18xf64>, tensor<1x2x3xf64>) -> (tensor<3x1x2x3xf64>, tensor<1x2x3xf64>)
  return %y, %y_h : tensor<3x1x2x3xf64>, tensor<1x2x3xf64>
}

func.func @lstm_elu_scaled_tanh(%x: tensor<3x2x3xf64> {kiln.name = "x"}, %w: tensor<1x8x3xf64> {kiln.name = "w"}, %r: tensor<1x8x2xf64> {kiln.name = "r"}, %b: tensor<1x16xf64> {kiln.name = "b"}, %c0: tensor<1x2x2xf64> {kiln.name = "c0"}) -> (tensor<3x1x2x2xf64>, tensor<1x2x2xf64>) {
  %y, %y_h, %y_c = nn.lstm %x, %w, %r bias %b initial_c %c0 {activation_alpha = array<f64: 0.3, 1.0, 0.8>, activation_beta = array<f64: 0.5, 0.0, 1.2>, activations = ["hard_sigmoid", "elu", "scaled_tanh"], direction = "forward", hidden_size = 2 : i64, input_forget = false} : (tensor<3x2x3xf64>, tensor<1x8x3xf64>, tensor<1x8x2xf64>, tensor<1x16xf64>, tensor<1x2x2xf64>) -> (tensor<3x1x2x2xf64>, tensor<1x2x2xf64>, tensor<1x2x2xf64>)
  return %y, %y_c : tensor<3x1x2x2xf64>, tensor<1x2x2xf64>
}

// Constant (frozen) weights: the rules keep trans_b for them (the CPU
// weight-layout pass transposes constants at compile time).
func.func @gru_lstm_constant_weights(%x: tensor<3x2x3xf64> {kiln.name = "x"}, %h0: tensor<1x2x3xf64> {kiln.name = "h0"}) -> (tensor<3x1x2x3xf64>, tensor<3x1x2x2xf64>) {
  %w = nn.constant dense<[[[0.250, 0.794, 0.551], [-0.550, -0.400, 0.747], [-0.989, 0.642, 0.594], [-0.064, -0.394, -0.443], [-0.490, -0.110, 0.009], [0.107, 0.991, 0.585], [0.244, 0.978, -0.569], [-0.680, 0.225, -0.912], [-0.929, 0.030, -0.068]]]> : tensor<1x9x3xf64>
  %r = nn.constant dense<[[[0.834, 0.258, 0.028], [-0.006, -0.505, -0.976], [-0.615, 0.384, -0.599], [-0.261, -0.993, 0.660], [-0.691, -0.465, 0.761], [0.020, 0.694, 0.279], [0.484, -0.817, 0.082], [0.016, 0.743, -0.277], [0.196, -0.881, -0.225]]]> : tensor<1x9x3xf64>
  %w8 = nn.constant dense<[[[-0.354, -0.700, 0.633], [-0.241, 0.957, 0.180], [0.210, 0.276, 0.353], [-0.698, -0.119, -0.521], [-0.195, -0.807, 0.936], [-0.570, 0.344, -0.399], [0.748, 0.324, -0.737], [0.690, 0.890, 0.808]]]> : tensor<1x8x3xf64>
  %r8 = nn.constant dense<[[[0.139, -0.709], [-0.615, 0.856], [0.105, -0.639], [0.768, 0.283], [0.139, -0.247], [-0.178, -0.521], [-0.924, 0.752], [-0.065, 0.095]]]> : tensor<1x8x2xf64>
  %y, %y_h = nn.gru %x, %w, %r initial_h %h0 {activation_alpha = array<f64: 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0>, activations = ["sigmoid", "tanh"], direction = "forward", hidden_size = 3 : i64, linear_before_reset = false} : (tensor<3x2x3xf64>, tensor<1x9x3xf64>, tensor<1x9x3xf64>, tensor<1x2x3xf64>) -> (tensor<3x1x2x3xf64>, tensor<1x2x3xf64>)
  %y2, %y_h2, %y_c2 = nn.lstm %x, %w8, %r8 {activation_alpha = array<f64: 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0>, activations = ["sigmoid", "tanh", "tanh"], direction = "reverse", hidden_size = 2 : i64, input_forget = false} : (tensor<3x2x3xf64>, tensor<1x8x3xf64>, tensor<1x8x2xf64>) -> (tensor<3x1x2x2xf64>, tensor<1x2x2xf64>, tensor<1x2x2xf64>)
  return %y, %y2 : tensor<3x1x2x3xf64>, tensor<3x1x2x2xf64>
}

// clip: every activation's input clamped to [-clip, clip] (the LSTM's h(c)
// included); the gradient stops where the clamp is active.
func.func @lstm_clip_peepholes(%x: tensor<3x2x3xf64> {kiln.name = "x"}, %w: tensor<2x8x3xf64> {kiln.name = "w"}, %r: tensor<2x8x2xf64> {kiln.name = "r"}, %b: tensor<2x16xf64> {kiln.name = "b"}, %c0: tensor<2x2x2xf64> {kiln.name = "c0"}, %p: tensor<2x6xf64> {kiln.name = "p"}) -> (tensor<3x2x2x2xf64>, tensor<2x2x2xf64>) {
  %y, %y_h, %y_c = nn.lstm %x, %w, %r bias %b initial_c %c0 peepholes %p {activation_alpha = array<f64: 0.0, 0.0, 0.0, 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0, 0.0, 0.0, 0.0>, activations = ["sigmoid", "tanh", "tanh", "sigmoid", "tanh", "tanh"], clip = 0.7 : f64, direction = "bidirectional", hidden_size = 2 : i64, input_forget = false} : (tensor<3x2x3xf64>, tensor<2x8x3xf64>, tensor<2x8x2xf64>, tensor<2x16xf64>, tensor<2x2x2xf64>, tensor<2x6xf64>) -> (tensor<3x2x2x2xf64>, tensor<2x2x2xf64>, tensor<2x2x2xf64>)
  return %y, %y_c : tensor<3x2x2x2xf64>, tensor<2x2x2xf64>
}

func.func @gru_clip(%x: tensor<3x2x3xf64> {kiln.name = "x"}, %w: tensor<2x9x3xf64> {kiln.name = "w"}, %r: tensor<2x9x3xf64> {kiln.name = "r"}, %b: tensor<2x18xf64> {kiln.name = "b"}, %h0: tensor<2x2x3xf64> {kiln.name = "h0"}) -> (tensor<3x2x2x3xf64>, tensor<3x2x2x3xf64>) {
  %y, %y_h = nn.gru %x, %w, %r bias %b initial_h %h0 {activation_alpha = array<f64: 0.0, 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0, 0.0>, activations = ["sigmoid", "tanh", "sigmoid", "tanh"], clip = 0.6 : f64, direction = "bidirectional", hidden_size = 3 : i64, linear_before_reset = false} : (tensor<3x2x3xf64>, tensor<2x9x3xf64>, tensor<2x9x3xf64>, tensor<2x18xf64>, tensor<2x2x3xf64>) -> (tensor<3x2x2x3xf64>, tensor<2x2x3xf64>)
  %y2, %y_h2 = nn.gru %x, %w, %r bias %b initial_h %h0 {activation_alpha = array<f64: 0.0, 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0, 0.0>, activations = ["sigmoid", "tanh", "sigmoid", "tanh"], clip = 0.6 : f64, direction = "bidirectional", hidden_size = 3 : i64, linear_before_reset = true} : (tensor<3x2x3xf64>, tensor<2x9x3xf64>, tensor<2x9x3xf64>, tensor<2x18xf64>, tensor<2x2x3xf64>) -> (tensor<3x2x2x3xf64>, tensor<2x2x3xf64>)
  return %y, %y2 : tensor<3x2x2x3xf64>, tensor<3x2x2x3xf64>
}

func.func @rnn_clip_lens(%x: tensor<4x2x3xf64> {kiln.name = "x"}, %w: tensor<1x3x3xf64> {kiln.name = "w"}, %r: tensor<1x3x3xf64> {kiln.name = "r"}, %b: tensor<1x6xf64> {kiln.name = "b"}) -> (tensor<4x1x2x3xf64>, tensor<1x2x3xf64>) {
  %lens = nn.constant dense<[3, 4]> : tensor<2xi32>
  %y, %y_h = nn.rnn %x, %w, %r bias %b lengths %lens {activation_alpha = array<f64: 0.0>, activation_beta = array<f64: 0.0>, activations = ["tanh"], clip = 0.5 : f64, direction = "reverse", hidden_size = 3 : i64} : (tensor<4x2x3xf64>, tensor<1x3x3xf64>, tensor<1x3x3xf64>, tensor<1x6xf64>, tensor<2xi32>) -> (tensor<4x1x2x3xf64>, tensor<1x2x3xf64>)
  return %y, %y_h : tensor<4x1x2x3xf64>, tensor<1x2x3xf64>
}
