// RUN: kiln-opt %s --convert-nn-to-linalg --split-input-file | FileCheck %s

// nn.nll_loss: one generic yields each position's loss and weight (0 where
// the target is ignore_index), reading the input and weight at the clamped
// target; mean divides the summed losses by the summed weights.
// CHECK-LABEL: func @nll_loss_mean
// CHECK: %[[P:.*]]:2 = linalg.generic
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: tensor.extract %arg0[
// CHECK: tensor.extract %arg2[
// CHECK: arith.cmpi eq, %{{.*}}, %c-1_i64
// CHECK: arith.select
// CHECK: arith.negf
// CHECK: %[[L:.*]] = linalg.generic {{.*}} ins(%[[P]]#0
// CHECK: %[[W:.*]] = linalg.generic {{.*}} ins(%[[P]]#1
// CHECK: linalg.generic {{.*}} ins(%[[L]], %[[W]]
// CHECK: arith.divf
func.func @nll_loss_mean(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %w: tensor<10xf32>) -> tensor<f32> {
  %0 = nn.nll_loss %x, %t, %w {reduction = "mean", ignore_index = -1 : i64} : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// With reduction "none" the per-position losses are the result; without a
// weight operand each weight is one.
// CHECK-LABEL: func @nll_loss_none
// CHECK: %[[P:.*]]:2 = linalg.generic
// CHECK-NOT: tensor.extract %arg2
// CHECK: arith.negf
// CHECK: return %[[P]]#0 : tensor<4xf32>
func.func @nll_loss_none(%x: tensor<4x10xf32>, %t: tensor<4xi64>) -> tensor<4xf32> {
  %0 = nn.nll_loss %x, %t {reduction = "none"} : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
