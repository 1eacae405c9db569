// Reduction gradient rules, checked by test/e2e/gradcheck.py.
// gradcheck: reduce_prod_zeros x=int:-1:2
// gradcheck: reduce_log_sum x=positive

func.func @reduce_sum_mean(%x: tensor<2x3x4xf64> {kiln.name = "x"}) -> (tensor<2xf64>, tensor<1x3x1xf64>, tensor<2x3xf64>) {
  %0 = nn.reduce_sum %x {axes = array<i64: 1, -1>, keep_dims = false} : (tensor<2x3x4xf64>) -> tensor<2xf64>
  %1 = nn.reduce_mean %x {axes = array<i64: 2, 0>, keep_dims = true} : (tensor<2x3x4xf64>) -> tensor<1x3x1xf64>
  %2 = nn.mul %1, %1 : (tensor<1x3x1xf64>, tensor<1x3x1xf64>) -> tensor<1x3x1xf64>
  %3 = nn.reduce_mean %x {axes = array<i64: -1>, keep_dims = false} : (tensor<2x3x4xf64>) -> tensor<2x3xf64>
  return %0, %2, %3 : tensor<2xf64>, tensor<1x3x1xf64>, tensor<2x3xf64>
}

func.func @reduce_max_min(%x: tensor<3x4xf64> {kiln.name = "x"}) -> (tensor<3xf64>, tensor<1x4xf64>, tensor<f64>) {
  %0 = nn.reduce_max %x {axes = array<i64: 1>, keep_dims = false} : (tensor<3x4xf64>) -> tensor<3xf64>
  %1 = nn.reduce_min %x {axes = array<i64: 0>, keep_dims = true} : (tensor<3x4xf64>) -> tensor<1x4xf64>
  %2 = nn.reduce_max %x {axes = array<i64: 0, 1>, keep_dims = false} : (tensor<3x4xf64>) -> tensor<f64>
  return %0, %1, %2 : tensor<3xf64>, tensor<1x4xf64>, tensor<f64>
}

// Every maximum is tied with its copy: the gradient is split between the two
// and sums back to one (not two) through the concat.
func.func @reduce_max_ties(%x: tensor<2x3xf64> {kiln.name = "x"}) -> tensor<2xf64> {
  %0 = nn.concat %x, %x {axis = 1 : i64} : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x6xf64>
  %1 = nn.reduce_max %0 {axes = array<i64: 1>, keep_dims = false} : (tensor<2x6xf64>) -> tensor<2xf64>
  %2 = nn.mul %1, %1 : (tensor<2xf64>, tensor<2xf64>) -> tensor<2xf64>
  return %2 : tensor<2xf64>
}

func.func @reduce_prod(%x: tensor<3x4xf64> {kiln.name = "x"}) -> (tensor<3xf64>, tensor<1x4xf64>) {
  %0 = nn.reduce_prod %x {axes = array<i64: 1>, keep_dims = false} : (tensor<3x4xf64>) -> tensor<3xf64>
  %1 = nn.reduce_prod %x {axes = array<i64: 0>, keep_dims = true} : (tensor<3x4xf64>) -> tensor<1x4xf64>
  return %0, %1 : tensor<3xf64>, tensor<1x4xf64>
}

// Inputs drawn from {-1, 0, 1}: rows with no zero, one zero and several
// zeros (the gradient at a lone zero is the product of the others).
func.func @reduce_prod_zeros(%x: tensor<8x3xf64> {kiln.name = "x"}) -> tensor<8xf64> {
  %0 = nn.reduce_prod %x {axes = array<i64: 1>, keep_dims = false} : (tensor<8x3xf64>) -> tensor<8xf64>
  return %0 : tensor<8xf64>
}

func.func @reduce_l1_l2_sum_square(%x: tensor<3x4xf64> {kiln.name = "x"}) -> (tensor<3xf64>, tensor<1x4xf64>, tensor<3xf64>, tensor<3x4xf64>) {
  %0 = nn.reduce_l1 %x {axes = array<i64: 1>, keep_dims = false} : (tensor<3x4xf64>) -> tensor<3xf64>
  %1 = nn.reduce_l2 %x {axes = array<i64: 0>, keep_dims = true} : (tensor<3x4xf64>) -> tensor<1x4xf64>
  %2 = nn.reduce_sum_square %x {axes = array<i64: -1>, keep_dims = false} : (tensor<3x4xf64>) -> tensor<3xf64>
  %3 = nn.reduce_sum_square %x {axes = array<i64>, keep_dims = true} : (tensor<3x4xf64>) -> tensor<3x4xf64>
  return %0, %1, %2, %3 : tensor<3xf64>, tensor<1x4xf64>, tensor<3xf64>, tensor<3x4xf64>
}

func.func @reduce_log_sum(%x: tensor<3x4xf64> {kiln.name = "x"}) -> (tensor<3xf64>, tensor<3x4xf64>) {
  %0 = nn.reduce_log_sum %x {axes = array<i64: 1>, keep_dims = false} : (tensor<3x4xf64>) -> tensor<3xf64>
  %1 = nn.reduce_log_sum %x {axes = array<i64>, keep_dims = true} : (tensor<3x4xf64>) -> tensor<3x4xf64>
  return %0, %1 : tensor<3xf64>, tensor<3x4xf64>
}

func.func @reduce_log_sum_exp(%x: tensor<3x4xf64> {kiln.name = "x"}) -> (tensor<3x1xf64>, tensor<f64>) {
  %0 = nn.reduce_log_sum_exp %x {axes = array<i64: 1>, keep_dims = true} : (tensor<3x4xf64>) -> tensor<3x1xf64>
  %1 = nn.reduce_log_sum_exp %x {axes = array<i64: 0, 1>, keep_dims = false} : (tensor<3x4xf64>) -> tensor<f64>
  return %0, %1 : tensor<3x1xf64>, tensor<f64>
}

func.func @cumsum(%x: tensor<3x5xf64> {kiln.name = "x"}) -> (tensor<3x5xf64>, tensor<3x5xf64>, tensor<3x5xf64>) {
  %0 = nn.cumsum %x {axis = 1 : i64, exclusive = false, reverse = false} : (tensor<3x5xf64>) -> tensor<3x5xf64>
  %1 = nn.cumsum %x {axis = -1 : i64, exclusive = true, reverse = false} : (tensor<3x5xf64>) -> tensor<3x5xf64>
  %2 = nn.cumsum %x {axis = 0 : i64, exclusive = true, reverse = true} : (tensor<3x5xf64>) -> tensor<3x5xf64>
  %3 = nn.mul %2, %2 : (tensor<3x5xf64>, tensor<3x5xf64>) -> tensor<3x5xf64>
  return %0, %1, %3 : tensor<3x5xf64>, tensor<3x5xf64>, tensor<3x5xf64>
}
