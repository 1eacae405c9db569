// RUN: kiln-opt %s --split-input-file --verify-diagnostics

// Exactly one of scales and sizes.
func.func @resize_both(%x: tensor<1x1x2x2xf32>, %s: tensor<2xf32>, %z: tensor<2xi64>) -> tensor<1x1x?x?xf32> {
  // expected-error @+1 {{'nn.dynamic_resize' op expects exactly one of scales and sizes}}
  %0 = nn.dynamic_resize %x scales %s sizes %z {antialias = false, axes = array<i64: 2, 3>, coordinate_transformation_mode = "half_pixel", cubic_coeff_a = -7.500000e-01 : f64, exclude_outside = false, extrapolation_value = 0.0 : f64, keep_aspect_ratio_policy = "stretch", mode = "linear", nearest_mode = "floor"} : (tensor<1x1x2x2xf32>, tensor<2xf32>, tensor<2xi64>) -> tensor<1x1x?x?xf32>
  return %0 : tensor<1x1x?x?xf32>
}

// -----

// One scale per axis.
func.func @resize_count(%x: tensor<1x1x2x2xf32>, %s: tensor<4xf32>) -> tensor<1x1x?x?xf32> {
  // expected-error @+1 {{'nn.dynamic_resize' op expects scales of length 2 (for 2 axes), found 'tensor<4xf32>'}}
  %0 = nn.dynamic_resize %x scales %s {antialias = false, axes = array<i64: 2, 3>, coordinate_transformation_mode = "half_pixel", cubic_coeff_a = -7.500000e-01 : f64, exclude_outside = false, extrapolation_value = 0.0 : f64, keep_aspect_ratio_policy = "stretch", mode = "linear", nearest_mode = "floor"} : (tensor<1x1x2x2xf32>, tensor<4xf32>) -> tensor<1x1x?x?xf32>
  return %0 : tensor<1x1x?x?xf32>
}

// -----

// Two roi values per axis.
func.func @resize_roi(%x: tensor<1x1x2x2xf32>, %r: tensor<2xf32>, %z: tensor<2xi64>) -> tensor<1x1x?x?xf32> {
  // expected-error @+1 {{'nn.dynamic_resize' op expects roi of length 4 (for 2 axes), found 'tensor<2xf32>'}}
  %0 = nn.dynamic_resize %x roi %r sizes %z {antialias = false, axes = array<i64: 2, 3>, coordinate_transformation_mode = "tf_crop_and_resize", cubic_coeff_a = -7.500000e-01 : f64, exclude_outside = false, extrapolation_value = 0.0 : f64, keep_aspect_ratio_policy = "stretch", mode = "linear", nearest_mode = "floor"} : (tensor<1x1x2x2xf32>, tensor<2xf32>, tensor<2xi64>) -> tensor<1x1x?x?xf32>
  return %0 : tensor<1x1x?x?xf32>
}

// -----

// Axes are normalized and distinct.
func.func @resize_axes(%x: tensor<1x1x2x2xf32>, %z: tensor<2xi64>) -> tensor<1x1x?x?xf32> {
  // expected-error @+1 {{'nn.dynamic_resize' op expects distinct axes, found dimension 3 twice}}
  %0 = nn.dynamic_resize %x sizes %z {antialias = false, axes = array<i64: 3, 3>, coordinate_transformation_mode = "half_pixel", cubic_coeff_a = -7.500000e-01 : f64, exclude_outside = false, extrapolation_value = 0.0 : f64, keep_aspect_ratio_policy = "stretch", mode = "linear", nearest_mode = "floor"} : (tensor<1x1x2x2xf32>, tensor<2xi64>) -> tensor<1x1x?x?xf32>
  return %0 : tensor<1x1x?x?xf32>
}

// -----

// A dim that is not resized keeps its size.
func.func @resize_kept(%x: tensor<1x1x2x2xf32>, %z: tensor<1xi64>) -> tensor<1x2x?x2xf32> {
  // expected-error @+1 {{'nn.dynamic_resize' op expects result dim 1 (not resized) to be the input's 1, found 2}}
  %0 = nn.dynamic_resize %x sizes %z {antialias = false, axes = array<i64: 2>, coordinate_transformation_mode = "half_pixel", cubic_coeff_a = -7.500000e-01 : f64, exclude_outside = false, extrapolation_value = 0.0 : f64, keep_aspect_ratio_policy = "stretch", mode = "linear", nearest_mode = "floor"} : (tensor<1x1x2x2xf32>, tensor<1xi64>) -> tensor<1x2x?x2xf32>
  return %0 : tensor<1x2x?x2xf32>
}

// -----

// An unknown mode is named.
func.func @resize_mode(%x: tensor<1x1x2x2xf32>, %z: tensor<1xi64>) -> tensor<1x1x?x2xf32> {
  // expected-error @+1 {{'nn.dynamic_resize' op expects mode 'nearest', 'linear' or 'cubic', found 'area'}}
  %0 = nn.dynamic_resize %x sizes %z {antialias = false, axes = array<i64: 2>, coordinate_transformation_mode = "half_pixel", cubic_coeff_a = -7.500000e-01 : f64, exclude_outside = false, extrapolation_value = 0.0 : f64, keep_aspect_ratio_policy = "stretch", mode = "area", nearest_mode = "floor"} : (tensor<1x1x2x2xf32>, tensor<1xi64>) -> tensor<1x1x?x2xf32>
  return %0 : tensor<1x1x?x2xf32>
}

// -----

// Blending needs floats.
func.func @resize_int(%x: tensor<1x1x2x2xi32>, %z: tensor<1xi64>) -> tensor<1x1x?x2xi32> {
  // expected-error @+1 {{'nn.dynamic_resize' op expects a float input for cubic mode, found 'i32'}}
  %0 = nn.dynamic_resize %x sizes %z {antialias = false, axes = array<i64: 2>, coordinate_transformation_mode = "half_pixel", cubic_coeff_a = -7.500000e-01 : f64, exclude_outside = false, extrapolation_value = 0.0 : f64, keep_aspect_ratio_policy = "stretch", mode = "cubic", nearest_mode = "floor"} : (tensor<1x1x2x2xi32>, tensor<1xi64>) -> tensor<1x1x?x2xi32>
  return %0 : tensor<1x1x?x2xi32>
}

// -----

// A policy other than stretch needs sizes.
func.func @resize_policy(%x: tensor<1x1x2x2xf32>, %s: tensor<1xf32>) -> tensor<1x1x?x2xf32> {
  // expected-error @+1 {{'nn.dynamic_resize' op expects sizes with keep_aspect_ratio_policy 'not_larger'}}
  %0 = nn.dynamic_resize %x scales %s {antialias = false, axes = array<i64: 2>, coordinate_transformation_mode = "half_pixel", cubic_coeff_a = -7.500000e-01 : f64, exclude_outside = false, extrapolation_value = 0.0 : f64, keep_aspect_ratio_policy = "not_larger", mode = "linear", nearest_mode = "floor"} : (tensor<1x1x2x2xf32>, tensor<1xf32>) -> tensor<1x1x?x2xf32>
  return %0 : tensor<1x1x?x2xf32>
}

// -----

// An unknown coordinate mode lists the known ones.
func.func @resize_coord(%x: tensor<1x1x2x2xf32>, %s: tensor<1xf32>) -> tensor<1x1x?x2xf32> {
  // expected-error @+1 {{'nn.dynamic_resize' op expects coordinate_transformation_mode 'half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn' or 'tf_crop_and_resize', found 'corners'}}
  %0 = nn.dynamic_resize %x scales %s {antialias = false, axes = array<i64: 2>, coordinate_transformation_mode = "corners", cubic_coeff_a = -7.500000e-01 : f64, exclude_outside = false, extrapolation_value = 0.0 : f64, keep_aspect_ratio_policy = "stretch", mode = "linear", nearest_mode = "floor"} : (tensor<1x1x2x2xf32>, tensor<1xf32>) -> tensor<1x1x?x2xf32>
  return %0 : tensor<1x1x?x2xf32>
}
