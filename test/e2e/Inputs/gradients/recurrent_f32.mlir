// The f32 twin of recurrent.mlir's @lstm_bidirectional_peepholes (training runs
// f32): gradients_recurrent.test compares the two gradients.
func.func @lstm_f32(%x: tensor<3x2x3xf32> {kiln.name = "x"}, %w: tensor<2x8x3xf32> {kiln.name = "w"}, %r: tensor<2x8x2xf32> {kiln.name = "r"}, %b: tensor<2x16xf32> {kiln.name = "b"}, %c0: tensor<2x2x2xf32> {kiln.name = "c0"}, %p: tensor<2x6xf32> {kiln.name = "p"}) -> (tensor<3x2x2x2xf32>, tensor<2x2x2xf32>, tensor<2x2x2xf32>) {
  %lens = nn.constant dense<[2, 3]> : tensor<2xi64>
  %y, %y_h, %y_c = nn.lstm %x, %w, %r bias %b lengths %lens initial_c %c0 peepholes %p {activation_alpha = array<f64: 0.0, 0.0, 0.0, 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0, 0.0, 0.0, 0.0>, activations = ["sigmoid", "tanh", "tanh", "sigmoid", "tanh", "tanh"], direction = "bidirectional", hidden_size = 2 : i64, input_forget = false} : (tensor<3x2x3xf32>, tensor<2x8x3xf32>, tensor<2x8x2xf32>, tensor<2x16xf32>, tensor<2xi64>, tensor<2x2x2xf32>, tensor<2x6xf32>) -> (tensor<3x2x2x2xf32>, tensor<2x2x2xf32>, tensor<2x2x2xf32>)
  return %y, %y_h, %y_c : tensor<3x2x2x2xf32>, tensor<2x2x2xf32>, tensor<2x2x2xf32>
}
