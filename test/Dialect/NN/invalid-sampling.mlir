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

// -----

// GridSample takes a 4-D image and an N x Ho x Wo x 2 grid.
func.func @grid_shape(%x: tensor<1x2x4x4xf32>, %g: tensor<1x3x5x3xf32>) -> tensor<1x2x3x5xf32> {
  // expected-error @+1 {{'nn.grid_sample' op expects an N x C x H x W input and an N x Ho x Wo x 2 grid, found 1x2x4x4 and 1x3x5x3}}
  %0 = nn.grid_sample %x, %g {mode = "bilinear", padding_mode = "zeros", align_corners = false} : (tensor<1x2x4x4xf32>, tensor<1x3x5x3xf32>) -> tensor<1x2x3x5xf32>
  return %0 : tensor<1x2x3x5xf32>
}

// -----

func.func @grid_mode(%x: tensor<1x2x4x4xf32>, %g: tensor<1x3x5x2xf32>) -> tensor<1x2x3x5xf32> {
  // expected-error @+1 {{'nn.grid_sample' op expects mode 'bilinear', 'nearest' or 'bicubic', found 'area'}}
  %0 = nn.grid_sample %x, %g {mode = "area", padding_mode = "zeros", align_corners = false} : (tensor<1x2x4x4xf32>, tensor<1x3x5x2xf32>) -> tensor<1x2x3x5xf32>
  return %0 : tensor<1x2x3x5xf32>
}

// -----

func.func @grid_padding(%x: tensor<1x2x4x4xf32>, %g: tensor<1x3x5x2xf32>) -> tensor<1x2x3x5xf32> {
  // expected-error @+1 {{'nn.grid_sample' op expects padding_mode 'zeros', 'border' or 'reflection', found 'wrap'}}
  %0 = nn.grid_sample %x, %g {mode = "nearest", padding_mode = "wrap", align_corners = false} : (tensor<1x2x4x4xf32>, tensor<1x3x5x2xf32>) -> tensor<1x2x3x5xf32>
  return %0 : tensor<1x2x3x5xf32>
}

// -----

func.func @grid_type(%x: tensor<1x2x4x4xf32>, %g: tensor<1x3x5x2xf64>) -> tensor<1x2x3x5xf32> {
  // expected-error @+1 {{'nn.grid_sample' op expects a grid of the input's element type 'f32', found 'f64'}}
  %0 = nn.grid_sample %x, %g {mode = "nearest", padding_mode = "zeros", align_corners = false} : (tensor<1x2x4x4xf32>, tensor<1x3x5x2xf64>) -> tensor<1x2x3x5xf32>
  return %0 : tensor<1x2x3x5xf32>
}

// -----

// RoiAlign: boxes are R x 4 with R batch indices.
func.func @roi_shape(%x: tensor<1x2x4x4xf32>, %r: tensor<3x4xf32>, %i: tensor<2xi64>) -> tensor<3x2x2x2xf32> {
  // expected-error @+1 {{'nn.roi_align' op expects an N x C x H x W input, R x 4 rois and R batch indices, found 1x2x4x4, 3x4 and 2}}
  %0 = nn.roi_align %x, %r, %i {mode = "avg", coordinate_transformation_mode = "half_pixel", output_height = 2, output_width = 2, sampling_ratio = 0, spatial_scale = 1.0 : f64} : (tensor<1x2x4x4xf32>, tensor<3x4xf32>, tensor<2xi64>) -> tensor<3x2x2x2xf32>
  return %0 : tensor<3x2x2x2xf32>
}

// -----

func.func @roi_mode(%x: tensor<1x2x4x4xf32>, %r: tensor<3x4xf32>, %i: tensor<3xi64>) -> tensor<3x2x2x2xf32> {
  // expected-error @+1 {{'nn.roi_align' op expects mode 'avg' or 'max', found 'min'}}
  %0 = nn.roi_align %x, %r, %i {mode = "min", coordinate_transformation_mode = "half_pixel", output_height = 2, output_width = 2, sampling_ratio = 0, spatial_scale = 1.0 : f64} : (tensor<1x2x4x4xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x2x2x2xf32>
  return %0 : tensor<3x2x2x2xf32>
}

// -----

func.func @roi_coord(%x: tensor<1x2x4x4xf32>, %r: tensor<3x4xf32>, %i: tensor<3xi64>) -> tensor<3x2x2x2xf32> {
  // expected-error @+1 {{'nn.roi_align' op expects coordinate_transformation_mode 'half_pixel' or 'output_half_pixel', found 'asymmetric'}}
  %0 = nn.roi_align %x, %r, %i {mode = "avg", coordinate_transformation_mode = "asymmetric", output_height = 2, output_width = 2, sampling_ratio = 0, spatial_scale = 1.0 : f64} : (tensor<1x2x4x4xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x2x2x2xf32>
  return %0 : tensor<3x2x2x2xf32>
}

// -----

func.func @roi_sizes(%x: tensor<1x2x4x4xf32>, %r: tensor<3x4xf32>, %i: tensor<3xi64>) -> tensor<3x2x0x2xf32> {
  // expected-error @+1 {{'nn.roi_align' op expects output_height and output_width of at least 1 and a sampling_ratio of at least 0, found 0, 2 and 0}}
  %0 = nn.roi_align %x, %r, %i {mode = "avg", coordinate_transformation_mode = "half_pixel", output_height = 0, output_width = 2, sampling_ratio = 0, spatial_scale = 1.0 : f64} : (tensor<1x2x4x4xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x2x0x2xf32>
  return %0 : tensor<3x2x0x2xf32>
}
