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

// -----

// GridSample: a dynamic batch is checked against the grid's, then one generic
// over the result reads the grid point, unnormalizes it and reflects it
// (remf) into the image before the bounds-checked reads.
// CHECK-LABEL: func @grid_sample
// CHECK: cf.assert %{{.*}}, "node 'g' (nn.grid_sample): expects the grid's batch size to be the input's, found another value"
// CHECK: %[[E:.*]] = tensor.empty(%{{.*}}) : tensor<?x2x3x6xf32>
// CHECK: linalg.generic {{.*}} outs(%[[E]] : tensor<?x2x3x6xf32>)
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<?x3x6x2xf32>
// CHECK: arith.remf
// CHECK: arith.select
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<?x2x4x5xf32>
func.func @grid_sample(%x: tensor<?x2x4x5xf32>, %g: tensor<?x3x6x2xf32>) -> tensor<?x2x3x6xf32> {
  %0 = nn.grid_sample %x, %g {mode = "bilinear", padding_mode = "reflection", align_corners = false} : (tensor<?x2x4x5xf32>, tensor<?x3x6x2xf32>) -> tensor<?x2x3x6xf32> loc("g")
  return %0 : tensor<?x2x3x6xf32>
}

// -----

// RoiAlign: a reduction over the boxes checks every batch index and finds
// the largest sample grid (asserts before any read of the input); the pooling
// generic reduces over that grid, masked per box; a last pass averages.
// CHECK-LABEL: func @roi_align
// CHECK: cf.assert %{{.*}}, "node 'ra' (nn.roi_align): expects as many batch indices as rois, found another count"
// CHECK: %[[SCAN:.*]]:3 = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%{{.*}} : tensor<?xi64>)
// CHECK: %[[OK:.*]] = tensor.extract %[[SCAN]]#0[] : tensor<i1>
// CHECK: cf.assert %[[OK]], "node 'ra' (nn.roi_align): expects batch indices in [0, N), found another value"
// CHECK: cf.assert %{{.*}}, "node 'ra' (nn.roi_align): expects at most 65536 samples along a bin's height, found more (a box far larger than its bins with sampling_ratio 0)"
// CHECK: cf.assert %{{.*}}, "node 'ra' (nn.roi_align): expects at most 65536 samples along a bin's width, found more (a box far larger than its bins with sampling_ratio 0)"
// CHECK: %[[POOLED:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK: linalg.generic {{.*}} ins(%[[POOLED]] : tensor<?x3x2x2xf32>)
// CHECK: arith.divf
func.func @roi_align(%x: tensor<2x3x8x8xf32>, %r: tensor<?x4xf32>, %i: tensor<?xi64>) -> tensor<?x3x2x2xf32> {
  %0 = nn.roi_align %x, %r, %i {mode = "avg", coordinate_transformation_mode = "half_pixel", output_height = 2, output_width = 2, sampling_ratio = 0, spatial_scale = 1.0 : f64} : (tensor<2x3x8x8xf32>, tensor<?x4xf32>, tensor<?xi64>) -> tensor<?x3x2x2xf32> loc("ra")
  return %0 : tensor<?x3x2x2xf32>
}
