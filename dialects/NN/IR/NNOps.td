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

    Operators that ONNX defines as one op but that are compositions of
    others (`nn.layer_norm`, `nn.instance_norm`, `nn.lrn`,
    `nn.mean_variance_norm`, `nn.hardmax`, `nn.conv_transpose`, `nn.resize`,
    the composed reductions, `nn.softmax_cross_entropy`) stay whole so that
    passes can see them; `nn-decompose` rewrites them into primitive nn ops
    for a target without kernels of its own.
  }];
  let hasConstantMaterializer = 1;
  // Shape reification (NNShapes.cpp) builds tensor.dim and index arithmetic.
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::tensor::TensorDialect"];
}

class NN_Op<string mnemonic, list<Trait> traits = []>
    : Op<NN_Dialect, mnemonic, !listconcat([Pure], traits)>;

// Verification through type inference first (NNOps.h): one message per error.
def NN_VerifiedByInference : NativeOpTrait<"VerifiedByInference"> {
  let cppNamespace = "::kiln::nn";
}

// An op whose result type is computed by `inferReturnTypes` in the family's
// NN<Family>Ops.cpp.
class NN_InferredOp<string mnemonic, list<Trait> traits = []>
    : NN_Op<mnemonic, !listconcat(traits, [NN_VerifiedByInference, InferTypeOpAdaptor])> {
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def NN_Tensor : RankedTensorOf<[AnyType]>;
def NN_FloatTensor : RankedTensorOf<[AnyFloat]>;
// Integers: signless types are signed (ONNX int8..int64), builtin unsigned
// types (ui8..ui64) are ONNX's uint8..uint64; bool is i1. The lowering picks
// signed or unsigned arith by the element type and ends with signless types
// only (docs/lowering-choices.md, "Unsigned integers").
def NN_NumericTensor : RankedTensorOf<[AnyFloat, AnySignlessInteger, AnyUnsignedInteger]>;
def NN_UnsignedTensor : RankedTensorOf<[AnyUnsignedInteger]>;
def NN_BoolTensor : RankedTensorOf<[I1]>;

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
// Op families, one file each
//===----------------------------------------------------------------------===//

include "dialects/NN/IR/NNElementwiseOps.td"
include "dialects/NN/IR/NNContractionOps.td"
include "dialects/NN/IR/NNConvPoolOps.td"
include "dialects/NN/IR/NNNormalizationOps.td"
include "dialects/NN/IR/NNLossOps.td"
include "dialects/NN/IR/NNReductionOps.td"
include "dialects/NN/IR/NNDataMovementOps.td"
include "dialects/NN/IR/NNShapeOperandOps.td"
include "dialects/NN/IR/NNSamplingOps.td"
include "dialects/NN/IR/NNRecurrentOps.td"
include "dialects/NN/IR/NNIndexingOps.td"
include "dialects/NN/IR/NNTrainingOps.td"
include "dialects/NN/IR/NNLinearAlgebraOps.td"
include "dialects/NN/IR/NNQuantizedOps.td"

#endif // KILN_NN_OPS
