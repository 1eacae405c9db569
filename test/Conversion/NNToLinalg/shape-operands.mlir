// RUN: kiln-opt %s --convert-nn-to-linalg --canonicalize --split-input-file | FileCheck %s

// A run-time reshape reads the shape, checks it (entries >= -1, at most one
// -1, the element count) with asserts naming the node, and reshapes to the
// computed dims.
// CHECK-LABEL: func @dynamic_reshape
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[S:.*]]: tensor<2xi64>)
// CHECK-DAG: %[[S0:.*]] = tensor.extract %[[S]][%{{.*}}] : tensor<2xi64>
// CHECK-DAG: %[[S1:.*]] = tensor.extract %[[S]][%{{.*}}] : tensor<2xi64>
// CHECK: cf.assert %{{.*}}, "node 'r' (nn.dynamic_reshape): expects shape entries of -1 or more, found a smaller one"
// CHECK: cf.assert %{{.*}}, "node 'r' (nn.dynamic_reshape): expects at most one -1 in the shape, found more"
// CHECK: arith.divsi %{{.*}}, %{{.*}} : i64
// CHECK: arith.remsi
// CHECK: cf.assert %{{.*}}, "node 'r' (nn.dynamic_reshape): expects the shape to hold as many elements as the input"
// CHECK: %[[SHAPE:.*]] = tensor.from_elements %{{.*}}, %{{.*}} : tensor<2xi64>
// CHECK: %[[R:.*]] = tensor.reshape %[[X]](%[[SHAPE]]) : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
// CHECK: return %[[R]]
func.func @dynamic_reshape(%x: tensor<2x3x4xf32>, %s: tensor<2xi64>) -> tensor<?x?xf32> {
  %0 = nn.dynamic_reshape %x, %s {allowzero = false} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32> loc("r")
  return %0 : tensor<?x?xf32>
}

// -----

// With allowzero a 0 entry is a zero-sized dim: no copy from the input, and a
// 0 past the input's rank is not an error.
// CHECK-LABEL: func @dynamic_reshape_allowzero
// CHECK-NOT: expects shape entry
// CHECK: tensor.reshape
func.func @dynamic_reshape_allowzero(%x: tensor<0x3xf32>, %s: tensor<3xi64>) -> tensor<?x?x?xf32> {
  %0 = nn.dynamic_reshape %x, %s {allowzero = true} : (tensor<0x3xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

// A static result type (from ONNX shape inference) keeps the static
// collapse/expand (canonicalized here to one collapse) and checks each dim against the run-time values.
// CHECK-LABEL: func @dynamic_reshape_static_result
// CHECK: cf.assert %{{.*}}, "node 'r' (nn.dynamic_reshape): expects dim 0 of the result to be 6 (its static size), found another value"
// CHECK: cf.assert %{{.*}}, "node 'r' (nn.dynamic_reshape): expects dim 1 of the result to be 4 (its static size), found another value"
// CHECK: tensor.collapse_shape {{.*}} : tensor<2x3x4xf32> into tensor<6x4xf32>
func.func @dynamic_reshape_static_result(%x: tensor<2x3x4xf32>, %s: tensor<2xi64>) -> tensor<6x4xf32> {
  %0 = nn.dynamic_reshape %x, %s {allowzero = false} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32> loc("r")
  return %0 : tensor<6x4xf32>
}

// -----

// A run-time expand checks broadcastability and reads the input at index 0
// along its size-1 dims.
// CHECK-LABEL: func @dynamic_expand
// CHECK-SAME: (%[[X:.*]]: tensor<3x1xf32>, %[[S:.*]]: tensor<3xi64>)
// CHECK: cf.assert %{{.*}}, "node 'e' (nn.dynamic_expand): expects a shape the input broadcasts to, found another"
// CHECK: %[[E:.*]] = tensor.empty(%{{.*}}, %{{.*}}) : tensor<?x3x?xf32>
// CHECK: linalg.generic {{.*}} outs(%[[E]] : tensor<?x3x?xf32>)
// CHECK: %[[I:.*]] = linalg.index 1 : index
// CHECK: tensor.extract %[[X]][%[[I]], %{{.*}}] : tensor<3x1xf32>
func.func @dynamic_expand(%x: tensor<3x1xf32>, %s: tensor<3xi64>) -> tensor<?x3x?xf32> {
  %0 = nn.dynamic_expand %x, %s : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<?x3x?xf32> loc("e")
  return %0 : tensor<?x3x?xf32>
}

// -----

// Run-time unsqueeze and squeeze compute the target shape from the axes
// (checked: in range, distinct, squeezed dims of size 1) and reshape.
// CHECK-LABEL: func @dynamic_unsqueeze_squeeze
// CHECK: cf.assert %{{.*}}, "nn.dynamic_unsqueeze: expects axes in [-3, 3), found a value outside"
// CHECK: tensor.reshape %{{.*}}(%{{.*}}) : (tensor<2x3xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
// CHECK: cf.assert %{{.*}}, "nn.dynamic_squeeze: expects axes in [-2, 2), found a value outside"
// CHECK: cf.assert %{{.*}}, "nn.dynamic_squeeze: expects every squeezed dim to be 1, found another size"
// CHECK: tensor.reshape %{{.*}}(%{{.*}}) : (tensor<1x3xf32>, tensor<1xi64>) -> tensor<?xf32>
func.func @dynamic_unsqueeze_squeeze(%x: tensor<2x3xf32>, %y: tensor<1x3xf32>, %a: tensor<1xi64>)
    -> (tensor<?x?x?xf32>, tensor<?xf32>) {
  %0 = nn.dynamic_unsqueeze %x, %a : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<?x?x?xf32>
  %1 = nn.dynamic_squeeze %y, %a : (tensor<1x3xf32>, tensor<1xi64>) -> tensor<?xf32>
  return %0, %1 : tensor<?x?x?xf32>, tensor<?xf32>
}

// -----

// A run-time slice checks axes and steps, clamps the bounds by ONNX's rules
// in i64, and reads `start + i * step` per dim.
// CHECK-LABEL: func @dynamic_slice
// CHECK-SAME: (%[[X:.*]]: tensor<20x10xf32>
// CHECK: cf.assert %{{.*}}, "node 's' (nn.dynamic_slice): expects axes in [-2, 2), found a value outside"
// CHECK: cf.assert %{{.*}}, "node 's' (nn.dynamic_slice): expects distinct axes, found one twice"
// CHECK: cf.assert %{{.*}}, "node 's' (nn.dynamic_slice): expects non-zero steps, found 0"
// CHECK: arith.minsi
// CHECK: %[[E:.*]] = tensor.empty(%{{.*}}, %{{.*}}) : tensor<?x?xf32>
// CHECK: linalg.generic {{.*}} outs(%[[E]] : tensor<?x?xf32>)
// CHECK: %[[I:.*]] = linalg.index 0 : index
// CHECK: %[[J:.*]] = linalg.index 1 : index
// CHECK: tensor.extract %[[X]][%{{.*}}, %{{.*}}] : tensor<20x10xf32>
func.func @dynamic_slice(%x: tensor<20x10xf32>, %s: tensor<2xi64>, %e: tensor<2xi64>,
                         %a: tensor<2xi64>, %t: tensor<2xi64>) -> tensor<?x?xf32> {
  %0 = nn.dynamic_slice %x, %s, %e axes %a steps %t
      : (tensor<20x10xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?xf32> loc("s")
  return %0 : tensor<?x?xf32>
}

// -----

// A run-time tile checks the counts and reads the input modulo its sizes.
// CHECK-LABEL: func @dynamic_tile
// CHECK: cf.assert %{{.*}}, "nn.dynamic_tile: expects non-negative repeat counts, found a negative one"
// CHECK: tensor.empty(%{{.*}}, %{{.*}}) : tensor<?x?xf32>
// CHECK: arith.remui %{{.*}}, %{{.*}} : index
// CHECK: arith.remui %{{.*}}, %{{.*}} : index
func.func @dynamic_tile(%x: tensor<2x3xf32>, %r: tensor<2xi64>) -> tensor<?x?xf32> {
  %0 = nn.dynamic_tile %x, %r : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// constant_of_shape fills a tensor.empty of the run-time sizes; the static
// dim is checked.
// CHECK-LABEL: func @constant_of_shape
// CHECK: cf.assert %{{.*}}, "nn.constant_of_shape: expects a shape of non-negative sizes, found a negative one"
// CHECK: cf.assert %{{.*}}, "nn.constant_of_shape: expects dim 0 of the result to be 2 (its static size), found another value"
// CHECK: %[[E:.*]] = tensor.empty(%{{.*}}) : tensor<2x?xi32>
// CHECK: linalg.fill ins(%{{.*}} : i32) outs(%[[E]] : tensor<2x?xi32>)
func.func @constant_of_shape(%s: tensor<2xi64>) -> tensor<2x?xi32> {
  %0 = nn.constant_of_shape %s {value = 3 : i32} : (tensor<2xi64>) -> tensor<2x?xi32>
  return %0 : tensor<2x?xi32>
}

// -----

// An integer range counts ceil(|limit - start| / |delta|) exactly in
// unsigned i64, which holds any distance (checked: delta non-zero, at most
// 2^31 elements) and computes start + i * delta.
// CHECK-LABEL: func @range
// CHECK: arith.extsi
// CHECK: cf.assert %{{.*}}, "nn.range: expects a non-zero delta, found 0"
// CHECK: arith.divui
// CHECK: arith.cmpi ule
// CHECK-NEXT: cf.assert %{{.*}}, "nn.range: expects at most 2^31 elements, found more"
// CHECK: tensor.empty(%{{.*}}) : tensor<?xi32>
// CHECK: arith.muli %{{.*}}, %{{.*}} : i32
// CHECK: arith.addi %{{.*}}, %{{.*}} : i32
func.func @range(%a: tensor<i32>, %b: tensor<i32>, %c: tensor<i32>) -> tensor<?xi32> {
  %0 = nn.range %a, %b, %c : (tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<?xi32>
  return %0 : tensor<?xi32>
}

// -----

// A run-time reduction accumulates over every combination of the reduced
// dims: an inner reduction loop whose extent is their product, decoded into
// coordinates with div/rem.
// CHECK-LABEL: func @dynamic_reduce_sum
// CHECK: cf.assert %{{.*}}, "nn.dynamic_reduce_sum: expects axes in [-2, 2), found a value outside"
// CHECK: %[[ACC:.*]] = linalg.fill
// CHECK: %[[LOOP:.*]] = tensor.empty(%{{.*}}) : tensor<?xi8>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[LOOP]] : tensor<?xi8>) outs(%[[ACC]] : tensor<?x?xf32>)
// CHECK: arith.remui
// CHECK: arith.divui
// CHECK: tensor.extract
// CHECK: arith.addf
// CHECK: tensor.reshape %{{.*}}(%{{.*}}) : (tensor<?x?xf32>, tensor<1xi64>) -> tensor<?xf32>
func.func @dynamic_reduce_sum(%x: tensor<2x3xf32>, %a: tensor<1xi64>) -> tensor<?xf32> {
  %0 = nn.dynamic_reduce_sum %x, %a {keep_dims = false} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// A run-time cumsum runs an inner loop along the selected axis and adds the
// elements the (reverse, exclusive) comparison selects.
// CHECK-LABEL: func @dynamic_cumsum
// CHECK: arith.extsi %{{.*}} : i32 to i64
// CHECK: cf.assert %{{.*}}, "nn.dynamic_cumsum: expects the axis in [-2, 2), found a value outside"
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: arith.cmpi ugt
// CHECK: arith.addi
func.func @dynamic_cumsum(%x: tensor<2x3xi32>, %k: tensor<i32>) -> tensor<2x3xi32> {
  %0 = nn.dynamic_cumsum %x, %k {exclusive = true, reverse = true} : (tensor<2x3xi32>, tensor<i32>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// A float range counts in f64 with math.ceil; a NaN start, limit or delta
// is named before the delta's check, a NaN count (inf - inf) after it, and
// only a count that passed the size check is converted to an integer (NaN
// would convert to poison, and in a Loop body a failed check does not stop
// the code after it).
// CHECK-LABEL: func @range_float
// CHECK: arith.extf
// CHECK: cf.assert %{{.*}}, "nn.range: expects a start that is not NaN, found NaN"
// CHECK: cf.assert %{{.*}}, "nn.range: expects a limit that is not NaN, found NaN"
// CHECK: cf.assert %{{.*}}, "nn.range: expects a delta that is not NaN, found NaN"
// CHECK: cf.assert %{{.*}}, "nn.range: expects a non-zero delta, found 0"
// CHECK: math.ceil
// CHECK: cf.assert %{{.*}}, "nn.range: expects a count ceil((limit - start) / delta) that is a number, found NaN (from infinite operands)"
// CHECK: %[[FITS:.*]] = arith.cmpf ole, %[[COUNT:.*]], %{{.*}} : f64
// CHECK: cf.assert %[[FITS]], "nn.range: expects at most 2^31 elements, found more"
// CHECK: %[[SAFE:.*]] = arith.select %[[FITS]], %[[COUNT]], %{{.*}} : f64
// CHECK: arith.fptosi %[[SAFE]]
// CHECK: arith.uitofp
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @range_float(%a: tensor<f32>, %b: tensor<f32>, %c: tensor<f32>) -> tensor<?xf32> {
  %0 = nn.range %a, %b, %c : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// A run-time pad checks the amounts (0 to 2^40) and the result's size, then
// pads with tensor.pad of the run-time low and high amounts.
// CHECK-LABEL: func @dynamic_pad
// CHECK: cf.assert %{{.*}}, "nn.dynamic_pad: expects pads from 0 to 2^40 (cropping with negative pads is not supported), found another value"
// CHECK: cf.assert %{{.*}}, "nn.dynamic_pad: expects a result of at most 2^40 bytes (1 TiB) from the run-time shape, found a larger one"
// CHECK: tensor.pad %{{.*}} low[%{{.*}}, %{{.*}}] high[%{{.*}}, %{{.*}}]
// CHECK: tensor.yield %{{.*}} : f32
// CHECK: } : tensor<2x3xf32> to tensor<?x?xf32>
func.func @dynamic_pad(%x: tensor<2x3xf32>, %p: tensor<4xi64>) -> tensor<?x?xf32> {
  %0 = nn.dynamic_pad %x, %p {value = 1.5 : f64} : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// A run-time constant_value is read from its 0-D tensor.
// CHECK-LABEL: func @dynamic_pad_value
// CHECK: %[[V:.*]] = tensor.extract %{{.*}}[] : tensor<f32>
// CHECK: tensor.pad
// CHECK: tensor.yield %[[V]] : f32
func.func @dynamic_pad_value(%x: tensor<2x3xf32>, %p: tensor<4xi64>, %v: tensor<f32>) -> tensor<?x?xf32> {
  %0 = nn.dynamic_pad %x, %p, %v {value = 0.0 : f64} : (tensor<2x3xf32>, tensor<4xi64>, tensor<f32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
