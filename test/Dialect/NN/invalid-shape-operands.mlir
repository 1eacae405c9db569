// RUN: kiln-opt %s --split-input-file --verify-diagnostics

// The result's rank is the shape's length.
func.func @reshape_rank(%x: tensor<2x3xf32>, %s: tensor<2xi64>) -> tensor<?xf32> {
  // expected-error @+1 {{'nn.dynamic_reshape' op expects a result of rank 2 and element type 'f32', found 'tensor<?xf32>'}}
  %0 = nn.dynamic_reshape %x, %s {allowzero = false} : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// A shape of unknown length gives no rank.
func.func @reshape_length(%x: tensor<2x3xf32>, %s: tensor<?xi64>) -> tensor<?xf32> {
  // expected-error @+1 {{'nn.dynamic_reshape' op expects a shape of static length, found 'tensor<?xi64>'}}
  %0 = nn.dynamic_reshape %x, %s {allowzero = false} : (tensor<2x3xf32>, tensor<?xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Static element counts must agree.
func.func @reshape_count(%x: tensor<2x3xf32>, %s: tensor<2xi64>) -> tensor<2x2xf32> {
  // expected-error @+1 {{'nn.dynamic_reshape' op expects a result with as many elements as the input (6), found 2x2}}
  %0 = nn.dynamic_reshape %x, %s {allowzero = false} : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// An input dim other than 1 survives the broadcast.
func.func @expand_dim(%x: tensor<3x1xf32>, %s: tensor<2xi64>) -> tensor<4x?xf32> {
  // expected-error @+1 {{'nn.dynamic_expand' op expects result dim 0 to be the input's 3, found 4}}
  %0 = nn.dynamic_expand %x, %s : (tensor<3x1xf32>, tensor<2xi64>) -> tensor<4x?xf32>
  return %0 : tensor<4x?xf32>
}

// -----

// Expand's rank is max(input rank, shape length).
func.func @expand_rank(%x: tensor<3x1xf32>, %s: tensor<3xi64>) -> tensor<?x?xf32> {
  // expected-error @+1 {{'nn.dynamic_expand' op expects a result of rank 3 and element type 'f32', found 'tensor<?x?xf32>'}}
  %0 = nn.dynamic_expand %x, %s : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Unsqueeze adds one dim per axis.
func.func @unsqueeze_rank(%x: tensor<3xf32>, %a: tensor<2xi64>) -> tensor<?x?xf32> {
  // expected-error @+1 {{'nn.dynamic_unsqueeze' op expects a result of rank 3 and element type 'f32', found 'tensor<?x?xf32>'}}
  %0 = nn.dynamic_unsqueeze %x, %a : (tensor<3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Squeeze cannot remove more dims than there are.
func.func @squeeze_axes(%x: tensor<1xf32>, %a: tensor<2xi64>) -> tensor<f32> {
  // expected-error @+1 {{'nn.dynamic_squeeze' op expects at most 1 axes (the input's rank), found 2}}
  %0 = nn.dynamic_squeeze %x, %a : (tensor<1xf32>, tensor<2xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Slice's operands have one length.
func.func @slice_lengths(%x: tensor<4x4xf32>, %s: tensor<2xi64>, %e: tensor<1xi64>) -> tensor<?x?xf32> {
  // expected-error @+1 {{'nn.dynamic_slice' op expects ends as long as starts (2), found 1}}
  %0 = nn.dynamic_slice %x, %s, %e : (tensor<4x4xf32>, tensor<2xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// No more sliced axes than dims.
func.func @slice_count(%x: tensor<4xf32>, %s: tensor<2xi64>) -> tensor<?xf32> {
  // expected-error @+1 {{'nn.dynamic_slice' op expects at most 1 sliced axes (the input's rank), found 2}}
  %0 = nn.dynamic_slice %x, %s, %s : (tensor<4xf32>, tensor<2xi64>, tensor<2xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// A slice is no larger than its input.
func.func @slice_size(%x: tensor<4xf32>, %s: tensor<1xi64>) -> tensor<5xf32> {
  // expected-error @+1 {{'nn.dynamic_slice' op expects result dim 0 no larger than the input's 4, found 5}}
  %0 = nn.dynamic_slice %x, %s, %s : (tensor<4xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// Tile takes one count per dim.
func.func @tile_count(%x: tensor<4xf32>, %r: tensor<2xi64>) -> tensor<?xf32> {
  // expected-error @+1 {{'nn.dynamic_tile' op expects one repeat count per input dim (1), found 2}}
  %0 = nn.dynamic_tile %x, %r : (tensor<4xf32>, tensor<2xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// constant_of_shape's value has the result's element type.
func.func @constant_of_shape_type(%s: tensor<1xi64>) -> tensor<?xf32> {
  // expected-error @+1 {{'nn.constant_of_shape' op expects a result of rank 1 and element type 'i32', found 'tensor<?xf32>'}}
  %0 = nn.constant_of_shape %s {value = 1 : i32} : (tensor<1xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// range's bounds have the result's element type.
func.func @range_type(%a: tensor<i64>) -> tensor<?xi32> {
  // expected-error @+1 {{'nn.range' op expects start, limit and delta of the result's element type 'i32', found 'tensor<i64>'}}
  %0 = nn.range %a, %a, %a : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi32>
  return %0 : tensor<?xi32>
}

// -----

// A run-time reduction names at least one axis.
func.func @reduce_sum_axes(%x: tensor<4xf32>, %a: tensor<0xi64>) -> tensor<1xf32> {
  // expected-error @+1 {{'nn.dynamic_reduce_sum' op expects 1 to 1 axes (the input's rank), found 0}}
  %0 = nn.dynamic_reduce_sum %x, %a {keep_dims = true} : (tensor<4xf32>, tensor<0xi64>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

// Without keep_dims the rank drops by the number of axes.
func.func @reduce_sum_rank(%x: tensor<4x2xf32>, %a: tensor<1xi64>) -> tensor<?x?xf32> {
  // expected-error @+1 {{'nn.dynamic_reduce_sum' op expects a result of rank 1 and element type 'f32', found 'tensor<?x?xf32>'}}
  %0 = nn.dynamic_reduce_sum %x, %a {keep_dims = false} : (tensor<4x2xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// A running sum keeps the input's type.
func.func @cumsum_type(%x: tensor<4xf32>, %a: tensor<i64>) -> tensor<4xf64> {
  // expected-error @+1 {{'nn.dynamic_cumsum' op expects the result type 'tensor<4xf32>', found 'tensor<4xf64>'}}
  %0 = nn.dynamic_cumsum %x, %a {exclusive = false, reverse = false} : (tensor<4xf32>, tensor<i64>) -> tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// Pads come in pairs per input dim.
func.func @pad_count(%x: tensor<2x3xf32>, %p: tensor<3xi64>) -> tensor<?x?xf32> {
  // expected-error @+1 {{'nn.dynamic_pad' op expects 4 pads (before and after each input dim), found 3}}
  %0 = nn.dynamic_pad %x, %p {value = 0.0 : f64} : (tensor<2x3xf32>, tensor<3xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Padding never shrinks a dim.
func.func @pad_shrinks(%x: tensor<2x3xf32>, %p: tensor<4xi64>) -> tensor<1x?xf32> {
  // expected-error @+1 {{'nn.dynamic_pad' op expects result dim 0 no smaller than the input's 2, found 1}}
  %0 = nn.dynamic_pad %x, %p {value = 0.0 : f64} : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<1x?xf32>
  return %0 : tensor<1x?xf32>
}

// -----

// A run-time constant_value is a scalar of the input's element type.
func.func @pad_value_type(%x: tensor<2x3xf32>, %p: tensor<4xi64>, %v: tensor<i64>) -> tensor<?x?xf32> {
  // expected-error @+1 {{'nn.dynamic_pad' op expects constant_value to be a 0-D tensor of 'f32', found 'tensor<i64>'}}
  %0 = nn.dynamic_pad %x, %p, %v {value = 0.0 : f64} : (tensor<2x3xf32>, tensor<4xi64>, tensor<i64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
