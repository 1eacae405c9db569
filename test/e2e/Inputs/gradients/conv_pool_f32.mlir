// Float32 conv + pool gradients (training runs f32), compared with PyTorch
// by test/e2e/gradients_conv_pool_f32.py.

func.func @net(%x: tensor<2x3x8x8xf32> {kiln.name = "x"}, %w: tensor<4x3x3x3xf32> {kiln.name = "w"}, %b: tensor<4xf32> {kiln.name = "b"}) -> (tensor<2x4x4x4xf32>, tensor<2x4x3x3xf32>) {
  %0 = nn.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<2x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<2x4x8x8xf32>
  %1 = nn.max_pool %0 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = false}
      : (tensor<2x4x8x8xf32>) -> tensor<2x4x4x4xf32>
  %2 = nn.average_pool %1 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode = true, count_include_pad = false}
      : (tensor<2x4x4x4xf32>) -> tensor<2x4x3x3xf32>
  return %1, %2 : tensor<2x4x4x4xf32>, tensor<2x4x3x3xf32>
}

// Ties: the gradient goes to the first maximum of each window (row-major).
func.func @max_pool_ties(%x: tensor<1x2x6x6xf32> {kiln.name = "x"}) -> tensor<1x2x4x4xf32> {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = true}
      : (tensor<1x2x6x6xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// Ties where the windows tile the input (the digits CNN's 2x2 stride 2), and
// with stride 1, where an element is the first maximum of several windows.
func.func @max_pool_ties_tiled(%x: tensor<2x3x8x6xf32> {kiln.name = "x"}) -> (tensor<2x3x4x3xf32>, tensor<2x3x8x6xf32>) {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false}
      : (tensor<2x3x8x6xf32>) -> tensor<2x3x4x3xf32>
  %1 = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = false}
      : (tensor<2x3x8x6xf32>) -> tensor<2x3x8x6xf32>
  return %0, %1 : tensor<2x3x4x3xf32>, tensor<2x3x8x6xf32>
}

// A 3x3 pad-1 convolution with 128 channels each way (ResNet-18's 28x28
// stage): its input gradient flips a kernel large enough that the flip is
// split among threads, whose tiling once cut the reversed kernel rows to one.
func.func @conv_wide(%x: tensor<1x128x28x28xf32> {kiln.name = "x"}, %w: tensor<128x128x3x3xf32> {kiln.name = "w"}) -> tensor<1x128x28x28xf32> {
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x128x28x28xf32>, tensor<128x128x3x3xf32>) -> tensor<1x128x28x28xf32>
  return %0 : tensor<1x128x28x28xf32>
}

// A stride-2 3x3 pad-1 convolution of 32x32 (the ResNet-style CNN's first
// downsampling): its input gradient's phases are 16x16, rows of whole
// vectors that the direct convolution takes (16 lanes and 8).
func.func @conv_s2_phases(%x: tensor<2x8x32x32xf32> {kiln.name = "x"}, %w: tensor<16x8x3x3xf32> {kiln.name = "w"}) -> tensor<2x16x16x16xf32> {
  %0 = nn.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<2x8x32x32xf32>, tensor<16x8x3x3xf32>) -> tensor<2x16x16x16xf32>
  return %0 : tensor<2x16x16x16xf32>
}

// Odd input sizes and asymmetric pads at stride 2 (phases of 8 positions
// cut to 15 and 13 after interleaving, end pads cropping and extending), and
// a 1x1 stride-2 shortcut (phases without taps are zeros).
func.func @conv_s2_odd(%x: tensor<1x4x15x13xf32> {kiln.name = "x"}, %w: tensor<8x4x3x3xf32> {kiln.name = "w"}, %v: tensor<8x4x1x1xf32> {kiln.name = "v"}) -> (tensor<1x8x8x7xf32>, tensor<1x8x8x7xf32>) {
  %0 = nn.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 2, 0, 1, 2>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x4x15x13xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x7xf32>
  %1 = nn.conv %x, %v {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x4x15x13xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x8x7xf32>
  return %0, %1 : tensor<1x8x8x7xf32>, tensor<1x8x8x7xf32>
}

// 1x1 convolutions: their weight gradients are one contraction each, with
// the operand whose channels are the contraction's rows read in place (NCHW,
// through the stride-2 window) and the other moved channels-last: the input
// when it has fewer channels (v, w at stride 2), the output gradient when it
// has (u).
func.func @conv1x1_rows_in_place(%x: tensor<3x16x12x10xf32> {kiln.name = "x"}, %w: tensor<24x16x1x1xf32> {kiln.name = "w"}, %u: tensor<6x16x1x1xf32> {kiln.name = "u"}, %v: tensor<20x16x1x1xf32> {kiln.name = "v"}) -> (tensor<3x24x6x5xf32>, tensor<3x6x6x5xf32>, tensor<3x20x12x10xf32>) {
  %0 = nn.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<3x16x12x10xf32>, tensor<24x16x1x1xf32>) -> tensor<3x24x6x5xf32>
  %1 = nn.conv %x, %u {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<3x16x12x10xf32>, tensor<6x16x1x1xf32>) -> tensor<3x6x6x5xf32>
  %2 = nn.conv %x, %v {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<3x16x12x10xf32>, tensor<20x16x1x1xf32>) -> tensor<3x20x12x10xf32>
  return %0, %1, %2 : tensor<3x24x6x5xf32>, tensor<3x6x6x5xf32>, tensor<3x20x12x10xf32>
}

// Stride-1 convolutions keeping 32-pixel rows: their weight gradients are
// reduced with the pixels in lanes, reading the NCHW input and output
// gradient in place (compiler/Codegen/CPU/WeightGradConv.cpp). Channel
// counts that make uneven register blocks, 14 rows (kernel rows outside the
// input skipped), a 5x5 kernel, pads only before (windows shifted by 2), and
// a 3-channel input as a network's first layer has.
func.func @wgrad_rows32(%x: tensor<3x5x14x32xf32> {kiln.name = "x"}, %w: tensor<12x5x3x3xf32> {kiln.name = "w"}, %v: tensor<8x5x5x5xf32> {kiln.name = "v"}, %u: tensor<6x5x3x3xf32> {kiln.name = "u"}) -> (tensor<3x12x14x32xf32>, tensor<3x8x14x32xf32>, tensor<3x6x14x32xf32>) {
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<3x5x14x32xf32>, tensor<12x5x3x3xf32>) -> tensor<3x12x14x32xf32>
  %1 = nn.conv %x, %v {strides = array<i64: 1, 1>, pads = array<i64: 2, 2, 2, 2>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<3x5x14x32xf32>, tensor<8x5x5x5xf32>) -> tensor<3x8x14x32xf32>
  %2 = nn.conv %x, %u {strides = array<i64: 1, 1>, pads = array<i64: 2, 2, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<3x5x14x32xf32>, tensor<6x5x3x3xf32>) -> tensor<3x6x14x32xf32>
  return %0, %1, %2 : tensor<3x12x14x32xf32>, tensor<3x8x14x32xf32>, tensor<3x6x14x32xf32>
}

// 3 channels to 3 filters: no register block of 4 accumulators at 16
// registers, so the gradient rule keeps the per-offset contractions.
func.func @wgrad_rows32_odd(%x: tensor<2x3x20x32xf32> {kiln.name = "x"}, %w: tensor<3x3x3x3xf32> {kiln.name = "w"}) -> tensor<2x3x20x32xf32> {
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<2x3x20x32xf32>, tensor<3x3x3x3xf32>) -> tensor<2x3x20x32xf32>
  return %0 : tensor<2x3x20x32xf32>
}

func.func @wgrad_rows32_stem(%x: tensor<4x3x32x32xf32> {kiln.name = "x"}, %w: tensor<16x3x3x3xf32> {kiln.name = "w"}) -> tensor<4x16x32x32xf32> {
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<4x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<4x16x32x32xf32>
  return %0 : tensor<4x16x32x32xf32>
}
