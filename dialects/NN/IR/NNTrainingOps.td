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
    128-bit counter (low 32 bits, high 32 bits, then the optional `offset`'s
    low and high 32 bits, 0 and 0 when it is absent): `u` is the first
    output word's top 24 bits times 2^-24. The mask is a function of the
    seed, the offset and the position only, so one seed and offset give one
    mask on every run and every thread count. The ONNX importer passes no
    offset; a training step passes its step count, so each step draws a new
    mask from one seed. ONNX leaves the generator unspecified: a seed does
    not reproduce numpy's or another runtime's mask.

    ```mlir
    %y, %mask = nn.dropout %x, %ratio {seed = 0 : i64}
        : (tensor<3x4xf32>, tensor<f32>) -> (tensor<3x4xf32>, tensor<3x4xi1>)
    %y2, %mask2 = nn.dropout %x, %ratio, %step {seed = 0 : i64}
        : (tensor<3x4xf32>, tensor<f32>, tensor<i64>) -> (tensor<3x4xf32>, tensor<3x4xi1>)
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$ratio,
                       Optional<NN_Tensor>:$offset, I64Attr:$seed);
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

//===----------------------------------------------------------------------===//
// Optimizer updates: one parameter's step, torch.optim (torch 1.13) semantics
//===----------------------------------------------------------------------===//

def NN_SGDUpdateOp : NN_InferredOp<"sgd_update"> {
  let summary = "one SGD step of a parameter (momentum, Nesterov, weight decay)";
  let description = [{
    One step of `torch.optim.SGD` (torch 1.13, `_single_tensor_sgd` in
    torch/optim/sgd.py, with dampening 0 and maximize false) for the
    parameter `param` with gradient `grad` and momentum buffer `buf`:

    ```
    g    = grad + weight_decay * param
    buf' = momentum * buf + g                  (momentum > 0)
    d    = nesterov ? g + momentum * buf' : buf'
    d    = g, buf' = buf                       (momentum == 0)
    p'   = param - lr * d
    ```

    torch creates the buffer as a copy of `g` on the first step; a buffer
    that starts at zeros gives the same `buf'`, so the state is zeros
    initially. With momentum 0 the buffer is not read and is returned
    unchanged (any tensor of the parameter's type will do). `grad`, `buf` and
    both results have the parameter's type. `lr`, `momentum` and
    `weight_decay` are >= 0; `nesterov` needs momentum > 0 (as torch).
    nn-decompose rewrites it into elementwise nn ops.

    ```mlir
    %p2, %b2 = nn.sgd_update %p, %g, %b {lr = 0.1 : f64, momentum = 0.9 : f64, nesterov = false, weight_decay = 0.0 : f64}
        : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
    ```
  }];
  let arguments = (ins NN_FloatTensor:$param, NN_FloatTensor:$grad, NN_FloatTensor:$buf,
                       F64Attr:$lr, F64Attr:$momentum, BoolAttr:$nesterov, F64Attr:$weight_decay);
  let results = (outs NN_FloatTensor:$new_param, NN_FloatTensor:$new_buf);
}

def NN_RMSpropUpdateOp : NN_InferredOp<"rmsprop_update"> {
  let summary = "one RMSprop step of a parameter";
  let description = [{
    One step of `torch.optim.RMSprop` (torch 1.13, `_single_tensor_rmsprop`
    in torch/optim/rmsprop.py, with momentum 0, centered false and maximize
    false) for the parameter `param` with gradient `grad` and running
    average of squared gradients `square_avg` (zeros initially):

    ```
    g   = grad + weight_decay * param
    sq' = alpha * square_avg + (1 - alpha) * g * g
    p'  = param - lr * g / (sqrt(sq') + eps)
    ```

    `grad`, `square_avg` and both results have the parameter's type. `lr`,
    `alpha`, `eps` and `weight_decay` are >= 0 (as torch). nn-decompose
    rewrites it into elementwise nn ops.

    ```mlir
    %p2, %s2 = nn.rmsprop_update %p, %g, %s {alpha = 0.99 : f64, eps = 1.0e-8 : f64, lr = 0.01 : f64, weight_decay = 0.0 : f64}
        : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
    ```
  }];
  let arguments = (ins NN_FloatTensor:$param, NN_FloatTensor:$grad, NN_FloatTensor:$square_avg,
                       F64Attr:$lr, F64Attr:$alpha, F64Attr:$eps, F64Attr:$weight_decay);
  let results = (outs NN_FloatTensor:$new_param, NN_FloatTensor:$new_square_avg);
}

def NN_AdamUpdateOp : NN_InferredOp<"adam_update"> {
  let summary = "one Adam or AdamW step of a parameter";
  let description = [{
    One step of `torch.optim.Adam` (`decoupled` false) or `torch.optim.AdamW`
    (`decoupled` true) (torch 1.13, `_single_tensor_adam` in
    torch/optim/adam.py and `_single_tensor_adamw` in torch/optim/adamw.py,
    with amsgrad false and maximize false) for the parameter `param` with
    gradient `grad`, first moment `exp_avg` and second moment `exp_avg_sq`
    (zeros initially). `step` is the i64 rank-0 step count already
    incremented for this step (1 on the first):

    ```
    Adam:   g = grad + weight_decay * param,  p = param
    AdamW:  g = grad,                         p = param * (1 - lr * weight_decay)
    m'  = beta1 * exp_avg + (1 - beta1) * g
    v'  = beta2 * exp_avg_sq + (1 - beta2) * g * g
    p'  = p - (lr / (1 - beta1^step)) * m' / (sqrt(v') / sqrt(1 - beta2^step) + eps)
    ```

    As torch, the two bias corrections and the step size are computed in f64
    from the step count, then rounded to the parameter's type. `grad`, the
    moments and the three results have the parameter's type. `lr`, `eps` and
    `weight_decay` are >= 0 and `beta1`, `beta2` lie in [0, 1) (as torch).
    nn-decompose rewrites it into elementwise nn ops.

    ```mlir
    %p2, %m2, %v2 = nn.adam_update %p, %g, %m, %v, %t {beta1 = 0.9 : f64, beta2 = 0.999 : f64, decoupled = false, eps = 1.0e-8 : f64, lr = 1.0e-3 : f64, weight_decay = 0.0 : f64}
        : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<i64>)
          -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
    ```
  }];
  let arguments = (ins NN_FloatTensor:$param, NN_FloatTensor:$grad, NN_FloatTensor:$exp_avg,
                       NN_FloatTensor:$exp_avg_sq, NN_Tensor:$step,
                       F64Attr:$lr, F64Attr:$beta1, F64Attr:$beta2, F64Attr:$eps,
                       F64Attr:$weight_decay, BoolAttr:$decoupled);
  let results = (outs NN_FloatTensor:$new_param, NN_FloatTensor:$new_exp_avg,
                      NN_FloatTensor:$new_exp_avg_sq);
}

#endif // KILN_NN_TRAINING_OPS
