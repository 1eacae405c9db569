//===- NNTrainingOps.td - ops whose training form differs ------------------===//
//
// Included by NNOps.td. Dropout and batch normalization as a training step
// runs them: the random mask, and the batch's own statistics. The ONNX
// importer builds them for training_mode=1; the training pipeline reuses them.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_NN_TRAINING_OPS
#define KILN_NN_TRAINING_OPS

def NN_DropoutOp : NN_InferredOp<"dropout"> {
  let summary = "training-mode dropout with a reproducible, counter-based mask";
  let description = [{
    ONNX Dropout (opset 13) with `training_mode` true. Each element is kept
    when its uniform number `u` in [0, 1) satisfies `u >= ratio`; kept
    elements are scaled by `1 / (1 - ratio)` and the others are 0:

    ```
    mask   = u >= ratio
    output = mask ? input / (1 - ratio) : 0       (0 everywhere when ratio >= 1)
    ```

    `ratio` is a rank-0 tensor of the input's float type (read at run time).
    `u` comes from Philox-4x32-10 (Salmon et al., 2011), keyed by `seed`
    (low and high 32 bits) with the element's row-major linear index as the
    128-bit counter (low 32 bits, high 32 bits, 0, 0): `u` is the first
    output word's top 24 bits times 2^-24. The mask is a function of the
    seed and the position only, so one seed gives one mask on every run and
    every thread count. ONNX leaves the generator unspecified: a seed does
    not reproduce numpy's or another runtime's mask.

    ```mlir
    %y, %mask = nn.dropout %x, %ratio {seed = 0 : i64}
        : (tensor<3x4xf32>, tensor<f32>) -> (tensor<3x4xf32>, tensor<3x4xi1>)
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$ratio, I64Attr:$seed);
  let results = (outs NN_FloatTensor:$output, NN_BoolTensor:$mask);
}

def NN_BatchNormTrainingOp : NN_InferredOp<"batch_norm_training"> {
  let summary = "batch normalization with the batch's statistics (training)";
  let description = [{
    ONNX BatchNormalization (opset 15) with `training_mode` = 1. The mean and
    the population variance over every dimension but 1 (the channels)
    normalize the input, and the running statistics move towards them:

    ```
    mean         = E[x]                    (over N and the spatial dims)
    var          = E[(x - mean)^2]
    output       = (x - mean) / sqrt(var + epsilon) * scale + bias
    running_mean = input_mean * momentum + mean * (1 - momentum)
    running_var  = input_var  * momentum + var  * (1 - momentum)
    ```

    `scale`, `bias`, `input_mean` and `input_var` are `[C]`; so are the two
    running statistics. nn-decompose rewrites it into reductions and
    elementwise nn ops.

    ```mlir
    %y, %rm, %rv = nn.batch_norm_training %x, %s, %b, %m, %v {epsilon = 1.0e-5 : f64, momentum = 0.9 : f64}
        : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
          -> (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>)
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$scale, NN_FloatTensor:$bias,
                       NN_FloatTensor:$input_mean, NN_FloatTensor:$input_var,
                       F64Attr:$epsilon, F64Attr:$momentum);
  let results = (outs NN_FloatTensor:$output, NN_FloatTensor:$running_mean,
                      NN_FloatTensor:$running_var);
}

#endif // KILN_NN_TRAINING_OPS
