// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(kiln-fuse-elementwise))' | FileCheck %s

// A reduction that reads its elementwise producer element for element (a
// permutation map) takes it in: the squares are computed in the sum's loop
// and never written out.
// CHECK-LABEL: func.func @square_into_sum
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["reduction", "parallel", "parallel"]
// CHECK-SAME: ins(%arg0 : tensor<4x8x16xf32>)
// CHECK: arith.mulf %in, %in
// CHECK: arith.addf
// CHECK-NOT: linalg.generic
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#red3 = affine_map<(d0, d1, d2) -> (d1, d2)>
func.func @square_into_sum(%x: tensor<4x8x16xf32>) -> tensor<8x16xf32> {
  %e = tensor.empty() : tensor<4x8x16xf32>
  %sq = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %x : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%e : tensor<4x8x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<4x8x16xf32>
  %z = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<8x16xf32>
  %f = linalg.fill ins(%z : f32) outs(%e2 : tensor<8x16xf32>) -> tensor<8x16xf32>
  %r = linalg.generic {indexing_maps = [#id3, #red3], iterator_types = ["reduction", "parallel", "parallel"]}
      ins(%sq : tensor<4x8x16xf32>) outs(%f : tensor<8x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %o, %a : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// -----

// Batch norm's `x - mean` feeds the variance's sum and the normalized
// output: a cheap producer (one input of its own size, the mean broadcast)
// with every use able to take it is computed again in each, and not
// written out. Both consumers read x itself.
// CHECK-LABEL: func.func @centered_per_use
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["reduction", "parallel", "parallel", "parallel"]
// CHECK-SAME: ins(%arg0, %arg1 :
// CHECK: %[[D:.*]] = arith.subf
// CHECK: arith.mulf %[[D]], %[[D]]
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK-SAME: ins(%arg0, %arg1, %arg2 :
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK-NOT: linalg.generic
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (0, d1, 0, 0)>
#red = affine_map<(d0, d1, d2, d3) -> (d1, d2, d3)>
func.func @centered_per_use(%x: tensor<4x8x16x16xf32>, %mean: tensor<1x8x1x1xf32>, %inv: tensor<1x8x1x1xf32>)
    -> (tensor<8x16x16xf32>, tensor<4x8x16x16xf32>) {
  %e = tensor.empty() : tensor<4x8x16x16xf32>
  %d = linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %mean : tensor<4x8x16x16xf32>, tensor<1x8x1x1xf32>) outs(%e : tensor<4x8x16x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.subf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<4x8x16x16xf32>
  %z = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<8x16x16xf32>
  %f = linalg.fill ins(%z : f32) outs(%e2 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #red], iterator_types = ["reduction", "parallel", "parallel", "parallel"]}
      ins(%d, %d : tensor<4x8x16x16xf32>, tensor<4x8x16x16xf32>) outs(%f : tensor<8x16x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x16x16xf32>
  %xh = linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%d, %inv : tensor<4x8x16x16xf32>, tensor<1x8x1x1xf32>) outs(%e : tensor<4x8x16x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.mulf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<4x8x16x16xf32>
  return %r, %xh : tensor<8x16x16xf32>, tensor<4x8x16x16xf32>
}

// -----

// A producer reading two inputs of its own size is not computed twice (each
// consumer would read both: more than writing the sum once and reading it
// back), nor one whose consumer broadcasts it (a per-channel 1/sqrt would be
// computed once per element).
// CHECK-LABEL: func.func @kept_producers
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK-NEXT: linalg.yield
// CHECK: linalg.generic
// CHECK: math.sqrt
// CHECK-NEXT: linalg.yield
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch4 = affine_map<(d0, d1, d2, d3) -> (0, d1, 0, 0)>
func.func @kept_producers(%a: tensor<4x8x16x16xf32>, %b: tensor<4x8x16x16xf32>, %v: tensor<1x8x1x1xf32>)
    -> (tensor<4x8x16x16xf32>, tensor<4x8x16x16xf32>) {
  %e = tensor.empty() : tensor<4x8x16x16xf32>
  %sum = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%a, %b : tensor<4x8x16x16xf32>, tensor<4x8x16x16xf32>) outs(%e : tensor<4x8x16x16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<4x8x16x16xf32>
  %ev = tensor.empty() : tensor<1x8x1x1xf32>
  %inv = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%v : tensor<1x8x1x1xf32>) outs(%ev : tensor<1x8x1x1xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = math.sqrt %x : f32
    linalg.yield %s : f32
  } -> tensor<1x8x1x1xf32>
  %p = linalg.generic {indexing_maps = [#id4, #ch4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sum, %inv : tensor<4x8x16x16xf32>, tensor<1x8x1x1xf32>) outs(%e : tensor<4x8x16x16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.mulf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<4x8x16x16xf32>
  %q = linalg.generic {indexing_maps = [#id4, #ch4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sum, %inv : tensor<4x8x16x16xf32>, tensor<1x8x1x1xf32>) outs(%e : tensor<4x8x16x16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.divf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<4x8x16x16xf32>
  return %p, %q : tensor<4x8x16x16xf32>, tensor<4x8x16x16xf32>
}

// -----

// Softmax's exp feeds its sum and its quotient; a math function is not
// computed twice (a transformer encoder ran 6% slower when it was), so it
// stays one op whose result both read.
// CHECK-LABEL: func.func @softmax_exp_kept
// CHECK-COUNT-1: math.exp
// CHECK-NOT: math.exp
#sid = affine_map<(d0, d1) -> (d0, d1)>
#srow = affine_map<(d0, d1) -> (d0, 0)>
#sred = affine_map<(d0, d1) -> (d0)>
func.func @softmax_exp_kept(%x: tensor<4x64xf32>, %max: tensor<4x1xf32>) -> (tensor<4xf32>, tensor<4x64xf32>) {
  %e0 = tensor.empty() : tensor<4x64xf32>
  %e = linalg.generic {indexing_maps = [#sid, #srow, #sid], iterator_types = ["parallel", "parallel"]}
      ins(%x, %max : tensor<4x64xf32>, tensor<4x1xf32>) outs(%e0 : tensor<4x64xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %x2 = math.exp %d : f32
    linalg.yield %x2 : f32
  } -> tensor<4x64xf32>
  %z = arith.constant 0.0 : f32
  %s0 = tensor.empty() : tensor<4xf32>
  %sf = linalg.fill ins(%z : f32) outs(%s0 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#sid, #sred], iterator_types = ["parallel", "reduction"]}
      ins(%e : tensor<4x64xf32>) outs(%sf : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = arith.addf %o, %a : f32
    linalg.yield %t : f32
  } -> tensor<4xf32>
  %half = linalg.generic {indexing_maps = [#sid, #sid], iterator_types = ["parallel", "parallel"]}
      ins(%e : tensor<4x64xf32>) outs(%e0 : tensor<4x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c = arith.constant 0.5 : f32
    %t = arith.mulf %a, %c : f32
    linalg.yield %t : f32
  } -> tensor<4x64xf32>
  return %sum, %half : tensor<4xf32>, tensor<4x64xf32>
}
