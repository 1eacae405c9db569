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

// dropout with an offset: read once before the loop and split into counter
// words 2 and 3 (low, high), which the first round multiplies.
// CHECK-LABEL: func.func @dropout_offset
// CHECK: %[[OFF:.*]] = tensor.extract %{{.*}}[] : tensor<i64>
// CHECK: %[[LO:.*]] = arith.trunci %[[OFF]] : i64 to i32
// CHECK: %[[SH:.*]] = arith.shrui %[[OFF]], %{{.*}} : i64
// CHECK: %[[HI:.*]] = arith.trunci %[[SH]] : i64 to i32
// CHECK: linalg.generic
// CHECK: arith.extui %[[LO]] : i32 to i64
// CHECK: arith.xori %{{.*}}, %[[HI]] : i32
// CHECK: linalg.yield
func.func @dropout_offset(%x: tensor<3x4xf32>, %r: tensor<f32>, %o: tensor<i64>) -> (tensor<3x4xf32>, tensor<3x4xi1>) {
  %y, %mask = nn.dropout %x, %r, %o {seed = 7 : i64} : (tensor<3x4xf32>, tensor<f32>, tensor<i64>) -> (tensor<3x4xf32>, tensor<3x4xi1>)
  return %y, %mask : tensor<3x4xf32>, tensor<3x4xi1>
}

// -----

// The optimizer updates: nn-decompose leaves elementwise ops, which lower
// completely; adam's bias corrections are f64 powers of the step count.
// CHECK-LABEL: func.func @optimizer_updates
// CHECK-NOT: nn.
// CHECK: math.sqrt %{{.*}} : f32
// CHECK: math.powf %{{.*}}, %{{.*}} : f64
// CHECK-NOT: nn.
// CHECK: return
func.func @optimizer_updates(%p: tensor<2x3xf32>, %g: tensor<2x3xf32>, %s: tensor<2x3xf32>, %t: tensor<i64>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %p1, %b1 = nn.sgd_update %p, %g, %s {lr = 0.1 : f64, momentum = 0.9 : f64, nesterov = true, weight_decay = 0.01 : f64}
      : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>)
  %p2, %s2 = nn.rmsprop_update %p1, %g, %s {lr = 0.01 : f64, alpha = 0.99 : f64, eps = 1.0e-8 : f64, weight_decay = 0.0 : f64}
      : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>)
  %p3, %m3, %v3 = nn.adam_update %p2, %g, %b1, %s2, %t {lr = 1.0e-3 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64, weight_decay = 0.01 : f64, decoupled = true}
      : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<i64>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>)
  return %b1, %p3, %m3, %v3 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
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
