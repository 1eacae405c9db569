//===- NNShapeOperandOps.td - ops whose shape is a run-time value ---------===//
//
// Included by NNOps.td. Each op here takes the shape-like part of an ONNX
// operator (a target shape, axes, starts, repeats, range bounds) as an SSA
// operand instead of an attribute, so a shape computed at run time (a graph
// input, or Shape -> Gather -> Concat on a symbolic dimension) stays a value.
// The result's rank comes from the operand's static length; a result dim is
// static only where it can be proven (or where the importer knows it from
// ONNX shape inference), and the lowering checks at run time that the
// values agree with every static dim. With constant operands each op
// canonicalizes to the attribute form (nn.reshape, nn.expand, nn.slice,
// nn.tile, nn.constant).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_NN_SHAPE_OPERAND_OPS
#define KILN_NN_SHAPE_OPERAND_OPS

// A list of sizes, axes or indices read at run time. Its length must be
// static (the verifiers check it): it gives the result's rank.
def NN_IndexVector : 1DTensorOf<[I64]>;

class NN_ShapeOperandOp<string mnemonic, list<Trait> traits = []>
    : NN_Op<mnemonic, traits> {
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def NN_DynamicReshapeOp : NN_ShapeOperandOp<"dynamic_reshape"> {
  let summary = "reshape to a shape read at run time (ONNX Reshape-14)";
  let description = [{
    `shape` (1-D i64, static length `n`) gives the result's `n` dims with
    ONNX Reshape-14 semantics: `-1` (at most one) is inferred from the
    element count; `0` copies the input's dim at the same position unless
    `allowzero` is set (then it is a zero-sized dim). Errors checked at run
    time: an entry below -1, two -1 entries, a 0 copying past the input's
    rank, an element count that differs from the input's, a value that
    disagrees with a static dim of the result type.

    ```mlir
    %y = nn.dynamic_reshape %x, %s {allowzero = false}
        : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, NN_IndexVector:$shape, BoolAttr:$allowzero);
  let results = (outs NN_Tensor:$output);
}

def NN_DynamicExpandOp : NN_ShapeOperandOp<"dynamic_expand"> {
  let summary = "broadcast to a shape read at run time (ONNX Expand-13)";
  let description = [{
    The result has the numpy broadcast of the input's shape and `shape`
    (1-D i64, static length `n`), so its rank is `max(rank, n)`. A result
    dim is static where the input's aligned dim is static and not 1.
    Errors checked at run time: a negative entry, an entry that is neither
    1, the input's dim, nor paired with an input dim of 1.

    ```mlir
    %y = nn.dynamic_expand %x, %s : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<?x3x?xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, NN_IndexVector:$shape);
  let results = (outs NN_Tensor:$output);
}

def NN_DynamicUnsqueezeOp : NN_ShapeOperandOp<"dynamic_unsqueeze"> {
  let summary = "insert size-1 dims at axes read at run time (ONNX Unsqueeze-13)";
  let description = [{
    The result has rank `rank + n` for `axes` of static length `n`; each
    axis (negative counts from the end of the result) becomes a dim of size
    1, and the input's dims fill the others in order. Errors checked at run
    time: an axis outside `[-(rank + n), rank + n)`, a repeated axis.

    ```mlir
    %y = nn.dynamic_unsqueeze %x, %axes : (tensor<3x4xf32>, tensor<1xi64>) -> tensor<?x?x?xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, NN_IndexVector:$axes);
  let results = (outs NN_Tensor:$output);
}

def NN_DynamicSqueezeOp : NN_ShapeOperandOp<"dynamic_squeeze"> {
  let summary = "remove size-1 dims at axes read at run time (ONNX Squeeze-13)";
  let description = [{
    The result has rank `rank - n` for `axes` of static length `n`; the
    dims named by `axes` (negative counts from the end) are removed. Errors
    checked at run time: an axis outside `[-rank, rank)`, a repeated axis,
    an axis whose dim is not 1.

    ```mlir
    %y = nn.dynamic_squeeze %x, %axes : (tensor<1x3x1xf32>, tensor<1xi64>) -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, NN_IndexVector:$axes);
  let results = (outs NN_Tensor:$output);
}

def NN_DynamicSliceOp : NN_ShapeOperandOp<"dynamic_slice", [AttrSizedOperandSegments]> {
  let summary = "a strided window with bounds read at run time (ONNX Slice-13)";
  let description = [{
    `starts`, `ends` and the optional `axes` and `steps` are 1-D i64 of one
    static length `n`. Absent `axes` means `[0, n)`; absent `steps` means
    all 1. Each listed axis (negative counts from the end) is sliced from
    `starts[i]` to `ends[i]` (exclusive) in steps of `steps[i]`, with ONNX's
    rules: negative bounds count from the end, then bounds are clamped to
    `[0, dim]` for a positive step and to `[-1, dim - 1]` for a negative
    one. Other dims are kept whole. Errors checked at run time: a step of
    0, an axis out of range or repeated, a value that disagrees with a
    static dim of the result type.

    ```mlir
    %y = nn.dynamic_slice %x, %starts, %ends axes %axes steps %steps
        : (tensor<20x10xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>)
        -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, NN_IndexVector:$starts, NN_IndexVector:$ends,
                       Optional<NN_IndexVector>:$axes, Optional<NN_IndexVector>:$steps);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $starts `,` $ends (`axes` $axes^)? (`steps` $steps^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def NN_DynamicTileOp : NN_ShapeOperandOp<"dynamic_tile"> {
  let summary = "repeat a tensor by counts read at run time (ONNX Tile-13)";
  let description = [{
    `repeats` (1-D i64, one per input dim) gives how many copies of each dim
    the result holds. Errors checked at run time: a negative count, a value
    that disagrees with a static dim of the result type.

    ```mlir
    %y = nn.dynamic_tile %x, %r : (tensor<2x2xf32>, tensor<2xi64>) -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, NN_IndexVector:$repeats);
  let results = (outs NN_Tensor:$output);
}

def NN_DynamicPadOp : NN_ShapeOperandOp<"dynamic_pad"> {
  let summary = "pad with a constant by amounts read at run time (ONNX Pad-13, constant mode)";
  let description = [{
    `pads` (1-D i64 of length 2 x rank) holds the elements to add before
    each dim, then after each dim, as ONNX Pad's `pads` input; the added
    elements are `constant_value` (a 0-D tensor of the input's element type,
    read at run time) when given, else `value`. Result dim `d` is
    `in[d] + pads[d] + pads[rank + d]`.
    Errors checked at run time: a negative pad (ONNX's cropping is not
    supported here), a value that disagrees with a static dim of the result
    type, a result past 2^40 bytes.

    ```mlir
    %y = nn.dynamic_pad %x, %p {value = 0.0 : f64} : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$input, NN_IndexVector:$pads,
                       Optional<NN_NumericTensor>:$constant_value, F64Attr:$value);
  let results = (outs NN_NumericTensor:$output);
}

def NN_ConstantOfShapeOp : NN_ShapeOperandOp<"constant_of_shape"> {
  let summary = "a tensor of a shape read at run time filled with one value (ONNX ConstantOfShape-20)";
  let description = [{
    The result has `shape`'s length as rank (`shape` is 1-D i64) and every
    element equal to `value`, whose type is the result's element type.
    Errors checked at run time: a negative entry, a value that disagrees
    with a static dim of the result type.

    ```mlir
    %y = nn.constant_of_shape %s {value = 1.0 : f32} : (tensor<3xi64>) -> tensor<?x?x?xf32>
    ```
  }];
  let arguments = (ins NN_IndexVector:$shape, TypedAttrInterface:$value);
  let results = (outs NN_Tensor:$output);
}

def NN_RangeOp : NN_ShapeOperandOp<"range"> {
  let summary = "the sequence start, start + delta, ... below limit (ONNX Range-11)";
  let description = [{
    `start`, `limit` and `delta` are scalars (rank 0) of the result's
    element type (float or signless integer); the result is 1-D with
    `max(ceil((limit - start) / delta), 0)` elements, element `i` being
    `start + i * delta`. Errors checked at run time: a delta of 0, more than
    2^31 elements, a count that disagrees with a static result dim.

    ```mlir
    %y = nn.range %start, %limit, %delta : (tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<?xi32>
    ```
  }];
  let arguments = (ins 0DTensorOf<[AnyFloat, AnySignlessInteger]>:$start,
                       0DTensorOf<[AnyFloat, AnySignlessInteger]>:$limit,
                       0DTensorOf<[AnyFloat, AnySignlessInteger]>:$delta);
  let results = (outs 1DTensorOf<[AnyFloat, AnySignlessInteger]>:$output);
}

def NN_DynamicReduceSumOp : NN_ShapeOperandOp<"dynamic_reduce_sum"> {
  let summary = "sum over axes read at run time (ONNX ReduceSum-13)";
  let description = [{
    Sums the input over the dims named by `axes` (1-D i64 of static length
    `n` >= 1, negative counting from the end). With `keep_dims` the result
    has the input's rank and size 1 on the reduced dims; without, rank
    `rank - n` and the kept dims in order. Errors checked at run time: an
    axis out of range or repeated, a value that disagrees with a static dim
    of the result type. (An empty axes list is known at compile time and
    imported as nn.reduce_sum or nothing.)

    ```mlir
    %y = nn.dynamic_reduce_sum %x, %axes {keep_dims = true}
        : (tensor<3x2x2xf32>, tensor<1xi64>) -> tensor<?x?x?xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$input, NN_IndexVector:$axes, BoolAttr:$keep_dims);
  let results = (outs NN_NumericTensor:$output);
}

def NN_DynamicCumSumOp : NN_ShapeOperandOp<"dynamic_cumsum"> {
  let summary = "running sum along an axis read at run time (ONNX CumSum-14)";
  let description = [{
    As `nn.cumsum`, with the axis a rank-0 i32 or i64 tensor read at run
    time (negative counts from the end): element `i` of the result sums the
    input elements along the axis up to `i` (from `i` to the end with
    `reverse`), excluding `i` itself with `exclusive`. The result has the
    input's type. Errors checked at run time: an axis outside
    `[-rank, rank)`.

    ```mlir
    %y = nn.dynamic_cumsum %x, %axis {exclusive = false, reverse = false}
        : (tensor<2x3xf32>, tensor<i32>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$input, 0DTensorOf<[I32, I64]>:$axis,
                       BoolAttr:$exclusive, BoolAttr:$reverse);
  let results = (outs NN_NumericTensor:$output);
}

#endif // KILN_NN_SHAPE_OPERAND_OPS
