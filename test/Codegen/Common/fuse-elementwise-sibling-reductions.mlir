// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(kiln-fuse-elementwise))' | FileCheck %s

// Batch norm's backward sums: sum(dy) and sum(dy * x_hat) over the batch.
// The product (one use, read element for element) fuses into its reduction,
// and the two reductions, with the same loops and reading dy alike, become
// one generic with two results, each accumulating into a fill of its own.
// CHECK-LABEL: func.func @sibling_sums
// CHECK: %[[E0:.*]] = tensor.empty() : tensor<32xf32>
// CHECK: %[[F0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E0]] : tensor<32xf32>)
// CHECK: %[[E1:.*]] = tensor.empty() : tensor<32xf32>
// CHECK: %[[F1:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E1]] : tensor<32xf32>)
// CHECK: %[[R:.*]]:2 = linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]} ins(%arg0, %arg1 : tensor<16x32xf32>, tensor<16x32xf32>) outs(%[[F0]], %[[F1]] : tensor<32xf32>, tensor<32xf32>)
// CHECK-NEXT: ^bb0(%[[DY:.*]]: f32, %[[XH:.*]]: f32, %[[A0:.*]]: f32, %[[A1:.*]]: f32):
// CHECK-NEXT: %[[S0:.*]] = arith.addf %[[A0]], %[[DY]] : f32
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[DY]], %[[XH]] : f32
// CHECK-NEXT: %[[S1:.*]] = arith.addf %[[A1]], %[[P]] : f32
// CHECK-NEXT: linalg.yield %[[S0]], %[[S1]] : f32, f32
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]#0, %[[R]]#1
#id = affine_map<(d0, d1) -> (d0, d1)>
#red = affine_map<(d0, d1) -> (d1)>
func.func @sibling_sums(%dy: tensor<16x32xf32>, %xh: tensor<16x32xf32>) -> (tensor<32xf32>, tensor<32xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<32xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<32xf32>) -> tensor<32xf32>
  %s1 = linalg.generic {indexing_maps = [#id, #red], iterator_types = ["reduction", "parallel"]} ins(%dy : tensor<16x32xf32>) outs(%init : tensor<32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.addf %out, %in : f32
    linalg.yield %a : f32
  } -> tensor<32xf32>
  %e2 = tensor.empty() : tensor<16x32xf32>
  %p = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%dy, %xh : tensor<16x32xf32>, tensor<16x32xf32>) outs(%e2 : tensor<16x32xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<16x32xf32>
  %s2 = linalg.generic {indexing_maps = [#id, #red], iterator_types = ["reduction", "parallel"]} ins(%p : tensor<16x32xf32>) outs(%init : tensor<32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.addf %out, %in : f32
    linalg.yield %a : f32
  } -> tensor<32xf32>
  return %s1, %s2 : tensor<32xf32>, tensor<32xf32>
}

// -----

// The second sum reads the first (a variance after its mean): one loop
// nest cannot compute both, they stay two reductions.
// CHECK-LABEL: func.func @dependent_sums
// CHECK: %[[M:.*]] = linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]} ins(%arg0 : tensor<16x32xf32>)
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]} ins(%arg0, %[[M]] : tensor<16x32xf32>, tensor<32xf32>)
#id = affine_map<(d0, d1) -> (d0, d1)>
#red = affine_map<(d0, d1) -> (d1)>
func.func @dependent_sums(%x: tensor<16x32xf32>) -> (tensor<32xf32>, tensor<32xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<32xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<32xf32>) -> tensor<32xf32>
  %mean = linalg.generic {indexing_maps = [#id, #red], iterator_types = ["reduction", "parallel"]} ins(%x : tensor<16x32xf32>) outs(%init : tensor<32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.addf %out, %in : f32
    linalg.yield %a : f32
  } -> tensor<32xf32>
  %var = linalg.generic {indexing_maps = [#id, #red, #red], iterator_types = ["reduction", "parallel"]} ins(%x, %mean : tensor<16x32xf32>, tensor<32xf32>) outs(%init : tensor<32xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %c = arith.subf %in, %m : f32
    %s = arith.mulf %c, %c : f32
    %a = arith.addf %out, %s : f32
    linalg.yield %a : f32
  } -> tensor<32xf32>
  return %mean, %var : tensor<32xf32>, tensor<32xf32>
}

// -----

// Two products of one matrix (x @ a, x @ b) keep their contraction form:
// a matrix multiply is never merged.
// CHECK-LABEL: func.func @two_matmuls
// CHECK: linalg.matmul
// CHECK: linalg.matmul
func.func @two_matmuls(%x: tensor<8x16xf32>, %a: tensor<16x32xf32>, %b: tensor<16x32xf32>) -> (tensor<8x32xf32>, tensor<8x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x32xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<8x32xf32>) -> tensor<8x32xf32>
  %0 = linalg.matmul ins(%x, %a : tensor<8x16xf32>, tensor<16x32xf32>) outs(%init : tensor<8x32xf32>) -> tensor<8x32xf32>
  %1 = linalg.matmul ins(%x, %b : tensor<8x16xf32>, tensor<16x32xf32>) outs(%init : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %0, %1 : tensor<8x32xf32>, tensor<8x32xf32>
}

// -----

// The generic form of a matrix multiply (rows and columns dims) is not
// merged either: it keeps the register-blocked contraction strategy.
// CHECK-LABEL: func.func @two_generic_matmuls
// CHECK-COUNT-2: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
#lhs = affine_map<(d0, d1, d2) -> (d0, d2)>
#rhs = affine_map<(d0, d1, d2) -> (d2, d1)>
#out = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @two_generic_matmuls(%x: tensor<8x16xf32>, %a: tensor<16x32xf32>, %b: tensor<16x32xf32>) -> (tensor<8x32xf32>, tensor<8x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x32xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<8x32xf32>) -> tensor<8x32xf32>
  %0 = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %a : tensor<8x16xf32>, tensor<16x32xf32>) outs(%init : tensor<8x32xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %m = arith.mulf %l, %r : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x32xf32>
  %1 = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %b : tensor<8x16xf32>, tensor<16x32xf32>) outs(%init : tensor<8x32xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %m = arith.mulf %l, %r : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x32xf32>
  return %0, %1 : tensor<8x32xf32>, tensor<8x32xf32>
}
