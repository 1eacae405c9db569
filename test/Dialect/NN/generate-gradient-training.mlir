// RUN: kiln-opt %s --nn-generate-gradient --split-input-file --verify-diagnostics | FileCheck %s

// Dropout's backward reuses the forward's mask and scales by 1 / (1 - ratio).
// CHECK-LABEL: func.func @dropout_grad(
// CHECK-SAME: %[[X:.*]]: tensor<3x4xf32>, %[[DY:.*]]: tensor<3x4xf32>
// CHECK: %[[R:.*]] = nn.constant dense<2.500000e-01>
// CHECK: %[[Y:.*]], %[[MASK:.*]] = nn.dropout %[[X]], %[[R]]
// CHECK: %[[KEEP:.*]] = nn.sub %{{.*}}, %[[R]]
// CHECK: %[[S:.*]] = nn.div %[[DY]], %[[KEEP]]
// CHECK: %[[DX:.*]] = nn.where %[[MASK]], %[[S]], %{{.*}}
// CHECK: return %{{.*}}, %[[DX]]
func.func @dropout(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %r = nn.constant dense<0.25> : tensor<f32>
  %y, %mask = nn.dropout %x, %r {seed = 3 : i64} : (tensor<3x4xf32>, tensor<f32>) -> (tensor<3x4xf32>, tensor<3x4xi1>)
  return %y : tensor<3x4xf32>
}

// -----

// Dropout is not differentiated with respect to its ratio.
func.func @dropout_ratio(%x: tensor<3x4xf32>, %r: tensor<f32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{'nn.dropout' op expects a ratio that needs no gradient (dropout is not differentiated with respect to its ratio)}}
  %y, %mask = nn.dropout %x, %r {seed = 3 : i64} : (tensor<3x4xf32>, tensor<f32>) -> (tensor<3x4xf32>, tensor<3x4xi1>)
  return %y : tensor<3x4xf32>
}

// -----

// The running statistics of training-mode batch norm are not differentiated.
func.func @running_stats(%x: tensor<2x3xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> (tensor<2x3xf32>, tensor<3xf32>) {
  // expected-error @+1 {{'nn.batch_norm_training' op expects no gradient reaching the running statistics results (they are not differentiated)}}
  %y, %rm, %rv = nn.batch_norm_training %x, %s, %b, %m, %v {epsilon = 1.0e-5 : f64, momentum = 0.9 : f64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>)
  return %y, %rm : tensor<2x3xf32>, tensor<3xf32>
}
