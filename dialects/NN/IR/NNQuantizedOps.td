//===- NNQuantizedOps.td - linear quantization -----------------------------===//
//
// Included by NNOps.td; the op definitions are generated with the others.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_NN_QUANTIZED_OPS
#define KILN_NN_QUANTIZED_OPS

def NN_QuantizedTensor : RankedTensorOf<[I8, UI8]>;

def NN_QuantizeLinearOp : NN_InferredOp<"quantize_linear"> {
  let summary = "linear quantization to 8-bit integers, per tensor or per axis";
  let description = [{
    `saturate(round(x / scale) + zero_point)` (ONNX QuantizeLinear, opset
    13): the quotient rounds half to even, and the sum saturates to the range
    of `zero_point`'s type (ui8: [0, 255], i8: [-128, 127]), which is the
    result's element type. `scale` (float) and `zero_point` are rank 0 (one
    pair for the tensor) or rank 1 with one pair per index of dimension
    `axis` (in [0, rank)) of the input. The input is a float or i32 tensor;
    the quotient is computed in f32 (f64 for an f64 input).

    ```mlir
    %q = nn.quantize_linear %x, %s, %zp {axis = 1 : i64}
        : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xui8>) -> tensor<1x3x4x4xui8>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$input, NN_FloatTensor:$scale,
                       NN_QuantizedTensor:$zero_point, I64Attr:$axis);
  let results = (outs NN_QuantizedTensor:$output);
}

def NN_DequantizeLinearOp : NN_InferredOp<"dequantize_linear"> {
  let summary = "linear dequantization of integers, per tensor or per axis";
  let description = [{
    `(x - zero_point) * scale` (ONNX DequantizeLinear, opset 13), computed
    in `scale`'s float type, which is the result's element type. `x` and
    `zero_point` share an element type (i8, ui8 or i32; i32 has a zero
    `zero_point`). `scale` and `zero_point` are rank 0 or rank 1 along
    dimension `axis` (in [0, rank)), as for `nn.quantize_linear`.

    ```mlir
    %x = nn.dequantize_linear %q, %s, %zp {axis = 0 : i64}
        : (tensor<4xui8>, tensor<f32>, tensor<ui8>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I8, UI8, I32]>:$input, NN_FloatTensor:$scale,
                       RankedTensorOf<[I8, UI8, I32]>:$zero_point, I64Attr:$axis);
  let results = (outs NN_FloatTensor:$output);
}

#endif // KILN_NN_QUANTIZED_OPS
