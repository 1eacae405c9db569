// RUN: kiln-opt %s --convert-nn-to-linalg --canonicalize --cse --split-input-file | FileCheck %s

// Dynamic sizes through matmul, gemm and einsum (Contraction.cpp): the
// result is sized from the operands, the contracted sizes are checked equal.

// CHECK-LABEL: func @matmul_2d
// CHECK-SAME: (%[[A:.*]]: tensor<?x?xf32>, %[[B:.*]]: tensor<?x5xf32>)
// CHECK-DAG: %[[M:.*]] = tensor.dim %[[A]], %{{.*}}
// CHECK: cf.assert %{{.*}}, "nn.matmul: expects the contracted dimensions to be equal"
// CHECK: %[[E:.*]] = tensor.empty(%[[M]]) : tensor<?x5xf32>
// CHECK: %[[F:.*]] = linalg.fill {{.*}} outs(%[[E]]
// CHECK: linalg.matmul ins(%[[A]], %[[B]] : tensor<?x?xf32>, tensor<?x5xf32>) outs(%[[F]]
func.func @matmul_2d(%a: tensor<?x?xf32>, %b: tensor<?x5xf32>) -> tensor<?x5xf32> {
  %0 = nn.matmul %a, %b : (tensor<?x?xf32>, tensor<?x5xf32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// -----

// A batched activation times a weight matrix (a transformer projection):
// the batch dims come from the activation; the static K needs no check.
// CHECK-LABEL: func @matmul_batch_weight
// CHECK-NOT: cf.assert
// CHECK: tensor.empty(%{{.*}}, %{{.*}}) : tensor<?x?x96xf32>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]
func.func @matmul_batch_weight(%x: tensor<?x?x32xf32>, %w: tensor<32x96xf32>) -> tensor<?x?x96xf32> {
  %0 = nn.matmul %x, %w : (tensor<?x?x32xf32>, tensor<32x96xf32>) -> tensor<?x?x96xf32>
  return %0 : tensor<?x?x96xf32>
}

// -----

// Two dynamic batch sizes must be equal: linalg.batch_matmul.
// CHECK-LABEL: func @batch_matmul
// CHECK: cf.assert %{{.*}}, "nn.matmul: expects dim 0 of the operands to be equal (a dynamic size does not broadcast)"
// CHECK: linalg.batch_matmul
func.func @batch_matmul(%a: tensor<?x?x8xf32>, %b: tensor<?x8x?xf32>) -> tensor<?x?x?xf32> {
  %0 = nn.matmul %a, %b : (tensor<?x?x8xf32>, tensor<?x8x?xf32>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

// Gemm with a dynamic M: the bias row is broadcast into a result of M rows.
// CHECK-LABEL: func @gemm
// CHECK-SAME: (%[[A:.*]]: tensor<?x512xf32>
// CHECK: %[[M:.*]] = tensor.dim %[[A]]
// CHECK-NOT: cf.assert
// CHECK: tensor.empty(%[[M]]) : tensor<?x1000xf32>
// CHECK: linalg.generic
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
func.func @gemm(%a: tensor<?x512xf32>, %b: tensor<1000x512xf32>, %c: tensor<1000xf32>) -> tensor<?x1000xf32> {
  %0 = nn.gemm %a, %b, %c {alpha = 1.0 : f64, beta = 1.0 : f64, trans_a = false, trans_b = true}
      : (tensor<?x512xf32>, tensor<1000x512xf32>, tensor<1000xf32>) -> tensor<?x1000xf32>
  return %0 : tensor<?x1000xf32>
}

// -----

// Einsum: one size per letter, checked across operands.
// CHECK-LABEL: func @einsum
// CHECK: cf.assert %{{.*}}, "nn.einsum: expects one size for index 'j'"
// CHECK: tensor.empty(%{{.*}}) : tensor<?x4xf32>
func.func @einsum(%a: tensor<?x?xf32>, %b: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = nn.einsum %a, %b {equation = "ij,jk->ik"} : (tensor<?x?xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
