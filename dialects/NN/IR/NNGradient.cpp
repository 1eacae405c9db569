//===- NNGradient.cpp - GradientEmitter and the gradient interface --------===//

#include "dialects/NN/IR/NNGradient.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace kiln::nn;

#include "dialects/NN/IR/NNGradientInterface.cpp.inc"

GradientEmitter::GradientEmitter(OpBuilder &builder, Operation *op, ArrayRef<Value> resultGrads,
                                 ArrayRef<bool> needed)
    : b(builder), op(op), resultGrads(resultGrads), needed(needed),
      operandGrads(op->getNumOperands()) {}

Value GradientEmitter::resultGradOrZeros(unsigned i) {
  if (Value g = resultGrads[i])
    return g;
  return zeros(cast<RankedTensorType>(op->getResult(i).getType()));
}

Value GradientEmitter::scalar(Type elem, double value) {
  auto type = RankedTensorType::get({}, elem);
  return b.create<ConstantOp>(loc(), DenseElementsAttr::get(type, b.getFloatAttr(elem, value)));
}

Value GradientEmitter::zeros(RankedTensorType type) {
  Attribute zero = isa<FloatType>(type.getElementType())
                       ? Attribute(b.getFloatAttr(type.getElementType(), 0.0))
                       : Attribute(b.getIntegerAttr(type.getElementType(), 0));
  return b.create<ConstantOp>(loc(), DenseElementsAttr::get(type, zero));
}

Value GradientEmitter::reshape(Value value, RankedTensorType type) {
  if (value.getType() == type)
    return value;
  return b.create<ReshapeOp>(loc(), type, value);
}

Value GradientEmitter::reduceSum(Value value, ArrayRef<int64_t> axes, bool keepDims) {
  if (axes.empty())
    return value;
  return b.create<ReduceSumOp>(loc(), value, b.getDenseI64ArrayAttr(axes),
                               b.getBoolAttr(keepDims));
}

Value GradientEmitter::unbroadcast(Value grad, RankedTensorType type) {
  auto gradType = cast<RankedTensorType>(grad.getType());
  if (gradType == type)
    return grad;
  // Numpy broadcasting aligns trailing dimensions: the leading extra ones
  // and the ones where the operand has size 1 were broadcast.
  int64_t extra = gradType.getRank() - type.getRank();
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < gradType.getRank(); ++d)
    if (d < extra || (type.getDimSize(d - extra) == 1 && gradType.getDimSize(d) != 1))
      axes.push_back(d);
  return reshape(reduceSum(grad, axes, /*keepDims=*/false), type);
}
