// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(kiln-fold-shape-arithmetic))' | FileCheck %s

// A shape computed on small tensors (Shape, Gather, Mul, Concat as linalg)
// and read back: each read is the scalar it holds.
// CHECK-LABEL: func.func @forward_reads
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x8xf32>)
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[S:.*]] = tensor.dim %[[X]], %[[C1]]
// CHECK-DAG: %[[S64:.*]] = arith.index_cast %[[S]] : index to i64
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : i64
// CHECK: %[[TIMES:.*]] = arith.muli %[[S64]], %[[C4]] : i64
// CHECK-NOT: linalg.generic
// CHECK-NOT: tensor.extract
// CHECK: return %[[S64]], %[[TIMES]], %[[C4]]
func.func @forward_reads(%x: tensor<?x?x8xf32>) -> (i64, i64, i64) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant dense<4> : tensor<1xi64>
  %s = tensor.dim %x, %c1 : tensor<?x?x8xf32>
  %s64 = arith.index_cast %s : index to i64
  %shape = tensor.from_elements %s64 : tensor<1xi64>
  %e = tensor.empty() : tensor<1xi64>
  %times = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                           iterator_types = ["parallel"]}
      ins(%shape, %c4 : tensor<1xi64>, tensor<1xi64>) outs(%e : tensor<1xi64>) {
  ^bb0(%a: i64, %b: i64, %out: i64):
    %m = arith.muli %a, %b : i64
    linalg.yield %m : i64
  } -> tensor<1xi64>
  %three = tensor.empty() : tensor<3xi64>
  %i0 = tensor.insert_slice %shape into %three[0] [1] [1] : tensor<1xi64> into tensor<3xi64>
  %i1 = tensor.insert_slice %times into %i0[1] [1] [1] : tensor<1xi64> into tensor<3xi64>
  %i2 = tensor.insert_slice %c4 into %i1[2] [1] [1] : tensor<1xi64> into tensor<3xi64>
  %r0 = tensor.extract %i2[%c0] : tensor<3xi64>
  %r1 = tensor.extract %i2[%c1] : tensor<3xi64>
  %r2 = tensor.extract %i2[%c2] : tensor<3xi64>
  return %r0, %r1, %r2 : i64, i64, i64
}

// -----

// ONNX Reshape's rules on a shape entry of the input's dim: the entry is
// never -1 (a dim is not negative), a 0 copies the input's dim (equal to the
// entry's factor there), and a -1 entry is the element count N*S*8 over
// the known part N*2: S*4, selected against 0 where the divisor is 0.
// CHECK-LABEL: func.func @reshape_rules
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x8xf32>)
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK-DAG: %[[S:.*]] = tensor.dim %[[X]], %c1
// CHECK-DAG: %[[N64:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK-DAG: %[[S64:.*]] = arith.index_cast %[[S]] : index to i64
// CHECK-NOT: arith.divsi
// CHECK: %[[Q:.*]] = arith.muli %[[S64]], %c4_i64
// CHECK: %[[ZERO:.*]] = arith.cmpi eq, %{{.*}}, %c0_i64
// CHECK: %[[INFERRED:.*]] = arith.select %[[ZERO]], %c0_i64, %[[Q]]
// CHECK: return %[[N64]], %[[INFERRED]]
func.func @reshape_rules(%x: tensor<?x?x8xf32>) -> (i64, i64) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0 : i64
  %one = arith.constant 1 : i64
  %minus1 = arith.constant -1 : i64
  %c2_i64 = arith.constant 2 : i64
  %c8_i64 = arith.constant 8 : i64
  %n = tensor.dim %x, %c0 : tensor<?x?x8xf32>
  %s = tensor.dim %x, %c1 : tensor<?x?x8xf32>
  %n64 = arith.index_cast %n : index to i64
  %s64 = arith.index_cast %s : index to i64
  // Entry 0 is N: a 0 copies dim 0 of the input, N.
  %is0 = arith.cmpi eq, %n64, %zero : i64
  %d0 = arith.select %is0, %n64, %n64 : i64
  %isUnknown = arith.cmpi eq, %d0, %minus1 : i64
  // The count N*S*8 over the known part N*2, by a checked divisor.
  %ns = arith.muli %n64, %s64 : i64
  %total = arith.muli %ns, %c8_i64 : i64
  %known = arith.muli %d0, %c2_i64 : i64
  %knownIs0 = arith.cmpi eq, %known, %zero : i64
  %divisor = arith.select %knownIs0, %one, %known : i64
  %inferred = arith.divsi %total, %divisor : i64
  %dim0 = arith.select %isUnknown, %inferred, %d0 : i64
  return %dim0, %inferred : i64, i64
}

// -----

// A gather at offsets plus the loop indices (a Slice with run-time starts)
// is an extract_slice.
// CHECK-LABEL: func.func @gather_is_slice
// CHECK-SAME: (%[[SRC:.*]]: tensor<?x384xf32>, %[[OFF:.*]]: index, %[[N:.*]]: index)
// CHECK: %[[SLICE:.*]] = tensor.extract_slice %[[SRC]][0, %[[OFF]]] [%[[N]], 128] [1, 2]
// CHECK-NOT: linalg.generic
// CHECK: return %[[SLICE]]
func.func @gather_is_slice(%src: tensor<?x384xf32>, %off: index, %n: index) -> tensor<?x128xf32> {
  %c2 = arith.constant 2 : index
  %e = tensor.empty(%n) : tensor<?x128xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      outs(%e : tensor<?x128xf32>) {
  ^bb0(%out: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %j2 = arith.muli %j, %c2 : index
    %col = arith.addi %off, %j2 : index
    %v = tensor.extract %src[%i, %col] : tensor<?x384xf32>
    linalg.yield %v : f32
  } -> tensor<?x128xf32>
  return %g : tensor<?x128xf32>
}

// -----

// A gather whose index is not an offset plus a loop index (here the loop
// indices swapped) stays a gather.
// CHECK-LABEL: func.func @transposed_gather_stays
// CHECK: linalg.generic
// CHECK: tensor.extract
func.func @transposed_gather_stays(%src: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %e = tensor.empty() : tensor<8x8xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      outs(%e : tensor<8x8xf32>) {
  ^bb0(%out: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %v = tensor.extract %src[%j, %i] : tensor<8x8xf32>
    linalg.yield %v : f32
  } -> tensor<8x8xf32>
  return %g : tensor<8x8xf32>
}
