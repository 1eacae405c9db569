// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-fuse-elementwise))' | FileCheck %s

// Each producer has one use. The negation fuses into the elementwise add
// that reads it; the ReLU does not fuse into the matrix multiply, which
// stays a pure multiply-accumulate contraction.
// CHECK-LABEL: func.func @relu_into_matmul_neg_into_add
// CHECK: %[[RELU:.*]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK: arith.maximumf
// CHECK-NOT: arith.addf
// CHECK: linalg.yield
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[RELU]], %{{.*}} :
// CHECK-NOT: arith.maximumf
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK: arith.negf
// CHECK: arith.addf
// CHECK-NOT: linalg.generic
#id = affine_map<(d0, d1) -> (d0, d1)>
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @relu_into_matmul_neg_into_add(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>, %acc: tensor<4x8xf32>)
    -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %mm = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%relu, %w : tensor<4x8xf32>, tensor<8x8xf32>) outs(%acc : tensor<4x8xf32>) {
  ^bb0(%in: f32, %in2: f32, %out: f32):
    %p = arith.mulf %in, %in2 : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %e1 = tensor.empty() : tensor<4x8xf32>
  %neg = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x8xf32>) outs(%e1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<4x8xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%neg, %x : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %in2: f32, %out: f32):
    %s = arith.addf %in, %in2 : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  return %mm, %sum : tensor<4x8xf32>, tensor<4x8xf32>
}

// A scalar computed once (rank 0, e.g. Adam's bias correction 1 - beta^t)
// stays its own generic: fused into the elementwise consumer it would be
// computed again for every element.
// CHECK-LABEL: func.func @scalar_producer
// CHECK: %[[S:.*]] = linalg.generic {{.*}}iterator_types = []
// CHECK: math.powf
// CHECK: linalg.generic {{.*}}ins(%{{.*}}, %[[S]] : tensor<64xf32>, tensor<f32>)
// CHECK-NOT: math.powf
// CHECK: return
#scalar = affine_map<() -> ()>
#bcast = affine_map<(d0) -> ()>
#vec = affine_map<(d0) -> (d0)>
func.func @scalar_producer(%x: tensor<64xf32>, %t: tensor<f32>) -> tensor<64xf32> {
  %beta = arith.constant 0.9 : f32
  %e0 = tensor.empty() : tensor<f32>
  %s = linalg.generic {indexing_maps = [#scalar, #scalar], iterator_types = []}
      ins(%t : tensor<f32>) outs(%e0 : tensor<f32>) {
  ^bb0(%in: f32, %out: f32):
    %p = math.powf %beta, %in : f32
    linalg.yield %p : f32
  } -> tensor<f32>
  %e1 = tensor.empty() : tensor<64xf32>
  %y = linalg.generic {indexing_maps = [#vec, #bcast, #vec], iterator_types = ["parallel"]}
      ins(%x, %s : tensor<64xf32>, tensor<f32>) outs(%e1 : tensor<64xf32>) {
  ^bb0(%in: f32, %in2: f32, %out: f32):
    %m = arith.mulf %in, %in2 : f32
    linalg.yield %m : f32
  } -> tensor<64xf32>
  return %y : tensor<64xf32>
}
