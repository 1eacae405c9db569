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

#endif // KILN_NN_NORMALIZATION_OPS
