// RUN: kiln-opt %s --nn-decompose --split-input-file | FileCheck %s

// sgd_update with momentum, Nesterov and weight decay, in torch.optim.SGD's
// order: g = grad + wd p; buf' = buf m + g; d = g + m buf'; p' = p + (-lr) d.
// CHECK-LABEL: func.func @sgd_nesterov
// CHECK-SAME: (%[[P:[a-z0-9]+]]: tensor<4xf32>, %[[G:[a-z0-9]+]]: tensor<4xf32>, %[[B:[a-z0-9]+]]: tensor<4xf32>)
// CHECK-DAG: %[[WD:.*]] = nn.constant dense<0.00999999977> : tensor<f32>
// CHECK-DAG: %[[M:.*]] = nn.constant dense<0.899999976> : tensor<f32>
// CHECK-DAG: %[[NLR:.*]] = nn.constant dense<-1.000000e-01> : tensor<f32>
// CHECK: %[[WP:.*]] = nn.mul %[[WD]], %[[P]]
// CHECK: %[[GD:.*]] = nn.add %[[G]], %[[WP]]
// CHECK: %[[BM:.*]] = nn.mul %[[B]], %[[M]]
// CHECK: %[[BUF:.*]] = nn.add %[[BM]], %[[GD]]
// CHECK: %[[MB:.*]] = nn.mul %[[M]], %[[BUF]]
// CHECK: %[[D:.*]] = nn.add %[[GD]], %[[MB]]
// CHECK: %[[STEP:.*]] = nn.mul %[[NLR]], %[[D]]
// CHECK: %[[NEW:.*]] = nn.add %[[P]], %[[STEP]]
// CHECK: return %[[NEW]], %[[BUF]]
func.func @sgd_nesterov(%p: tensor<4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %p1, %b1 = nn.sgd_update %p, %g, %b {lr = 0.1 : f64, momentum = 0.9 : f64, nesterov = true, weight_decay = 0.01 : f64}
      : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %p1, %b1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// sgd_update without momentum: the buffer is returned untouched and a zero
// weight decay adds nothing.
// CHECK-LABEL: func.func @sgd_plain
// CHECK-SAME: (%[[P:[a-z0-9]+]]: tensor<4xf32>, %[[G:[a-z0-9]+]]: tensor<4xf32>, %[[B:[a-z0-9]+]]: tensor<4xf32>)
// CHECK: %[[STEP:.*]] = nn.mul %{{.*}}, %[[G]]
// CHECK: %[[NEW:.*]] = nn.add %[[P]], %[[STEP]]
// CHECK: return %[[NEW]], %[[B]]
func.func @sgd_plain(%p: tensor<4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %p1, %b1 = nn.sgd_update %p, %g, %b {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false, weight_decay = 0.0 : f64}
      : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %p1, %b1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// rmsprop_update: sq' = sq alpha + ((1 - alpha) g) g; p' = p + ((-lr) g) / (sqrt(sq') + eps).
// CHECK-LABEL: func.func @rmsprop
// CHECK-SAME: (%[[P:[a-z0-9]+]]: tensor<4xf32>, %[[G:[a-z0-9]+]]: tensor<4xf32>, %[[S:[a-z0-9]+]]: tensor<4xf32>)
// CHECK-DAG: %[[ALPHA:.*]] = nn.constant dense<0.899999976> : tensor<f32>
// CHECK-DAG: %[[ONEMINUS:.*]] = nn.constant dense<1.000000e-01> : tensor<f32>
// CHECK-DAG: %[[EPS:.*]] = nn.constant dense<9.99999997E-7> : tensor<f32>
// CHECK: %[[SA:.*]] = nn.mul %[[S]], %[[ALPHA]]
// CHECK: %[[G1:.*]] = nn.mul %[[ONEMINUS]], %[[G]]
// CHECK: %[[GG:.*]] = nn.mul %[[G1]], %[[G]]
// CHECK: %[[SQ:.*]] = nn.add %[[SA]], %[[GG]]
// CHECK: %[[ROOT:.*]] = nn.sqrt %[[SQ]]
// CHECK: %[[AVG:.*]] = nn.add %[[ROOT]], %[[EPS]]
// CHECK: %[[NUM:.*]] = nn.mul %{{.*}}, %[[G]]
// CHECK: %[[Q:.*]] = nn.div %[[NUM]], %[[AVG]]
// CHECK: %[[NEW:.*]] = nn.add %[[P]], %[[Q]]
// CHECK: return %[[NEW]], %[[SQ]]
func.func @rmsprop(%p: tensor<4xf32>, %g: tensor<4xf32>, %s: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %p1, %s1 = nn.rmsprop_update %p, %g, %s {lr = 0.01 : f64, alpha = 0.9 : f64, eps = 1.0e-6 : f64, weight_decay = 0.0 : f64}
      : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %p1, %s1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// adam_update (AdamW): p scaled by 1 - lr wd first; the bias corrections are
// f64 powers of the i64 step, rounded to f32 once.
// CHECK-LABEL: func.func @adamw
// CHECK-SAME: (%[[P:[a-z0-9]+]]: tensor<4xf32>, %[[G:[a-z0-9]+]]: tensor<4xf32>, %[[M:[a-z0-9]+]]: tensor<4xf32>, %[[V:[a-z0-9]+]]: tensor<4xf32>, %[[T:[a-z0-9]+]]: tensor<i64>)
// CHECK-DAG: %[[DECAY:.*]] = nn.constant dense<0.999989986> : tensor<f32>
// CHECK-DAG: %[[B1:.*]] = nn.constant dense<9.000000e-01> : tensor<f64>
// CHECK: %[[PD:.*]] = nn.mul %[[P]], %[[DECAY]]
// CHECK: %[[M1:.*]] = nn.add
// CHECK: %[[V1:.*]] = nn.add
// CHECK: %[[POW1:.*]] = nn.pow %[[B1]], %[[T]] : (tensor<f64>, tensor<i64>) -> tensor<f64>
// CHECK: %[[BC1:.*]] = nn.sub %{{.*}}, %[[POW1]] : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK: nn.pow %{{.*}}, %[[T]] : (tensor<f64>, tensor<i64>) -> tensor<f64>
// CHECK: %[[SS:.*]] = nn.div %{{.*}}, %[[BC1]] : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK: %[[SS32:.*]] = nn.cast %[[SS]] : (tensor<f64>) -> tensor<f32>
// CHECK: %[[BC2:.*]] = nn.sqrt %{{.*}} : tensor<f64>
// CHECK: %[[BC2F:.*]] = nn.cast %[[BC2]] : (tensor<f64>) -> tensor<f32>
// CHECK: %[[ROOT:.*]] = nn.sqrt %[[V1]] : tensor<4xf32>
// CHECK: %[[DEN0:.*]] = nn.div %[[ROOT]], %[[BC2F]]
// CHECK: %[[DEN:.*]] = nn.add %[[DEN0]], %{{.*}}
// CHECK: %[[NUM:.*]] = nn.mul %[[SS32]], %[[M1]]
// CHECK: %[[Q:.*]] = nn.div %[[NUM]], %[[DEN]]
// CHECK: %[[NEW:.*]] = nn.add %[[PD]], %[[Q]]
// CHECK: return %[[NEW]], %[[M1]], %[[V1]]
func.func @adamw(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %t: tensor<i64>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %p1, %m1, %v1 = nn.adam_update %p, %g, %m, %v, %t {lr = 1.0e-3 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64, weight_decay = 0.01 : f64, decoupled = true}
      : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<i64>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return %p1, %m1, %v1 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// adam_update (Adam): weight decay goes into the gradient; an f64 parameter
// takes the bias corrections without a cast.
// CHECK-LABEL: func.func @adam_f64
// CHECK-SAME: (%[[P:[a-z0-9]+]]: tensor<4xf64>, %[[G:[a-z0-9]+]]: tensor<4xf64>
// CHECK: %[[WP:.*]] = nn.mul %{{.*}}, %[[P]]
// CHECK: %[[GD:.*]] = nn.add %[[G]], %[[WP]]
// CHECK-NOT: nn.cast
// CHECK: return
func.func @adam_f64(%p: tensor<4xf64>, %g: tensor<4xf64>, %m: tensor<4xf64>, %v: tensor<4xf64>, %t: tensor<i64>) -> (tensor<4xf64>, tensor<4xf64>, tensor<4xf64>) {
  %p1, %m1, %v1 = nn.adam_update %p, %g, %m, %v, %t {lr = 1.0e-3 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64, weight_decay = 0.01 : f64, decoupled = false}
      : (tensor<4xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>, tensor<i64>) -> (tensor<4xf64>, tensor<4xf64>, tensor<4xf64>)
  return %p1, %m1, %v1 : tensor<4xf64>, tensor<4xf64>, tensor<4xf64>
}

// -----

// batch_norm_training: both statistics in one pass over x (NNStatistics.h):
// shifted by each channel's first element s, mean = s + E[x - s] and
// variance = relu(E[(x - s)^2] - E[x - s]^2), each mean over the batch first,
// then the spatial dims; y = (x - mean) / sqrt(variance + epsilon) * scale +
// bias; the running statistics blended with momentum.
// CHECK-LABEL: func.func @batch_norm_training
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x3x4x5xf32>
// CHECK: %[[S:.*]] = nn.slice %[[X]] {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: 1, 3, 1, 1>, strides = array<i64: 1, 1, 1, 1>}
// CHECK: %[[D:.*]] = nn.sub %[[X]], %[[S]]
// CHECK: %[[B1:.*]] = nn.reduce_mean %[[D]] {axes = array<i64: 0>, keep_dims = true}
// CHECK: %[[M1:.*]] = nn.reduce_mean %[[B1]] {axes = array<i64: 2, 3>, keep_dims = true}
// CHECK: %[[D2:.*]] = nn.mul %[[D]], %[[D]]
// CHECK: %[[B2:.*]] = nn.reduce_mean %[[D2]] {axes = array<i64: 0>, keep_dims = true}
// CHECK: %[[M2:.*]] = nn.reduce_mean %[[B2]] {axes = array<i64: 2, 3>, keep_dims = true}
// CHECK: %[[SQ:.*]] = nn.mul %[[M1]], %[[M1]]
// CHECK: %[[DIFF:.*]] = nn.sub %[[M2]], %[[SQ]]
// CHECK: %[[VAR:.*]] = nn.relu %[[DIFF]]
// CHECK: %[[MEAN:.*]] = nn.add %[[S]], %[[M1]]
// CHECK: nn.sub %[[X]], %[[MEAN]]
// CHECK: nn.add %[[VAR]],
// CHECK-NOT: nn.reduce_mean
func.func @batch_norm_training(%x: tensor<2x3x4x5xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>) {
  %y, %rm, %rv = nn.batch_norm_training %x, %s, %b, %m, %v {epsilon = 1.0e-5 : f64, momentum = 0.9 : f64}
      : (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>)
  return %y, %rm, %rv : tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// An empty batch has no first element to shift by: two passes, the mean and
// then the mean of (x - mean)^2 (no slice).
// CHECK-LABEL: func.func @batch_norm_training_empty_batch
// CHECK-NOT: nn.slice
// CHECK: %[[B1:.*]] = nn.reduce_mean %{{.*}} {axes = array<i64: 0>, keep_dims = true}
// CHECK: %[[M:.*]] = nn.reduce_mean %[[B1]] {axes = array<i64: 2, 3>, keep_dims = true}
// CHECK: %[[C:.*]] = nn.sub %{{.*}}, %[[M]]
// CHECK: nn.mul %[[C]], %[[C]]
// CHECK-NOT: nn.slice
func.func @batch_norm_training_empty_batch(%x: tensor<0x3x4x5xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> (tensor<0x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>) {
  %y, %rm, %rv = nn.batch_norm_training %x, %s, %b, %m, %v {epsilon = 1.0e-5 : f64, momentum = 0.9 : f64}
      : (tensor<0x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<0x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>)
  return %y, %rm, %rv : tensor<0x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>
}
