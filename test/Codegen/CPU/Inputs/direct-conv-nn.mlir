func.func @conv(%x: tensor<1x8x16x16xf32> {kiln.name = "x"}, %w: tensor<16x8x3x3xf32> {kiln.name = "w"}) -> tensor<1x16x16x16xf32> {
  %y = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x8x16x16xf32>, tensor<16x8x3x3xf32>) -> tensor<1x16x16x16xf32>
  return %y : tensor<1x16x16x16xf32>
}
