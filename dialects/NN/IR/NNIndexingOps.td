//===- NNIndexingOps.td - data-dependent indexing and selection -----------===//
//
// Included by NNOps.td. Ops whose indices or result sizes are data: border
// padding, top-k, scatters, one-hot, nonzero/compress/unique, max pooling's
// argmax and its inverse, and non-maximum suppression. Result types are
// stated (not inferred): a size that only the run knows is dynamic, and the
// lowering checks at run time that the data agrees with every static dim the
// importer pinned. An index read from data never reaches memory unchecked:
// it is range-checked before it is used (a failed check is an error return
// naming the node) and clamped where it is used.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_NN_INDEXING_OPS
#define KILN_NN_INDEXING_OPS

class NN_IndexingOp<string mnemonic, list<Trait> traits = []>
    : NN_Op<mnemonic, traits> {
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def NN_IndexTensor : RankedTensorOf<[I32, I64]>;

def NN_BorderPadOp : NN_IndexingOp<"border_pad"> {
  let summary = "pad by repeating or mirroring the border (ONNX Pad-18, edge and reflect modes)";
  let description = [{
    `pads` (1-D i64 of length 2 x rank, read at run time) holds the elements
    to add before each dim, then after each dim, as ONNX Pad's `pads`.
    Result dim `d` is `in[d] + pads[d] + pads[rank + d]`. Added element `j`
    positions before the start of a dim (or after its end) takes the value
    at the input's first (last) element with `mode` `edge`, and at `j`
    elements inside it (not repeating the border) with `reflect`.
    Errors checked at run time: a negative pad (ONNX's cropping is not
    supported here), a pad of a dim of size 0, a `reflect` pad larger than
    the dim's size - 1, a value that disagrees with a static dim of the
    result type, a result past 2^40 bytes.

    ```mlir
    %y = nn.border_pad %x, %p {mode = "reflect"} : (tensor<3x4xf32>, tensor<4xi64>) -> tensor<5x6xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, NN_IndexVector:$pads, StrAttr:$mode);
  let results = (outs NN_Tensor:$output);
}

def NN_TopKOp : NN_IndexingOp<"top_k"> {
  let summary = "the k largest or smallest elements along an axis (ONNX TopK-11)";
  let description = [{
    `k` (a 1-D i64 of one element, read at run time) elements are taken
    along `axis` (negative counts from the end); the results have the
    input's shape with that dim `k`. `values` holds the `largest` (else the
    smallest) elements in order, best first (also without `sorted`, which
    ONNX leaves unordered); `indices` holds their positions along the axis.
    Equal elements keep their order: the lower index comes first. Errors
    checked at run time: `k` outside `[0, dim]`, a `k` that disagrees with a
    static dim of the results.

    ```mlir
    %v, %i = nn.top_k %x, %k {axis = 1 : i64, largest = true, sorted = true}
        : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x?xf32>, tensor<3x?xi64>)
    ```
  }];
  let arguments = (ins NN_NumericTensor:$input, NN_IndexVector:$k, I64Attr:$axis,
                       BoolAttr:$largest, BoolAttr:$sorted);
  let results = (outs NN_NumericTensor:$values, RankedTensorOf<[I64]>:$indices);
}

def NN_ScatterElementsOp : NN_IndexingOp<"scatter_elements"> {
  let summary = "write updates at positions given by an index tensor along one axis (ONNX ScatterElements-18)";
  let description = [{
    The result is `data` with, for every position `p` of `indices` (whose
    shape `updates` has; each of its dims no larger than `data`'s),
    element `p` with its `axis` coordinate replaced by `indices[p]`
    (negative counts from the end) combined with `updates[p]` by
    `reduction`: `none` (replaced; with repeated indices the last in
    row-major order wins), `add`, `mul`, `max` or `min`. Errors checked at
    run time: an index outside `[-dim, dim - 1]`, an `indices` dim larger
    than `data`'s, `indices` and `updates` of different shapes.

    ```mlir
    %y = nn.scatter_elements %d, %i, %u {axis = 1 : i64, reduction = "add"}
        : (tensor<1x5xf32>, tensor<1x2xi64>, tensor<1x2xf32>) -> tensor<1x5xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$data, NN_IndexTensor:$indices,
                       NN_NumericTensor:$updates, I64Attr:$axis, StrAttr:$reduction);
  let results = (outs NN_NumericTensor:$output);
}

def NN_ScatterNDOp : NN_IndexingOp<"scatter_nd"> {
  let summary = "write slices at positions given by index tuples (ONNX ScatterND-18)";
  let description = [{
    `indices` has a static last dim `m` (at most `data`'s rank): each tuple
    names a slice of `data` (its first `m` coordinates, negative counting
    from the end), which is combined with the matching slice of `updates`
    (shape `indices.shape[:-1] + data.shape[m:]`) by `reduction`: `none`,
    `add`, `mul`, `max` or `min`, tuples applied in row-major order. Errors
    checked at run time: an index outside `[-dim, dim - 1]`, `updates` of
    another shape.

    ```mlir
    %y = nn.scatter_nd %d, %i, %u {reduction = "none"}
        : (tensor<4x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<4x4xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$data, RankedTensorOf<[I64]>:$indices,
                       NN_NumericTensor:$updates, StrAttr:$reduction);
  let results = (outs NN_NumericTensor:$output);
}

def NN_OneHotOp : NN_IndexingOp<"one_hot"> {
  let summary = "one-hot encode indices along a new axis (ONNX OneHot-11)";
  let description = [{
    The result has `indices`' dims with a new dim of size `depth` inserted
    at `axis` (in `[0, rank]`; the importer resolves negative axes). It
    holds `values[1]` where the new coordinate equals the index at the
    other coordinates (a negative index counts from `depth`; a float index
    is truncated), else `values[0]`. `depth` (one element of any numeric
    type, converted to an integer) and `values` (two elements of the
    result's type) are read at run time. Errors checked at run time: a
    depth below 1, a depth that disagrees with a static dim of the result.
    Indices outside `[-depth, depth - 1]` give a row of `values[0]`, as
    ONNX says.

    ```mlir
    %y = nn.one_hot %i, %depth, %values {axis = 1 : i64}
        : (tensor<3xi64>, tensor<f32>, tensor<2xf32>) -> tensor<3x10xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$indices, NN_NumericTensor:$depth,
                       NN_Tensor:$values, I64Attr:$axis);
  let results = (outs NN_Tensor:$output);
}

def NN_NonZeroOp : NN_IndexingOp<"non_zero"> {
  let summary = "the coordinates of the non-zero elements (ONNX NonZero-13)";
  let description = [{
    The result is `rank x n` i64 for the `n` non-zero elements (true for
    bool) of `input`, in row-major order: column `j` holds the coordinates
    of the `j`-th. `n` is known after the run. A rank-0 input gives a
    `1 x n` result of zeros, as ONNX does. Errors checked at run time: a
    count that disagrees with a static dim of the result.

    ```mlir
    %y = nn.non_zero %x : (tensor<2x2xi1>) -> tensor<2x?xi64>
    ```
  }];
  let arguments = (ins NN_Tensor:$input);
  let results = (outs RankedTensorOf<[I64]>:$output);
}

def NN_CompressOp : NN_IndexingOp<"compress"> {
  let summary = "keep the slices along an axis where a condition holds (ONNX Compress-11)";
  let description = [{
    With `axis` (in `[0, rank)`), the result keeps the input's slices along
    `axis` whose entry of `condition` (1-D bool) is true; `condition` may
    be shorter than the dim (the rest are dropped) but not longer. Without
    `axis`, the input is read flat and the result is 1-D. The kept count is
    known after the run. Errors checked at run time: a condition longer
    than the dim, a count that disagrees with a static dim of the result.

    ```mlir
    %y = nn.compress %x, %c {axis = 0 : i64} : (tensor<3x2xf32>, tensor<3xi1>) -> tensor<?x2xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, 1DTensorOf<[I1]>:$condition,
                       OptionalAttr<I64Attr>:$axis);
  let results = (outs NN_Tensor:$output);
}

def NN_UniqueOp : NN_IndexingOp<"unique"> {
  let summary = "the distinct elements or slices of a tensor (ONNX Unique-11)";
  let description = [{
    Without `axis` the input is read flat; with it (in `[0, rank)`) the
    slices along it are compared whole. `output` holds each distinct
    element (slice along `axis`) once: ascending (slices in lexicographic
    order) when `sorted`, else in order of first occurrence. `indices`
    gives the position of each one's first occurrence, `inverse_indices`
    for each input element (slice) the position of its value in `output`,
    `counts` how often each occurs. The distinct count is known after the
    run. Errors checked at run time: a count that disagrees with a static
    dim of the results.

    ```mlir
    %y, %i, %inv, %n = nn.unique %x {sorted = true}
        : (tensor<6xf32>) -> (tensor<?xf32>, tensor<?xi64>, tensor<6xi64>, tensor<?xi64>)
    ```
  }];
  let arguments = (ins NN_NumericTensor:$input, OptionalAttr<I64Attr>:$axis, BoolAttr:$sorted);
  let results = (outs NN_NumericTensor:$output, RankedTensorOf<[I64]>:$indices,
                      RankedTensorOf<[I64]>:$inverse_indices, RankedTensorOf<[I64]>:$counts);
}

def NN_MaxPoolIndicesOp : NN_IndexingOp<"max_pool_indices"> {
  let summary = "where each max pooling window's maximum is (ONNX MaxPool-12's Indices)";
  let description = [{
    For the windows of `nn.max_pool` with the same attributes, the flat
    index into the input (batch and channel included) of each window's
    maximum: `((n * C + c) * H + h) * W + w` in 2-D with `storage_order` 0,
    `(n * C + c) * H * W + w * H + h` with 1 (column major; the same rule
    per dimension in 1-D and 3-D). The first maximum in row-major order
    wins; padding never does. The result has `nn.max_pool`'s shape.

    ```mlir
    %i = nn.max_pool_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>,
                                 pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>,
                                 ceil_mode = false, storage_order = 0 : i64}
        : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xi64>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations, BoolAttr:$ceil_mode, I64Attr:$storage_order);
  let results = (outs RankedTensorOf<[I64]>:$output);
}

def NN_MaxUnpoolOp : NN_IndexingOp<"max_unpool"> {
  let summary = "place pooled values back at their indices (ONNX MaxUnpool-11)";
  let description = [{
    The unpooled shape is N x C x `(in - 1) * stride + kernel - pad_begin
    - pad_end` per spatial dim (max pooling's input). The result is zero
    except at the coordinates of each `indices[p]`, a flat position in the
    unpooled shape, which hold `input[p]` (a later `p` wins where two are
    equal). Its shape is the unpooled one, or `output_shape` when given
    (1-D i64, read at run time), which may only be larger in the spatial
    dims: the extra room stays zero, as ONNX's reference does. Errors
    checked at run time: an index outside `[0, unpooled elements)`, an
    `output_shape` of another N or C or smaller spatially, a value that
    disagrees with a static dim of the result type.

    ```mlir
    %y = nn.max_unpool %x, %i {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>,
                               pads = array<i64: 0, 0, 0, 0>}
        : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>) -> tensor<1x1x4x4xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, RankedTensorOf<[I64]>:$indices,
                       Optional<NN_IndexVector>:$output_shape,
                       DenseI64ArrayAttr:$kernel_shape, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$pads);
  let results = (outs NN_FloatTensor:$output);
}

def NN_NonMaxSuppressionOp : NN_IndexingOp<"non_max_suppression"> {
  let summary = "greedy non-maximum suppression of boxes per batch and class (ONNX NonMaxSuppression-11)";
  let description = [{
    `boxes` is `B x S x 4` (`[y1, x1, y2, x2]` corners in either order, or
    `[x_center, y_center, width, height]` with `center_point_box`),
    `scores` is `B x C x S`. For each batch entry and class, the boxes
    whose score is above `score_threshold` are visited from the highest
    score (equal scores: lower index first); one is selected unless it
    overlaps an already selected box with an intersection over union above
    `iou_threshold`, until `max_output_boxes_per_class` are selected. The
    three thresholds are one-element tensors read at run time
    (`max_output_boxes_per_class` i64, the others f32). The result is
    `n x 3` i64 rows `[batch, class, box]`, by batch, then class, then
    selection order; `n` is known after the run, so the result type's first
    dim is always dynamic.

    ```mlir
    %y = nn.non_max_suppression %boxes, %scores, %max, %iou, %score {center_point_box = false}
        : (tensor<1x6x4xf32>, tensor<1x1x6xf32>, tensor<1xi64>, tensor<1xf32>, tensor<1xf32>)
        -> tensor<?x3xi64>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$boxes, NN_FloatTensor:$scores,
                       RankedTensorOf<[I64]>:$max_output_boxes_per_class,
                       NN_FloatTensor:$iou_threshold, NN_FloatTensor:$score_threshold,
                       BoolAttr:$center_point_box);
  let results = (outs RankedTensorOf<[I64]>:$output);
}

#endif // KILN_NN_INDEXING_OPS
