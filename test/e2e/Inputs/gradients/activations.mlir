// Gradient rules of the activations and the other elementwise ops (beyond
// elementwise.mlir), checked by test/e2e/gradcheck.py. Inputs are uniform in
// [-1, 1] unless hinted; scaled copies reach every branch of the piecewise
// ops, and no sample lands within the finite-difference step of a kink.
// gradcheck: inverse_trig x=away:0
// gradcheck: positive_domain x=positive
// gradcheck: pow_both b=positive

func.func @trig(%x: tensor<3x4xf64> {kiln.name = "x"}) -> (tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>) {
  %0 = nn.sin %x : tensor<3x4xf64>
  %1 = nn.cos %x : tensor<3x4xf64>
  %2 = nn.tan %x : tensor<3x4xf64>
  %3 = nn.sinh %x : tensor<3x4xf64>
  %4 = nn.cosh %x : tensor<3x4xf64>
  %5 = nn.erf %x : tensor<3x4xf64>
  return %0, %1, %2, %3, %4, %5 : tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>
}

// asin, acos and atanh on [-0.9, 0.9] (x * 0.9), atan and asinh on [-2, 2].
func.func @inverse_trig(%x: tensor<3x4xf64> {kiln.name = "x"}) -> (tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>) {
  %c = nn.constant dense<0.9> : tensor<f64>
  %s = nn.mul %x, %c : (tensor<3x4xf64>, tensor<f64>) -> tensor<3x4xf64>
  %two = nn.constant dense<2.0> : tensor<f64>
  %w = nn.mul %x, %two : (tensor<3x4xf64>, tensor<f64>) -> tensor<3x4xf64>
  %0 = nn.asin %s : tensor<3x4xf64>
  %1 = nn.acos %s : tensor<3x4xf64>
  %2 = nn.atanh %s : tensor<3x4xf64>
  %3 = nn.atan %w : tensor<3x4xf64>
  %4 = nn.asinh %w : tensor<3x4xf64>
  %5 = nn.abs %x : tensor<3x4xf64>
  return %0, %1, %2, %3, %4, %5 : tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>
}

// acosh on [1.5, 3] (x + 1).
func.func @positive_domain(%x: tensor<3x4xf64> {kiln.name = "x"}) -> tensor<3x4xf64> {
  %one = nn.constant dense<1.0> : tensor<f64>
  %s = nn.add %x, %one : (tensor<3x4xf64>, tensor<f64>) -> tensor<3x4xf64>
  %0 = nn.acosh %s : tensor<3x4xf64>
  return %0 : tensor<3x4xf64>
}

func.func @smooth_activations(%x: tensor<3x4xf64> {kiln.name = "x"}) -> (tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>) {
  %three = nn.constant dense<3.0> : tensor<f64>
  %s = nn.mul %x, %three : (tensor<3x4xf64>, tensor<f64>) -> tensor<3x4xf64>
  %0 = nn.softplus %s : tensor<3x4xf64>
  %1 = nn.softsign %s : tensor<3x4xf64>
  %2 = nn.mish %s : tensor<3x4xf64>
  return %0, %1, %2 : tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>
}

// x * 4 covers both sides of every kink (hard_sigmoid's at -2.5 and 2.5,
// hard_swish's at -3 and 3).
func.func @piecewise_activations(%x: tensor<4x5xf64> {kiln.name = "x"}) -> (tensor<4x5xf64>, tensor<4x5xf64>, tensor<4x5xf64>, tensor<4x5xf64>, tensor<4x5xf64>, tensor<4x5xf64>, tensor<4x5xf64>, tensor<4x5xf64>, tensor<4x5xf64>) {
  %four = nn.constant dense<4.0> : tensor<f64>
  %s = nn.mul %x, %four : (tensor<4x5xf64>, tensor<f64>) -> tensor<4x5xf64>
  %0 = nn.leaky_relu %s {alpha = 0.1 : f64} : tensor<4x5xf64>
  %1 = nn.elu %s {alpha = 0.7 : f64} : tensor<4x5xf64>
  %2 = nn.selu %s {alpha = 1.67 : f64, gamma = 1.05 : f64} : tensor<4x5xf64>
  %3 = nn.celu %s {alpha = 1.5 : f64} : tensor<4x5xf64>
  %4 = nn.hard_sigmoid %s {alpha = 0.2 : f64, beta = 0.5 : f64} : tensor<4x5xf64>
  %5 = nn.hard_swish %s : tensor<4x5xf64>
  %6 = nn.thresholded_relu %s {alpha = 0.5 : f64} : tensor<4x5xf64>
  %7 = nn.shrink %s {lambd = 1.5 : f64, bias = 0.5 : f64} : tensor<4x5xf64>
  %8 = nn.clip %s {min = -2.0 : f64, max = 1.0 : f64} : tensor<4x5xf64>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8 : tensor<4x5xf64>, tensor<4x5xf64>, tensor<4x5xf64>, tensor<4x5xf64>, tensor<4x5xf64>, tensor<4x5xf64>, tensor<4x5xf64>, tensor<4x5xf64>, tensor<4x5xf64>
}

// One-sided clips; floor, ceil, round and sign have a zero gradient.
func.func @clip_one_sided_steps(%x: tensor<3x4xf64> {kiln.name = "x"}) -> (tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>) {
  %0 = nn.clip %x {min = 0.2 : f64} : tensor<3x4xf64>
  %1 = nn.clip %x {max = -0.1 : f64} : tensor<3x4xf64>
  %three = nn.constant dense<3.0> : tensor<f64>
  %s = nn.mul %x, %three : (tensor<3x4xf64>, tensor<f64>) -> tensor<3x4xf64>
  %f = nn.floor %s : tensor<3x4xf64>
  %c = nn.ceil %s : tensor<3x4xf64>
  %r = nn.round %s : tensor<3x4xf64>
  %g = nn.sign %x : tensor<3x4xf64>
  %a = nn.add %f, %c : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %b = nn.add %r, %g : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %2 = nn.mul %a, %b : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  return %0, %1, %2 : tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>
}

// pow of a positive base by a broadcast float exponent, and by an integer
// exponent (no gradient for it).
func.func @pow_both(%b: tensor<2x3xf64> {kiln.name = "b"}, %p: tensor<3xf64> {kiln.name = "p"}, %n: tensor<2x3xi64> {kiln.name = "n"}) -> (tensor<2x3xf64>, tensor<2x3xf64>) {
  %0 = nn.pow %b, %p : (tensor<2x3xf64>, tensor<3xf64>) -> tensor<2x3xf64>
  %1 = nn.pow %b, %n : (tensor<2x3xf64>, tensor<2x3xi64>) -> tensor<2x3xf64>
  return %0, %1 : tensor<2x3xf64>, tensor<2x3xf64>
}
// gradcheck: pow_both n=int:-2:4

// max and min with broadcasting; x against itself is an exact tie, which
// splits the gradient evenly (PyTorch's maximum/minimum).
func.func @max_min(%x: tensor<2x3xf64> {kiln.name = "x"}, %y: tensor<3xf64> {kiln.name = "y"}) -> (tensor<2x3xf64>, tensor<2x3xf64>, tensor<2x3xf64>) {
  %0 = nn.max %x, %y : (tensor<2x3xf64>, tensor<3xf64>) -> tensor<2x3xf64>
  %1 = nn.min %x, %y : (tensor<2x3xf64>, tensor<3xf64>) -> tensor<2x3xf64>
  %t = nn.max %x, %x : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  %u = nn.min %x, %x : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  %2 = nn.mul %t, %u : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  return %0, %1, %2 : tensor<2x3xf64>, tensor<2x3xf64>, tensor<2x3xf64>
}

// prelu with a per-channel slope, where with a broadcast condition and
// branches, and fmod (the divisor kept away from 0).
func.func @prelu_where_mod(%x: tensor<2x3x2xf64> {kiln.name = "x"}, %s: tensor<3x1xf64> {kiln.name = "s"}, %m: tensor<2x1x2xi1> {kiln.name = "m"}, %e: tensor<2xf64> {kiln.name = "e"}, %d: tensor<3x1xf64> {kiln.name = "d"}) -> (tensor<2x3x2xf64>, tensor<2x3x2xf64>, tensor<2x3x2xf64>) {
  %0 = nn.prelu %x, %s : (tensor<2x3x2xf64>, tensor<3x1xf64>) -> tensor<2x3x2xf64>
  %1 = nn.where %m, %x, %e : (tensor<2x1x2xi1>, tensor<2x3x2xf64>, tensor<2xf64>) -> tensor<2x3x2xf64>
  %three = nn.constant dense<3.0> : tensor<f64>
  %big = nn.mul %x, %three : (tensor<2x3x2xf64>, tensor<f64>) -> tensor<2x3x2xf64>
  %2 = nn.mod %big, %d {fmod = true} : (tensor<2x3x2xf64>, tensor<3x1xf64>) -> tensor<2x3x2xf64>
  return %0, %1, %2 : tensor<2x3x2xf64>, tensor<2x3x2xf64>, tensor<2x3x2xf64>
}
// gradcheck: prelu_where_mod d=positive
