// RUN: kiln-opt %s --nn-decompose --convert-nn-to-linalg --split-input-file | FileCheck %s

// dropout: one generic with two results; each element's number is Philox of
// its linear index (ten rounds of 32x32 -> 64-bit products, done in i64).
// CHECK-LABEL: func.func @dropout
// CHECK: %[[RATIO:.*]] = tensor.extract %{{.*}}[] : tensor<f32>
// CHECK: %{{.*}}:2 = linalg.generic
// CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<3x4xf32>, tensor<3x4xi1>)
// CHECK: linalg.index 0
// CHECK-COUNT-20: arith.muli %{{.*}}, %{{.*}} : i64
// CHECK: arith.cmpf oge, %{{.*}}, %[[RATIO]] : f32
// CHECK: linalg.yield
func.func @dropout(%x: tensor<3x4xf32>, %r: tensor<f32>) -> (tensor<3x4xf32>, tensor<3x4xi1>) {
  %y, %mask = nn.dropout %x, %r {seed = 7 : i64} : (tensor<3x4xf32>, tensor<f32>) -> (tensor<3x4xf32>, tensor<3x4xi1>)
  return %y, %mask : tensor<3x4xf32>, tensor<3x4xi1>
}

// -----

// batch_norm_training: nn-decompose leaves reductions and elementwise ops,
// which lower completely.
// CHECK-LABEL: func.func @batch_norm_training
// CHECK-NOT: nn.
// CHECK: math.sqrt
// CHECK-NOT: nn.
// CHECK: return
func.func @batch_norm_training(%x: tensor<2x3x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>) {
  %y, %rm, %rv = nn.batch_norm_training %x, %s, %b, %m, %v {epsilon = 1.0e-5 : f64, momentum = 0.9 : f64}
      : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>)
  return %y, %rm, %rv : tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// det: an scf.for over the batch, elimination loops on a copy of each matrix.
// CHECK-LABEL: func.func @det
// CHECK: scf.for
// CHECK: tensor.extract_slice %{{.*}} : tensor<2x3x3xf32> to tensor<3x3xf32>
// CHECK: scf.for
// CHECK: math.absf
// CHECK: arith.divf
// CHECK: tensor.insert %{{.*}} into %{{.*}} : tensor<2xf32>
func.func @det(%x: tensor<2x3x3xf32>) -> tensor<2xf32> {
  %d = nn.det %x : (tensor<2x3x3xf32>) -> tensor<2xf32>
  return %d : tensor<2xf32>
}
