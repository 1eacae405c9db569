//===- NNElementwiseOps.td - elementwise nn ops ----------------------------===//
//
// Included by NNOps.td; the op definitions are generated with the others.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_NN_ELEMENTWISE_OPS
#define KILN_NN_ELEMENTWISE_OPS

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
    With min > max every element becomes max, as ONNX defines it
    (`min(max(x, min), max)`).

    ```mlir
    %y = nn.clip %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<1x8xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$input, OptionalAttr<F64Attr>:$min,
                       OptionalAttr<F64Attr>:$max);
  let assemblyFormat = "$input attr-dict `:` type($input)";
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
def NN_DivOp : NN_BinaryOp<"div", "lhs / rhs"> {
  let description = [{
    `lhs / rhs` after numpy broadcasting (ONNX Div, opset 14). Integers
    divide truncating toward zero. ONNX leaves integer division by zero
    undefined; here `x / 0` is 0 (numpy's answer) and `x / -1` wraps, so
    INT_MIN / -1 is INT_MIN: generated code never traps.

    ```mlir
    %z = nn.div %x, %y : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
    ```
  }];
}
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
    An integer `x % 0` is 0, as in numpy, and never traps.

    ```mlir
    %z = nn.mod %x, %y {fmod = false} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$lhs, NN_NumericTensor:$rhs, BoolAttr:$fmod);
  let hasVerifier = 1;
}

// Comparisons and logic: results are i1 (bool) tensors.

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

def NN_BitShiftOp : NN_BinaryOp<"bit_shift", "lhs shifted by rhs bits", NN_UnsignedTensor> {
  let description = [{
    Shifts every element of `lhs` left (`left = true`) or right (logical
    shift) by the broadcast `rhs` bits (ONNX BitShift, opset 11, unsigned
    integers only). A shift by the bit width or more gives 0, as ONNX's
    reference (numpy) does; LLVM leaves it undefined.

    ```mlir
    %z = nn.bit_shift %x, %n {left = true} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
    ```
  }];
  let arguments = (ins NN_UnsignedTensor:$lhs, NN_UnsignedTensor:$rhs, BoolAttr:$left);
}

def NN_PReluOp : NN_BinaryOp<"prelu", "lhs if lhs >= 0, else rhs * lhs (rhs is the slope)",
                             NN_FloatTensor>;

#endif // KILN_NN_ELEMENTWISE_OPS
