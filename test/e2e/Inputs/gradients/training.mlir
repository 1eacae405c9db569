// Gradient rules of the training-mode ops (batch norm with the batch's
// statistics, dropout), checked by test/e2e/gradcheck.py.

// The running statistics inputs only reach the running results, which are
// not returned: their gradient is zero.
func.func @batch_norm_training(%x: tensor<4x3x2xf64> {kiln.name = "x"}, %s: tensor<3xf64> {kiln.name = "s"}, %b: tensor<3xf64> {kiln.name = "b"}, %m: tensor<3xf64> {kiln.name = "m"}) -> tensor<4x3x2xf64> {
  %v = nn.constant dense<[1.0, 2.0, 0.5]> : tensor<3xf64>
  %y, %rm, %rv = nn.batch_norm_training %x, %s, %b, %m, %v {epsilon = 1.0e-5 : f64, momentum = 0.9 : f64} : (tensor<4x3x2xf64>, tensor<3xf64>, tensor<3xf64>, tensor<3xf64>, tensor<3xf64>) -> (tensor<4x3x2xf64>, tensor<3xf64>, tensor<3xf64>)
  return %y : tensor<4x3x2xf64>
}

// Rank 2 ([N, C]): the statistics over the batch only.
func.func @batch_norm_training_2d(%x: tensor<5x3xf64> {kiln.name = "x"}, %s: tensor<3xf64> {kiln.name = "s"}, %b: tensor<3xf64> {kiln.name = "b"}) -> tensor<5x3xf64> {
  %m = nn.constant dense<0.0> : tensor<3xf64>
  %v = nn.constant dense<1.0> : tensor<3xf64>
  %y, %rm, %rv = nn.batch_norm_training %x, %s, %b, %m, %v {epsilon = 1.0e-3 : f64, momentum = 0.9 : f64} : (tensor<5x3xf64>, tensor<3xf64>, tensor<3xf64>, tensor<3xf64>, tensor<3xf64>) -> (tensor<5x3xf64>, tensor<3xf64>, tensor<3xf64>)
  return %y : tensor<5x3xf64>
}

// The mask is a function of the seed and the position, so the finite
// differences see the same mask as the gradient.
func.func @dropout(%x: tensor<4x5xf64> {kiln.name = "x"}) -> tensor<4x5xf64> {
  %r = nn.constant dense<0.3> : tensor<f64>
  %y, %mask = nn.dropout %x, %r {seed = 7 : i64} : (tensor<4x5xf64>, tensor<f64>) -> (tensor<4x5xf64>, tensor<4x5xi1>)
  %0 = nn.mul %y, %x : (tensor<4x5xf64>, tensor<4x5xf64>) -> tensor<4x5xf64>
  return %0 : tensor<4x5xf64>
}
