//===- NNNormalizationOps.td - normalization and softmax -------------------===//
//
// Included by NNOps.td; the op definitions are generated with the others.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_NN_NORMALIZATION_OPS
#define KILN_NN_NORMALIZATION_OPS

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

def NN_BatchNormOp : NN_InferredOp<"batch_norm"> {
  let summary = "batch normalization with stored statistics (inference)";
  let description = [{
    `(x - mean) / sqrt(var + epsilon) * scale + bias`, with the four
    parameters of shape [C] applied along dimension 1 of `input`.

    ```mlir
    %y = nn.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-5 : f64}
        : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$scale,
                       NN_FloatTensor:$bias, NN_FloatTensor:$mean,
                       NN_FloatTensor:$variance, F64Attr:$epsilon);
  let results = (outs NN_FloatTensor:$output);
}

def NN_SoftmaxOp : NN_InferredOp<"softmax"> {
  let summary = "softmax along one axis";
  let description = [{
    `exp(x - max) / sum(exp(x - max))` along `axis` (negative counts from
    the end).

    ```mlir
    %y = nn.softmax %x {axis = -1 : i64} : (tensor<2x10xf32>) -> tensor<2x10xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, I64Attr:$axis);
  let results = (outs NN_FloatTensor:$output);
}

def NN_LogSoftmaxOp : NN_InferredOp<"log_softmax"> {
  let summary = "logarithm of the softmax along one axis";
  let description = [{
    `x - max - log(sum(exp(x - max)))` along `axis` (negative counts from the
    end): the log of `nn.softmax` without forming the quotient, so large
    negative results keep their precision.

    ```mlir
    %y = nn.log_softmax %x {axis = -1 : i64} : (tensor<2x10xf32>) -> tensor<2x10xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, I64Attr:$axis);
  let results = (outs NN_FloatTensor:$output);
}

def NN_LayerNormOp : NN_InferredOp<"layer_norm"> {
  let summary = "layer normalization over the trailing dimensions";
  let description = [{
    ONNX LayerNormalization (opset 17). Over the dimensions `[axis, rank)`
    (negative `axis` counts from the end):

    ```
    mean        = E[x]
    inv_std_dev = 1 / sqrt(E[(x - mean)^2] + epsilon)
    output      = (x - mean) * inv_std_dev * scale + bias
    ```

    `scale` and the optional `bias` broadcast (numpy rules) to the input's
    shape. `mean` and `inv_std_dev` have the input's shape with the
    normalized dimensions as size 1. Everything is computed in the input's
    float type (ONNX's `stash_type` is not modelled).

    ```mlir
    %y, %mean, %inv = nn.layer_norm %x, %s, %b {axis = -1 : i64, epsilon = 1.0e-5 : f64}
        : (tensor<2x5x8xf32>, tensor<8xf32>, tensor<8xf32>)
          -> (tensor<2x5x8xf32>, tensor<2x5x1xf32>, tensor<2x5x1xf32>)
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$scale,
                       Optional<NN_FloatTensor>:$bias, I64Attr:$axis, F64Attr:$epsilon);
  let results = (outs NN_FloatTensor:$output, NN_FloatTensor:$mean,
                      NN_FloatTensor:$inv_std_dev);
}

def NN_InstanceNormOp : NN_InferredOp<"instance_norm"> {
  let summary = "instance normalization over the spatial dimensions";
  let description = [{
    ONNX InstanceNormalization (opset 6). `input` is `[N, C, D1, ...]`
    (rank >= 3); each `(n, c)` plane is normalized over its spatial
    dimensions, then scaled and shifted per channel:
    `(x - mean) / sqrt(var + epsilon) * scale[c] + bias[c]`, with `scale` and
    `bias` of shape `[C]`. The result has the input's type.

    ```mlir
    %y = nn.instance_norm %x, %s, %b {epsilon = 1.0e-5 : f64}
        : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$scale, NN_FloatTensor:$bias,
                       F64Attr:$epsilon);
  let results = (outs NN_FloatTensor:$output);
}

def NN_LRNOp : NN_InferredOp<"lrn"> {
  let summary = "local response normalization across channels";
  let description = [{
    ONNX LRN (opset 13). `input` is `[N, C, D1, ...]` (rank >= 3). Each
    element is divided by `(bias + alpha / size * square_sum)^beta`, where
    `square_sum` sums `x^2` over channels
    `[c - floor((size - 1) / 2), c + ceil((size - 1) / 2)]` that exist.
    The result has the input's type.

    ```mlir
    %y = nn.lrn %x {size = 3 : i64, alpha = 1.0e-4 : f64, beta = 0.75 : f64, bias = 1.0 : f64}
        : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, I64Attr:$size, F64Attr:$alpha, F64Attr:$beta,
                       F64Attr:$bias);
  let results = (outs NN_FloatTensor:$output);
}

def NN_MeanVarianceNormOp : NN_InferredOp<"mean_variance_norm"> {
  let summary = "normalization to zero mean and unit variance over given axes";
  let description = [{
    ONNX MeanVarianceNormalization (opset 13):
    `(x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9)`, the expectations taken
    over `axes` (distinct, in [-rank, rank); ONNX's default is 0, 2, 3).
    The result has the input's type.

    ```mlir
    %y = nn.mean_variance_norm %x {axes = array<i64: 0, 2, 3>}
        : (tensor<2x3x4x4xf32>) -> tensor<2x3x4x4xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs NN_FloatTensor:$output);
}

def NN_HardmaxOp : NN_InferredOp<"hardmax"> {
  let summary = "one at the first maximum along one axis, zero elsewhere";
  let description = [{
    ONNX Hardmax (opset 13): along `axis` (negative counts from the end),
    1 at the first position holding the largest element and 0 at every
    other. The result has the input's type.

    ```mlir
    %y = nn.hardmax %x {axis = -1 : i64} : (tensor<2x10xf32>) -> tensor<2x10xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, I64Attr:$axis);
  let results = (outs NN_FloatTensor:$output);
}

#endif // KILN_NN_NORMALIZATION_OPS
