//===- NNGradientInterface.td - reverse-mode gradient rules ----------------===//
//
// The seam between the nn ops and automatic differentiation. Ops do not list
// the interface in their definitions: each op family's rules attach it as an
// external model from dialects/NN/Gradients/<Family>.cpp, so a rule lives
// beside the rules of its family and the op definitions stay free of it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_NN_GRADIENT_INTERFACE
#define KILN_NN_GRADIENT_INTERFACE

include "mlir/IR/OpBase.td"

def NN_GradientOpInterface : OpInterface<"GradientOpInterface"> {
  let cppNamespace = "::kiln::nn";
  let description = [{
    An op with a reverse-mode gradient rule (vector-Jacobian product). Given
    the gradient of a scalar loss with respect to each of the op's results,
    the rule builds nn ops computing the gradient with respect to each
    operand that needs one. `nn-generate-gradient` and `nn-build-training`
    call the rules in reverse order of the forward ops
    (dialects/NN/Transforms/Autodiff.cpp).
  }];
  let methods = [
    InterfaceMethod<[{
        Builds the operands' gradients through `emitter` (which holds the
        results' gradients, says which operands need one and takes each
        operand's gradient). Fails, after reporting an error on the op, for
        an attribute or mode the rule does not cover.
      }],
      "::mlir::LogicalResult", "buildGradient",
      (ins "::kiln::nn::GradientEmitter &":$emitter)>,
  ];
}

#endif // KILN_NN_GRADIENT_INTERFACE
