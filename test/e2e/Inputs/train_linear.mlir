// A hand-written training artifact in the layout of docs/training.md, made
// without the autodiff so the runtime side (kiln-run --train, the trainer C
// API) is tested on its own: softmax regression logits = x W + b (x: 8x4,
// W: 4x3, b: 3, labels int64 [8]) trained by plain SGD (lr 0.5) on the mean
// softmax cross-entropy, whose gradient is written out by hand:
// dlogits = (softmax(logits) - onehot(y)) / 8, dW = x^T dlogits,
// db = sum over rows of dlogits. STATE = W, b (parameters), step (i64, kind
// optimizer, counts the steps). test/e2e/train_run.py checks it against numpy.
module attributes {kiln.training = {loss = "softmax-cross-entropy", label = "y",
    source = "train_linear.onnx",
    state = [{name = "W", kind = "parameter"}, {name = "b", kind = "parameter"},
             {name = "step", kind = "optimizer"}]}} {

func.func @init() -> (tensor<4x3xf32>, tensor<3xf32>, tensor<i64>)
    attributes {kiln.result_names = ["W", "b", "step"]} {
  %w = nn.constant dense<[[0.1, -0.2, 0.3], [-0.4, 0.5, -0.6], [0.7, -0.8, 0.9], [0.05, 0.15, -0.25]]> : tensor<4x3xf32>
  %b = nn.constant dense<[0.01, -0.02, 0.03]> : tensor<3xf32>
  %s = nn.constant dense<0> : tensor<i64>
  return %w, %b, %s : tensor<4x3xf32>, tensor<3xf32>, tensor<i64>
}

func.func @train_step(%w: tensor<4x3xf32> {kiln.name = "W"}, %b: tensor<3xf32> {kiln.name = "b"},
                      %s: tensor<i64> {kiln.name = "step"}, %x: tensor<8x4xf32> {kiln.name = "x"},
                      %y: tensor<8xi64> {kiln.name = "y"})
    -> (tensor<f32>, tensor<4x3xf32>, tensor<3xf32>, tensor<i64>)
    attributes {kiln.result_names = ["loss", "W", "b", "step"]} {
  %xw = nn.matmul %x, %w : (tensor<8x4xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
  %logits = nn.add %xw, %b : (tensor<8x3xf32>, tensor<3xf32>) -> tensor<8x3xf32>
  %ls = nn.log_softmax %logits {axis = 1 : i64} : (tensor<8x3xf32>) -> tensor<8x3xf32>
  %y2 = nn.reshape %y : (tensor<8xi64>) -> tensor<8x1xi64>
  %classes = nn.constant dense<[0, 1, 2]> : tensor<3xi64>
  %hit = nn.equal %y2, %classes : (tensor<8x1xi64>, tensor<3xi64>) -> tensor<8x3xi1>
  %oh = nn.cast %hit : (tensor<8x3xi1>) -> tensor<8x3xf32>
  %picked = nn.mul %oh, %ls : (tensor<8x3xf32>, tensor<8x3xf32>) -> tensor<8x3xf32>
  %tot = nn.reduce_sum %picked {axes = array<i64: 0, 1>, keep_dims = false} : (tensor<8x3xf32>) -> tensor<f32>
  %mb = nn.constant dense<-0.125> : tensor<f32>
  %loss = nn.mul %tot, %mb : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %p = nn.softmax %logits {axis = 1 : i64} : (tensor<8x3xf32>) -> tensor<8x3xf32>
  %d = nn.sub %p, %oh : (tensor<8x3xf32>, tensor<8x3xf32>) -> tensor<8x3xf32>
  %inv = nn.constant dense<0.125> : tensor<f32>
  %g = nn.mul %d, %inv : (tensor<8x3xf32>, tensor<f32>) -> tensor<8x3xf32>
  %xt = nn.transpose %x {perm = array<i64: 1, 0>} : (tensor<8x4xf32>) -> tensor<4x8xf32>
  %dw = nn.matmul %xt, %g : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
  %db = nn.reduce_sum %g {axes = array<i64: 0>, keep_dims = false} : (tensor<8x3xf32>) -> tensor<3xf32>
  %lr = nn.constant dense<0.5> : tensor<f32>
  %sw = nn.mul %dw, %lr : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
  %sb = nn.mul %db, %lr : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  %w1 = nn.sub %w, %sw : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  %b1 = nn.sub %b, %sb : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %one = nn.constant dense<1> : tensor<i64>
  %s1 = nn.add %s, %one : (tensor<i64>, tensor<i64>) -> tensor<i64>
  return %loss, %w1, %b1, %s1 : tensor<f32>, tensor<4x3xf32>, tensor<3xf32>, tensor<i64>
}

func.func @eval(%w: tensor<4x3xf32> {kiln.name = "W"}, %b: tensor<3xf32> {kiln.name = "b"},
                %s: tensor<i64> {kiln.name = "step"}, %x: tensor<8x4xf32> {kiln.name = "x"},
                %y: tensor<8xi64> {kiln.name = "y"})
    -> (tensor<8xf32>, tensor<8x3xf32>)
    attributes {kiln.result_names = ["loss", "logits"]} {
  %xw = nn.matmul %x, %w : (tensor<8x4xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
  %logits = nn.add %xw, %b : (tensor<8x3xf32>, tensor<3xf32>) -> tensor<8x3xf32>
  %ls = nn.log_softmax %logits {axis = 1 : i64} : (tensor<8x3xf32>) -> tensor<8x3xf32>
  %y2 = nn.reshape %y : (tensor<8xi64>) -> tensor<8x1xi64>
  %classes = nn.constant dense<[0, 1, 2]> : tensor<3xi64>
  %hit = nn.equal %y2, %classes : (tensor<8x1xi64>, tensor<3xi64>) -> tensor<8x3xi1>
  %oh = nn.cast %hit : (tensor<8x3xi1>) -> tensor<8x3xf32>
  %picked = nn.mul %oh, %ls : (tensor<8x3xf32>, tensor<8x3xf32>) -> tensor<8x3xf32>
  %tot = nn.reduce_sum %picked {axes = array<i64: 1>, keep_dims = false} : (tensor<8x3xf32>) -> tensor<8xf32>
  %loss = nn.neg %tot : tensor<8xf32>
  return %loss, %logits : tensor<8xf32>, tensor<8x3xf32>
}

func.func @infer(%w: tensor<4x3xf32> {kiln.name = "W"}, %b: tensor<3xf32> {kiln.name = "b"},
                 %s: tensor<i64> {kiln.name = "step"}, %x: tensor<8x4xf32> {kiln.name = "x"})
    -> tensor<8x3xf32> attributes {kiln.result_names = ["logits"]} {
  %xw = nn.matmul %x, %w : (tensor<8x4xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
  %logits = nn.add %xw, %b : (tensor<8x3xf32>, tensor<3xf32>) -> tensor<8x3xf32>
  return %logits : tensor<8x3xf32>
}
}
