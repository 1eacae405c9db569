// RUN: kiln-opt %s --nn-decompose --canonicalize --convert-nn-to-linalg --canonicalize --cse --canonicalize | FileCheck %s

// One transformer encoder layer (batch first) with a symbolic batch and
// sequence length lowers completely, and every run-time check folds away:
// each size is traced back to the input's.
// CHECK-LABEL: func @encoder
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x32xf32>
// CHECK-NOT: cf.assert
// CHECK-NOT: = nn.
// CHECK: tensor.expand_shape {{.*}} : tensor<?x?x32xf32> into tensor<?x?x4x8xf32>
// CHECK: iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK-NOT: cf.assert
// CHECK-NOT: = nn.
// CHECK: return %{{.*}} : tensor<?x?x32xf32>
func.func @encoder(%x: tensor<?x?x32xf32>, %g: tensor<32xf32>, %bb: tensor<32xf32>) -> tensor<?x?x32xf32> {
  %wq = nn.constant dense<0.01> : tensor<32x32xf32>
  %b = nn.constant dense<0.5> : tensor<32xf32>
  %scale = nn.constant dense<0.35> : tensor<f32>
  %q0 = nn.matmul %x, %wq : (tensor<?x?x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  %q = nn.add %q0, %b : (tensor<?x?x32xf32>, tensor<32xf32>) -> tensor<?x?x32xf32>
  %qh = nn.reshape %q : (tensor<?x?x32xf32>) -> tensor<?x?x4x8xf32>
  %qt = nn.transpose %qh {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x?x4x8xf32>) -> tensor<?x4x?x8xf32>
  %kt = nn.transpose %qh {perm = array<i64: 0, 2, 3, 1>} : (tensor<?x?x4x8xf32>) -> tensor<?x4x8x?xf32>
  %s = nn.matmul %qt, %kt : (tensor<?x4x?x8xf32>, tensor<?x4x8x?xf32>) -> tensor<?x4x?x?xf32>
  %sc = nn.mul %s, %scale : (tensor<?x4x?x?xf32>, tensor<f32>) -> tensor<?x4x?x?xf32>
  %p = nn.softmax %sc {axis = -1 : i64} : (tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32>
  %o = nn.matmul %p, %qt : (tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32>) -> tensor<?x4x?x8xf32>
  %ot = nn.transpose %o {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x4x?x8xf32>) -> tensor<?x?x4x8xf32>
  %om = nn.reshape %ot : (tensor<?x?x4x8xf32>) -> tensor<?x?x32xf32>
  %r = nn.add %x, %om : (tensor<?x?x32xf32>, tensor<?x?x32xf32>) -> tensor<?x?x32xf32>
  %y, %mean, %inv = nn.layer_norm %r, %g, %bb {axis = -1 : i64, epsilon = 1.0e-5 : f64} : (tensor<?x?x32xf32>, tensor<32xf32>, tensor<32xf32>) -> (tensor<?x?x32xf32>, tensor<?x?x1xf32>, tensor<?x?x1xf32>)
  %rm = nn.reduce_mean %y {axes = array<i64: 1>, keep_dims = true} : (tensor<?x?x32xf32>) -> tensor<?x1x32xf32>
  %z = nn.sub %y, %rm : (tensor<?x?x32xf32>, tensor<?x1x32xf32>) -> tensor<?x?x32xf32>
  return %z : tensor<?x?x32xf32>
}
