// RUN: kiln-opt %s --nn-decompose --split-input-file | FileCheck %s

// lstm: one gemm projects every step (weights given at run time are
// transposed once); the batch block loop runs once for a static batch; the
// time loop reads the state from y_h / y_c, adds h*R' to the step's
// projection and writes y and the state.
// CHECK-LABEL: func.func @lstm_static
// CHECK-SAME: (%[[X:.*]]: tensor<5x2x3xf32>
// CHECK: %[[XF:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<5x2x3xf32> into tensor<10x3xf32>
// CHECK: %[[P:.*]] = nn.gemm %[[XF]], %{{.*}}, %{{.*}} {{.*}} -> tensor<10x16xf32>
// CHECK: scf.for %[[B0:[a-z0-9_]+]] = %c0 to %c2 step %c2
// CHECK: scf.for %[[T:[a-z0-9_]+]] = %c0 to %c5 step %c1
// CHECK: %[[H:.*]] = tensor.extract_slice %{{.*}}[0, %[[B0]], 0] [1, 2, 4] [1, 1, 1] : tensor<1x2x4xf32> to tensor<2x4xf32>
// CHECK: %[[XP:.*]] = tensor.extract_slice %[[P]][%{{.*}}, 0] [2, 16] [1, 1]
// CHECK: %[[G:.*]] = nn.gemm %[[H]], %{{.*}}, %[[XP]]
// CHECK-COUNT-5: nn.tanh
// CHECK: tensor.insert_slice %{{.*}}[%[[T]], 0, %[[B0]], 0] [1, 1, 2, 4]
// CHECK: scf.yield
func.func @lstm_static(%x: tensor<5x2x3xf32>, %w: tensor<1x16x3xf32>, %r: tensor<1x16x4xf32>, %b: tensor<1x32xf32>)
    -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>) {
  %y, %yh, %yc = nn.lstm %x, %w, %r bias %b {activation_alpha = array<f64: 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0>,
      activations = ["sigmoid", "tanh", "tanh"], direction = "forward", hidden_size = 4 : i64, input_forget = false}
      : (tensor<5x2x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32>, tensor<1x32xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>)
  return %y, %yh, %yc : tensor<5x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>
}

// -----

// gru with a dynamic batch and lengths in reverse: the lengths are checked
// against x's batch at the top level, the batch runs one entry at a time,
// and each entry starts at its own last valid step.
// CHECK-LABEL: func.func @gru_dynamic
// CHECK: cf.assert %{{.*}}, "nn.gru: expects sequence_lens to have the batch size of x"
// CHECK: cf.assert %{{.*}}, "nn.gru: expects every sequence_lens value in [0, seq_length]"
// CHECK: scf.for %[[B0:[a-z0-9_]+]] = %c0 to %{{.*}} step %c1
// CHECK: %[[LEN:.*]] = tensor.extract %{{.*}}[%[[B0]]] : tensor<?xi32>
// CHECK: scf.for %[[T:[a-z0-9_]+]] =
// CHECK: %[[VALID:.*]] = arith.cmpi slt, %[[T]], %{{.*}} : index
// CHECK: %[[TIME:.*]] = arith.select %[[VALID]]
// CHECK: nn.gemm {{.*}} : (tensor<1x7xf32>, tensor<21x7xf32>) -> tensor<1x21xf32>
// CHECK: nn.where
// CHECK: tensor.insert_slice %{{.*}}[%[[TIME]], 0, %[[B0]], 0] [1, 1, 1, 7]
func.func @gru_dynamic(%x: tensor<?x?x5xf32>, %l: tensor<?xi32>) -> (tensor<?x1x?x7xf32>, tensor<1x?x7xf32>) {
  %w = nn.constant dense<0.1> : tensor<1x21x5xf32>
  %r = nn.constant dense<0.2> : tensor<1x21x7xf32>
  %y, %yh = nn.gru %x, %w, %r lengths %l {activation_alpha = array<f64: 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0>,
      activations = ["sigmoid", "tanh"], direction = "reverse", hidden_size = 7 : i64, linear_before_reset = true}
      : (tensor<?x?x5xf32>, tensor<1x21x5xf32>, tensor<1x21x7xf32>, tensor<?xi32>) -> (tensor<?x1x?x7xf32>, tensor<1x?x7xf32>)
  return %y, %yh : tensor<?x1x?x7xf32>, tensor<1x?x7xf32>
}
