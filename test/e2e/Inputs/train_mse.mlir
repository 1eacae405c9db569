// A hand-written training artifact with the mse loss (see train_linear.mlir):
// linear regression pred = x w + c (x: 8x2, w: 2x1, c: 1, float targets
// t: 8x1) trained by plain SGD (lr 0.1) with the gradient written out:
// dpred = 2 (pred - t) / 8, dw = x^T dpred, dc = sum of dpred. eval's
// per-sample loss is the mean of (pred - t)^2 over the non-batch dims.
module attributes {kiln.training = {loss = "mse", label = "t", source = "unused.onnx",
    state = [{name = "w", kind = "parameter"}, {name = "c", kind = "parameter"}]}} {

func.func @init() -> (tensor<2x1xf32>, tensor<1xf32>)
    attributes {kiln.result_names = ["w", "c"]} {
  %w = nn.constant dense<[[0.5], [-0.5]]> : tensor<2x1xf32>
  %c = nn.constant dense<[0.0]> : tensor<1xf32>
  return %w, %c : tensor<2x1xf32>, tensor<1xf32>
}

func.func @train_step(%w: tensor<2x1xf32> {kiln.name = "w"}, %c: tensor<1xf32> {kiln.name = "c"},
                      %x: tensor<8x2xf32> {kiln.name = "x"}, %t: tensor<8x1xf32> {kiln.name = "t"})
    -> (tensor<f32>, tensor<2x1xf32>, tensor<1xf32>)
    attributes {kiln.result_names = ["loss", "w", "c"]} {
  %xw = nn.matmul %x, %w : (tensor<8x2xf32>, tensor<2x1xf32>) -> tensor<8x1xf32>
  %pred = nn.add %xw, %c : (tensor<8x1xf32>, tensor<1xf32>) -> tensor<8x1xf32>
  %r = nn.sub %pred, %t : (tensor<8x1xf32>, tensor<8x1xf32>) -> tensor<8x1xf32>
  %sq = nn.mul %r, %r : (tensor<8x1xf32>, tensor<8x1xf32>) -> tensor<8x1xf32>
  %loss = nn.reduce_mean %sq {axes = array<i64: 0, 1>, keep_dims = false} : (tensor<8x1xf32>) -> tensor<f32>
  %k = nn.constant dense<0.25> : tensor<f32>
  %g = nn.mul %r, %k : (tensor<8x1xf32>, tensor<f32>) -> tensor<8x1xf32>
  %xt = nn.transpose %x {perm = array<i64: 1, 0>} : (tensor<8x2xf32>) -> tensor<2x8xf32>
  %dw = nn.matmul %xt, %g : (tensor<2x8xf32>, tensor<8x1xf32>) -> tensor<2x1xf32>
  %dc = nn.reduce_sum %g {axes = array<i64: 0>, keep_dims = false} : (tensor<8x1xf32>) -> tensor<1xf32>
  %lr = nn.constant dense<0.1> : tensor<f32>
  %sw = nn.mul %dw, %lr : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %sc = nn.mul %dc, %lr : (tensor<1xf32>, tensor<f32>) -> tensor<1xf32>
  %w1 = nn.sub %w, %sw : (tensor<2x1xf32>, tensor<2x1xf32>) -> tensor<2x1xf32>
  %c1 = nn.sub %c, %sc : (tensor<1xf32>, tensor<1xf32>) -> tensor<1xf32>
  return %loss, %w1, %c1 : tensor<f32>, tensor<2x1xf32>, tensor<1xf32>
}

func.func @eval(%w: tensor<2x1xf32> {kiln.name = "w"}, %c: tensor<1xf32> {kiln.name = "c"},
                %x: tensor<8x2xf32> {kiln.name = "x"}, %t: tensor<8x1xf32> {kiln.name = "t"})
    -> (tensor<8xf32>, tensor<8x1xf32>) attributes {kiln.result_names = ["loss", "pred"]} {
  %xw = nn.matmul %x, %w : (tensor<8x2xf32>, tensor<2x1xf32>) -> tensor<8x1xf32>
  %pred = nn.add %xw, %c : (tensor<8x1xf32>, tensor<1xf32>) -> tensor<8x1xf32>
  %r = nn.sub %pred, %t : (tensor<8x1xf32>, tensor<8x1xf32>) -> tensor<8x1xf32>
  %sq = nn.mul %r, %r : (tensor<8x1xf32>, tensor<8x1xf32>) -> tensor<8x1xf32>
  %loss = nn.reduce_mean %sq {axes = array<i64: 1>, keep_dims = false} : (tensor<8x1xf32>) -> tensor<8xf32>
  return %loss, %pred : tensor<8xf32>, tensor<8x1xf32>
}

func.func @infer(%w: tensor<2x1xf32> {kiln.name = "w"}, %c: tensor<1xf32> {kiln.name = "c"},
                 %x: tensor<8x2xf32> {kiln.name = "x"})
    -> tensor<8x1xf32> attributes {kiln.result_names = ["pred"]} {
  %xw = nn.matmul %x, %w : (tensor<8x2xf32>, tensor<2x1xf32>) -> tensor<8x1xf32>
  %pred = nn.add %xw, %c : (tensor<8x1xf32>, tensor<1xf32>) -> tensor<8x1xf32>
  return %pred : tensor<8x1xf32>
}
}
