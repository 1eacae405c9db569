// RUN: kiln-opt %s --convert-nn-to-linalg --split-input-file | FileCheck %s

// An ungrouped 2-D convolution pads the input into a filled tensor, starts
// from the broadcast bias and becomes linalg.conv_2d_nchw_fchw.
// CHECK-LABEL: func @conv
// CHECK: %[[FILL:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x3x10x10xf32>)
// CHECK: %[[PAD:.*]] = tensor.insert_slice %{{.*}} into %[[FILL]][0, 0, 1, 1] [1, 3, 8, 8] [1, 1, 1, 1]
// CHECK: %[[BIAS:.*]] = linalg.generic
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%[[PAD]], %{{.*}} : tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) outs(%[[BIAS]] : tensor<1x4x4x4xf32>)
func.func @conv(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = nn.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// A depthwise convolution splits channels into groups.
// CHECK-LABEL: func @depthwise
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 4, 1, 6, 6]
// CHECK: linalg.conv_2d_ngchw_gfchw
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x4x1x4x4xf32> into tensor<1x4x4x4xf32>
func.func @depthwise(%x: tensor<1x4x6x6xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32> {
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 4 : i64}
      : (tensor<1x4x6x6xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// Broadcasting reads size-1 operand dimensions at index 0.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func @add_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK: arith.addf
func.func @add_broadcast(%x: tensor<2x3xf32>, %y: tensor<1x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.add %x, %y : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Max pooling pads with -inf and uses the named pooling op.
// CHECK-LABEL: func @max_pool
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
func.func @max_pool(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = false}
      : (tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// A 2-D matmul is linalg.matmul; a reshape is a collapse then an expand.
// CHECK-LABEL: func @matmul_reshape
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<3x4xf32>)
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<2x4xf32> into tensor<8xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1, 2]] output_shape [2, 2, 2] : tensor<8xf32> into tensor<2x2x2xf32>
func.func @matmul_reshape(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x2x2xf32> {
  %0 = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = nn.reshape %0 : (tensor<2x4xf32>) -> tensor<2x2x2xf32>
  return %1 : tensor<2x2x2xf32>
}

// -----

// Concatenation inserts each operand at its offset along the axis.
// CHECK-LABEL: func @concat
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x5xf32>
// CHECK: %[[A:.*]] = tensor.insert_slice %{{.*}} into %[[E]][0, 0] [2, 2] [1, 1]
// CHECK: tensor.insert_slice %{{.*}} into %[[A]][0, 2] [2, 3] [1, 1]
func.func @concat(%a: tensor<2x2xf32>, %b: tensor<2x3xf32>) -> tensor<2x5xf32> {
  %0 = nn.concat %a, %b {axis = -1 : i64} : (tensor<2x2xf32>, tensor<2x3xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// A mean is a sum over the reduced dimensions divided by their size; kept
// dimensions come back by a reshape.
// CHECK-LABEL: func @reduce_mean
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]
// CHECK: arith.addf
// CHECK: %[[N:.*]] = arith.constant 3.000000e+00 : f32
// CHECK: linalg.generic {{.*}} ins(%[[SUM]] : tensor<2x4xf32>)
// CHECK: arith.divf %{{.*}}, %[[N]]
// CHECK: tensor.expand_shape {{.*}} into tensor<2x1x4xf32>
func.func @reduce_mean(%x: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  %0 = nn.reduce_mean %x {axes = array<i64: 1>, keep_dims = true} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  return %0 : tensor<2x1x4xf32>
}

// -----

// Integer min starts from the largest i32; the last equal element wins with
// select_last_index (sle), and the first element always counts.
// CHECK-LABEL: func @arg_min
// CHECK: arith.constant 2147483647 : i32
// CHECK: %[[R:.*]]:2 = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: linalg.index 1
// CHECK: arith.cmpi sle
// CHECK: linalg.yield
// CHECK: return %[[R]]#1 : tensor<2xi64>
func.func @arg_min(%x: tensor<2x5xi32>) -> tensor<2xi64> {
  %0 = nn.arg_min %x {axis = 1 : i64, keep_dims = false, select_last_index = true} : (tensor<2x5xi32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// Log-softmax subtracts the log of the shifted sum instead of dividing.
// CHECK-LABEL: func @log_softmax
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: arith.subf
// CHECK-NEXT: math.log
// CHECK-NEXT: arith.subf
// CHECK-NOT: arith.divf
func.func @log_softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = nn.log_softmax %x {axis = 1 : i64} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// PRelu selects x or slope * x with the slope broadcast; Sign nests two
// selects; Round rounds halves to even.
// CHECK-LABEL: func @prelu_sign_round
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[BCAST:.*]], #{{.*}}]
// CHECK: arith.cmpf oge
// CHECK: arith.mulf
// CHECK: arith.select
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf olt
// CHECK: arith.select
// CHECK: arith.select
// CHECK: math.roundeven
func.func @prelu_sign_round(%x: tensor<2x3xf32>, %s: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = nn.prelu %x, %s : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = nn.sign %0 : tensor<2x3xf32>
  %2 = nn.round %1 : tensor<2x3xf32>
  return %2 : tensor<2x3xf32>
}

// -----

// A forward slice is a tensor.extract_slice; a reversed one reads through an
// affine map; gather wraps, clamps and extracts; tile reads modulo the size.
// CHECK-DAG: #[[REV:.*]] = affine_map<(d0, d1) -> (-d0 + 1, d1 * -2 + 3)>
// CHECK-DAG: #[[MOD:.*]] = affine_map<(d0, d1) -> (d0 mod 2, d1 mod 4)>
// CHECK-LABEL: func @data_movement
// CHECK: tensor.extract_slice %{{.*}}[0, 1] [2, 2] [1, 2]
// CHECK: linalg.generic {indexing_maps = [#[[REV]],
// CHECK: arith.cmpi slt
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}] : tensor<2x4xf32>
// CHECK: linalg.generic {indexing_maps = [#[[MOD]],
func.func @data_movement(%x: tensor<2x4xf32>, %i: tensor<3xi64>) -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x3xf32>, tensor<4x8xf32>) {
  %0 = nn.slice %x {offsets = array<i64: 0, 1>, sizes = array<i64: 2, 2>, strides = array<i64: 1, 2>} : (tensor<2x4xf32>) -> tensor<2x2xf32>
  %1 = nn.slice %x {offsets = array<i64: 1, 3>, sizes = array<i64: 2, 2>, strides = array<i64: -1, -2>} : (tensor<2x4xf32>) -> tensor<2x2xf32>
  %2 = nn.gather %x, %i {axis = 1 : i64} : (tensor<2x4xf32>, tensor<3xi64>) -> tensor<2x3xf32>
  %3 = nn.tile %x {repeats = array<i64: 2, 2>} : (tensor<2x4xf32>) -> tensor<4x8xf32>
  return %0, %1, %2, %3 : tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x3xf32>, tensor<4x8xf32>
}

// -----

// Integer mod without fmod adds the divisor to a non-zero remainder whose
// sign differs from it; where is a select over the broadcast operands.
// CHECK-LABEL: func @mod_where
// CHECK: arith.remsi
// CHECK: arith.cmpi ne
// CHECK: arith.xori
// CHECK: arith.andi
// CHECK: arith.addi
// CHECK: arith.select
// CHECK: arith.cmpi slt
// CHECK: arith.select
func.func @mod_where(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = nn.mod %a, %b {fmod = false} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %1 = nn.less %0, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
  %2 = nn.where %1, %0, %b : (tensor<4xi1>, tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %2 : tensor<4xi32>
}

// -----

// NLL loss: one generic yields each position's loss and weight (0 where the
// target is ignore_index), reading the input and weight at the clamped
// target; mean divides the summed losses by the summed weights.
// CHECK-LABEL: func @nll_loss
// CHECK: %[[P:.*]]:2 = linalg.generic
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: tensor.extract %arg0[
// CHECK: tensor.extract %arg2[
// CHECK: arith.cmpi eq, %{{.*}}, %c-1_i64
// CHECK: arith.select
// CHECK: arith.negf
// CHECK: %[[L:.*]] = linalg.generic {{.*}} ins(%[[P]]#0
// CHECK: %[[W:.*]] = linalg.generic {{.*}} ins(%[[P]]#1
// CHECK: linalg.generic {{.*}} ins(%[[L]], %[[W]]
// CHECK: arith.divf
func.func @nll_loss(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %w: tensor<10xf32>) -> tensor<f32> {
  %0 = nn.nll_loss %x, %t, %w {reduction = "mean", ignore_index = -1 : i64} : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Trilu compares j - i with k read from its 0-d tensor.
// CHECK-LABEL: func @trilu
// CHECK: linalg.generic
// CHECK: linalg.index 0
// CHECK: linalg.index 1
// CHECK: tensor.extract %arg1[] : tensor<i64>
// CHECK: arith.subi
// CHECK: arith.cmpi sge
// CHECK: arith.select
func.func @trilu(%x: tensor<4x5xf32>, %k: tensor<i64>) -> tensor<4x5xf32> {
  %0 = nn.trilu %x, %k {upper = true} : (tensor<4x5xf32>, tensor<i64>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// A 3-D convolution is one generic over (n, g, f, od, oh, ow, c, kd, kh, kw)
// with channels split by group; a 3-D max pool reads the padded input at
// o * stride + k * dilation with the window's shape from an empty tensor.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d0, d1, d6, d3 + d7, d4 + d8, d5 + d9)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d1, d2, d6, d7, d8, d9)>
// CHECK-DAG: #[[PIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2 * 2 + d5, d3 * 2 + d6, d4 * 2 + d7)>
// CHECK-LABEL: func @conv_pool_3d
// CHECK: tensor.expand_shape %arg0 {{\[}}[0], [1, 2], [3], [4], [5]]
// CHECK: tensor.expand_shape %arg1 {{\[}}[0, 1], [2], [3], [4], [5]]
// CHECK: %[[C:.*]] = linalg.generic {indexing_maps = [#[[IN]], #[[W]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]}
// CHECK: tensor.collapse_shape %[[C]] {{\[}}[0], [1, 2], [3], [4], [5]] : tensor<1x2x3x3x3x3xf32> into tensor<1x6x3x3x3xf32>
// CHECK: tensor.empty() : tensor<2x2x2xf32>
// CHECK: linalg.generic {indexing_maps = [#[[PIN]],
// CHECK: arith.maximumf
func.func @conv_pool_3d(%x: tensor<1x4x5x5x5xf32>, %w: tensor<6x2x3x3x3xf32>) -> (tensor<1x6x3x3x3xf32>, tensor<1x4x2x2x2xf32>) {
  %0 = nn.conv %x, %w {dilations = array<i64: 1, 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 1, 1, 1>} : (tensor<1x4x5x5x5xf32>, tensor<6x2x3x3x3xf32>) -> tensor<1x6x3x3x3xf32>
  %1 = nn.max_pool %x {kernel_shape = array<i64: 2, 2, 2>, strides = array<i64: 2, 2, 2>, pads = array<i64: 0, 0, 0, 0, 0, 0>, dilations = array<i64: 1, 1, 1>, ceil_mode = false} : (tensor<1x4x5x5x5xf32>) -> tensor<1x4x2x2x2xf32>
  return %0, %1 : tensor<1x6x3x3x3xf32>, tensor<1x4x2x2x2xf32>
}

// -----

// Pow with an integer base is computed in f64 and truncated back; a float
// base takes an integer exponent converted to its type.
// CHECK-LABEL: func @pow_types
// CHECK: arith.sitofp %{{.*}} : i32 to f64
// CHECK: arith.sitofp %{{.*}} : i32 to f64
// CHECK: math.powf %{{.*}}, %{{.*}} : f64
// CHECK: arith.fptosi %{{.*}} : f64 to i32
// CHECK: arith.sitofp %{{.*}} : i64 to f32
// CHECK: math.powf %{{.*}}, %{{.*}} : f32
func.func @pow_types(%a: tensor<3xi32>, %x: tensor<3xf32>, %n: tensor<3xi64>) -> (tensor<3xi32>, tensor<3xf32>) {
  %0 = nn.pow %a, %a : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  %1 = nn.pow %x, %n : (tensor<3xf32>, tensor<3xi64>) -> tensor<3xf32>
  return %0, %1 : tensor<3xi32>, tensor<3xf32>
}

// -----

// Einsum: result letters first (parallel), then summed ones; a letter
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

// GatherND: a generic with no inputs reads each tuple element from the
// indices (clamped) and then the input element they name.
// CHECK-LABEL: func @gather_nd
// CHECK: linalg.generic {{.*}} outs(
// CHECK: tensor.extract %arg1[%{{.*}}, %c0]
// CHECK: arith.minsi
// CHECK: tensor.extract %arg1[%{{.*}}, %c1]
// CHECK: arith.minsi
// CHECK: tensor.extract %arg0[
func.func @gather_nd(%x: tensor<3x4xf32>, %i: tensor<5x2xi64>) -> tensor<5xf32> {
  %0 = nn.gather_nd %x, %i {batch_dims = 0 : i64} : (tensor<3x4xf32>, tensor<5x2xi64>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// ReverseSequence reads the entry's clamped length and mirrors the time
// index below it.
// CHECK-DAG: #[[LEN:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func @reverse_sequence
// CHECK: linalg.generic {indexing_maps = [#[[LEN]],
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: arith.cmpi slt
// CHECK: arith.subi
// CHECK: arith.select
// CHECK: tensor.extract %arg0
func.func @reverse_sequence(%x: tensor<4x2x3xf32>, %l: tensor<2xi64>) -> tensor<4x2x3xf32> {
  %0 = nn.reverse_sequence %x, %l {batch_axis = 1 : i64, time_axis = 0 : i64} : (tensor<4x2x3xf32>, tensor<2xi64>) -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// CumSum reduces over an extra dimension k, counting x[k] when k < i
// (exclusive, forward).
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func @cumsum
// CHECK: linalg.generic {indexing_maps = [#[[IN]], {{.*}}], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: linalg.index 2
// CHECK: linalg.index 1
// CHECK: arith.cmpi slt
// CHECK: arith.select
// CHECK: arith.addf
func.func @cumsum(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = nn.cumsum %x {axis = 1 : i64, exclusive = true, reverse = false} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}
