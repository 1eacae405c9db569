// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(kiln-cpu-tile-and-vectorize{vector-width=8 vector-registers=16}))' \
// RUN:   | FileCheck %s

// An elementwise op whose innermost loop (2) is shorter than the inner tile
// (64) has its trailing loops merged where every operand is contiguous along
// them ([2, 4, 8, 2] -> [2, 64], the outermost loop kept for the threads),
// so it is vectorized 64 lanes at a time, not 2 (the strided input
// gradient's interleave [N, C, P, 2, P, 2] was).
// CHECK-LABEL: func.func @interleave_add
// CHECK: tensor.collapse_shape %arg0 {{\[}}[0], [1, 2, 3]] : tensor<2x4x8x2xf32> into tensor<2x64xf32>
// CHECK: scf.for
// CHECK: arith.addf {{.*}} : vector<64xf32>
// CHECK: tensor.expand_shape {{.*}} : tensor<2x64xf32> into tensor<2x4x8x2xf32>
func.func @interleave_add(%a: tensor<2x4x8x2xf32>, %b: tensor<2x4x8x2xf32>) -> tensor<2x4x8x2xf32> {
  %e = tensor.empty() : tensor<2x4x8x2xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%a, %b : tensor<2x4x8x2xf32>, tensor<2x4x8x2xf32>) outs(%e : tensor<2x4x8x2xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<2x4x8x2xf32>
  return %r : tensor<2x4x8x2xf32>
}

// -----

// A broadcast operand (the bias along dim 1) is not contiguous across dims
// 1 and 2: only the trailing dims it spans whole are merged ([2, 4, 8, 2]
// -> [2, 4, 16]).
// CHECK-LABEL: func.func @broadcast_bias
// CHECK: tensor.collapse_shape %arg0 {{\[}}[0], [1], [2, 3]] : tensor<2x4x8x2xf32> into tensor<2x4x16xf32>
// CHECK: arith.addf {{.*}} : vector<16xf32>
func.func @broadcast_bias(%a: tensor<2x4x8x2xf32>, %b: tensor<4xf32>) -> tensor<2x4x8x2xf32> {
  %e = tensor.empty() : tensor<2x4x8x2xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%a, %b : tensor<2x4x8x2xf32>, tensor<4xf32>) outs(%e : tensor<2x4x8x2xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<2x4x8x2xf32>
  return %r : tensor<2x4x8x2xf32>
}
