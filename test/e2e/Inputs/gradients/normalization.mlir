// Gradient rules of softmax, log-softmax and the norms, checked by
// test/e2e/gradcheck.py.
// gradcheck: batch_norm x=away:0 v=positive

func.func @softmax_axes(%x: tensor<2x3x4xf64> {kiln.name = "x"}) -> (tensor<2x3x4xf64>, tensor<2x3x4xf64>, tensor<2x3x4xf64>) {
  %0 = nn.softmax %x {axis = 1 : i64} : (tensor<2x3x4xf64>) -> tensor<2x3x4xf64>
  %1 = nn.log_softmax %x {axis = -1 : i64} : (tensor<2x3x4xf64>) -> tensor<2x3x4xf64>
  %2 = nn.log_softmax %x {axis = 0 : i64} : (tensor<2x3x4xf64>) -> tensor<2x3x4xf64>
  return %0, %1, %2 : tensor<2x3x4xf64>, tensor<2x3x4xf64>, tensor<2x3x4xf64>
}

// Inference batch norm: every operand, the statistics included, gets a
// gradient.
func.func @batch_norm(%x: tensor<2x3x2xf64> {kiln.name = "x"}, %s: tensor<3xf64> {kiln.name = "s"}, %b: tensor<3xf64> {kiln.name = "b"}, %m: tensor<3xf64> {kiln.name = "m"}, %v: tensor<3xf64> {kiln.name = "v"}) -> tensor<2x3x2xf64> {
  %0 = nn.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-5 : f64} : (tensor<2x3x2xf64>, tensor<3xf64>, tensor<3xf64>, tensor<3xf64>, tensor<3xf64>) -> tensor<2x3x2xf64>
  return %0 : tensor<2x3x2xf64>
}

// Layer norm over the last dimension with all three results used (the mean
// and inv_std_dev results carry gradients too).
func.func @layer_norm_last(%x: tensor<2x3x4xf64> {kiln.name = "x"}, %s: tensor<4xf64> {kiln.name = "s"}, %b: tensor<4xf64> {kiln.name = "b"}) -> (tensor<2x3x4xf64>, tensor<2x3x1xf64>, tensor<2x3x1xf64>) {
  %y, %m, %i = nn.layer_norm %x, %s, %b {axis = -1 : i64, epsilon = 1.0e-5 : f64} : (tensor<2x3x4xf64>, tensor<4xf64>, tensor<4xf64>) -> (tensor<2x3x4xf64>, tensor<2x3x1xf64>, tensor<2x3x1xf64>)
  return %y, %m, %i : tensor<2x3x4xf64>, tensor<2x3x1xf64>, tensor<2x3x1xf64>
}

// Layer norm over the last two dimensions, a scale broadcast along one of
// them, no bias.
func.func @layer_norm_two_axes(%x: tensor<2x3x4xf64> {kiln.name = "x"}, %s: tensor<3x1xf64> {kiln.name = "s"}) -> tensor<2x3x4xf64> {
  %y, %m, %i = nn.layer_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f64} : (tensor<2x3x4xf64>, tensor<3x1xf64>) -> (tensor<2x3x4xf64>, tensor<2x1x1xf64>, tensor<2x1x1xf64>)
  return %y : tensor<2x3x4xf64>
}

func.func @instance_norm(%x: tensor<2x3x2x2xf64> {kiln.name = "x"}, %s: tensor<3xf64> {kiln.name = "s"}, %b: tensor<3xf64> {kiln.name = "b"}) -> tensor<2x3x2x2xf64> {
  %0 = nn.instance_norm %x, %s, %b {epsilon = 1.0e-5 : f64} : (tensor<2x3x2x2xf64>, tensor<3xf64>, tensor<3xf64>) -> tensor<2x3x2x2xf64>
  return %0 : tensor<2x3x2x2xf64>
}

// Mean-variance normalization over ONNX's default axes and over one axis.
func.func @mean_variance_norm(%x: tensor<2x3x2x2xf64> {kiln.name = "x"}) -> (tensor<2x3x2x2xf64>, tensor<2x3x2x2xf64>) {
  %0 = nn.mean_variance_norm %x {axes = array<i64: 0, 2, 3>} : (tensor<2x3x2x2xf64>) -> tensor<2x3x2x2xf64>
  %1 = nn.mean_variance_norm %x {axes = array<i64: -1>} : (tensor<2x3x2x2xf64>) -> tensor<2x3x2x2xf64>
  return %0, %1 : tensor<2x3x2x2xf64>, tensor<2x3x2x2xf64>
}

// LRN with an odd and an even window (the even one is lopsided: one channel
// more after than before).
func.func @lrn(%x: tensor<2x5x3xf64> {kiln.name = "x"}) -> (tensor<2x5x3xf64>, tensor<2x5x3xf64>) {
  %0 = nn.lrn %x {size = 3 : i64, alpha = 0.5 : f64, beta = 0.75 : f64, bias = 1.0 : f64} : (tensor<2x5x3xf64>) -> tensor<2x5x3xf64>
  %1 = nn.lrn %x {size = 4 : i64, alpha = 0.3 : f64, beta = 0.6 : f64, bias = 2.0 : f64} : (tensor<2x5x3xf64>) -> tensor<2x5x3xf64>
  return %0, %1 : tensor<2x5x3xf64>, tensor<2x5x3xf64>
}
