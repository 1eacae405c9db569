//===- NNLossOps.td - losses -----------------------------------------------===//
//
// Included by NNOps.td; the op definitions are generated with the others.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_NN_LOSS_OPS
#define KILN_NN_LOSS_OPS

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

def NN_NLLLossOp : NN_InferredOp<"nll_loss"> {
  let summary = "negative log-likelihood loss of class log-probabilities";
  let description = [{
    `input` holds log-probabilities `[N, C, d1, ..., dk]`, `target` class
    indices `[N, d1, ..., dk]`. At each position the loss is
    `-input[n, target, d...] * weight[target]` (weight 1 without `weight`);
    positions whose target equals `ignore_index` contribute 0 and weigh 0.
    `reduction` is `none` (the per-position losses), `sum`, or `mean` (the
    sum divided by the sum of the weights used). A target outside `[0, C)`
    that is not `ignore_index` is a run-time error naming the node (ONNX
    and torch make it one); where no check can be placed (inside a loop
    body) it is clamped, so generated code never reads outside the input.

    ```mlir
    %l = nn.nll_loss %logp, %t {reduction = "mean"} : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
    %w = nn.nll_loss %logp, %t, %weight {reduction = "none", ignore_index = -1 : i64}
        : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, RankedTensorOf<[I32, I64]>:$target,
                       Optional<NN_FloatTensor>:$weight, StrAttr:$reduction,
                       OptionalAttr<I64Attr>:$ignore_index);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def NN_SoftmaxCrossEntropyOp : NN_InferredOp<"softmax_cross_entropy"> {
  let summary = "cross-entropy loss of class scores (softmax, then negative log-likelihood)";
  let description = [{
    ONNX SoftmaxCrossEntropyLoss (opset 13). `log_prob` is the log-softmax
    of `scores` `[N, C, d1, ..., dk]` over the class dimension 1; `output`
    is `nn.nll_loss` of `log_prob` with `target`, the optional `weight`,
    `reduction` and `ignore_index` (same shapes and meaning).

    ```mlir
    %loss, %logp = nn.softmax_cross_entropy %scores, %t {reduction = "mean"}
        : (tensor<4x10xf32>, tensor<4xi64>) -> (tensor<f32>, tensor<4x10xf32>)
    ```
  }];
  let arguments = (ins NN_FloatTensor:$scores, RankedTensorOf<[I32, I64]>:$target,
                       Optional<NN_FloatTensor>:$weight, StrAttr:$reduction,
                       OptionalAttr<I64Attr>:$ignore_index);
  let results = (outs NN_FloatTensor:$output, NN_FloatTensor:$log_prob);
}

#endif // KILN_NN_LOSS_OPS
