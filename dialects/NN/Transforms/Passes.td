//===- Passes.td - nn-level passes ----------------------------*- tablegen -*-===//

#ifndef KILN_NN_TRANSFORMS_PASSES
#define KILN_NN_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def NNDecomposePass : Pass<"nn-decompose"> {
  let summary = "Rewrite semantic nn ops into primitive nn ops";
  let description = [{
    The nn dialect keeps ONNX's semantic ops whole so that later passes
    (fusion, gradient rules, GPU kernels) can see them: `nn.layer_norm`,
    `nn.instance_norm`, `nn.lrn`, `nn.mean_variance_norm`, `nn.hardmax`,
    `nn.conv_transpose`, `nn.resize`, the composed reductions
    (`nn.reduce_l1`, `nn.reduce_l2`, `nn.reduce_sum_square`,
    `nn.reduce_log_sum`, `nn.reduce_log_sum_exp`), `nn.softmax_cross_entropy`,
    `nn.quantize_linear` and `nn.dequantize_linear`, and the recurrent layers
    `nn.lstm`, `nn.gru` and `nn.rnn` (an input-projection gemm and an
    `scf.for` over time around the cell's nn ops; docs/recurrent.md), and the
    optimizer updates `nn.sgd_update`, `nn.rmsprop_update` and
    `nn.adam_update` (elementwise ops in torch.optim's order). A target
    without kernels of its own for
    them runs this pass to express each one with primitive nn ops
    (reductions, elementwise ops, convolution, gathers, reshapes), which
    `convert-nn-to-linalg` lowers.

    Some decompositions need static shapes (the ones that build constant
    index tables or reshape); an op that cannot be decomposed is reported
    and the pass fails.

    ```mlir
    %y = nn.reduce_l2 %x {axes = array<i64: 1>, keep_dims = false} : (tensor<2x8xf32>) -> tensor<2xf32>
    // becomes
    %sq = nn.mul %x, %x : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
    %s = nn.reduce_sum %sq {axes = array<i64: 1>, keep_dims = false} : (tensor<2x8xf32>) -> tensor<2xf32>
    %y = nn.sqrt %s : tensor<2xf32>
    ```
  }];
  let dependentDialects = ["kiln::nn::NNDialect", "mlir::arith::ArithDialect",
                           "mlir::cf::ControlFlowDialect", "mlir::linalg::LinalgDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect"];
}

def NNShortenLiveRangesPass : Pass<"nn-shorten-live-ranges", "mlir::func::FuncOp"> {
  let summary = "Move ops down to just before their first user where that frees bytes";
  let description = [{
    An op whose result is first needed much later holds its buffer all the
    while: a training step's backward computes, say, the gradient flowing
    through a residual block's shortcut as soon as it reaches the block, and
    adds it to the other branch's only after that branch's whole backward.
    For each op of a function's blocks, from the bottom up, this pass takes
    the op with the producers used by it alone (transitively), and moves
    that group, in order, to just before the first op outside it that uses
    one of its results, when the bytes the group's results take are more
    than the bytes of its inputs whose last use was before that point
    (which then stay live up to there; constants and the function's
    arguments cost nothing, and a reshape is its input's buffer). Only the
    results of ops that are surely buffers of their own once lowered count
    (convolutions, contractions, transposes, concats, pads): an elementwise
    op or a slice often ends up inside its user's loop. Only ops with static
    tensor shapes, no regions and no memory effects move, so every order
    computes the same values; nothing is recomputed.

    ```mlir
    %a = nn.relu %x : tensor<32x32xf32>
    %b = nn.transpose %y {perm = array<i64: 1, 0>} : (tensor<32x32xf32>) -> tensor<32x32xf32>
    %c = nn.neg %a : tensor<32x32xf32>
    %d = nn.add %b, %c : (tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<32x32xf32>
    %e = nn.mul %d, %y : (tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<32x32xf32>
    ```
    moves `%b` down to just before `%d`: `%y` stays live anyway, and `%b`'s
    4096 bytes are no longer live while `%c` is computed.
  }];
}

def NNGenerateGradientPass : Pass<"nn-generate-gradient", "mlir::ModuleOp"> {
  let summary = "Add the reverse-mode gradient function of every public function";
  let description = [{
    For each public function `@f(x...) -> (y...)` with a body, adds
    `@f_grad(x..., dy...) -> (y..., dx...)`: one seed `dy` per float result
    (named `d_<result>`), and the gradient of `sum <y, dy>` with respect to
    each float argument (named `d_<argument>`), built by the nn ops'
    gradient rules (GradientOpInterface, dialects/NN/Gradients) in reverse
    order. A `kiln.entry_name` gets `_grad` appended. This is how the rules
    are tested (test/e2e/gradcheck.py compares `dx` with central finite
    differences in float64); a training step calls the same driver
    (dialects/NN/Transforms/Autodiff.h).

    Shapes must be static. An op on the path from the arguments to the
    results without a rule is an error that lists every such op.
  }];
  let dependentDialects = ["kiln::nn::NNDialect", "mlir::func::FuncDialect"];
}

def NNBuildTrainingPass : Pass<"nn-build-training", "mlir::ModuleOp"> {
  let summary = "Turn an imported model into a training artifact's four entries";
  let description = [{
    Takes a module with one public function, a model imported with
    `kiln.parameter` constants (ONNXImportOptions::markParameters), and
    replaces it with four entries (docs/training.md):

    - `init() -> (STATE...)`: the parameters' and running statistics'
      initial values, zeroed optimizer state, `step` 0;
    - `train_step(STATE..., data..., label) -> (loss, STATE'...)`: forward
      with batch statistics and dropout masks, the mean loss, its gradient
      with respect to every trainable parameter (the nn ops' gradient rules,
      Autodiff.h), optional clipping by global norm, and the optimizer
      update (`nn.sgd_update`, `nn.rmsprop_update`, `nn.adam_update`);
    - `eval(STATE..., data..., label) -> (loss per sample, outputs...)`
      and `infer(STATE..., data...) -> (outputs...)`: inference form
      (running statistics, no dropout).

    STATE is the trainable parameters (float initializers of rank >= 1 not
    matched by `freeze`, an extended regular expression searched in the
    name), then the batch-norm running statistics, then the optimizer state
    of each parameter (`NAME.momentum_buffer`, `NAME.exp_avg`,
    `NAME.exp_avg_sq`, `NAME.square_avg`), then `step` (i64). The module
    attribute `kiln.training` lists it with each tensor's kind, the loss,
    the label's name and the source model (with its SHA-256 when
    `source-sha256` is given). Shapes must be static.
  }];
  let options = [
    Option<"loss", "loss", "std::string", "\"softmax-cross-entropy\"",
           "softmax-cross-entropy, nll, mse or bce-logits">,
    Option<"label", "label", "std::string", "\"label\"", "name of the new input holding the targets">,
    Option<"optimizer", "optimizer", "std::string", "\"sgd\"", "sgd, rmsprop, adam or adamw">,
    Option<"lr", "lr", "double", "0.01", "learning rate">,
    Option<"momentum", "momentum", "double", "0.0", "SGD momentum">,
    Option<"nesterov", "nesterov", "bool", "false", "SGD with Nesterov momentum">,
    Option<"weightDecay", "weight-decay", "double", "0.0", "L2 penalty (decoupled for adamw)">,
    Option<"beta1", "beta1", "double", "0.9", "Adam's first-moment decay">,
    Option<"beta2", "beta2", "double", "0.999", "Adam's second-moment decay">,
    Option<"eps", "eps", "double", "1e-8", "Adam's and RMSProp's denominator term">,
    Option<"alpha", "alpha", "double", "0.99", "RMSProp's smoothing constant">,
    Option<"clipNorm", "clip-norm", "double", "0.0", "clip gradients to this global norm (0: none)">,
    Option<"freeze", "freeze", "std::string", "\"\"", "parameters whose name matches stay fixed">,
    Option<"seed", "seed", "int64_t", "0", "mixed into every dropout's seed">,
    Option<"source", "source", "std::string", "\"\"", "the ONNX file, recorded for --save">,
    Option<"sourceSha256", "source-sha256", "std::string", "\"\"",
           "the source file's SHA-256 (64 hex digits), recorded for --save to check">,
  ];
  let dependentDialects = ["kiln::nn::NNDialect", "mlir::func::FuncDialect"];
}

#endif // KILN_NN_TRANSFORMS_PASSES
