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
