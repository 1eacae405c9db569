// Long float sums are blocked (step 0 of kiln-cpu-tile-and-vectorize): each
// block of at most `sum-block` elements sums into zeros, and its sum is added
// to the running total. With sum-block=64, a sum of 8192 elements is blocks
// of 4096 (64 x 64) holding blocks of 64.
// RUN: kiln-opt %s --split-input-file \
// RUN:   --pass-pipeline='builtin.module(func.func(kiln-cpu-tile-and-vectorize{sum-block=64}))' \
// RUN:   | FileCheck %s

// CHECK-LABEL: func.func @sum_8192
// CHECK:         scf.for %{{.*}} = %c0 to %c8192 step %c4096
// CHECK:           linalg.fill
// CHECK:           scf.for %{{.*}} = %c0 to %c4096 step %c64
// CHECK:             linalg.fill
// CHECK:             vector.multi_reduction <add>
// CHECK:             arith.addf
// CHECK:           arith.addf
func.func @sum_8192(%x: tensor<8192xf32>, %init: tensor<f32>) -> tensor<f32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>],
                       iterator_types = ["reduction"]}
      ins(%x : tensor<8192xf32>) outs(%init : tensor<f32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %acc, %in : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// A max is not a sum: one running maximum, unblocked.
// CHECK-LABEL: func.func @max_8192
// CHECK-NOT:     linalg.fill
// CHECK:         return
func.func @max_8192(%x: tensor<8192xf32>, %init: tensor<f32>) -> tensor<f32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>],
                       iterator_types = ["reduction"]}
      ins(%x : tensor<8192xf32>) outs(%init : tensor<f32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.maximumf %acc, %in : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// A sum of 64 elements fits one block: left alone.
// CHECK-LABEL: func.func @sum_64
// CHECK-NOT:     linalg.fill
// CHECK:         return
func.func @sum_64(%x: tensor<64xf32>, %init: tensor<f32>) -> tensor<f32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>],
                       iterator_types = ["reduction"]}
      ins(%x : tensor<64xf32>) outs(%init : tensor<f32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %acc, %in : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %0 : tensor<f32>
}
