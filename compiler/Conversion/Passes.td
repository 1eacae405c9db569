//===- Passes.td - Kiln conversion passes ----------------------*- tablegen -*-===//

#ifndef KILN_CONVERSION_PASSES
#define KILN_CONVERSION_PASSES

include "mlir/Pass/PassBase.td"

def ConvertNNToLinalgPass : Pass<"convert-nn-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower nn ops to linalg, tensor and arith on tensors";
  let description = [{
    Rewrites every `nn` op into upstream ops with value semantics: named
    linalg convolutions, pooling and matmuls where they fit, `linalg.generic`
    for elementwise ops with numpy broadcasting, reductions and contractions,
    and tensor ops for data movement. Padding becomes a filled tensor with the
    input inserted, so bufferization sees plain copies. Dynamic sizes are
    `tensor.dim` and index arithmetic; operands that must agree or broadcast
    at run time are checked with `cf.assert` ("node 'NAME' (nn.add): expects
    dim 1 of the operands to be equal ..."). An op the lowering cannot handle
    with the sizes it has is reported and the pass fails.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::cf::ControlFlowDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::scf::SCFDialect", "mlir::tensor::TensorDialect"
  ];
}

#endif // KILN_CONVERSION_PASSES
