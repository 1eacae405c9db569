// Gradient rules of the losses, checked by test/e2e/gradcheck.py. Targets
// are random class indices; some fall outside [0, C) (the loss clamps them)
// or hit ignore_index.
// gradcheck: sce_mean t=int:0:5
// gradcheck: sce_spatial_ignore t=int:0:4
// gradcheck: sce_sum_none t=int:0:5
// gradcheck: nll_ignore t=int:-1:5
// gradcheck: nll_weights t=int:0:4 w=positive
// gradcheck: sce_weights t=int:0:4 w=positive

func.func @sce_mean(%s: tensor<4x5xf64> {kiln.name = "s"}, %t: tensor<4xi64> {kiln.name = "t"}) -> tensor<f64> {
  %l, %p = nn.softmax_cross_entropy %s, %t {reduction = "mean"} : (tensor<4x5xf64>, tensor<4xi64>) -> (tensor<f64>, tensor<4x5xf64>)
  return %l : tensor<f64>
}

// [N, C, d] scores, constant class weights, ignore_index, and the log_prob
// result used as well.
func.func @sce_spatial_ignore(%s: tensor<3x4x2xf64> {kiln.name = "s"}, %t: tensor<3x2xi64> {kiln.name = "t"}) -> (tensor<f64>, tensor<3x4x2xf64>) {
  %w = nn.constant dense<[0.5, 1.0, 2.0, 1.5]> : tensor<4xf64>
  %l, %p = nn.softmax_cross_entropy %s, %t, %w {reduction = "mean", ignore_index = 1 : i64} : (tensor<3x4x2xf64>, tensor<3x2xi64>, tensor<4xf64>) -> (tensor<f64>, tensor<3x4x2xf64>)
  return %l, %p : tensor<f64>, tensor<3x4x2xf64>
}

// Sum and none reductions, an i32 target.
func.func @sce_sum_none(%s: tensor<6x5xf64> {kiln.name = "s"}, %t: tensor<6xi32> {kiln.name = "t"}) -> (tensor<f64>, tensor<6xf64>) {
  %l, %p = nn.softmax_cross_entropy %s, %t {reduction = "sum"} : (tensor<6x5xf64>, tensor<6xi32>) -> (tensor<f64>, tensor<6x5xf64>)
  %n, %q = nn.softmax_cross_entropy %s, %t {reduction = "none", ignore_index = 2 : i64} : (tensor<6x5xf64>, tensor<6xi32>) -> (tensor<6xf64>, tensor<6x5xf64>)
  return %l, %n : tensor<f64>, tensor<6xf64>
}

// Targets in [-1, 5) against 5 classes, -1 ignored, under every reduction
// (a target outside [0, C) that is not ignore_index is a run-time error).
func.func @nll_ignore(%x: tensor<6x5xf64> {kiln.name = "x"}, %t: tensor<6xi64> {kiln.name = "t"}) -> (tensor<f64>, tensor<6xf64>, tensor<f64>) {
  %0 = nn.nll_loss %x, %t {reduction = "mean", ignore_index = -1 : i64} : (tensor<6x5xf64>, tensor<6xi64>) -> tensor<f64>
  %1 = nn.nll_loss %x, %t {reduction = "none", ignore_index = -1 : i64} : (tensor<6x5xf64>, tensor<6xi64>) -> tensor<6xf64>
  %2 = nn.nll_loss %x, %t {reduction = "sum", ignore_index = -1 : i64} : (tensor<6x5xf64>, tensor<6xi64>) -> tensor<f64>
  return %0, %1, %2 : tensor<f64>, tensor<6xf64>, tensor<f64>
}

// The class weights as a differentiated input, under every reduction
// (mean's denominator depends on them too).
func.func @nll_weights(%x: tensor<5x4x2xf64> {kiln.name = "x"}, %t: tensor<5x2xi64> {kiln.name = "t"}, %w: tensor<4xf64> {kiln.name = "w"}) -> (tensor<f64>, tensor<f64>, tensor<5x2xf64>) {
  %0 = nn.nll_loss %x, %t, %w {reduction = "mean", ignore_index = 3 : i64} : (tensor<5x4x2xf64>, tensor<5x2xi64>, tensor<4xf64>) -> tensor<f64>
  %1 = nn.nll_loss %x, %t, %w {reduction = "sum"} : (tensor<5x4x2xf64>, tensor<5x2xi64>, tensor<4xf64>) -> tensor<f64>
  %2 = nn.nll_loss %x, %t, %w {reduction = "none"} : (tensor<5x4x2xf64>, tensor<5x2xi64>, tensor<4xf64>) -> tensor<5x2xf64>
  return %0, %1, %2 : tensor<f64>, tensor<f64>, tensor<5x2xf64>
}

func.func @sce_weights(%s: tensor<6x4xf64> {kiln.name = "s"}, %t: tensor<6xi64> {kiln.name = "t"}, %w: tensor<4xf64> {kiln.name = "w"}) -> tensor<f64> {
  %l, %p = nn.softmax_cross_entropy %s, %t, %w {reduction = "mean"} : (tensor<6x4xf64>, tensor<6xi64>, tensor<4xf64>) -> (tensor<f64>, tensor<6x4xf64>)
  return %l : tensor<f64>
}
