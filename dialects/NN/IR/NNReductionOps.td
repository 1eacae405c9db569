//===- NNReductionOps.td - reductions --------------------------------------===//
//
// Included by NNOps.td; the op definitions are generated with the others.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_NN_REDUCTION_OPS
#define KILN_NN_REDUCTION_OPS

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class NN_ReduceOp<string mnemonic, string what, Type type = NN_NumericTensor>
    : NN_InferredOp<mnemonic> {
  let summary = what # " over the given axes";
  let description = "Reduces `input` to " # what # [{ of its elements over
    each of `axes` (distinct, in [-rank, rank), negative counting from the
    end; at least one). With `keep_dims` the reduced dimensions stay as size
    1, otherwise they are removed.

    ```mlir
    }] # "%y = nn." # mnemonic # [{ %x {axes = array<i64: 2, 3>, keep_dims = true}
        : (tensor<1x8x4x4xf32>) -> tensor<1x8x1x1xf32>
    ```
  }];
  let arguments = (ins type:$input, DenseI64ArrayAttr:$axes, BoolAttr:$keep_dims);
  let results = (outs type:$output);
}

def NN_ReduceSumOp : NN_ReduceOp<"reduce_sum", "the sum">;
def NN_ReduceMeanOp : NN_ReduceOp<"reduce_mean", "the mean", NN_FloatTensor>;
def NN_ReduceMaxOp : NN_ReduceOp<"reduce_max", "the maximum">;
def NN_ReduceMinOp : NN_ReduceOp<"reduce_min", "the minimum">;
def NN_ReduceProdOp : NN_ReduceOp<"reduce_prod", "the product">;

def NN_CumSumOp : NN_InferredOp<"cumsum"> {
  let summary = "running sum along one axis";
  let description = [{
    Element `i` along `axis` (negative counts from the end) is the sum of
    elements `0..i` (`i+1..n-1` down from the end with `reverse`), including
    `i` itself unless `exclusive`.

    ```mlir
    %y = nn.cumsum %x {axis = 1 : i64, exclusive = false, reverse = false} : (tensor<2x5xf32>) -> tensor<2x5xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$input, I64Attr:$axis, BoolAttr:$exclusive,
                       BoolAttr:$reverse);
  let results = (outs NN_NumericTensor:$output);
}

class NN_ArgReduceOp<string mnemonic, string what> : NN_InferredOp<mnemonic> {
  let summary = "index of the " # what # " along one axis";
  let description = "The position (i64) of the " # what # [{ element along
    `axis` (negative counts from the end): the first such position, or the
    last with `select_last_index`. With `keep_dims` the axis stays as size 1,
    otherwise it is removed.

    ```mlir
    }] # "%i = nn." # mnemonic # [{ %x {axis = 1 : i64, keep_dims = false, select_last_index = false}
        : (tensor<2x10xf32>) -> tensor<2xi64>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$input, I64Attr:$axis, BoolAttr:$keep_dims,
                       BoolAttr:$select_last_index);
  let results = (outs RankedTensorOf<[I64]>:$output);
}

def NN_ArgMaxOp : NN_ArgReduceOp<"arg_max", "largest">;
def NN_ArgMinOp : NN_ArgReduceOp<"arg_min", "smallest">;

// Reductions with an elementwise part that ONNX names as one op. Unlike the
// plain reductions above, an empty `axes` is allowed: nothing is reduced
// but the elementwise part still applies (ONNX's noop_with_empty_axes).
class NN_ComposedReduceOp<string mnemonic, string onnxName, string formula, Type type>
    : NN_InferredOp<mnemonic> {
  let summary = "`" # formula # "` over the given axes";
  let description = "ONNX Reduce" # onnxName # " (opset 18): `" # formula # [{`
    over each of `axes` (distinct, in [-rank, rank), negative counting from
    the end). With `keep_dims` the reduced dimensions stay as size 1,
    otherwise they are removed. With no axes nothing is reduced and the
    elementwise part still applies (the importer maps ONNX's
    `noop_with_empty_axes`; an ONNX node without axes lists them all).

    ```mlir
    }] # "%y = nn." # mnemonic # [{ %x {axes = array<i64: 1>, keep_dims = false}
        : (tensor<2x8xf32>) -> tensor<2xf32>
    ```
  }];
  let arguments = (ins type:$input, DenseI64ArrayAttr:$axes, BoolAttr:$keep_dims);
  let results = (outs type:$output);
}

def NN_ReduceL1Op : NN_ComposedReduceOp<"reduce_l1", "L1", "sum(|x|)",
    NN_NumericTensor>;
def NN_ReduceL2Op : NN_ComposedReduceOp<"reduce_l2", "L2", "sqrt(sum(x^2))",
    NN_FloatTensor>;
def NN_ReduceSumSquareOp : NN_ComposedReduceOp<"reduce_sum_square", "SumSquare", "sum(x^2)",
    NN_NumericTensor>;
def NN_ReduceLogSumOp : NN_ComposedReduceOp<"reduce_log_sum", "LogSum", "log(sum(x))",
    NN_FloatTensor>;
def NN_ReduceLogSumExpOp : NN_ComposedReduceOp<"reduce_log_sum_exp", "LogSumExp", "log(sum(exp(x)))",
    NN_FloatTensor>;

#endif // KILN_NN_REDUCTION_OPS
