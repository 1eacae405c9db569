//===- NNSamplingOps.td - interpolation at computed coordinates -----------===//
//
// Included by NNOps.td. Ops that read their input at fractional
// coordinates computed from the output position (and from run-time
// scales, sizes, grids or boxes) and blend the neighbours: the general
// Resize, GridSample, RoiAlign. Every coordinate is clamped (or masked)
// before it indexes the input, so no value of the data-like operands can
// read out of bounds; what would be an invalid shape is a run-time check.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_NN_SAMPLING_OPS
#define KILN_NN_SAMPLING_OPS

def NN_FloatVector : 1DTensorOf<[AnyFloat]>;

def NN_DynamicResizeOp : NN_Op<"dynamic_resize", [AttrSizedOperandSegments]> {
  let summary = "resize with scales, sizes or roi read at run time (ONNX Resize-19)";
  let description = [{
    ONNX Resize-19 with every attribute, the operand form of `nn.resize`:
    `scales` (1-D float) or `sizes` (1-D i64), exactly one of them, and the
    optional `roi` (1-D float, starts then ends) hold one entry per axis of
    `axes` (distinct, in `[0, rank)`); other dims are kept. Upsample and the
    earlier Resize versions are mapped onto it by the importer.

    Per resized axis with input length `in`: from `scales`, `out =
    floor(in * scale * (roi_end - roi_start))` (the roi factor only with
    `tf_crop_and_resize`); from `sizes` with `keep_aspect_ratio_policy`
    `stretch`, `out = size` and `scale = out / in`; with `not_larger`
    (`not_smaller`) one scale, the smallest (largest) `size / in` over the
    axes, and `out = floor(scale * in + 0.5)`. Output index `i` reads input
    coordinate `x`:

    ```
    half_pixel            (i + 0.5) / scale - 0.5
    half_pixel_symmetric  in / 2 * (1 - out / (in * scale)) + (i + 0.5) / scale - 0.5
    pytorch_half_pixel    (i + 0.5) / scale - 0.5, or 0 when out == 1
    align_corners         i * (in - 1) / (out - 1), or 0 when out == 1
    asymmetric            i / scale
    tf_half_pixel_for_nn  (i + 0.5) / scale
    tf_crop_and_resize    start * (in - 1) + i * (end - start) * (in - 1) / (out - 1),
                          or (start + end) * (in - 1) / 2 when out == 1
    ```

    (`align_corners` and `tf_crop_and_resize` divide by the integer output
    length as `nn.resize`, PyTorch and ONNX Runtime do; ONNX's reference
    code divides by `in * scale`, which differs when that is fractional.)

    `nearest` takes the element at `x` rounded by `nearest_mode`; `linear`
    and `cubic` (Keys' kernel with `cubic_coeff_a`) blend the neighbours of
    `x` axis by axis, the last axis first. Neighbours outside the input
    take the edge element, or weigh 0 with `exclude_outside` (the weights
    are then renormalized). `antialias` stretches the linear or cubic
    kernel by `1 / scale` when downscaling (the weights renormalized).
    With `tf_crop_and_resize`, an `x` outside `[0, in - 1]` gives
    `extrapolation_value`. Coordinates are computed in f64.

    Errors checked at run time: a scale that is not positive and finite, a
    size below 1, a resized axis of length 0, an output size past 2^40, an
    antialias kernel of more than 2^20 taps, a value that disagrees with a
    static dim of the result type, a result past 2^40 bytes.

    ```mlir
    %y = nn.dynamic_resize %x, %sizes {mode = "linear", axes = array<i64: 2, 3>, ...}
        : (tensor<1x3x4x4xf32>, tensor<2xi64>) -> tensor<1x3x?x?xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$input, Optional<NN_FloatVector>:$roi,
                       Optional<NN_FloatVector>:$scales, Optional<NN_IndexVector>:$sizes,
                       DenseI64ArrayAttr:$axes, StrAttr:$mode,
                       StrAttr:$coordinate_transformation_mode, StrAttr:$nearest_mode,
                       F64Attr:$cubic_coeff_a, BoolAttr:$exclude_outside,
                       F64Attr:$extrapolation_value, BoolAttr:$antialias,
                       StrAttr:$keep_aspect_ratio_policy);
  let results = (outs NN_NumericTensor:$output);
  let assemblyFormat = [{
    $input (`roi` $roi^)? (`scales` $scales^)? (`sizes` $sizes^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def NN_GridSampleOp : NN_InferredOp<"grid_sample"> {
  let summary = "sample a 4-D input at the points of a grid (ONNX GridSample-16)";
  let description = [{
    ONNX GridSample-16: `input` is `N x C x H x W`, `grid` is
    `N x Ho x Wo x 2` holding normalized `(x, y)` points in `[-1, 1]`, and
    the result is `N x C x Ho x Wo`. A point maps to the input coordinate
    `((p + 1) * size - 1) / 2`, or `(p + 1) / 2 * (size - 1)` with
    `align_corners`. `mode` `bilinear`, `nearest` (ties to even) or
    `bicubic` (Keys' kernel, a = -0.75) blends the neighbours; a neighbour
    outside the input reads 0 (`padding_mode` `zeros`), or the coordinate
    is first clamped to the edge (`border`) or reflected back into the
    input (`reflection`, about the pixel centres or, with
    `align_corners`, the corner pixels). Grid values are data: every
    coordinate is clamped before it indexes the input.

    ```mlir
    %y = nn.grid_sample %x, %grid {mode = "bilinear", padding_mode = "zeros", align_corners = false}
        : (tensor<1x1x4x4xf32>, tensor<1x6x6x2xf32>) -> tensor<1x1x6x6xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$grid, StrAttr:$mode,
                       StrAttr:$padding_mode, BoolAttr:$align_corners);
  let results = (outs NN_FloatTensor:$output);
}

def NN_RoiAlignOp : NN_InferredOp<"roi_align"> {
  let summary = "pool regions of interest by bilinear sampling (ONNX RoiAlign-16)";
  let description = [{
    ONNX RoiAlign-16: `input` is `N x C x H x W`, `rois` is `R x 4` boxes
    `(x1, y1, x2, y2)` in input coordinates times `1 / spatial_scale`, and
    `batch_indices` (`R`, i64) names each box's image. The result is
    `R x C x output_height x output_width`: each bin of a box averages
    (`mode` `avg`) or takes the largest (`max`) of `sampling_ratio` x
    `sampling_ratio` bilinear samples (when 0, `ceil(bin size)` samples per
    axis). `coordinate_transformation_mode` `half_pixel` shifts the box by
    -0.5 pixel; `output_half_pixel` (RoiAlign-10's behaviour) does not and
    makes every box at least 1 x 1. A sample more than one pixel outside
    the input contributes 0. Errors checked at run time: a batch index
    outside `[0, N)` (before any read).

    ```mlir
    %y = nn.roi_align %x, %rois, %idx {mode = "avg", coordinate_transformation_mode = "half_pixel",
                                       output_height = 5, output_width = 5, sampling_ratio = 2,
                                       spatial_scale = 1.0 : f64}
        : (tensor<1x1x10x10xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x1x5x5xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$rois,
                       1DTensorOf<[I64]>:$batch_indices, StrAttr:$mode,
                       StrAttr:$coordinate_transformation_mode, I64Attr:$output_height,
                       I64Attr:$output_width, I64Attr:$sampling_ratio, F64Attr:$spatial_scale);
  let results = (outs NN_FloatTensor:$output);
}

#endif // KILN_NN_SAMPLING_OPS
