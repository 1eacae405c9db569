// RUN: kiln-opt %s --split-input-file --verify-diagnostics

// Broadcasting needs each dimension pair equal or 1.
func.func @add_shapes(%x: tensor<2x3xf32>, %y: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'nn.add' op expects broadcast-compatible shapes, found 2x3 and 4}}
  %0 = nn.add %x, %y : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @add_types(%x: tensor<2xf32>, %y: tensor<2xi64>) -> tensor<2xf32> {
  // expected-error @+1 {{'nn.add' op expects operands of one element type, found 'f32' and 'i64'}}
  %0 = nn.add %x, %y : (tensor<2xf32>, tensor<2xi64>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// A stated result type that disagrees with inference is rejected.
func.func @add_result(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> tensor<3x3xf32> {
  // expected-error @+1 {{'nn.add' op expects result type 'tensor<2x3xf32>' (inferred from the operands and attributes), found 'tensor<3x3xf32>'}}
  %0 = nn.add %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

func.func @conv_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'nn.conv' op expects input channels (3) to equal weight channels (2) times group (1)}}
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_group(%x: tensor<1x4x8x8xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x6x6xf32> {
  // expected-error @+1 {{'nn.conv' op expects the output channels (3) to be a multiple of group (2)}}
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64}
      : (tensor<1x4x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x6x6xf32>
  return %0 : tensor<1x3x6x6xf32>
}

// -----

func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'nn.conv' op expects a bias of shape 4 'f32', found 3 'f32'}}
  %0 = nn.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_attrs(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'nn.conv' op expects 2 kernel sizes, strides and dilations and 4 pads, found 2, 1, 2 and 4}}
  %0 = nn.conv %x, %w {strides = array<i64: 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @pool_window(%x: tensor<1x3x2x2xf32>) -> tensor<1x3x1x1xf32> {
  // expected-error @+1 {{'nn.max_pool' op expects the window to fit in spatial dimension 0 of size 2 (padded 2, window 3)}}
  %0 = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false}
      : (tensor<1x3x2x2xf32>) -> tensor<1x3x1x1xf32>
  return %0 : tensor<1x3x1x1xf32>
}

// -----

func.func @matmul_k(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{'nn.matmul' op expects the contracted dimensions to match, found 3 (lhs 2x3) and 4 (rhs 4x5)}}
  %0 = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @gemm_c(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<3xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'nn.gemm' op expects c to broadcast to 2x4 'f32', found 3 'f32'}}
  %0 = nn.gemm %a, %b, %c {alpha = 1.0 : f64, beta = 1.0 : f64, trans_a = false, trans_b = false}
      : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @batch_norm_params(%x: tensor<1x2x3x3xf32>, %p: tensor<2xf32>, %q: tensor<3xf32>) -> tensor<1x2x3x3xf32> {
  // expected-error @+1 {{'nn.batch_norm' op expects mean of shape 2 'f32', found 3 'f32'}}
  %0 = nn.batch_norm %x, %p, %p, %q, %p {epsilon = 1.0e-5 : f64}
      : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<3xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

func.func @softmax_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'nn.softmax' op expects axis in [-2, 1], found 2}}
  %0 = nn.softmax %x {axis = 2 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{'nn.reshape' op expects a result with as many elements as the input (6), found 4x2 with 8}}
  %0 = nn.reshape %x : (tensor<2x3xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @transpose_perm(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'nn.transpose' op expects perm to be a permutation of [0, 2), found [0, 0]}}
  %0 = nn.transpose %x {perm = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @concat_shapes(%a: tensor<2x3xf32>, %b: tensor<3x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{'nn.concat' op expects operands to agree off the axis, found 2x3 and 3x3 (operand 1)}}
  %0 = nn.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @reduce_repeated_axis(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'nn.reduce_sum' op expects distinct axes, found dimension 1 twice}}
  %0 = nn.reduce_sum %x {axes = array<i64: 1, -1>, keep_dims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @reduce_no_axes(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'nn.reduce_max' op expects at least one axis, found none}}
  %0 = nn.reduce_max %x {axes = array<i64>, keep_dims = false} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @reduce_axis_range(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'nn.reduce_mean' op expects axis in [-2, 1], found 2}}
  %0 = nn.reduce_mean %x {axes = array<i64: 2>, keep_dims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @reduce_keep_dims(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'nn.reduce_sum' op expects result type 'tensor<2x1xf32>' (inferred from the operands and attributes), found 'tensor<2xf32>'}}
  %0 = nn.reduce_sum %x {axes = array<i64: 1>, keep_dims = true} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @arg_max_empty_axis(%x: tensor<2x0xf32>) -> tensor<2xi64> {
  // expected-error @+1 {{'nn.arg_max' op expects a non-empty axis, found size 0}}
  %0 = nn.arg_max %x {axis = 1 : i64, keep_dims = false, select_last_index = false} : (tensor<2x0xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @log_softmax_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'nn.log_softmax' op expects axis in [-2, 1], found 5}}
  %0 = nn.log_softmax %x {axis = 5 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @prelu_int(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'nn.prelu' op operand #0 must be ranked tensor of floating-point values}}
  %0 = nn.prelu %x, %x : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @slice_outside(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'nn.slice' op expects the window inside the input, found elements 2 to 6 of dimension 1 (size 4)}}
  %0 = nn.slice %x {offsets = array<i64: 0, 2>, sizes = array<i64: 2, 3>, strides = array<i64: 1, 2>} : (tensor<2x4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @slice_zero_stride(%x: tensor<2x4xf32>) -> tensor<2x1xf32> {
  // expected-error @+1 {{'nn.slice' op expects a non-zero stride and a non-negative size, found stride 0 and size 1 in dimension 1}}
  %0 = nn.slice %x {offsets = array<i64: 0, 0>, sizes = array<i64: 2, 1>, strides = array<i64: 1, 0>} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

func.func @slice_rank(%x: tensor<2x4xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'nn.slice' op expects one offset per input dimension (2), found 1}}
  %0 = nn.slice %x {offsets = array<i64: 0>, sizes = array<i64: 2>, strides = array<i64: 1>} : (tensor<2x4xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @gather_float_indices(%x: tensor<2x4xf32>, %i: tensor<3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'nn.gather' op operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = nn.gather %x, %i {axis = 1 : i64} : (tensor<2x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @cast_shape(%x: tensor<2x4xf32>) -> tensor<8xi32> {
  // expected-error @+1 {{'nn.cast' op requires the same shape for all operands and results}}
  %0 = nn.cast %x : (tensor<2x4xf32>) -> tensor<8xi32>
  return %0 : tensor<8xi32>
}

// -----

func.func @pad_negative(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'nn.pad' op expects non-negative pads, found -1 and 0 in dimension 1}}
  %0 = nn.pad %x {low = array<i64: 0, -1>, high = array<i64: 0, 0>, value = 0.0 : f64} : (tensor<2x4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @expand_incompatible(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'nn.expand' op expects a shape the input broadcasts to, found 2x4 and 2x3}}
  %0 = nn.expand %x {shape = array<i64: 2, 3>} : (tensor<2x4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @tile_negative(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'nn.tile' op expects non-negative repeat counts, found -1 in dimension 0}}
  %0 = nn.tile %x {repeats = array<i64: -1, 1>} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @mod_float_floored(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'nn.mod' op expects fmod = true for floats (the remainder of truncated division)}}
  %0 = nn.mod %x, %x {fmod = false} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @where_types(%c: tensor<3xi1>, %x: tensor<3xf32>, %y: tensor<3xi64>) -> tensor<3xf32> {
  // expected-error @+1 {{'nn.where' op expects then and else of one element type, found 'f32' and 'i64'}}
  %0 = nn.where %c, %x, %y : (tensor<3xi1>, tensor<3xf32>, tensor<3xi64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @where_shapes(%c: tensor<2xi1>, %x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'nn.where' op expects broadcast-compatible shapes, found 2, 3 and 3}}
  %0 = nn.where %c, %x, %x : (tensor<2xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @compare_result(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'nn.less' op result #0 must be ranked tensor of 1-bit signless integer values}}
  %0 = nn.less %x, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @nll_target_shape(%x: tensor<4x10x2xf32>, %t: tensor<4xi64>) -> tensor<f32> {
  // expected-error @+1 {{'nn.nll_loss' op expects a target of shape 4x2 (the input without its class dimension), found 4}}
  %0 = nn.nll_loss %x, %t {reduction = "sum"} : (tensor<4x10x2xf32>, tensor<4xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @nll_reduction(%x: tensor<4x10xf32>, %t: tensor<4xi64>) -> tensor<f32> {
  // expected-error @+1 {{'nn.nll_loss' op expects reduction 'none', 'sum' or 'mean', found 'max'}}
  %0 = nn.nll_loss %x, %t {reduction = "max"} : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @nll_weight(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %w: tensor<9xf32>) -> tensor<f32> {
  // expected-error @+1 {{'nn.nll_loss' op expects a weight of shape 10 'f32', found 9 'f32'}}
  %0 = nn.nll_loss %x, %t, %w {reduction = "sum"} : (tensor<4x10xf32>, tensor<4xi64>, tensor<9xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @gather_elements_rank(%x: tensor<4x10xf32>, %i: tensor<4xi64>) -> tensor<4xf32> {
  // expected-error @+1 {{'nn.gather_elements' op expects indices of the input's rank, no larger off the axis, and a non-empty axis; found input 4x10 and indices 4}}
  %0 = nn.gather_elements %x, %i {axis = 1 : i64} : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @trilu_rank(%x: tensor<5xf32>) -> tensor<5xf32> {
  // expected-error @+1 {{'nn.trilu' op expects an input of rank >= 2, found rank 1}}
  %0 = nn.trilu %x {upper = true} : (tensor<5xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

func.func @einsum_sizes(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{'nn.einsum' op expects one size for index 'j', found 3 and 4}}
  %0 = nn.einsum %a, %b {equation = "ij,jk->ik"} : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @einsum_equation(%a: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'nn.einsum' op expects an explicit equation of letters like 'ab,bc->ac', found 'i...j'}}
  %0 = nn.einsum %a {equation = "i...j"} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @einsum_result(%a: tensor<2x3xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{'nn.einsum' op expects distinct result indices that appear in an operand, found 'i'}}
  %0 = nn.einsum %a {equation = "ij->ii"} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @gather_nd_tuple(%x: tensor<2x3xf32>, %i: tensor<4x3xi64>) -> tensor<4xf32> {
  // expected-error @+1 {{'nn.gather_nd' op expects index tuples of 1 to 2 elements (input rank 2 minus batch_dims 0), found 3}}
  %0 = nn.gather_nd %x, %i {batch_dims = 0 : i64} : (tensor<2x3xf32>, tensor<4x3xi64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @reverse_sequence_lengths(%x: tensor<4x2x3xf32>, %l: tensor<4xi64>) -> tensor<4x2x3xf32> {
  // expected-error @+1 {{'nn.reverse_sequence' op expects lengths of shape 2 (the batch size), found 4}}
  %0 = nn.reverse_sequence %x, %l {batch_axis = 1 : i64, time_axis = 0 : i64} : (tensor<4x2x3xf32>, tensor<4xi64>) -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// nn.shape's bounds lie inside the rank.
func.func @shape_bounds(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  // expected-error @+1 {{'nn.shape' op expects 0 <= start <= end <= rank (2), found start 1 and end 3}}
  %0 = nn.shape %x {start = 1 : i64, end = 3 : i64} : (tensor<2x3xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// A static mismatch is still a compile-time error with dynamic sizes around.
func.func @add_dynamic_mismatch(%x: tensor<?x3xf32>, %y: tensor<?x4xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{'nn.add' op expects broadcast-compatible shapes, found ?x3 and ?x4}}
  %0 = nn.add %x, %y : (tensor<?x3xf32>, tensor<?x4xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// A reshape whose dynamic result sizes the input does not determine.
func.func @reshape_underdetermined(%x: tensor<?x6xf32>) -> tensor<?x?x?xf32> {
  // expected-error @+1 {{'nn.reshape' op expects the dynamic result dimensions to be determined by the input (at most one, or matching leading and trailing ones), found ?x6 -> ?x?x?}}
  %0 = nn.reshape %x : (tensor<?x6xf32>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

// Two dynamic dims on each side do not pair by being dynamic: ?x? back
// to ?x?x8 (an opset-11 Softmax of [N, S, 8] at axis 1, flattened and
// expanded) leaves 8 to no input elements; compiling it crashed.
func.func @reshape_dynamic_pairs_unbalanced(%x: tensor<?x?xf32>) -> tensor<?x?x8xf32> {
  // expected-error @+1 {{'nn.reshape' op expects the dynamic result dimensions to be determined by the input (at most one, or matching leading and trailing ones), found ?x? -> ?x?x8}}
  %0 = nn.reshape %x : (tensor<?x?xf32>) -> tensor<?x?x8xf32>
  return %0 : tensor<?x?x8xf32>
}

// -----

// The same with the dynamic dim between the pairs taking what an empty
// input part holds (?x? to ?x4x?x?: the verifier error of a [N, 4, S, S]
// Softmax at opset 11).
func.func @reshape_dynamic_middle_from_nothing(%x: tensor<?x?xf32>) -> tensor<?x4x?x?xf32> {
  // expected-error @+1 {{'nn.reshape' op expects the dynamic result dimensions to be determined by the input (at most one, or matching leading and trailing ones), found ?x? -> ?x4x?x?}}
  %0 = nn.reshape %x : (tensor<?x?xf32>) -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

// A dynamic slice size takes a dynamic dimension whole, from offset 0.
func.func @slice_dynamic_size(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'nn.slice' op expects a dynamic size (the whole dimension) only for a dynamic input dimension with offset 0 and stride 1, found offset 1 and stride 1 in dimension 0 of size ?}}
  %0 = nn.slice %x {offsets = array<i64: 1, 0>, sizes = array<i64: -9223372036854775808, 4>, strides = array<i64: 1, 1>} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// dropout's ratio is a scalar of the input's type.
func.func @dropout_ratio(%x: tensor<3xf32>, %r: tensor<1xf32>) {
  // expected-error @+1 {{'nn.dropout' op expects a rank-0 ratio of type 'f32', found 'tensor<1xf32>'}}
  %y, %m = nn.dropout %x, %r {seed = 0 : i64} : (tensor<3xf32>, tensor<1xf32>) -> (tensor<3xf32>, tensor<3xi1>)
  return
}

// -----

// dropout's optional offset (Philox counter words 2 and 3) is an i64 scalar.
func.func @dropout_offset(%x: tensor<3xf32>, %r: tensor<f32>, %o: tensor<i32>) {
  // expected-error @+1 {{'nn.dropout' op expects a rank-0 i64 offset, found 'tensor<i32>'}}
  %y, %m = nn.dropout %x, %r, %o {seed = 0 : i64} : (tensor<3xf32>, tensor<f32>, tensor<i32>) -> (tensor<3xf32>, tensor<3xi1>)
  return
}

// -----

// det takes square matrices.
func.func @det_square(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'nn.det' op expects square matrices [*, M, M], found 2x3x4}}
  %d = nn.det %x : (tensor<2x3x4xf32>) -> tensor<2xf32>
  return
}
