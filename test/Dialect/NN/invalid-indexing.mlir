// RUN: kiln-opt %s --split-input-file --verify-diagnostics

// Border padding knows two modes.
func.func @border_pad_mode(%x: tensor<3x4xf32>, %p: tensor<4xi64>) -> tensor<?x?xf32> {
  // expected-error @+1 {{'nn.border_pad' op expects mode 'reflect' or 'edge', found 'wrap'}}
  %0 = nn.border_pad %x, %p {mode = "wrap"} : (tensor<3x4xf32>, tensor<4xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Two pads per dim.
func.func @border_pad_count(%x: tensor<3x4xf32>, %p: tensor<3xi64>) -> tensor<?x?xf32> {
  // expected-error @+1 {{'nn.border_pad' op expects 4 pads (2 x rank), found 3}}
  %0 = nn.border_pad %x, %p {mode = "edge"} : (tensor<3x4xf32>, tensor<3xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// k is one element.
func.func @top_k_k(%x: tensor<3x4xf32>, %k: tensor<2xi64>) -> (tensor<3x?xf32>, tensor<3x?xi64>) {
  // expected-error @+1 {{'nn.top_k' op expects k of one element, found 'tensor<2xi64>'}}
  %v, %i = nn.top_k %x, %k {axis = 1 : i64, largest = true, sorted = true} : (tensor<3x4xf32>, tensor<2xi64>) -> (tensor<3x?xf32>, tensor<3x?xi64>)
  return %v, %i : tensor<3x?xf32>, tensor<3x?xi64>
}

// -----

// The dims off the axis are the input's.
func.func @top_k_shape(%x: tensor<3x4xf32>, %k: tensor<1xi64>) -> (tensor<2x?xf32>, tensor<2x?xi64>) {
  // expected-error @+1 {{'nn.top_k' op expects values of shape 3x? 'f32', found 'tensor<2x?xf32>'}}
  %v, %i = nn.top_k %x, %k {axis = 1 : i64, largest = true, sorted = true} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<2x?xf32>, tensor<2x?xi64>)
  return %v, %i : tensor<2x?xf32>, tensor<2x?xi64>
}

// -----

// Scatter reductions are ONNX's.
func.func @scatter_reduction(%d: tensor<3xf32>, %i: tensor<2xi64>, %u: tensor<2xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'nn.scatter_elements' op expects reduction 'none', 'add', 'mul', 'max' or 'min', found 'mean'}}
  %0 = nn.scatter_elements %d, %i, %u {axis = 0 : i64, reduction = "mean"} : (tensor<3xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Updates have the indices' shape.
func.func @scatter_updates(%d: tensor<3x3xf32>, %i: tensor<2x3xi64>, %u: tensor<3x3xf32>) -> tensor<3x3xf32> {
  // expected-error @+1 {{'nn.scatter_elements' op expects updates of shape 2x3 'f32', found 'tensor<3x3xf32>'}}
  %0 = nn.scatter_elements %d, %i, %u {axis = 0 : i64, reduction = "none"} : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<3x3xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// Off the axis, the indices fit in the data.
func.func @scatter_indices(%d: tensor<3x3xf32>, %i: tensor<2x4xi64>, %u: tensor<2x4xf32>) -> tensor<3x3xf32> {
  // expected-error @+1 {{'nn.scatter_elements' op expects indices no larger than the data off the axis, found 'tensor<2x4xi64>' for 'tensor<3x3xf32>'}}
  %0 = nn.scatter_elements %d, %i, %u {axis = 0 : i64, reduction = "none"} : (tensor<3x3xf32>, tensor<2x4xi64>, tensor<2x4xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// ScatterND's index tuples are no longer than the data's rank.
func.func @scatter_nd_tuple(%d: tensor<4xf32>, %i: tensor<2x2xi64>, %u: tensor<2xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'nn.scatter_nd' op expects indices whose last dim is static and at most the data's rank (1), found 'tensor<2x2xi64>'}}
  %0 = nn.scatter_nd %d, %i, %u {reduction = "add"} : (tensor<4xf32>, tensor<2x2xi64>, tensor<2xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// ScatterND's updates are indices.shape[:-1] + data.shape[m:].
func.func @scatter_nd_updates(%d: tensor<4x5xf32>, %i: tensor<2x1xi64>, %u: tensor<2x4xf32>) -> tensor<4x5xf32> {
  // expected-error @+1 {{'nn.scatter_nd' op expects updates of shape 2x5 'f32', found 'tensor<2x4xf32>'}}
  %0 = nn.scatter_nd %d, %i, %u {reduction = "none"} : (tensor<4x5xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// One-hot values are (off, on).
func.func @one_hot_values(%i: tensor<3xi64>, %d: tensor<f32>, %v: tensor<3xf32>) -> tensor<3x?xf32> {
  // expected-error @+1 {{'nn.one_hot' op expects values of two elements, found 'tensor<3xf32>'}}
  %0 = nn.one_hot %i, %d, %v {axis = 1 : i64} : (tensor<3xi64>, tensor<f32>, tensor<3xf32>) -> tensor<3x?xf32>
  return %0 : tensor<3x?xf32>
}

// -----

// The new axis is in [0, rank].
func.func @one_hot_axis(%i: tensor<3xi64>, %d: tensor<f32>, %v: tensor<2xf32>) -> tensor<3x?xf32> {
  // expected-error @+1 {{'nn.one_hot' op expects axis in [0, 1], found 2}}
  %0 = nn.one_hot %i, %d, %v {axis = 2 : i64} : (tensor<3xi64>, tensor<f32>, tensor<2xf32>) -> tensor<3x?xf32>
  return %0 : tensor<3x?xf32>
}

// -----

// NonZero gives one row per input dim.
func.func @non_zero_rows(%x: tensor<2x3xf32>) -> tensor<3x?xi64> {
  // expected-error @+1 {{'nn.non_zero' op expects a result of shape 2x? 'i64', found 'tensor<3x?xi64>'}}
  %0 = nn.non_zero %x : (tensor<2x3xf32>) -> tensor<3x?xi64>
  return %0 : tensor<3x?xi64>
}

// -----

// Compress keeps the other dims.
func.func @compress_dims(%x: tensor<2x3xf32>, %c: tensor<2xi1>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'nn.compress' op expects a result of shape ?x3 'f32', found 'tensor<?x4xf32>'}}
  %0 = nn.compress %x, %c {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2xi1>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Unique's distinct count is one for its results.
func.func @unique_count(%x: tensor<6xf32>) -> (tensor<4xf32>, tensor<3xi64>, tensor<6xi64>, tensor<?xi64>) {
  // expected-error @+1 {{'nn.unique' op expects one distinct count in the result, indices and counts, found 'tensor<4xf32>', 'tensor<3xi64>', 'tensor<?xi64>'}}
  %y, %i, %inv, %n = nn.unique %x {sorted = true} : (tensor<6xf32>) -> (tensor<4xf32>, tensor<3xi64>, tensor<6xi64>, tensor<?xi64>)
  return %y, %i, %inv, %n : tensor<4xf32>, tensor<3xi64>, tensor<6xi64>, tensor<?xi64>
}

// -----

// MaxPool indices are row or column major.
func.func @max_pool_indices_order(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xi64> {
  // expected-error @+1 {{'nn.max_pool_indices' op expects storage_order 0 or 1, found 2}}
  %0 = nn.max_pool_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false, storage_order = 2 : i64} : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xi64>
  return %0 : tensor<1x1x2x2xi64>
}

// -----

// The indices have max pooling's shape.
func.func @max_pool_indices_shape(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x3x3xi64> {
  // expected-error @+1 {{'nn.max_pool_indices' op expects a result of shape 1x1x2x2 'i64', found 'tensor<1x1x3x3xi64>'}}
  %0 = nn.max_pool_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false, storage_order = 0 : i64} : (tensor<1x1x4x4xf32>) -> tensor<1x1x3x3xi64>
  return %0 : tensor<1x1x3x3xi64>
}

// -----

// Without output_shape, unpooling's size comes from the kernel.
func.func @max_unpool_shape(%x: tensor<1x1x2x2xf32>, %i: tensor<1x1x2x2xi64>) -> tensor<1x1x5x5xf32> {
  // expected-error @+1 {{'nn.max_unpool' op expects a result of shape 1x1x4x4 'f32', found 'tensor<1x1x5x5xf32>'}}
  %0 = nn.max_unpool %x, %i {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>) -> tensor<1x1x5x5xf32>
  return %0 : tensor<1x1x5x5xf32>
}

// -----

// Boxes have four coordinates.
func.func @nms_boxes(%b: tensor<1x6x5xf32>, %s: tensor<1x1x6xf32>, %m: tensor<1xi64>, %t: tensor<1xf32>) -> tensor<?x3xi64> {
  // expected-error @+1 {{'nn.non_max_suppression' op expects boxes of shape B x S x 4, found 'tensor<1x6x5xf32>'}}
  %0 = nn.non_max_suppression %b, %s, %m, %t, %t {center_point_box = false} : (tensor<1x6x5xf32>, tensor<1x1x6xf32>, tensor<1xi64>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x3xi64>
  return %0 : tensor<?x3xi64>
}

// -----

// Scores are B x C x S.
func.func @nms_scores(%b: tensor<1x6x4xf32>, %s: tensor<1x1x5xf32>, %m: tensor<1xi64>, %t: tensor<1xf32>) -> tensor<?x3xi64> {
  // expected-error @+1 {{'nn.non_max_suppression' op expects scores of shape 1x?x6 'f32', found 'tensor<1x1x5xf32>'}}
  %0 = nn.non_max_suppression %b, %s, %m, %t, %t {center_point_box = false} : (tensor<1x6x4xf32>, tensor<1x1x5xf32>, tensor<1xi64>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x3xi64>
  return %0 : tensor<?x3xi64>
}

// -----

// The NMS count is data: its dim is dynamic.
func.func @nms_count(%b: tensor<1x6x4xf32>, %s: tensor<1x1x6xf32>, %m: tensor<1xi64>, %t: tensor<1xf32>) -> tensor<2x3xi64> {
  // expected-error @+1 {{'nn.non_max_suppression' op expects a result of shape ?x3 (the count is known after the run), found 'tensor<2x3xi64>'}}
  %0 = nn.non_max_suppression %b, %s, %m, %t, %t {center_point_box = false} : (tensor<1x6x4xf32>, tensor<1x1x6xf32>, tensor<1xi64>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}
