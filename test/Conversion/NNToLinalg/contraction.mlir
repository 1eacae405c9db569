// RUN: kiln-opt %s --convert-nn-to-linalg --split-input-file | FileCheck %s

// A 2-D nn.matmul is linalg.matmul into a zero-filled accumulator.
// CHECK-LABEL: func @matmul
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[ACC:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK: linalg.matmul ins(%arg0, %arg1 : tensor<2x3xf32>, tensor<3x4xf32>) outs(%[[ACC]] : tensor<2x4xf32>)
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// A vector operand becomes a matrix with a unit dim, dropped again after.
// CHECK-LABEL: func @matmul_vector
// CHECK: %[[COL:.*]] = tensor.expand_shape %arg1 {{\[\[}}0, 1]] output_shape [3, 1] : tensor<3xf32> into tensor<3x1xf32>
// CHECK: %[[MM:.*]] = linalg.matmul ins(%arg0, %[[COL]] : tensor<2x3xf32>, tensor<3x1xf32>)
// CHECK: tensor.collapse_shape %[[MM]] {{\[\[}}0, 1]] : tensor<2x1xf32> into tensor<2xf32>
func.func @matmul_vector(%a: tensor<2x3xf32>, %v: tensor<3xf32>) -> tensor<2xf32> {
  %0 = nn.matmul %a, %v : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// One equal batch dim on both sides is linalg.batch_matmul.
// CHECK-LABEL: func @matmul_batch
// CHECK: linalg.batch_matmul ins(%arg0, %arg1 : tensor<4x2x3xf32>, tensor<4x3x5xf32>) outs(%{{.*}} : tensor<4x2x5xf32>)
func.func @matmul_batch(%a: tensor<4x2x3xf32>, %b: tensor<4x3x5xf32>) -> tensor<4x2x5xf32> {
  %0 = nn.matmul %a, %b : (tensor<4x2x3xf32>, tensor<4x3x5xf32>) -> tensor<4x2x5xf32>
  return %0 : tensor<4x2x5xf32>
}

// -----

// Broadcast batch dims are a generic over (batch, m, n, k); the operand
// without a batch dim does not read it.
// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func @matmul_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK: %[[P:.*]] = arith.mulf %[[A]], %[[B]]
// CHECK: arith.addf %[[ACC]], %[[P]]
func.func @matmul_broadcast(%a: tensor<2x3xf32>, %b: tensor<4x3x5xf32>) -> tensor<4x2x5xf32> {
  %0 = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<4x3x5xf32>) -> tensor<4x2x5xf32>
  return %0 : tensor<4x2x5xf32>
}

// -----

// nn.gemm starts from beta * c broadcast to [M, N] and accumulates
// alpha * a * b with transposes read through the maps.
// CHECK-DAG: #[[AT:.*]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[BT:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[MN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func @gemm
// CHECK: %[[BETA:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: %[[C:.*]] = linalg.generic {{.*}} ins(%arg2 : tensor<5xf32>) outs(%{{.*}} : tensor<2x5xf32>)
// CHECK: arith.mulf %{{.*}}, %[[BETA]]
// CHECK: %[[ALPHA:.*]] = arith.constant 2.000000e+00 : f32
// CHECK: linalg.generic {indexing_maps = [#[[AT]], #[[BT]], #[[MN]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg1 : {{.*}}) outs(%[[C]] : tensor<2x5xf32>)
// CHECK: %[[P:.*]] = arith.mulf
// CHECK: %[[S:.*]] = arith.mulf %[[P]], %[[ALPHA]]
// CHECK: arith.addf %{{.*}}, %[[S]]
func.func @gemm(%a: tensor<3x2xf32>, %w: tensor<5x3xf32>, %c: tensor<5xf32>) -> tensor<2x5xf32> {
  %0 = nn.gemm %a, %w, %c {alpha = 2.0 : f64, beta = 0.5 : f64, trans_a = true, trans_b = true} : (tensor<3x2xf32>, tensor<5x3xf32>, tensor<5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// nn.einsum: result letters first (parallel), then summed ones; a letter
// repeated in an operand reads its diagonal.
// CHECK-DAG: #[[DIAG:.*]] = affine_map<(d0, d1) -> (d0, d1, d1)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func @einsum_trace
// CHECK: linalg.generic {indexing_maps = [#[[DIAG]], #[[OUT]]], iterator_types = ["parallel", "reduction"]}
// CHECK: arith.addf
func.func @einsum_trace(%a: tensor<2x3x3xf32>) -> tensor<2xf32> {
  %0 = nn.einsum %a {equation = "bii->b"} : (tensor<2x3x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// A two-operand einsum multiplies the operands and sums into the result.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func @einsum_bmm
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK: %[[P:.*]] = arith.mulf %[[X]], %[[Y]]
// CHECK: arith.addf %[[ACC]], %[[P]]
func.func @einsum_bmm(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = nn.einsum %a, %b {equation = "bij,bjk->bik"} : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}
