// Elementwise gradient rules, checked by test/e2e/gradcheck.py.
// gradcheck: log_sqrt_reciprocal x=positive
// gradcheck: relu x=away:0

func.func @add_sub_broadcast(%x: tensor<2x3xf64> {kiln.name = "x"}, %b: tensor<3xf64> {kiln.name = "b"}, %c: tensor<2x1xf64> {kiln.name = "c"}) -> tensor<2x3xf64> {
  %0 = nn.add %x, %b : (tensor<2x3xf64>, tensor<3xf64>) -> tensor<2x3xf64>
  %1 = nn.sub %0, %c : (tensor<2x3xf64>, tensor<2x1xf64>) -> tensor<2x3xf64>
  %2 = nn.sub %c, %1 : (tensor<2x1xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  return %2 : tensor<2x3xf64>
}

func.func @mul_div_neg(%x: tensor<2x3xf64> {kiln.name = "x"}, %b: tensor<1x3xf64> {kiln.name = "b"}, %s: tensor<f64> {kiln.name = "s"}) -> tensor<2x3xf64> {
  %0 = nn.mul %x, %b : (tensor<2x3xf64>, tensor<1x3xf64>) -> tensor<2x3xf64>
  %two = nn.constant dense<2.0> : tensor<f64>
  %d = nn.add %s, %two : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %1 = nn.div %0, %d : (tensor<2x3xf64>, tensor<f64>) -> tensor<2x3xf64>
  %2 = nn.neg %1 : tensor<2x3xf64>
  %3 = nn.mul %2, %x : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  return %3 : tensor<2x3xf64>
}

func.func @log_sqrt_reciprocal(%x: tensor<4xf64> {kiln.name = "x"}) -> (tensor<4xf64>, tensor<4xf64>, tensor<4xf64>) {
  %0 = nn.log %x : tensor<4xf64>
  %1 = nn.sqrt %x : tensor<4xf64>
  %2 = nn.reciprocal %x : tensor<4xf64>
  return %0, %1, %2 : tensor<4xf64>, tensor<4xf64>, tensor<4xf64>
}

func.func @exp_tanh_sigmoid(%x: tensor<3x4xf64> {kiln.name = "x"}) -> tensor<3x4xf64> {
  %0 = nn.exp %x : tensor<3x4xf64>
  %1 = nn.tanh %x : tensor<3x4xf64>
  %2 = nn.sigmoid %1 : tensor<3x4xf64>
  %3 = nn.mul %0, %2 : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  return %3 : tensor<3x4xf64>
}

func.func @relu(%x: tensor<2x5xf64> {kiln.name = "x"}) -> tensor<2x5xf64> {
  %0 = nn.relu %x : tensor<2x5xf64>
  %1 = nn.mul %0, %x : (tensor<2x5xf64>, tensor<2x5xf64>) -> tensor<2x5xf64>
  return %1 : tensor<2x5xf64>
}
