// RUN: kiln-opt %s --split-input-file --convert-nn-to-linalg | FileCheck %s

// Unsigned nn types pick unsigned arith ops, and the lowered IR is signless.
// CHECK-LABEL: func.func @unsigned_binary
// CHECK-SAME: (%{{.*}}: tensor<4xi8>, %{{.*}}: tensor<4xi8>) -> (tensor<4xi8>, tensor<4xi8>, tensor<4xi8>, tensor<4xi1>, tensor<4xi8>)
// CHECK: arith.divui
// CHECK-NOT: arith.divsi
// CHECK: arith.remui
// CHECK: arith.maxui
// CHECK: arith.cmpi ult
// CHECK: arith.shrui
// CHECK-NOT: ui8
func.func @unsigned_binary(%x: tensor<4xui8>, %y: tensor<4xui8>)
    -> (tensor<4xui8>, tensor<4xui8>, tensor<4xui8>, tensor<4xi1>, tensor<4xui8>) {
  %0 = nn.div %x, %y : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %1 = nn.mod %x, %y {fmod = false} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %2 = nn.max %x, %y : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %3 = nn.less %x, %y : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xi1>
  %4 = nn.bit_shift %x, %y {left = false} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %0, %1, %2, %3, %4 : tensor<4xui8>, tensor<4xui8>, tensor<4xui8>, tensor<4xi1>, tensor<4xui8>
}

// -----

// A shift by the bit width or more gives 0.
// CHECK-LABEL: func.func @shift_left
// CHECK: linalg.generic
// CHECK: %[[W:.*]] = arith.constant 32 : i32
// CHECK: %[[OK:.*]] = arith.cmpi ult, %[[N:.*]], %[[W]] : i32
// CHECK: %[[S:.*]] = arith.shli %{{.*}}, %[[N]] : i32
// CHECK: arith.select %[[OK]], %[[S]], %{{.*}} : i32
func.func @shift_left(%x: tensor<4xui32>, %n: tensor<4xui32>) -> tensor<4xui32> {
  %0 = nn.bit_shift %x, %n {left = true} : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  return %0 : tensor<4xui32>
}

// -----

// Casts from and to unsigned integers extend with zeros and convert unsigned.
// CHECK-LABEL: func.func @unsigned_casts
// CHECK: arith.uitofp %{{.*}} : i16 to f32
// CHECK: arith.fptoui %{{.*}} : f32 to i32
// CHECK: arith.extui %{{.*}} : i16 to i64
func.func @unsigned_casts(%x: tensor<4xui16>, %f: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xui32>, tensor<4xi64>) {
  %0 = nn.cast %x : (tensor<4xui16>) -> tensor<4xf32>
  %1 = nn.cast %f : (tensor<4xf32>) -> tensor<4xui32>
  %2 = nn.cast %x : (tensor<4xui16>) -> tensor<4xi64>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xui32>, tensor<4xi64>
}

// -----

// Unsigned constants become signless constants with the same bits.
// CHECK-LABEL: func.func @unsigned_constant
// CHECK: arith.constant dense<[0, -1]> : tensor<2xi8>
func.func @unsigned_constant() -> tensor<2xui8> {
  %0 = nn.constant dense<[0, 255]> : tensor<2xui8>
  return %0 : tensor<2xui8>
}

// -----

// bfloat16 converts through its bits: f32 to bf16 keeps the high half.
// CHECK-LABEL: func.func @bf16_casts
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK: arith.shrui
// CHECK: arith.trunci %{{.*}} : i32 to i16
// CHECK: arith.bitcast %{{.*}} : i16 to bf16
// CHECK: arith.bitcast %{{.*}} : bf16 to i16
// CHECK: arith.extui %{{.*}} : i16 to i32
// CHECK: arith.shli
// CHECK: arith.bitcast %{{.*}} : i32 to f32
func.func @bf16_casts(%x: tensor<4xf32>, %y: tensor<4xbf16>) -> (tensor<4xbf16>, tensor<4xf32>) {
  %0 = nn.cast %x : (tensor<4xf32>) -> tensor<4xbf16>
  %1 = nn.cast %y : (tensor<4xbf16>) -> tensor<4xf32>
  return %0, %1 : tensor<4xbf16>, tensor<4xf32>
}

// -----

// f16 is computed in f32 and rounded back.
// CHECK-LABEL: func.func @f16_max
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: arith.maximumf %{{.*}} : f32
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @f16_max(%x: tensor<4xf16>, %y: tensor<4xf16>) -> tensor<4xf16> {
  %0 = nn.max %x, %y : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}
