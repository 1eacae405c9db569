//===- NNOps.td - the nn dialect: framework-neutral tensor ops ------------===//
//
// Ops have value semantics on ranked tensors. Attributes are explicit (no
// defaults resolved later): the importer turns ONNX conventions such as
// auto_pad into explicit pads, so every op here means exactly one thing.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_NN_OPS
#define KILN_NN_OPS

include "mlir/IR/OpBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def NN_Dialect : Dialect {
  let name = "nn";
  let cppNamespace = "::kiln::nn";
  let summary = "Framework-neutral neural-network graph operations";
  let description = [{
    The `nn` dialect is Kiln's graph level: tensor operations with value
    semantics, numpy-style broadcasting where ONNX has it, and NCHW layout for
    convolution and pooling. Every op infers its result type from its operands
    and attributes; the verifier rejects IR whose stated result type disagrees.
    Frontends (the ONNX importer, the native builder) produce this dialect, and
    `convert-nn-to-linalg` lowers it onto upstream MLIR.
  }];
  let hasConstantMaterializer = 1;
}

class NN_Op<string mnemonic, list<Trait> traits = []>
    : Op<NN_Dialect, mnemonic, !listconcat([Pure], traits)>;

// Verification through type inference first (NNOps.h): one message per error.
def NN_VerifiedByInference : NativeOpTrait<"VerifiedByInference"> {
  let cppNamespace = "::kiln::nn";
}

// An op whose result type is computed by `inferReturnTypes` in NNOps.cpp.
class NN_InferredOp<string mnemonic, list<Trait> traits = []>
    : NN_Op<mnemonic, !listconcat(traits, [NN_VerifiedByInference, InferTypeOpAdaptor])> {
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def NN_Tensor : RankedTensorOf<[AnyType]>;
def NN_FloatTensor : RankedTensorOf<[AnyFloat]>;
def NN_NumericTensor : RankedTensorOf<[AnyFloat, AnySignlessInteger]>;

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def NN_ConstantOp : NN_Op<"constant", [ConstantLike,
    AllTypesMatch<["value", "output"]>]> {
  let summary = "a constant tensor (weights, shapes, scalars)";
  let description = [{
    Holds a tensor value. Weights imported from ONNX are `dense_resource`
    blobs, so one blob is stored once however often it is used.

    ```mlir
    %w = nn.constant dense<1.0> : tensor<4x3xf32>
    %big = nn.constant dense_resource<conv1_weight> : tensor<64x3x7x7xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

class NN_UnaryOp<string mnemonic, string what, Type operandType = NN_FloatTensor,
                 list<Trait> traits = []>
    : NN_Op<mnemonic, !listconcat(traits, [SameOperandsAndResultType])> {
  let summary = "elementwise " # what;
  let description = "Computes " # what # " of every element." # [{

    ```mlir
    }] # "%y = nn." # mnemonic # [{ %x : tensor<1x8x4x4xf32>
    ```
  }];
  let arguments = (ins operandType:$input);
  let results = (outs operandType:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def NN_ReluOp : NN_UnaryOp<"relu", "max(x, 0)", NN_NumericTensor>;
def NN_SigmoidOp : NN_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def NN_TanhOp : NN_UnaryOp<"tanh", "the hyperbolic tangent">;
def NN_ExpOp : NN_UnaryOp<"exp", "the exponential">;
def NN_LogOp : NN_UnaryOp<"log", "the natural logarithm">;
def NN_ErfOp : NN_UnaryOp<"erf", "the error function">;
def NN_SqrtOp : NN_UnaryOp<"sqrt", "the square root">;
def NN_ReciprocalOp : NN_UnaryOp<"reciprocal", "1 / x">;
def NN_NegOp : NN_UnaryOp<"neg", "-x", NN_NumericTensor>;
def NN_AbsOp : NN_UnaryOp<"abs", "|x|", NN_NumericTensor>;
def NN_FloorOp : NN_UnaryOp<"floor", "the largest integer not above x">;
def NN_CeilOp : NN_UnaryOp<"ceil", "the smallest integer not below x">;
def NN_SoftplusOp : NN_UnaryOp<"softplus", "log(1 + exp(x))">;
def NN_SinOp : NN_UnaryOp<"sin", "the sine">;
def NN_CosOp : NN_UnaryOp<"cos", "the cosine">;
def NN_TanOp : NN_UnaryOp<"tan", "the tangent">;
def NN_AsinOp : NN_UnaryOp<"asin", "the arcsine">;
def NN_AcosOp : NN_UnaryOp<"acos", "the arccosine">;
def NN_AtanOp : NN_UnaryOp<"atan", "the arctangent">;
def NN_SinhOp : NN_UnaryOp<"sinh", "the hyperbolic sine">;
def NN_CoshOp : NN_UnaryOp<"cosh", "the hyperbolic cosine">;
def NN_AsinhOp : NN_UnaryOp<"asinh", "the inverse hyperbolic sine">;
def NN_AcoshOp : NN_UnaryOp<"acosh", "the inverse hyperbolic cosine">;
def NN_AtanhOp : NN_UnaryOp<"atanh", "the inverse hyperbolic tangent">;
def NN_RoundOp : NN_UnaryOp<"round", "x rounded to the nearest integer, halves to even">;
def NN_SignOp : NN_UnaryOp<"sign", "-1, 0 or 1 by the sign of x", NN_NumericTensor>;
def NN_SoftsignOp : NN_UnaryOp<"softsign", "x / (1 + |x|)">;
def NN_HardSwishOp : NN_UnaryOp<"hard_swish", "x * max(0, min(1, x / 6 + 1 / 2))">;
def NN_MishOp : NN_UnaryOp<"mish", "x * tanh(log(1 + exp(x)))">;

def NN_LeakyReluOp : NN_UnaryOp<"leaky_relu", "x if x >= 0, else alpha * x"> {
  let arguments = (ins NN_FloatTensor:$input, F64Attr:$alpha);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def NN_EluOp : NN_UnaryOp<"elu", "x if x >= 0, else alpha * (exp(x) - 1)"> {
  let arguments = (ins NN_FloatTensor:$input, F64Attr:$alpha);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def NN_HardSigmoidOp : NN_UnaryOp<"hard_sigmoid",
                                  "max(0, min(1, alpha * x + beta))"> {
  let arguments = (ins NN_FloatTensor:$input, F64Attr:$alpha, F64Attr:$beta);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def NN_SeluOp : NN_UnaryOp<"selu",
                           "gamma * x if x > 0, else gamma * alpha * (exp(x) - 1)"> {
  let arguments = (ins NN_FloatTensor:$input, F64Attr:$alpha, F64Attr:$gamma);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def NN_CeluOp : NN_UnaryOp<"celu", "max(0, x) + min(0, alpha * (exp(x / alpha) - 1))"> {
  let arguments = (ins NN_FloatTensor:$input, F64Attr:$alpha);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def NN_ThresholdedReluOp : NN_UnaryOp<"thresholded_relu", "x if x > alpha, else 0"> {
  let arguments = (ins NN_FloatTensor:$input, F64Attr:$alpha);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def NN_ShrinkOp : NN_UnaryOp<"shrink",
    "x + bias if x < -lambd, x - bias if x > lambd, else 0"> {
  let arguments = (ins NN_FloatTensor:$input, F64Attr:$lambd, F64Attr:$bias);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def NN_ClipOp : NN_UnaryOp<"clip", "min(max(x, min), max)", NN_NumericTensor> {
  let description = [{
    Clamps every element to `[min, max]`; a missing bound does not clamp.

    ```mlir
    %y = nn.clip %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<1x8xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$input, OptionalAttr<F64Attr>:$min,
                       OptionalAttr<F64Attr>:$max);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops with numpy broadcasting
//===----------------------------------------------------------------------===//

class NN_BinaryOp<string mnemonic, string what, Type operandType = NN_NumericTensor>
    : NN_InferredOp<mnemonic> {
  let summary = "elementwise " # what # " with numpy broadcasting";
  let description = "Computes " # what # [{ of the two operands after
    broadcasting them to a common shape by numpy's rules: shapes are aligned
    at the right, and a dimension of size 1 stretches to match the other.
    Both operands have the same element type.

    ```mlir
    }] # "%z = nn." # mnemonic # [{ %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins operandType:$lhs, operandType:$rhs);
  let results = (outs operandType:$output);
}

def NN_AddOp : NN_BinaryOp<"add", "lhs + rhs">;
def NN_SubOp : NN_BinaryOp<"sub", "lhs - rhs">;
def NN_MulOp : NN_BinaryOp<"mul", "lhs * rhs">;
def NN_DivOp : NN_BinaryOp<"div", "lhs / rhs">;
def NN_PowOp : NN_BinaryOp<"pow", "lhs raised to rhs"> {
  let description = [{
    `lhs` raised to `rhs` after numpy broadcasting. The operands may have
    different numeric element types; the result has `lhs`'s. A float `lhs`
    takes `rhs` converted to its type; an integer `lhs` is raised in f64 and
    the result truncated toward zero (ONNX Pow's semantics).

    ```mlir
    %z = nn.pow %x, %n : (tensor<4xf32>, tensor<4xi64>) -> tensor<4xf32>
    ```
  }];
}
def NN_MaxOp : NN_BinaryOp<"max", "the larger of lhs and rhs">;
def NN_MinOp : NN_BinaryOp<"min", "the smaller of lhs and rhs">;
def NN_ModOp : NN_BinaryOp<"mod", "the remainder of lhs / rhs"> {
  let description = [{
    The remainder of `lhs / rhs` after numpy broadcasting. With `fmod` it
    has the sign of `lhs` (C's fmod, truncated division; required for
    floats), without it the sign of `rhs` (Python's %, floored division).

    ```mlir
    %z = nn.mod %x, %y {fmod = false} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$lhs, NN_NumericTensor:$rhs, BoolAttr:$fmod);
  let hasVerifier = 1;
}

// Comparisons and logic: results are i1 (bool) tensors.
def NN_BoolTensor : RankedTensorOf<[I1]>;

class NN_CompareOp<string mnemonic, string what> : NN_InferredOp<mnemonic> {
  let summary = "elementwise " # what # " with numpy broadcasting, giving bools";
  let description = "True where " # what # [{ holds, after numpy broadcasting;
    the operands share one element type (floats compare ordered: a NaN
    operand gives false).

    ```mlir
    }] # "%m = nn." # mnemonic # [{ %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$lhs, NN_NumericTensor:$rhs);
  let results = (outs NN_BoolTensor:$output);
}

def NN_EqualOp : NN_CompareOp<"equal", "lhs == rhs">;
def NN_LessOp : NN_CompareOp<"less", "lhs < rhs">;
def NN_LessEqualOp : NN_CompareOp<"less_equal", "lhs <= rhs">;
def NN_GreaterOp : NN_CompareOp<"greater", "lhs > rhs">;
def NN_GreaterEqualOp : NN_CompareOp<"greater_equal", "lhs >= rhs">;

def NN_AndOp : NN_BinaryOp<"and", "lhs and rhs (bools)", NN_BoolTensor>;
def NN_OrOp : NN_BinaryOp<"or", "lhs or rhs (bools)", NN_BoolTensor>;
def NN_XorOp : NN_BinaryOp<"xor", "lhs exclusive-or rhs (bools)", NN_BoolTensor>;
def NN_NotOp : NN_UnaryOp<"not", "the negation of a bool", NN_BoolTensor>;

def NN_WhereOp : NN_InferredOp<"where"> {
  let summary = "pick elements from two tensors by a bool mask";
  let description = [{
    `then` where `condition` is true, `else` elsewhere, all three broadcast
    together by numpy's rules.

    ```mlir
    %y = nn.where %m, %a, %b : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins NN_BoolTensor:$condition, NN_Tensor:$then_value, NN_Tensor:$else_value);
  let results = (outs NN_Tensor:$output);
}

def NN_PReluOp : NN_BinaryOp<"prelu", "lhs if lhs >= 0, else rhs * lhs (rhs is the slope)",
                             NN_FloatTensor>;

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def NN_MatMulOp : NN_InferredOp<"matmul"> {
  let summary = "matrix product with numpy matmul semantics";
  let description = [{
    Multiplies the last two dimensions of each operand; leading (batch)
    dimensions broadcast. A 1-D lhs is a row vector and a 1-D rhs a column
    vector; the inserted dimension is dropped from the result.

    ```mlir
    %c = nn.matmul %a, %b : (tensor<8x2x3xf32>, tensor<3x4xf32>) -> tensor<8x2x4xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$lhs, NN_NumericTensor:$rhs);
  let results = (outs NN_NumericTensor:$output);
}

def NN_GemmOp : NN_InferredOp<"gemm"> {
  let summary = "general matrix multiply: alpha * op(a) * op(b) + beta * c";
  let description = [{
    `a` and `b` are matrices, transposed first when `trans_a` / `trans_b` is
    set; the optional `c` broadcasts to the [M, N] result.

    ```mlir
    %y = nn.gemm %x, %w, %b {alpha = 1.0 : f64, beta = 1.0 : f64, trans_a = false, trans_b = true}
        : (tensor<1x512xf32>, tensor<1000x512xf32>, tensor<1000xf32>) -> tensor<1x1000xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$a, NN_FloatTensor:$b,
                       Optional<NN_FloatTensor>:$c,
                       F64Attr:$alpha, F64Attr:$beta,
                       BoolAttr:$trans_a, BoolAttr:$trans_b);
  let results = (outs NN_FloatTensor:$output);
}

def NN_EinsumOp : NN_InferredOp<"einsum"> {
  let summary = "Einstein summation over explicit index letters";
  let description = [{
    `equation` names each operand's dimensions with one letter each
    (`a`-`z`, `A`-`Z`) and, after `->`, the result's (distinct letters). A
    letter has one size wherever it appears; letters repeated within an
    operand take its diagonal. The result is the product of the operands
    summed over every letter absent from the output. (The importer expands
    ONNX's `...` and implicit outputs into this form.)

    ```mlir
    %c = nn.einsum %a, %b {equation = "bij,bjk->bik"} : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
    ```
  }];
  let arguments = (ins Variadic<NN_NumericTensor>:$inputs, StrAttr:$equation);
  let results = (outs NN_NumericTensor:$output);
}

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
    multiple of it) is a depthwise convolution.

    ```mlir
    %y = nn.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 3, 3, 3, 3>,
                             dilations = array<i64: 1, 1>, group = 1 : i64}
        : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>) -> tensor<1x64x112x112xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$weight,
                       Optional<NN_FloatTensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations, I64Attr:$group);
  let results = (outs NN_FloatTensor:$output);
}

class NN_PoolOp<string mnemonic, string what> : NN_InferredOp<mnemonic> {
  let summary = what # " pooling over windows in NCHW layout";
  let results = (outs NN_FloatTensor:$output);
}

def NN_MaxPoolOp : NN_PoolOp<"max_pool", "max"> {
  let description = [{
    The maximum of each `kernel_shape` window; padding never wins. With
    `ceil_mode` the last partial window is kept.

    ```mlir
    %y = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>,
                         pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = false}
        : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations, BoolAttr:$ceil_mode);
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
    sum divided by the sum of the weights used). Targets outside `[0, C)`
    are clamped into it (generated code does not trap).

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

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def NN_ReshapeOp : NN_Op<"reshape"> {
  let summary = "reinterpret a tensor with a new static shape";
  let description = [{
    The result has the same elements in the same row-major order; its type
    gives the new shape, which must hold as many elements as the input.

    ```mlir
    %y = nn.reshape %x : (tensor<1x512x1x1xf32>) -> tensor<1x512xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def NN_FlattenOp : NN_InferredOp<"flatten"> {
  let summary = "collapse to a matrix at an axis";
  let description = [{
    Dimensions before `axis` become the rows and the rest the columns.
    Canonicalizes to `nn.reshape`.

    ```mlir
    %y = nn.flatten %x {axis = 1 : i64} : (tensor<1x512x1x1xf32>) -> tensor<1x512xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, I64Attr:$axis);
  let results = (outs NN_Tensor:$output);
  let hasCanonicalizer = 1;
}

def NN_TransposeOp : NN_InferredOp<"transpose"> {
  let summary = "permute dimensions";
  let description = [{
    Result dimension `i` is input dimension `perm[i]`.

    ```mlir
    %y = nn.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x3x4x5xf32>) -> tensor<1x4x5x3xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs NN_Tensor:$output);
  let hasFolder = 1;
}

def NN_ConcatOp : NN_InferredOp<"concat"> {
  let summary = "join tensors along an axis";
  let description = [{
    All operands have the same rank, element type and sizes except along
    `axis` (negative counts from the end).

    ```mlir
    %y = nn.concat %a, %b {axis = 1 : i64} : (tensor<1x2xf32>, tensor<1x3xf32>) -> tensor<1x5xf32>
    ```
  }];
  let arguments = (ins Variadic<NN_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs NN_Tensor:$output);
  let hasFolder = 1;
}

def NN_SliceOp : NN_InferredOp<"slice"> {
  let summary = "a strided window of a tensor";
  let description = [{
    Per dimension `d`, element `i` of the result is element
    `offsets[d] + i * strides[d]` of the input, for `i` in `[0, sizes[d])`.
    Strides are non-zero and may be negative (a reversed window); every
    element read lies inside the input. ONNX Slice and Split clamp their
    bounds at import and arrive here normalized.

    ```mlir
    %y = nn.slice %x {offsets = array<i64: 0, 3>, sizes = array<i64: 2, 2>, strides = array<i64: 1, -2>}
        : (tensor<2x4xf32>) -> tensor<2x2xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$offsets,
                       DenseI64ArrayAttr:$sizes, DenseI64ArrayAttr:$strides);
  let results = (outs NN_Tensor:$output);
}

def NN_GatherOp : NN_InferredOp<"gather"> {
  let summary = "pick slices of a tensor by run-time indices along one axis";
  let description = [{
    The result has shape `input[:axis] + indices.shape + input[axis+1:]`;
    each index selects one slice along `axis` (negative indices count from
    the end). Indices out of range are clamped to the nearest valid one
    (generated code does not trap; ONNX leaves such indices undefined).

    ```mlir
    %e = nn.gather %table, %ids {axis = 0 : i64} : (tensor<1000x64xf32>, tensor<2x8xi64>) -> tensor<2x8x64xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, RankedTensorOf<[I32, I64]>:$indices, I64Attr:$axis);
  let results = (outs NN_Tensor:$output);
}

def NN_GatherElementsOp : NN_InferredOp<"gather_elements"> {
  let summary = "pick elements of a tensor by a tensor of indices along one axis";
  let description = [{
    `indices` has the input's rank and, off `axis`, sizes no larger than the
    input's; the result has its shape, and element `p` of the result is the
    input at `p` with its `axis` coordinate replaced by `indices[p]`
    (negative counts from the end, out-of-range clamped as in `nn.gather`).

    ```mlir
    %y = nn.gather_elements %x, %i {axis = 1 : i64} : (tensor<2x5xf32>, tensor<2x3xi64>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, RankedTensorOf<[I32, I64]>:$indices, I64Attr:$axis);
  let results = (outs NN_Tensor:$output);
}

def NN_TriluOp : NN_Op<"trilu"> {
  let summary = "keep the upper or lower triangle of the last two dimensions";
  let description = [{
    Over the last two dimensions `(i, j)`, keeps the elements with
    `j - i >= k` (`upper`) or `j - i <= k` (lower) and zeroes the rest. `k`
    is a scalar read at run time (0 when absent).

    ```mlir
    %y = nn.trilu %x, %k {upper = true} : (tensor<4x5xf32>, tensor<i64>) -> tensor<4x5xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$input, Optional<0DTensorOf<[I64]>>:$k, BoolAttr:$upper);
  let results = (outs NN_NumericTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def NN_IsNaNOp : NN_Op<"is_nan", [SameOperandsAndResultShape]> {
  let summary = "true where an element is NaN";
  let description = [{
    ```mlir
    %m = nn.is_nan %x : (tensor<4xf32>) -> tensor<4xi1>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input);
  let results = (outs RankedTensorOf<[I1]>:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type($input, $output)";
}

def NN_IsInfOp : NN_Op<"is_inf", [SameOperandsAndResultShape]> {
  let summary = "true where an element is an infinity of a selected sign";
  let description = [{
    True at `+inf` when `detect_positive`, at `-inf` when `detect_negative`.

    ```mlir
    %m = nn.is_inf %x {detect_positive = true, detect_negative = false} : (tensor<4xf32>) -> tensor<4xi1>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, BoolAttr:$detect_positive,
                       BoolAttr:$detect_negative);
  let results = (outs RankedTensorOf<[I1]>:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type($input, $output)";
}

def NN_GatherNDOp : NN_InferredOp<"gather_nd"> {
  let summary = "pick slices of a tensor by tuples of run-time indices";
  let description = [{
    The last dimension of `indices` (size `m`) holds tuples indexing the
    dimensions after the first `batch_dims` of `input` (whose leading
    `batch_dims` sizes `indices` shares). The result has shape
    `indices.shape[:-1] + input.shape[batch_dims + m:]`. Negative indices
    count from the end; out-of-range ones are clamped as in `nn.gather`.

    ```mlir
    %y = nn.gather_nd %x, %i {batch_dims = 0 : i64} : (tensor<2x2xf32>, tensor<2x2xi64>) -> tensor<2xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, RankedTensorOf<[I32, I64]>:$indices, I64Attr:$batch_dims);
  let results = (outs NN_Tensor:$output);
}

def NN_ReverseSequenceOp : NN_InferredOp<"reverse_sequence"> {
  let summary = "reverse the first lengths[b] steps of each batch entry";
  let description = [{
    For each index `b` along `batch_axis`, the first `lengths[b]` elements
    along `time_axis` are reversed and the rest kept (lengths are clamped to
    `[0, time size]`).

    ```mlir
    %y = nn.reverse_sequence %x, %lens {batch_axis = 1 : i64, time_axis = 0 : i64}
        : (tensor<4x2x3xf32>, tensor<2xi64>) -> tensor<4x2x3xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, RankedTensorOf<[I32, I64]>:$lengths, I64Attr:$batch_axis,
                       I64Attr:$time_axis);
  let results = (outs NN_Tensor:$output);
}

def NN_CastOp : NN_Op<"cast", [SameOperandsAndResultShape]> {
  let summary = "convert elements to another numeric type";
  let description = [{
    Converts every element to the result's element type: floats round to
    nearest when narrowing, float to integer truncates toward zero, integers
    are signed (`i1` is bool: zero is false, any other value true).

    ```mlir
    %y = nn.cast %x : (tensor<2x3xf64>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type($input, $output)";
  let hasVerifier = 1;
}

def NN_PadOp : NN_InferredOp<"pad"> {
  let summary = "pad with a constant";
  let description = [{
    Adds `low[d]` elements before and `high[d]` after dimension `d`
    (non-negative), filled with `value`.

    ```mlir
    %y = nn.pad %x {low = array<i64: 0, 1>, high = array<i64: 0, 2>, value = 0.0 : f64}
        : (tensor<2x3xf32>) -> tensor<2x6xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$input, DenseI64ArrayAttr:$low,
                       DenseI64ArrayAttr:$high, F64Attr:$value);
  let results = (outs NN_NumericTensor:$output);
}

def NN_ExpandOp : NN_InferredOp<"expand"> {
  let summary = "broadcast a tensor to a shape";
  let description = [{
    Broadcasts `input` by numpy's rules against `shape`; the result has the
    broadcast shape (so a size-1 entry of `shape` keeps the input's size).

    ```mlir
    %y = nn.expand %x {shape = array<i64: 2, 1, 4>} : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs NN_Tensor:$output);
}

def NN_TileOp : NN_InferredOp<"tile"> {
  let summary = "repeat a tensor along each dimension";
  let description = [{
    Dimension `d` of the result is `repeats[d]` copies of the input's
    (`repeats[d] >= 0`).

    ```mlir
    %y = nn.tile %x {repeats = array<i64: 2, 3>} : (tensor<2x2xf32>) -> tensor<4x6xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$repeats);
  let results = (outs NN_Tensor:$output);
}

#endif // KILN_NN_OPS
