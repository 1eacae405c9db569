// RUN: kiln-opt %s --split-input-file | FileCheck %s
// RUN: kiln-opt %s --split-input-file --nn-decompose | FileCheck %s --check-prefix=DECOMPOSE

// Unsigned integers (ONNX uint8...uint64) are builtin ui types in nn; the
// signed ones are signless. Arithmetic, comparisons and max pooling take them.
// CHECK-LABEL: func.func @unsigned
func.func @unsigned(%x: tensor<4xui8>, %y: tensor<4xui8>, %p: tensor<1x1x4x4xui8>)
    -> (tensor<4xui8>, tensor<4xi1>, tensor<4xui8>, tensor<1x1x2x2xui8>) {
  // CHECK: nn.div %{{.*}}, %{{.*}} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %0 = nn.div %x, %y : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  // CHECK: nn.less {{.*}} -> tensor<4xi1>
  %1 = nn.less %x, %y : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xi1>
  // CHECK: nn.bit_shift %{{.*}}, %{{.*}} {left = true} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %2 = nn.bit_shift %x, %y {left = true} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  // CHECK: nn.max_pool {{.*}} -> tensor<1x1x2x2xui8>
  %3 = nn.max_pool %p {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>,
                       pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false}
      : (tensor<1x1x4x4xui8>) -> tensor<1x1x2x2xui8>
  return %0, %1, %2, %3 : tensor<4xui8>, tensor<4xi1>, tensor<4xui8>, tensor<1x1x2x2xui8>
}

// -----

// Quantization per axis: scale and zero point [C] along dimension 1.
// CHECK-LABEL: func.func @quantize
// CHECK: nn.quantize_linear {{.*}} -> tensor<1x3x2xui8>
// CHECK: nn.dequantize_linear {{.*}} -> tensor<1x3x2xf32>
// The decomposition divides, rounds half to even, adds the zero point and
// clips to [0, 255] in f32 before the cast; dequantization subtracts and
// scales.
// DECOMPOSE-LABEL: func.func @quantize
// DECOMPOSE: %[[S:.*]] = nn.reshape %arg1 : (tensor<3xf32>) -> tensor<3x1xf32>
// DECOMPOSE: %[[Z:.*]] = nn.reshape %arg2 : (tensor<3xui8>) -> tensor<3x1xui8>
// DECOMPOSE: %[[ZF:.*]] = nn.cast %[[Z]] : (tensor<3x1xui8>) -> tensor<3x1xf32>
// DECOMPOSE: %[[D:.*]] = nn.div %arg0, %[[S]]
// DECOMPOSE: %[[R:.*]] = nn.round %[[D]]
// DECOMPOSE: %[[A:.*]] = nn.add %[[R]], %[[ZF]]
// DECOMPOSE: %[[C:.*]] = nn.clip %[[A]] {max = 2.550000e+02 : f64, min = 0.000000e+00 : f64}
// DECOMPOSE: %[[Q:.*]] = nn.cast %[[C]] : (tensor<1x3x2xf32>) -> tensor<1x3x2xui8>
// DECOMPOSE: %[[QF:.*]] = nn.cast %[[Q]] : (tensor<1x3x2xui8>) -> tensor<1x3x2xf32>
// DECOMPOSE: %[[SUB:.*]] = nn.sub %[[QF]], %{{.*}}
// DECOMPOSE: nn.mul %[[SUB]], %{{.*}}
func.func @quantize(%x: tensor<1x3x2xf32>, %s: tensor<3xf32>, %z: tensor<3xui8>) -> tensor<1x3x2xf32> {
  %q = nn.quantize_linear %x, %s, %z {axis = 1 : i64}
      : (tensor<1x3x2xf32>, tensor<3xf32>, tensor<3xui8>) -> tensor<1x3x2xui8>
  %d = nn.dequantize_linear %q, %s, %z {axis = 1 : i64}
      : (tensor<1x3x2xui8>, tensor<3xf32>, tensor<3xui8>) -> tensor<1x3x2xf32>
  return %d : tensor<1x3x2xf32>
}

// -----

// int8 saturates to [-128, 127].
// DECOMPOSE-LABEL: func.func @quantize_int8
// DECOMPOSE: nn.clip %{{.*}} {max = 1.270000e+02 : f64, min = -1.280000e+02 : f64}
// DECOMPOSE: nn.cast %{{.*}} : (tensor<4xf32>) -> tensor<4xi8>
func.func @quantize_int8(%x: tensor<4xf32>, %s: tensor<f32>, %z: tensor<i8>) -> tensor<4xi8> {
  %q = nn.quantize_linear %x, %s, %z {axis = 0 : i64} : (tensor<4xf32>, tensor<f32>, tensor<i8>) -> tensor<4xi8>
  return %q : tensor<4xi8>
}

// -----

// Unsigned constants fold where the result is not unsigned (casts read
// them by value, comparisons compare them unsigned); an op with an unsigned
// result is left to the generated code.
// RUN: kiln-opt %s --split-input-file --canonicalize | FileCheck %s --check-prefix=FOLD
// FOLD-LABEL: func.func @fold_unsigned
// FOLD-DAG: nn.constant dense<[200, 3]> : tensor<2xi32>
// FOLD-DAG: nn.constant dense<[false, true]> : tensor<2xi1>
// FOLD-DAG: nn.add
func.func @fold_unsigned() -> (tensor<2xi32>, tensor<2xi1>, tensor<2xui8>) {
  %a = nn.constant dense<[200, 3]> : tensor<2xui8>
  %b = nn.constant dense<[3, 200]> : tensor<2xui8>
  %0 = nn.cast %a : (tensor<2xui8>) -> tensor<2xi32>
  %1 = nn.less %a, %b : (tensor<2xui8>, tensor<2xui8>) -> tensor<2xi1>
  %2 = nn.add %a, %b : (tensor<2xui8>, tensor<2xui8>) -> tensor<2xui8>
  return %0, %1, %2 : tensor<2xi32>, tensor<2xi1>, tensor<2xui8>
}
