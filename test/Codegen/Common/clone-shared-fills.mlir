// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(kiln-clone-shared-fills))' | FileCheck %s
// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(kiln-clone-shared-fills),one-shot-bufferize{bufferize-function-boundaries})' | FileCheck %s --check-prefix=BUF

// A fill that CSE made the destination of two kernels that accumulate into
// it (as convolutions do): the first keeps it, the second gets a fill of its
// own, into an empty tensor of its own, right before it. Bufferized, each
// fill is its own buffer and nothing is copied (without the pass, the first
// kernel accumulated into a copy of the fill, which stayed live for the
// second).
// CHECK-LABEL: func.func @shared_fill
// CHECK: %[[E1:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK-NEXT: %[[Z1:.*]] = linalg.fill ins(%[[CST:.*]] : f32) outs(%[[E1]] : tensor<4x8xf32>)
// CHECK-NEXT: %[[R1:.*]] = linalg.generic {{.*}} outs(%[[Z1]] : tensor<4x8xf32>)
// CHECK: %[[E2:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK-NEXT: %[[Z2:.*]] = linalg.fill ins(%[[CST]] : f32) outs(%[[E2]] : tensor<4x8xf32>)
// CHECK-NEXT: linalg.generic {{.*}} ins(%[[R1]] : tensor<4x8xf32>) outs(%[[Z2]] : tensor<4x8xf32>)
// BUF-LABEL: func.func @shared_fill
// BUF-NOT: memref.copy
// BUF: return
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @shared_fill(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %r1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x8xf32>) outs(%z : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %r2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%r1 : tensor<4x8xf32>) outs(%z : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  return %r1, %r2 : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// A fill as tiling leaves it (a parallel loop of vector writes into slices
// of an empty tensor) counts as one: the second user gets its own loop.
// CHECK-LABEL: func.func @shared_tiled_fill
// CHECK: %[[E1:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK-NEXT: %[[Z1:.*]] = scf.forall {{.*}} shared_outs(%{{.*}} = %[[E1]])
// CHECK: linalg.generic {{.*}} outs(%[[Z1]] : tensor<4x8xf32>)
// CHECK: %[[E2:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK-NEXT: %[[Z2:.*]] = scf.forall {{.*}} shared_outs(%{{.*}} = %[[E2]])
// CHECK: linalg.generic {{.*}} outs(%[[Z2]] : tensor<4x8xf32>)
// BUF-LABEL: func.func @shared_tiled_fill
// BUF-NOT: memref.copy {{.*}} : memref<4x8xf32> to memref<4x8xf32>
// BUF: return
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @shared_tiled_fill(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %zero = arith.constant dense<0.0> : vector<8xf32>
  %c0 = arith.constant 0 : index
  %e = tensor.empty() : tensor<4x8xf32>
  %z = scf.forall (%i) in (4) shared_outs(%o = %e) -> (tensor<4x8xf32>) {
    %s = tensor.extract_slice %o[%i, 0] [1, 8] [1, 1] : tensor<4x8xf32> to tensor<1x8xf32>
    %w = vector.transfer_write %zero, %s[%c0, %c0] {in_bounds = [true]} : vector<8xf32>, tensor<1x8xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %w into %o[%i, 0] [1, 8] [1, 1] : tensor<1x8xf32> into tensor<4x8xf32>
    }
  }
  %r1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x8xf32>) outs(%z : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %r2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%r1 : tensor<4x8xf32>) outs(%z : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  return %r1, %r2 : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// An empty tensor shared by two kernels: each gets its own, so each result
// bufferizes to its own allocation (with the shared one, both kernels wrote
// into one buffer, live for the planner from the first to the last).
// CHECK-LABEL: func.func @shared_empty
// CHECK: %[[E1:.*]] = tensor.empty() : tensor<4xf32>
// CHECK-NEXT: %[[R1:.*]] = linalg.exp ins(%{{.*}} : tensor<4xf32>) outs(%[[E1]] : tensor<4xf32>)
// CHECK-NEXT: %[[E2:.*]] = tensor.empty() : tensor<4xf32>
// CHECK-NEXT: linalg.exp ins(%[[R1]] : tensor<4xf32>) outs(%[[E2]] : tensor<4xf32>)
func.func @shared_empty(%a: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %r1 = linalg.exp ins(%a : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %r2 = linalg.exp ins(%r1 : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  return %r2 : tensor<4xf32>
}

// -----

// Each op of the block using the fill gets one (the loop one for both of
// its uses, made before the loop, not once per iteration); an op that reads
// a tensor it was given is no fill and is not copied.
// CHECK-LABEL: func.func @uses_in_a_loop
// CHECK: linalg.fill
// CHECK-NEXT: %[[NEG:.*]] = linalg.negf
// CHECK-NOT: linalg.negf
// CHECK: linalg.fill
// CHECK-NEXT: linalg.add ins(%[[NEG]], %[[NEG]]
// CHECK: %[[Z3:.*]] = linalg.fill
// CHECK-NEXT: scf.for
// CHECK-NEXT: linalg.add ins(%[[Z3]], %[[Z3]] : tensor<4xf32>, tensor<4xf32>)
func.func @uses_in_a_loop(%a: tensor<4xf32>, %n: index) -> (tensor<4xf32>, tensor<4xf32>) {
  %cst = arith.constant 1.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %e = tensor.empty() : tensor<4xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %neg = linalg.negf ins(%a : tensor<4xf32>) outs(%z : tensor<4xf32>) -> tensor<4xf32>
  %first = linalg.add ins(%neg, %neg : tensor<4xf32>, tensor<4xf32>) outs(%z : tensor<4xf32>) -> tensor<4xf32>
  %loop = scf.for %i = %c0 to %n step %c1 iter_args(%t = %a) -> (tensor<4xf32>) {
    %x = linalg.add ins(%z, %z : tensor<4xf32>, tensor<4xf32>) outs(%t : tensor<4xf32>) -> tensor<4xf32>
    scf.yield %x : tensor<4xf32>
  }
  return %first, %loop : tensor<4xf32>, tensor<4xf32>
}
