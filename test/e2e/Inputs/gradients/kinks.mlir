// Elementwise ops at their kinks, bounds and ties, where finite differences
// cannot tell one subgradient from another: test/e2e/gradient_kinks.py runs
// @kinks_grad at the points it lists and compares with PyTorch's autograd.
func.func @kinks(%relu: tensor<8xf64> {kiln.name = "relu"}, %leaky: tensor<8xf64> {kiln.name = "leaky_relu"},
                 %elu: tensor<8xf64> {kiln.name = "elu"}, %selu: tensor<8xf64> {kiln.name = "selu"},
                 %celu: tensor<8xf64> {kiln.name = "celu"}, %hsig: tensor<8xf64> {kiln.name = "hard_sigmoid"},
                 %hsw: tensor<8xf64> {kiln.name = "hard_swish"}, %thr: tensor<8xf64> {kiln.name = "thresholded_relu"},
                 %hshr: tensor<8xf64> {kiln.name = "hardshrink"}, %sshr: tensor<8xf64> {kiln.name = "softshrink"},
                 %clip: tensor<8xf64> {kiln.name = "clip"}, %abs: tensor<8xf64> {kiln.name = "abs"},
                 %px: tensor<8xf64> {kiln.name = "prelu_x"}, %ps: tensor<1xf64> {kiln.name = "prelu_slope"},
                 %ma: tensor<8xf64> {kiln.name = "max_a"}, %mb: tensor<8xf64> {kiln.name = "max_b"},
                 %na: tensor<8xf64> {kiln.name = "min_a"}, %nb: tensor<8xf64> {kiln.name = "min_b"},
                 %pb: tensor<8xf64> {kiln.name = "pow_base"}, %pe: tensor<8xf64> {kiln.name = "pow_exp"},
                 %fa: tensor<8xf64> {kiln.name = "fmod_a"}, %fb: tensor<8xf64> {kiln.name = "fmod_b"},
                 %st: tensor<8xf64> {kiln.name = "steps"})
    -> (tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>) {
  %0 = nn.relu %relu : tensor<8xf64>
  %1 = nn.leaky_relu %leaky {alpha = 0.1 : f64} : tensor<8xf64>
  %2 = nn.elu %elu {alpha = 0.7 : f64} : tensor<8xf64>
  %3 = nn.selu %selu {alpha = 1.6732632423543772 : f64, gamma = 1.0507009873554805 : f64} : tensor<8xf64>
  %4 = nn.celu %celu {alpha = 1.5 : f64} : tensor<8xf64>
  %5 = nn.hard_sigmoid %hsig {alpha = 0.16666666666666666 : f64, beta = 0.5 : f64} : tensor<8xf64>
  %6 = nn.hard_swish %hsw : tensor<8xf64>
  %7 = nn.thresholded_relu %thr {alpha = 1.0 : f64} : tensor<8xf64>
  %8 = nn.shrink %hshr {lambd = 0.5 : f64, bias = 0.0 : f64} : tensor<8xf64>
  %9 = nn.shrink %sshr {lambd = 0.5 : f64, bias = 0.5 : f64} : tensor<8xf64>
  %10 = nn.clip %clip {min = -1.0 : f64, max = 1.0 : f64} : tensor<8xf64>
  %11 = nn.abs %abs : tensor<8xf64>
  %12 = nn.prelu %px, %ps : (tensor<8xf64>, tensor<1xf64>) -> tensor<8xf64>
  %13 = nn.max %ma, %mb : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
  %14 = nn.min %na, %nb : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
  %15 = nn.pow %pb, %pe : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
  %16 = nn.mod %fa, %fb {fmod = true} : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
  %f = nn.floor %st : tensor<8xf64>
  %c = nn.ceil %st : tensor<8xf64>
  %r = nn.round %st : tensor<8xf64>
  %s = nn.sign %st : tensor<8xf64>
  %a = nn.add %f, %c : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
  %b = nn.add %r, %s : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
  %17 = nn.add %a, %b : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17 : tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>
}
