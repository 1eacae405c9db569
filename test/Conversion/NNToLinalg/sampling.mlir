// RUN: kiln-opt %s --convert-nn-to-linalg --canonicalize --split-input-file | FileCheck %s

// Nearest with run-time sizes: the sizes are checked with asserts naming the
// node before the output is allocated, then one generic gathers the element
// at each rounded coordinate, clamped into the input (f64 coordinates, NaN
// and huge values bounded before the conversion to an index).
// CHECK-LABEL: func @resize_nearest_sizes
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x2x2xf32>, %[[S:.*]]: tensor<2xi64>)
// CHECK: %[[H:.*]] = tensor.extract %[[S]][%{{.*}}] : tensor<2xi64>
// CHECK: cf.assert %{{.*}}, "node 'r' (nn.dynamic_resize): expects sizes from 1 to 2^40, found another value"
// CHECK: cf.assert %{{.*}}, "node 'r' (nn.dynamic_resize): expects a result of at most 2^40 bytes (1 TiB) from the run-time shape, found a larger one"
// CHECK: %[[E:.*]] = tensor.empty(%{{.*}}, %{{.*}}) : tensor<1x1x?x?xf32>
// CHECK: linalg.generic {{.*}} outs(%[[E]] : tensor<1x1x?x?xf32>)
// CHECK: arith.maxnumf
// CHECK: arith.minnumf
// CHECK: math.floor
// CHECK: arith.fptosi
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: tensor.extract %[[X]][%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<1x1x2x2xf32>
func.func @resize_nearest_sizes(%x: tensor<1x1x2x2xf32>, %s: tensor<2xi64>) -> tensor<1x1x?x?xf32> {
  %0 = nn.dynamic_resize %x sizes %s {antialias = false, axes = array<i64: 2, 3>, coordinate_transformation_mode = "asymmetric", cubic_coeff_a = -7.500000e-01 : f64, exclude_outside = false, extrapolation_value = 0.0 : f64, keep_aspect_ratio_policy = "stretch", mode = "nearest", nearest_mode = "floor"} : (tensor<1x1x2x2xf32>, tensor<2xi64>) -> tensor<1x1x?x?xf32> loc("r")
  return %0 : tensor<1x1x?x?xf32>
}

// -----

// Cubic with run-time scales: the scale is checked (positive and finite),
// the output size is floor(in * scale); the pass is a reduction over the 4
// taps (an i8 tensor gives the loop its extent) with a second output summing
// the weights, which exclude_outside renormalizes by.
// CHECK-LABEL: func @resize_cubic_scales
// CHECK: cf.assert %{{.*}}, "node 'c' (nn.dynamic_resize): expects positive finite scales, found another value"
// CHECK: cf.assert %{{.*}}, "node 'c' (nn.dynamic_resize): expects output sizes from 0 to 2^40 from the scales, found another value"
// CHECK: %[[TAPS:.*]] = tensor.empty() : tensor<4xi8>
// CHECK: %[[SUMS:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[TAPS]] : tensor<4xi8>)
// CHECK: math.absf
// CHECK: tensor.extract
// CHECK: linalg.generic {{.*}} ins(%[[SUMS]]#0, %[[SUMS]]#1 : tensor<1x1x2x?xf32>, tensor<1x1x2x?xf32>)
// CHECK: arith.divf
func.func @resize_cubic_scales(%x: tensor<1x1x2x2xf32>, %s: tensor<1xf32>) -> tensor<1x1x2x?xf32> {
  %0 = nn.dynamic_resize %x scales %s {antialias = false, axes = array<i64: 3>, coordinate_transformation_mode = "half_pixel", cubic_coeff_a = -7.500000e-01 : f64, exclude_outside = true, extrapolation_value = 0.0 : f64, keep_aspect_ratio_policy = "stretch", mode = "cubic", nearest_mode = "floor"} : (tensor<1x1x2x2xf32>, tensor<1xf32>) -> tensor<1x1x2x?xf32> loc("c")
  return %0 : tensor<1x1x2x?xf32>
}

// -----

// Antialias: the kernel's radius is ceil(support / min(scale, 1)), checked
// against 2^20, and sizes the tap loop at run time; a static result dim is
// checked against the computed size.
// CHECK-LABEL: func @resize_antialias
// CHECK: cf.assert %{{.*}}, "node 'a' (nn.dynamic_resize): expects dim 3 of the result to be 3 (its static size), found another value"
// CHECK: cf.assert %{{.*}}, "node 'a' (nn.dynamic_resize): expects an antialias kernel of at most 2^20 taps, found a larger one (the scale is too small)"
// CHECK: tensor.empty(%{{.*}}) : tensor<?xi8>
func.func @resize_antialias(%x: tensor<1x1x8x8xf32>, %s: tensor<1xi64>) -> tensor<1x1x8x3xf32> {
  %0 = nn.dynamic_resize %x sizes %s {antialias = true, axes = array<i64: 3>, coordinate_transformation_mode = "half_pixel", cubic_coeff_a = -7.500000e-01 : f64, exclude_outside = false, extrapolation_value = 0.0 : f64, keep_aspect_ratio_policy = "stretch", mode = "linear", nearest_mode = "floor"} : (tensor<1x1x8x8xf32>, tensor<1xi64>) -> tensor<1x1x8x3xf32> loc("a")
  return %0 : tensor<1x1x8x3xf32>
}

// -----

// tf_crop_and_resize reads the roi and gives extrapolation_value where the
// coordinate leaves the input (or is NaN: an unordered compare).
// CHECK-LABEL: func @resize_crop
// CHECK: arith.cmpf ult
// CHECK: arith.cmpf ugt
// CHECK: arith.select %{{.*}}, %{{.*}}, %{{.*}} : f32
func.func @resize_crop(%x: tensor<1x1x4x4xf32>, %r: tensor<2xf32>, %s: tensor<1xi64>) -> tensor<1x1x4x?xf32> {
  %0 = nn.dynamic_resize %x roi %r sizes %s {antialias = false, axes = array<i64: 3>, coordinate_transformation_mode = "tf_crop_and_resize", cubic_coeff_a = -7.500000e-01 : f64, exclude_outside = false, extrapolation_value = 1.0e+01 : f64, keep_aspect_ratio_policy = "stretch", mode = "nearest", nearest_mode = "round_prefer_floor"} : (tensor<1x1x4x4xf32>, tensor<2xf32>, tensor<1xi64>) -> tensor<1x1x4x?xf32> loc("k")
  return %0 : tensor<1x1x4x?xf32>
}
