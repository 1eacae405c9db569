// RUN: kiln-opt %s --convert-nn-to-linalg --canonicalize --cse --split-input-file | FileCheck %s

// Dynamic sizes through the reductions and arg max (Reduction.cpp).

// A mean over a dynamic axis divides by its run-time size; kept dims come
// back as unit dims.
// CHECK-LABEL: func @reduce_mean
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x8xf32>)
// CHECK: %[[S:.*]] = tensor.dim %[[X]], %c1
// CHECK: %[[I:.*]] = arith.index_cast %[[S]] : index to i64
// CHECK: arith.sitofp %[[I]] : i64 to f32
// CHECK: tensor.expand_shape {{.*}} : tensor<?x8xf32> into tensor<?x1x8xf32>
func.func @reduce_mean(%x: tensor<?x?x8xf32>) -> tensor<?x1x8xf32> {
  %0 = nn.reduce_mean %x {axes = array<i64: 1>, keep_dims = true} : (tensor<?x?x8xf32>) -> tensor<?x1x8xf32>
  return %0 : tensor<?x1x8xf32>
}

// -----

// A mean over a static and a dynamic axis divides by their product, formed at
// run time. (The pattern used to multiply kDynamic into its static count, a
// signed overflow UBSan reported in `make test-sanitize`.)
// CHECK-LABEL: func @reduce_mean_mixed
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x?xf32>)
// CHECK: %[[S:.*]] = tensor.dim %[[X]], %c2
// CHECK: %[[N:.*]] = arith.muli %[[S]], %c3 : index
// CHECK: %[[I:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK: %[[F:.*]] = arith.sitofp %[[I]] : i64 to f32
// CHECK: arith.divf %{{.*}}, %[[F]] : f32
func.func @reduce_mean_mixed(%x: tensor<?x3x?xf32>) -> tensor<?xf32> {
  %0 = nn.reduce_mean %x {axes = array<i64: 1, 2>, keep_dims = false} : (tensor<?x3x?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func @arg_max
// CHECK: tensor.empty(%{{.*}}) : tensor<?xf32>
// CHECK: tensor.empty(%{{.*}}) : tensor<?xi64>
func.func @arg_max(%x: tensor<?x5xf32>) -> tensor<?xi64> {
  %0 = nn.arg_max %x {axis = 1 : i64, keep_dims = false, select_last_index = false} : (tensor<?x5xf32>) -> tensor<?xi64>
  return %0 : tensor<?xi64>
}

// -----

// Arg max over a dynamic axis: an empty one at run time fails the run (the
// static path refuses size 0; the generic alone would give index 0).
// CHECK-LABEL: func @arg_max_nonempty
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[N64:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK: %[[OK:.*]] = arith.cmpi sgt, %[[N64]], %c0_i64
// CHECK: cf.assert %[[OK]], "nn.arg_max: expects a non-empty axis, found size 0"
func.func @arg_max_nonempty(%x: tensor<?x3xf32>) -> tensor<1x3xi64> {
  %0 = nn.arg_max %x {axis = 0 : i64, keep_dims = true, select_last_index = false} : (tensor<?x3xf32>) -> tensor<1x3xi64>
  return %0 : tensor<1x3xi64>
}

// -----

// A dynamic axis that is not reduced needs no check.
// CHECK-LABEL: func @arg_min_static_axis
// CHECK-NOT: cf.assert
func.func @arg_min_static_axis(%x: tensor<?x3xf32>) -> tensor<?x1xi64> {
  %0 = nn.arg_min %x {axis = 1 : i64, keep_dims = true, select_last_index = false} : (tensor<?x3xf32>) -> tensor<?x1xi64>
  return %0 : tensor<?x1xi64>
}
