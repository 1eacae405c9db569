// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(kiln-copy-shared-results))' | FileCheck %s

// A dynamically shaped result returned twice, and a reshape of it: the first
// keeps the tensor, the others get copies (one buffer handed over three
// times was freed three times by the caller).
// CHECK-LABEL: func.func @shared
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>)
// CHECK: %[[V:.*]] = tensor.collapse_shape %[[X]]
// CHECK: %[[C1:.*]] = bufferization.alloc_tensor() copy(%[[X]]) : tensor<?x4xf32>
// CHECK: %[[C2:.*]] = bufferization.alloc_tensor() copy(%[[V]]) : tensor<?xf32>
// CHECK: return %[[X]], %[[C1]], %[[C2]]
func.func @shared(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?xf32>) {
  %v = tensor.collapse_shape %x [[0, 1]] : tensor<?x4xf32> into tensor<?xf32>
  return %x, %x, %v : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?xf32>
}

// -----

// Distinct results are left alone.
// CHECK-LABEL: func.func @distinct
// CHECK-NOT: alloc_tensor
// CHECK: return %{{.*}}, %{{.*}} :
func.func @distinct(%x: tensor<?x4xf32>, %y: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  return %x, %y : tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

// Static results only become out-parameters, each written by a copy: no
// change.
// CHECK-LABEL: func.func @static
// CHECK-NOT: alloc_tensor
// CHECK: return %{{.*}}, %{{.*}} :
func.func @static(%x: tensor<3x4xf32>) -> (tensor<3x4xf32>, tensor<3x4xf32>) {
  return %x, %x : tensor<3x4xf32>, tensor<3x4xf32>
}
