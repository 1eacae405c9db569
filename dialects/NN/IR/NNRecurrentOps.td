//===- NNRecurrentOps.td - lstm, gru, rnn -------------------------------===//
//
// Included by NNOps.td; the op definitions are generated with the others.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_NN_RECURRENT_OPS
#define KILN_NN_RECURRENT_OPS

//===----------------------------------------------------------------------===//
// Recurrent layers (ONNX LSTM, GRU, RNN, opset 14)
//===----------------------------------------------------------------------===//

// One op per cell kind: the three share their operands, attributes and
// results but for the LSTM's cell state and peepholes and the GRU's
// linear_before_reset. Their inference and reification are shared
// (NNRecurrentOps.cpp); nn-decompose expands all three.
class NN_RecurrentOp<string mnemonic, string cell, int gates, int acts,
                     dag extraOperands, dag extraAttrs, dag outs, string format>
    : NN_InferredOp<mnemonic, [AttrSizedOperandSegments]> {
  let summary = "a " # cell # " layer over a sequence (ONNX " # cell # ", opset 14)";
  let arguments = !con(
      (ins NN_FloatTensor:$x, NN_FloatTensor:$w, NN_FloatTensor:$r,
           Optional<NN_FloatTensor>:$b,
           Optional<RankedTensorOf<[I32, I64]>>:$sequence_lens,
           Optional<NN_FloatTensor>:$initial_h),
      extraOperands,
      (ins StrAttr:$direction, I64Attr:$hidden_size, StrArrayAttr:$activations,
           DenseF64ArrayAttr:$activation_alpha, DenseF64ArrayAttr:$activation_beta,
           OptionalAttr<F64Attr>:$clip),
      extraAttrs);
  let results = outs;
  let assemblyFormat = "$x `,` $w `,` $r (`bias` $b^)? (`lengths` $sequence_lens^)? "
                       "(`initial_h` $initial_h^)? " # format #
                       " attr-dict `:` functional-type(operands, results)";
  // For the shared C++ helpers: gates per step and activations per direction.
  let extraClassDeclaration = [{
    static constexpr int64_t kGates = }] # gates # [{;
    static constexpr int64_t kActivations = }] # acts # [{;
  }];
}

defvar NN_RecurrentCommonDoc = [{
    Layout is ONNX's layout 0 (the importer transposes layout 1):
    `x` is `[seq, batch, input]`, `w` `[D, G*H, input]`, `r` `[D, G*H, H]`,
    the optional `b` `[D, 2*G*H]` (the input biases then the recurrence
    biases), `sequence_lens` `[batch]`, `initial_h` (and `initial_c`)
    `[D, batch, H]`, with `D` 2 for `direction = "bidirectional"` and 1 for
    `"forward"` or `"reverse"`, `H = hidden_size` and `G` the gate count.
    An absent bias or initial state is zeros. Results: `y` `[seq, D, batch, H]`,
    `y_h` (and `y_c`) `[D, batch, H]`. Seq and batch may be dynamic.

    `sequence_lens[b]` (clamped to `[0, seq]`) is batch entry `b`'s length:
    the forward direction runs steps `0 .. len-1`, the reverse direction
    starts at step `len-1`; `y` is zero past the length and `y_h` (`y_c`)
    holds the state after the last valid step (the initial state for a
    length of 0). Without `sequence_lens` every entry has length `seq`.

    `activations` names the activation functions of each direction in turn
    (forward first): `sigmoid`, `tanh`, `relu`, `affine` (`alpha*x + beta`),
    `leaky_relu`, `thresholded_relu`, `scaled_tanh` (`alpha*tanh(beta*x)`),
    `hard_sigmoid` (`max(0, min(1, alpha*x + beta))`), `elu`, `softsign`,
    `softplus`. `activation_alpha` and `activation_beta` hold one value per
    activation (the importer resolves ONNX's defaults; unused ones are 0).
    `clip`, when present, clamps every activation's input to
    `[-clip, clip]` (the stored cell state itself is not clamped).
}];

def NN_LSTMOp : NN_RecurrentOp<"lstm", "LSTM", 4, 3,
    (ins Optional<NN_FloatTensor>:$initial_c, Optional<NN_FloatTensor>:$p),
    (ins BoolAttr:$input_forget),
    (outs NN_FloatTensor:$y, NN_FloatTensor:$y_h, NN_FloatTensor:$y_c),
    "(`initial_c` $initial_c^)? (`peepholes` $p^)?"> {
  let description = NN_RecurrentCommonDoc # [{

    Gates in ONNX's order `i, o, f, c` (G = 4), three activations
    `f, g, h` per direction, peepholes `p` `[D, 3*H]` in the order
    `i, o, f`:

        i = f(Xt*Wi' + Ht-1*Ri' + Pi.Ct-1 + Wbi + Rbi)
        f = f(Xt*Wf' + Ht-1*Rf' + Pf.Ct-1 + Wbf + Rbf)   (1 - i with input_forget)
        c = g(Xt*Wc' + Ht-1*Rc' + Wbc + Rbc)
        Ct = f.Ct-1 + i.c
        o = f(Xt*Wo' + Ht-1*Ro' + Po.Ct + Wbo + Rbo)
        Ht = o.h(Ct)

    ```mlir
    %y, %y_h, %y_c = nn.lstm %x, %w, %r bias %b {activation_alpha = array<f64: 0.0, 0.0, 0.0>,
        activation_beta = array<f64: 0.0, 0.0, 0.0>, activations = ["sigmoid", "tanh", "tanh"],
        direction = "forward", hidden_size = 4 : i64, input_forget = false}
        : (tensor<5x2x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32>, tensor<1x32xf32>)
        -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>)
    ```
  }];
}

def NN_GRUOp : NN_RecurrentOp<"gru", "GRU", 3, 2,
    (ins), (ins BoolAttr:$linear_before_reset),
    (outs NN_FloatTensor:$y, NN_FloatTensor:$y_h), ""> {
  let description = NN_RecurrentCommonDoc # [{

    Gates in ONNX's order `z, r, h` (G = 3), two activations `f, g` per
    direction:

        z = f(Xt*Wz' + Ht-1*Rz' + Wbz + Rbz)
        r = f(Xt*Wr' + Ht-1*Rr' + Wbr + Rbr)
        h = g(Xt*Wh' + (r.Ht-1)*Rh' + Rbh + Wbh)      linear_before_reset = false
        h = g(Xt*Wh' + r.(Ht-1*Rh' + Rbh) + Wbh)      linear_before_reset = true
        Ht = (1 - z).h + z.Ht-1

    ```mlir
    %y, %y_h = nn.gru %x, %w, %r {activation_alpha = array<f64: 0.0, 0.0>,
        activation_beta = array<f64: 0.0, 0.0>, activations = ["sigmoid", "tanh"],
        direction = "forward", hidden_size = 4 : i64, linear_before_reset = true}
        : (tensor<5x2x3xf32>, tensor<1x12x3xf32>, tensor<1x12x4xf32>)
        -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
    ```
  }];
}

def NN_RNNOp : NN_RecurrentOp<"rnn", "RNN", 1, 1, (ins), (ins),
    (outs NN_FloatTensor:$y, NN_FloatTensor:$y_h), ""> {
  let description = NN_RecurrentCommonDoc # [{

    One gate (G = 1) and one activation `f` per direction:

        Ht = f(Xt*Wi' + Ht-1*Ri' + Wbi + Rbi)

    ```mlir
    %y, %y_h = nn.rnn %x, %w, %r {activation_alpha = array<f64: 0.0>,
        activation_beta = array<f64: 0.0>, activations = ["relu"],
        direction = "bidirectional", hidden_size = 4 : i64}
        : (tensor<5x2x3xf32>, tensor<2x4x3xf32>, tensor<2x4x4xf32>)
        -> (tensor<5x2x2x4xf32>, tensor<2x2x4xf32>)
    ```
  }];
}

#endif // KILN_NN_RECURRENT_OPS
