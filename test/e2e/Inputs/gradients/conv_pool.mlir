// Convolution and pooling gradient rules, checked by test/e2e/gradcheck.py.

// Same padding, stride 1, bias.
func.func @conv2d_basic(%x: tensor<2x3x5x5xf64> {kiln.name = "x"}, %w: tensor<4x3x3x3xf64> {kiln.name = "w"}, %b: tensor<4xf64> {kiln.name = "b"}) -> tensor<2x4x5x5xf64> {
  %0 = nn.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<2x3x5x5xf64>, tensor<4x3x3x3xf64>, tensor<4xf64>) -> tensor<2x4x5x5xf64>
  return %0 : tensor<2x4x5x5xf64>
}

// Strides 2 and 3 that leave trailing inputs outside every window, asymmetric pads.
func.func @conv2d_stride_asym(%x: tensor<1x2x7x6xf64> {kiln.name = "x"}, %w: tensor<3x2x3x2xf64> {kiln.name = "w"}, %b: tensor<3xf64> {kiln.name = "b"}) -> tensor<1x3x3x2xf64> {
  %0 = nn.conv %x, %w, %b {strides = array<i64: 2, 3>, pads = array<i64: 0, 1, 1, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x2x7x6xf64>, tensor<3x2x3x2xf64>, tensor<3xf64>) -> tensor<1x3x3x2xf64>
  return %0 : tensor<1x3x3x2xf64>
}

// Dilations with strides and pads.
func.func @conv2d_dilation(%x: tensor<1x2x9x7xf64> {kiln.name = "x"}, %w: tensor<2x2x3x2xf64> {kiln.name = "w"}) -> tensor<1x2x3x6xf64> {
  %0 = nn.conv %x, %w {strides = array<i64: 2, 1>, pads = array<i64: 1, 0, 0, 2>, dilations = array<i64: 2, 3>, group = 1 : i64}
      : (tensor<1x2x9x7xf64>, tensor<2x2x3x2xf64>) -> tensor<1x2x3x6xf64>
  return %0 : tensor<1x2x3x6xf64>
}

// Two groups, stride 2.
func.func @conv2d_group(%x: tensor<2x4x5x5xf64> {kiln.name = "x"}, %w: tensor<6x2x3x3xf64> {kiln.name = "w"}, %b: tensor<6xf64> {kiln.name = "b"}) -> tensor<2x6x3x3xf64> {
  %0 = nn.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 2 : i64}
      : (tensor<2x4x5x5xf64>, tensor<6x2x3x3xf64>, tensor<6xf64>) -> tensor<2x6x3x3xf64>
  return %0 : tensor<2x6x3x3xf64>
}

// Depthwise with channel multiplier 2, batch 2.
func.func @conv2d_depthwise(%x: tensor<2x3x6x6xf64> {kiln.name = "x"}, %w: tensor<6x1x3x3xf64> {kiln.name = "w"}) -> tensor<2x6x4x4xf64> {
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 3 : i64}
      : (tensor<2x3x6x6xf64>, tensor<6x1x3x3xf64>) -> tensor<2x6x4x4xf64>
  return %0 : tensor<2x6x4x4xf64>
}

// 1-D: stride 3, dilation 2, asymmetric pads, remainder 2.
func.func @conv1d(%x: tensor<2x3x10xf64> {kiln.name = "x"}, %w: tensor<4x3x3xf64> {kiln.name = "w"}, %b: tensor<4xf64> {kiln.name = "b"}) -> tensor<2x4x3xf64> {
  %0 = nn.conv %x, %w, %b {strides = array<i64: 3>, pads = array<i64: 2, 1>, dilations = array<i64: 2>, group = 1 : i64}
      : (tensor<2x3x10xf64>, tensor<4x3x3xf64>, tensor<4xf64>) -> tensor<2x4x3xf64>
  return %0 : tensor<2x4x3xf64>
}

// 3-D with mixed strides and pads.
func.func @conv3d(%x: tensor<1x2x4x4x4xf64> {kiln.name = "x"}, %w: tensor<2x2x2x2x2xf64> {kiln.name = "w"}) -> tensor<1x2x2x4x2xf64> {
  %0 = nn.conv %x, %w {strides = array<i64: 2, 1, 2>, pads = array<i64: 0, 1, 0, 1, 0, 1>, dilations = array<i64: 1, 1, 1>, group = 1 : i64}
      : (tensor<1x2x4x4x4xf64>, tensor<2x2x2x2x2xf64>) -> tensor<1x2x2x4x2xf64>
  return %0 : tensor<1x2x2x4x2xf64>
}

// Kernels smaller than the strides (1 < 2, 2 < 3): the input gradient's
// phases without taps are zeros; mixed pads.
func.func @conv2d_stride_past_kernel(%x: tensor<2x3x7x6xf64> {kiln.name = "x"}, %w: tensor<2x3x1x2xf64> {kiln.name = "w"}) -> tensor<2x2x4x2xf64> {
  %0 = nn.conv %x, %w {strides = array<i64: 2, 3>, pads = array<i64: 1, 0, 0, 1>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<2x3x7x6xf64>, tensor<2x3x1x2xf64>) -> tensor<2x2x4x2xf64>
  return %0 : tensor<2x2x4x2xf64>
}

// Stride 3: along the height (2 taps, pad 1) the input gradient's middle
// phase has no taps (zeros between two phases that have them); along the
// width (1 tap, pad 2) only the middle phase has taps (a pad at both ends).
func.func @conv2d_zero_phase_between(%x: tensor<1x2x9x8xf64> {kiln.name = "x"}, %w: tensor<3x2x2x1xf64> {kiln.name = "w"}) -> tensor<1x3x3x4xf64> {
  %0 = nn.conv %x, %w {strides = array<i64: 3, 3>, pads = array<i64: 1, 2, 0, 2>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x2x9x8xf64>, tensor<3x2x2x1xf64>) -> tensor<1x3x3x4xf64>
  return %0 : tensor<1x3x3x4xf64>
}

// Kernel rows that only ever meet padding (H = 1, pads 1, stride 2): their
// weight gradient is zero.
func.func @conv2d_rows_in_padding(%x: tensor<1x2x1x4xf64> {kiln.name = "x"}, %w: tensor<3x2x3x1xf64> {kiln.name = "w"}) -> tensor<1x3x1x4xf64> {
  %0 = nn.conv %x, %w {strides = array<i64: 2, 1>, pads = array<i64: 1, 0, 1, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x2x1x4xf64>, tensor<3x2x3x1xf64>) -> tensor<1x3x1x4xf64>
  return %0 : tensor<1x3x1x4xf64>
}

// Transposed convolution: strides, asymmetric pads, output_padding, bias.
func.func @conv_transpose2d(%x: tensor<1x4x3x3xf64> {kiln.name = "x"}, %w: tensor<4x2x3x3xf64> {kiln.name = "w"}, %b: tensor<2xf64> {kiln.name = "b"}) -> tensor<1x2x7x6xf64> {
  %0 = nn.conv_transpose %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 0, 1>, dilations = array<i64: 1, 1>, output_padding = array<i64: 1, 0>, group = 1 : i64}
      : (tensor<1x4x3x3xf64>, tensor<4x2x3x3xf64>, tensor<2xf64>) -> tensor<1x2x7x6xf64>
  return %0 : tensor<1x2x7x6xf64>
}

// Transposed convolution in two groups with dilation and output_padding.
func.func @conv_transpose_group(%x: tensor<2x4x3x2xf64> {kiln.name = "x"}, %w: tensor<4x1x2x2xf64> {kiln.name = "w"}) -> tensor<2x2x5x5xf64> {
  %0 = nn.conv_transpose %x, %w {strides = array<i64: 1, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 1>, output_padding = array<i64: 0, 1>, group = 2 : i64}
      : (tensor<2x4x3x2xf64>, tensor<4x1x2x2xf64>) -> tensor<2x2x5x5xf64>
  return %0 : tensor<2x2x5x5xf64>
}

// 1-D transposed convolution with a negative pad (an output_shape past the natural size).
func.func @conv_transpose1d_negative_pad(%x: tensor<1x2x4xf64> {kiln.name = "x"}, %w: tensor<2x3x3xf64> {kiln.name = "w"}) -> tensor<1x3x10xf64> {
  %0 = nn.conv_transpose %x, %w {strides = array<i64: 2>, pads = array<i64: -1, 1>, dilations = array<i64: 1>, output_padding = array<i64: 1>, group = 1 : i64}
      : (tensor<1x2x4xf64>, tensor<2x3x3xf64>) -> tensor<1x3x10xf64>
  return %0 : tensor<1x3x10xf64>
}

// Overlapping windows (stride 2 < kernel 3) with padding.
func.func @max_pool2d(%x: tensor<1x2x5x5xf64> {kiln.name = "x"}) -> tensor<1x2x3x3xf64> {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = false}
      : (tensor<1x2x5x5xf64>) -> tensor<1x2x3x3xf64>
  return %0 : tensor<1x2x3x3xf64>
}

// Ceil mode, dilation, asymmetric pads.
func.func @max_pool2d_ceil_dilation(%x: tensor<2x1x6x7xf64> {kiln.name = "x"}) -> tensor<2x1x3x4xf64> {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 2, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 1, 1, 0>, dilations = array<i64: 2, 1>, ceil_mode = true}
      : (tensor<2x1x6x7xf64>) -> tensor<2x1x3x4xf64>
  return %0 : tensor<2x1x3x4xf64>
}

// Windows that tile the input (stride = kernel, no pads): the gradient's
// gather form reads one window per element through an indexing map.
func.func @max_pool2d_tiled(%x: tensor<2x3x6x4xf64> {kiln.name = "x"}) -> tensor<2x3x3x2xf64> {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false}
      : (tensor<2x3x6x4xf64>) -> tensor<2x3x3x2xf64>
  return %0 : tensor<2x3x3x2xf64>
}

// Gaps between windows (stride 3 > kernel 2) and a trailing row no window
// reaches; stride 1 (every element in up to 9 windows) with padding (both
// keep the scatter form).
func.func @max_pool2d_gaps_stride1(%x: tensor<1x2x7x8xf64> {kiln.name = "x"}) -> (tensor<1x2x2x3xf64>, tensor<1x2x7x8xf64>) {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false}
      : (tensor<1x2x7x8xf64>) -> tensor<1x2x2x3xf64>
  %1 = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = false}
      : (tensor<1x2x7x8xf64>) -> tensor<1x2x7x8xf64>
  return %0, %1 : tensor<1x2x2x3xf64>, tensor<1x2x7x8xf64>
}

// Windows that tile the input but hold more than 16 elements compare with
// nn.max_pool_indices' argmax instead of finding it again.
func.func @max_pool2d_large_tiles(%x: tensor<1x2x10x5xf64> {kiln.name = "x"}) -> tensor<1x2x2x1xf64> {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 5, 5>, strides = array<i64: 5, 5>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false}
      : (tensor<1x2x10x5xf64>) -> tensor<1x2x2x1xf64>
  return %0 : tensor<1x2x2x1xf64>
}

// One window over the whole input (tiles it; 36 elements).
func.func @global_max_pool_large(%x: tensor<2x2x6x6xf64> {kiln.name = "x"}) -> tensor<2x2x1x1xf64> {
  %0 = nn.global_max_pool %x : (tensor<2x2x6x6xf64>) -> tensor<2x2x1x1xf64>
  return %0 : tensor<2x2x1x1xf64>
}

func.func @max_pool1d(%x: tensor<2x3x9xf64> {kiln.name = "x"}) -> tensor<2x3x4xf64> {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 3>, strides = array<i64: 2>, pads = array<i64: 0, 0>, dilations = array<i64: 1>, ceil_mode = false}
      : (tensor<2x3x9xf64>) -> tensor<2x3x4xf64>
  return %0 : tensor<2x3x4xf64>
}

func.func @avg_pool2d_include_pad(%x: tensor<1x2x5x5xf64> {kiln.name = "x"}) -> tensor<1x2x3x3xf64> {
  %0 = nn.average_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode = false, count_include_pad = true}
      : (tensor<1x2x5x5xf64>) -> tensor<1x2x3x3xf64>
  return %0 : tensor<1x2x3x3xf64>
}

func.func @avg_pool2d_exclude_pad(%x: tensor<1x2x5x5xf64> {kiln.name = "x"}) -> tensor<1x2x3x3xf64> {
  %0 = nn.average_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode = false, count_include_pad = false}
      : (tensor<1x2x5x5xf64>) -> tensor<1x2x3x3xf64>
  return %0 : tensor<1x2x3x3xf64>
}

// Ceil mode with asymmetric pads, both divisor rules.
func.func @avg_pool2d_ceil(%x: tensor<2x1x6x7xf64> {kiln.name = "x"}) -> (tensor<2x1x4x4xf64>, tensor<2x1x4x4xf64>) {
  %0 = nn.average_pool %x {kernel_shape = array<i64: 2, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 0, 1>, ceil_mode = true, count_include_pad = false}
      : (tensor<2x1x6x7xf64>) -> tensor<2x1x4x4xf64>
  %1 = nn.average_pool %x {kernel_shape = array<i64: 2, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 0, 1>, ceil_mode = true, count_include_pad = true}
      : (tensor<2x1x6x7xf64>) -> tensor<2x1x4x4xf64>
  return %0, %1 : tensor<2x1x4x4xf64>, tensor<2x1x4x4xf64>
}

// Trailing inputs in no window (8 = 2 windows of 3 + 2).
func.func @avg_pool1d_uncovered(%x: tensor<1x2x8xf64> {kiln.name = "x"}) -> tensor<1x2x2xf64> {
  %0 = nn.average_pool %x {kernel_shape = array<i64: 3>, strides = array<i64: 3>, pads = array<i64: 0, 0>, ceil_mode = false, count_include_pad = false}
      : (tensor<1x2x8xf64>) -> tensor<1x2x2xf64>
  return %0 : tensor<1x2x2xf64>
}

// 3-D max and average pooling with asymmetric pads.
func.func @pool3d(%x: tensor<1x2x4x5x4xf64> {kiln.name = "x"}) -> (tensor<1x2x2x3x2xf64>, tensor<1x2x2x3x2xf64>) {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 2, 2, 3>, strides = array<i64: 2, 2, 2>, pads = array<i64: 0, 1, 1, 0, 0, 1>, dilations = array<i64: 1, 1, 1>, ceil_mode = false}
      : (tensor<1x2x4x5x4xf64>) -> tensor<1x2x2x3x2xf64>
  %1 = nn.average_pool %x {kernel_shape = array<i64: 2, 2, 3>, strides = array<i64: 2, 2, 2>, pads = array<i64: 0, 1, 1, 0, 0, 1>, ceil_mode = false, count_include_pad = false}
      : (tensor<1x2x4x5x4xf64>) -> tensor<1x2x2x3x2xf64>
  return %0, %1 : tensor<1x2x2x3x2xf64>, tensor<1x2x2x3x2xf64>
}

func.func @global_pools(%x: tensor<2x3x4x5xf64> {kiln.name = "x"}) -> (tensor<2x3x1x1xf64>, tensor<2x3x1x1xf64>) {
  %0 = nn.global_average_pool %x : (tensor<2x3x4x5xf64>) -> tensor<2x3x1x1xf64>
  %1 = nn.global_max_pool %x : (tensor<2x3x4x5xf64>) -> tensor<2x3x1x1xf64>
  return %0, %1 : tensor<2x3x1x1xf64>, tensor<2x3x1x1xf64>
}

// A small network: conv, max pool, conv, global average pool.
func.func @conv_pool_chain(%x: tensor<2x2x8x8xf64> {kiln.name = "x"}, %w1: tensor<3x2x3x3xf64> {kiln.name = "w1"}, %w2: tensor<4x3x2x2xf64> {kiln.name = "w2"}) -> tensor<2x4x1x1xf64> {
  %0 = nn.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<2x2x8x8xf64>, tensor<3x2x3x3xf64>) -> tensor<2x3x8x8xf64>
  %1 = nn.max_pool %0 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false}
      : (tensor<2x3x8x8xf64>) -> tensor<2x3x4x4xf64>
  %2 = nn.conv %1, %w2 {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<2x3x4x4xf64>, tensor<4x3x2x2xf64>) -> tensor<2x4x2x2xf64>
  %3 = nn.global_average_pool %2 : (tensor<2x4x2x2xf64>) -> tensor<2x4x1x1xf64>
  return %3 : tensor<2x4x1x1xf64>
}
