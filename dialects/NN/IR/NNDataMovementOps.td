//===- NNDataMovementOps.td - data movement and indexing -------------------===//
//
// Included by NNOps.td; the op definitions are generated with the others.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_NN_DATA_MOVEMENT_OPS
#define KILN_NN_DATA_MOVEMENT_OPS

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def NN_ReshapeOp : NN_Op<"reshape"> {
  let summary = "reinterpret a tensor with a new static shape";
  let description = [{
    The result has the same elements in the same row-major order; its type
    gives the new shape, which must hold as many elements as the input.

    Dynamic dimensions: a result with one dynamic dimension gives it the
    remaining element count (`?x512x1x1 -> ?x512`). With more, either the
    input and the result differ only by dimensions of static size 1, and
    their other dimensions correspond in order (`?x1x? -> ?x?`), or leading
    and trailing dimensions that agree correspond (ONNX's 0, "keep the
    input's size"), and at most one dynamic dimension between them takes
    what remains (`?x?x32 -> ?x?x4x8`; what lies between must hold the same
    elements, so `?x? -> ?x?x8` is refused). Other dynamic shapes need a
    run-time shape (`nn.dynamic_reshape`). An element count that does not match at run time is a run-time
    error.

    ```mlir
    %y = nn.reshape %x : (tensor<1x512x1x1xf32>) -> tensor<1x512xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def NN_ShapeOp : NN_InferredOp<"shape"> {
  let summary = "dimensions of a tensor as a 1-D i64 tensor";
  let description = [{
    Dimensions `start` to `end - 1` of `input` (`0 <= start <= end <= rank`;
    the importer resolves ONNX Shape's negative and out-of-range bounds).
    Folds to a constant when those dimensions are static; otherwise it reads
    them at run time (`tensor.dim`).

    ```mlir
    %s = nn.shape %x {start = 0 : i64, end = 2 : i64} : (tensor<?x3x4xf32>) -> tensor<2xi64>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, I64Attr:$start, I64Attr:$end);
  let results = (outs RankedTensorOf<[I64]>:$output);
  let hasFolder = 1;
}

def NN_FlattenOp : NN_InferredOp<"flatten"> {
  let summary = "collapse to a matrix at an axis";
  let description = [{
    Dimensions before `axis` become the rows and the rest the columns.
    Canonicalizes to `nn.reshape`.

    ```mlir
    %y = nn.flatten %x {axis = 1 : i64} : (tensor<1x512x1x1xf32>) -> tensor<1x512xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, I64Attr:$axis);
  let results = (outs NN_Tensor:$output);
  let hasCanonicalizer = 1;
}

def NN_TransposeOp : NN_InferredOp<"transpose"> {
  let summary = "permute dimensions";
  let description = [{
    Result dimension `i` is input dimension `perm[i]`.

    ```mlir
    %y = nn.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x3x4x5xf32>) -> tensor<1x4x5x3xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs NN_Tensor:$output);
  let hasFolder = 1;
}

def NN_ConcatOp : NN_InferredOp<"concat"> {
  let summary = "join tensors along an axis";
  let description = [{
    All operands have the same rank, element type and sizes except along
    `axis` (negative counts from the end).

    ```mlir
    %y = nn.concat %a, %b {axis = 1 : i64} : (tensor<1x2xf32>, tensor<1x3xf32>) -> tensor<1x5xf32>
    ```
  }];
  let arguments = (ins Variadic<NN_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs NN_Tensor:$output);
  let hasFolder = 1;
}

def NN_SliceOp : NN_InferredOp<"slice"> {
  let summary = "a strided window of a tensor";
  let description = [{
    Per dimension `d`, element `i` of the result is element
    `offsets[d] + i * strides[d]` of the input, for `i` in `[0, sizes[d])`.
    Strides are non-zero and may be negative (a reversed window); every
    element read lies inside the input. ONNX Slice and Split clamp their
    bounds at import and arrive here normalized.

    A dynamic input dimension is either taken whole, with the size
    `ShapedType::kDynamic` (printed as -9223372036854775808), offset 0 and
    stride 1, giving a dynamic result dimension, or windowed with a static
    size, the window checked against the run-time size.

    ```mlir
    %y = nn.slice %x {offsets = array<i64: 0, 3>, sizes = array<i64: 2, 2>, strides = array<i64: 1, -2>}
        : (tensor<2x4xf32>) -> tensor<2x2xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$offsets,
                       DenseI64ArrayAttr:$sizes, DenseI64ArrayAttr:$strides);
  let results = (outs NN_Tensor:$output);
}

def NN_GatherOp : NN_InferredOp<"gather"> {
  let summary = "pick slices of a tensor by run-time indices along one axis";
  let description = [{
    The result has shape `input[:axis] + indices.shape + input[axis+1:]`;
    each index selects one slice along `axis` (negative indices count from
    the end). ONNX (Gather, opset 13) makes an index outside
    `[-size, size - 1]` an error: a run checks the indices first and fails
    with a message naming the node (constant indices into a static dim are
    checked at import instead). Inside a loop or branch body the failed
    check ends the run after the loop, and until then the read is clamped to
    the nearest valid index, so generated code never reads outside the input.

    ```mlir
    %e = nn.gather %table, %ids {axis = 0 : i64} : (tensor<1000x64xf32>, tensor<2x8xi64>) -> tensor<2x8x64xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, RankedTensorOf<[I32, I64]>:$indices, I64Attr:$axis);
  let results = (outs NN_Tensor:$output);
}

def NN_GatherElementsOp : NN_InferredOp<"gather_elements"> {
  let summary = "pick elements of a tensor by a tensor of indices along one axis";
  let description = [{
    `indices` has the input's rank and, off `axis`, sizes no larger than the
    input's; the result has its shape, and element `p` of the result is the
    input at `p` with its `axis` coordinate replaced by `indices[p]`
    (negative counts from the end; out-of-range indices are a run-time
    error, as in `nn.gather`).

    ```mlir
    %y = nn.gather_elements %x, %i {axis = 1 : i64} : (tensor<2x5xf32>, tensor<2x3xi64>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, RankedTensorOf<[I32, I64]>:$indices, I64Attr:$axis);
  let results = (outs NN_Tensor:$output);
}

def NN_TriluOp : NN_Op<"trilu"> {
  let summary = "keep the upper or lower triangle of the last two dimensions";
  let description = [{
    Over the last two dimensions `(i, j)`, keeps the elements with
    `j - i >= k` (`upper`) or `j - i <= k` (lower) and zeroes the rest. `k`
    is a scalar read at run time (0 when absent).

    ```mlir
    %y = nn.trilu %x, %k {upper = true} : (tensor<4x5xf32>, tensor<i64>) -> tensor<4x5xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$input, Optional<0DTensorOf<[I64]>>:$k, BoolAttr:$upper);
  let results = (outs NN_NumericTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def NN_IsNaNOp : NN_Op<"is_nan", [SameOperandsAndResultShape]> {
  let summary = "true where an element is NaN";
  let description = [{
    ```mlir
    %m = nn.is_nan %x : (tensor<4xf32>) -> tensor<4xi1>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input);
  let results = (outs RankedTensorOf<[I1]>:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type($input, $output)";
}

def NN_IsInfOp : NN_Op<"is_inf", [SameOperandsAndResultShape]> {
  let summary = "true where an element is an infinity of a selected sign";
  let description = [{
    True at `+inf` when `detect_positive`, at `-inf` when `detect_negative`.

    ```mlir
    %m = nn.is_inf %x {detect_positive = true, detect_negative = false} : (tensor<4xf32>) -> tensor<4xi1>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, BoolAttr:$detect_positive,
                       BoolAttr:$detect_negative);
  let results = (outs RankedTensorOf<[I1]>:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type($input, $output)";
}

def NN_GatherNDOp : NN_InferredOp<"gather_nd"> {
  let summary = "pick slices of a tensor by tuples of run-time indices";
  let description = [{
    The last dimension of `indices` (size `m`) holds tuples indexing the
    dimensions after the first `batch_dims` of `input` (whose leading
    `batch_dims` sizes `indices` shares). The result has shape
    `indices.shape[:-1] + input.shape[batch_dims + m:]`. Negative indices
    count from the end; out-of-range ones are a run-time error, as in
    `nn.gather`.

    ```mlir
    %y = nn.gather_nd %x, %i {batch_dims = 0 : i64} : (tensor<2x2xf32>, tensor<2x2xi64>) -> tensor<2xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, RankedTensorOf<[I32, I64]>:$indices, I64Attr:$batch_dims);
  let results = (outs NN_Tensor:$output);
}

def NN_ReverseSequenceOp : NN_InferredOp<"reverse_sequence"> {
  let summary = "reverse the first lengths[b] steps of each batch entry";
  let description = [{
    For each index `b` along `batch_axis`, the first `lengths[b]` elements
    along `time_axis` are reversed and the rest kept (lengths are clamped to
    `[0, time size]`).

    ```mlir
    %y = nn.reverse_sequence %x, %lens {batch_axis = 1 : i64, time_axis = 0 : i64}
        : (tensor<4x2x3xf32>, tensor<2xi64>) -> tensor<4x2x3xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, RankedTensorOf<[I32, I64]>:$lengths, I64Attr:$batch_axis,
                       I64Attr:$time_axis);
  let results = (outs NN_Tensor:$output);
}

def NN_CastOp : NN_Op<"cast", [SameOperandsAndResultShape]> {
  let summary = "convert elements to another numeric type";
  let description = [{
    Converts every element to the result's element type: floats round to
    nearest even when narrowing, except to `bf16`, which keeps the high 16
    bits of the f32 value (a truncation, as ONNX 1.12's Cast reference);
    float to integer truncates toward zero; signless integers are signed,
    unsigned (`ui8`...) ones unsigned (`i1` is bool: zero is false, any
    other value true). A float out of the integer type's range has no
    defined result.

    ```mlir
    %y = nn.cast %x : (tensor<2x3xf64>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type($input, $output)";
  let hasVerifier = 1;
}

def NN_PadOp : NN_InferredOp<"pad"> {
  let summary = "pad with a constant";
  let description = [{
    Adds `low[d]` elements before and `high[d]` after dimension `d`
    (non-negative), filled with `value`.

    ```mlir
    %y = nn.pad %x {low = array<i64: 0, 1>, high = array<i64: 0, 2>, value = 0.0 : f64}
        : (tensor<2x3xf32>) -> tensor<2x6xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$input, DenseI64ArrayAttr:$low,
                       DenseI64ArrayAttr:$high, F64Attr:$value);
  let results = (outs NN_NumericTensor:$output);
}

def NN_ExpandOp : NN_InferredOp<"expand"> {
  let summary = "broadcast a tensor to a shape";
  let description = [{
    Broadcasts `input` by numpy's rules against `shape`; the result has the
    broadcast shape (so a size-1 entry of `shape` keeps the input's size).

    ```mlir
    %y = nn.expand %x {shape = array<i64: 2, 1, 4>} : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs NN_Tensor:$output);
}

def NN_TileOp : NN_InferredOp<"tile"> {
  let summary = "repeat a tensor along each dimension";
  let description = [{
    Dimension `d` of the result is `repeats[d]` copies of the input's
    (`repeats[d] >= 0`).

    ```mlir
    %y = nn.tile %x {repeats = array<i64: 2, 3>} : (tensor<2x2xf32>) -> tensor<4x6xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$repeats);
  let results = (outs NN_Tensor:$output);
}

def NN_ResizeOp : NN_InferredOp<"resize"> {
  let summary = "resize by nearest-neighbour or linear interpolation";
  let description = [{
    ONNX Resize (opset 19, without antialias, axes or aspect-ratio policy;
    also Upsample and earlier Resize versions, which the importer maps).
    Dimension `d` of the result has `sizes[d]` elements; output index `i`
    reads input coordinate `f(i)` chosen by `coordinate_transformation_mode`
    from `scales[d]` (output / input), the input size `in` and `out`:

    ```
    half_pixel            (i + 0.5) / scale - 0.5
    pytorch_half_pixel    as half_pixel, but 0 when out == 1
    align_corners         i * (in - 1) / (out - 1), 0 when out == 1
    asymmetric            i / scale
    tf_half_pixel_for_nn  (i + 0.5) / scale
    ```

    `mode` `nearest` takes the element at `f(i)` rounded by `nearest_mode`
    (`round_prefer_floor`, `round_prefer_ceil`, `floor`, `ceil`); `linear`
    blends the two neighbours (float inputs only). Coordinates outside the
    input take the edge element. `nearest_mode` is ignored by `linear`.

    ```mlir
    %y = nn.resize %x {sizes = array<i64: 1, 3, 8, 8>, scales = array<f64: 1.0, 1.0, 2.0, 2.0>,
                       mode = "nearest", coordinate_transformation_mode = "asymmetric",
                       nearest_mode = "floor"}
        : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$input, DenseI64ArrayAttr:$sizes,
                       DenseF64ArrayAttr:$scales, StrAttr:$mode,
                       StrAttr:$coordinate_transformation_mode, StrAttr:$nearest_mode);
  let results = (outs NN_NumericTensor:$output);
}

#endif // KILN_NN_DATA_MOVEMENT_OPS
