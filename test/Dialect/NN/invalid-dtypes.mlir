// RUN: kiln-opt %s --split-input-file --verify-diagnostics

// BitShift is defined on unsigned integers only.
func.func @bit_shift_signed(%x: tensor<4xi8>) -> tensor<4xi8> {
  // expected-error @+1 {{'nn.bit_shift' op operand #0 must be ranked tensor of unsigned integer values}}
  %0 = nn.bit_shift %x, %x {left = true} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

// Signed and unsigned integers of one width are different element types.
func.func @mixed_signedness(%x: tensor<4xi8>, %y: tensor<4xui8>) -> tensor<4xi8> {
  // expected-error @+1 {{'nn.add' op expects operands of one element type, found 'i8' and 'ui8'}}
  %0 = nn.add %x, %y : (tensor<4xi8>, tensor<4xui8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

// A per-axis scale has one value per index of the axis.
func.func @quantize_scale_size(%x: tensor<2x3xf32>, %s: tensor<2xf32>, %z: tensor<2xui8>) -> tensor<2x3xui8> {
  // expected-error @+1 {{'nn.quantize_linear' op expects a scale of 3 (dimension 1 of the input), found 2}}
  %0 = nn.quantize_linear %x, %s, %z {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2xf32>, tensor<2xui8>) -> tensor<2x3xui8>
  return %0 : tensor<2x3xui8>
}

// -----

func.func @quantize_axis(%x: tensor<2x3xf32>, %s: tensor<3xf32>, %z: tensor<3xui8>) -> tensor<2x3xui8> {
  // expected-error @+1 {{'nn.quantize_linear' op expects axis in [0, 1], found 2}}
  %0 = nn.quantize_linear %x, %s, %z {axis = 2 : i64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xui8>) -> tensor<2x3xui8>
  return %0 : tensor<2x3xui8>
}

// -----

func.func @quantize_shapes(%x: tensor<2x3xf32>, %s: tensor<3xf32>, %z: tensor<ui8>) -> tensor<2x3xui8> {
  // expected-error @+1 {{'nn.quantize_linear' op expects scale and zero_point of one shape, found 3 and scalar}}
  %0 = nn.quantize_linear %x, %s, %z {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<ui8>) -> tensor<2x3xui8>
  return %0 : tensor<2x3xui8>
}

// -----

func.func @quantize_input(%x: tensor<4xi64>, %s: tensor<f32>, %z: tensor<ui8>) -> tensor<4xui8> {
  // expected-error @+1 {{'nn.quantize_linear' op expects a float or i32 input, found 'i64'}}
  %0 = nn.quantize_linear %x, %s, %z {axis = 0 : i64} : (tensor<4xi64>, tensor<f32>, tensor<ui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

func.func @dequantize_types(%x: tensor<4xui8>, %s: tensor<f32>, %z: tensor<i8>) -> tensor<4xf32> {
  // expected-error @+1 {{'nn.dequantize_linear' op expects input and zero_point of one element type, found 'ui8' and 'i8'}}
  %0 = nn.dequantize_linear %x, %s, %z {axis = 0 : i64} : (tensor<4xui8>, tensor<f32>, tensor<i8>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Casts take float and integer element types only.
func.func @cast_complex(%x: tensor<4xcomplex<f32>>) -> tensor<4xf32> {
  // expected-error @+1 {{'nn.cast' op expects float, signless or unsigned integer element types, found 'complex<f32>' and 'f32'}}
  %0 = nn.cast %x : (tensor<4xcomplex<f32>>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
