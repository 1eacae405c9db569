//===- NNConvPoolOps.td - convolution and pooling --------------------------===//
//
// Included by NNOps.td; the op definitions are generated with the others.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_NN_CONV_POOL_OPS
#define KILN_NN_CONV_POOL_OPS

//===----------------------------------------------------------------------===//
// Convolution and pooling (NCHW)
//===----------------------------------------------------------------------===//

def NN_ConvOp : NN_InferredOp<"conv"> {
  let summary = "grouped N-D convolution in NCHW layout";
  let description = [{
    Cross-correlates `input` [N, C, spatial...] with `weight`
    [F, C / group, kernel...] and adds the optional `bias` [F]. `pads` lists
    the padding at the start of every spatial dimension, then at the end.
    One and two spatial dimensions are supported. `group` equal to C (and F a
    multiple of it) is a depthwise convolution. Integer convolutions (i32,
    ONNX ConvInteger after its zero points are subtracted) wrap in their
    width.

    ```mlir
    %y = nn.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 3, 3, 3, 3>,
                             dilations = array<i64: 1, 1>, group = 1 : i64}
        : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>) -> tensor<1x64x112x112xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$input, NN_NumericTensor:$weight,
                       Optional<NN_NumericTensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations, I64Attr:$group);
  let results = (outs NN_NumericTensor:$output);
}

class NN_PoolOp<string mnemonic, string what> : NN_InferredOp<mnemonic> {
  let summary = what # " pooling over windows in NCHW layout";
  let results = (outs NN_FloatTensor:$output);
}

def NN_MaxPoolOp : NN_PoolOp<"max_pool", "max"> {
  let description = [{
    The maximum of each `kernel_shape` window; padding never wins. Floats
    and integers (ONNX MaxPool 12 takes int8 and uint8). With
    `ceil_mode` the last partial window is kept.

    ```mlir
    %y = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>,
                         pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = false}
        : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$input, DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations, BoolAttr:$ceil_mode);
  let results = (outs NN_NumericTensor:$output);
}

def NN_AveragePoolOp : NN_PoolOp<"average_pool", "average"> {
  let description = [{
    The mean of each `kernel_shape` window. Padded positions count in the
    divisor only with `count_include_pad`; the part of a `ceil_mode` window
    past the padding never counts.

    ```mlir
    %y = nn.average_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>,
                             pads = array<i64: 0, 0, 0, 0>, ceil_mode = false, count_include_pad = false}
        : (tensor<1x8x4x4xf32>) -> tensor<1x8x2x2xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       BoolAttr:$ceil_mode, BoolAttr:$count_include_pad);
}

def NN_GlobalAveragePoolOp : NN_PoolOp<"global_average_pool", "global average"> {
  let description = [{
    The mean over all spatial dimensions; they become 1.

    ```mlir
    %y = nn.global_average_pool %x : (tensor<1x512x7x7xf32>) -> tensor<1x512x1x1xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input);
}

def NN_GlobalMaxPoolOp : NN_PoolOp<"global_max_pool", "global max"> {
  let description = [{
    The maximum over all spatial dimensions; they become 1.

    ```mlir
    %y = nn.global_max_pool %x : (tensor<1x512x7x7xf32>) -> tensor<1x512x1x1xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input);
}

def NN_ConvTransposeOp : NN_InferredOp<"conv_transpose"> {
  let summary = "grouped N-D transposed convolution in NCHW layout";
  let description = [{
    ONNX ConvTranspose (opset 11) with explicit pads: the gradient of
    `nn.conv` with respect to its input. `input` is `[N, C, spatial...]`,
    `weight` `[C, F / group, kernel...]`, the optional `bias` `[F]`. Along
    spatial dimension `i` the output has

    ```
    strides[i] * (in[i] - 1) + output_padding[i]
        + dilations[i] * (kernel[i] - 1) + 1 - pads[i] - pads[n + i]
    ```

    elements (`pads`: all starts, then all ends, as in `nn.conv`). The
    importer resolves ONNX's `output_shape` and `auto_pad` into `pads`; a
    negative pad (an `output_shape` past the natural size) extends the
    output with positions that only the bias reaches.
    One to three spatial dimensions.

    ```mlir
    %y = nn.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>,
                                   dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>,
                                   group = 1 : i64}
        : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x7x7xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$weight,
                       Optional<NN_FloatTensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations, DenseI64ArrayAttr:$output_padding,
                       I64Attr:$group);
  let results = (outs NN_FloatTensor:$output);
}

#endif // KILN_NN_CONV_POOL_OPS
