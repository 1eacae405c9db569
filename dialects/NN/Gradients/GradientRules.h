//===- GradientRules.h - attaching gradient rules to nn ops ----*- C++ -*-===//
//
// Private to dialects/NN/Gradients: each family file writes its rules as
// functions `LogicalResult rule(OpTy op, GradientEmitter &e)` and attaches
// them in its register<Family>Gradients with attachGradient<OpTy, rule>.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECTS_NN_GRADIENTS_GRADIENTRULES_H
#define KILN_DIALECTS_NN_GRADIENTS_GRADIENTRULES_H

#include "dialects/NN/IR/NNGradient.h"

namespace kiln::nn {

namespace detail {
template <typename OpTy, mlir::LogicalResult (*Rule)(OpTy, GradientEmitter &)>
struct GradientRuleModel
    : GradientOpInterface::ExternalModel<GradientRuleModel<OpTy, Rule>, OpTy> {
  mlir::LogicalResult buildGradient(mlir::Operation *op, GradientEmitter &e) const {
    return Rule(mlir::cast<OpTy>(op), e);
  }
};
} // namespace detail

/// Makes `Rule` the gradient rule of `OpTy`.
template <typename OpTy, mlir::LogicalResult (*Rule)(OpTy, GradientEmitter &)>
void attachGradient(mlir::MLIRContext *ctx) {
  OpTy::template attachInterface<detail::GradientRuleModel<OpTy, Rule>>(*ctx);
}

/// Small helpers every family's rules use (`using namespace
/// kiln::nn::gradient;` in the family files).
namespace gradient {
inline mlir::RankedTensorType typeOf(mlir::Value v) {
  return mlir::cast<mlir::RankedTensorType>(v.getType());
}
inline mlir::Type elemOf(mlir::Value v) { return typeOf(v).getElementType(); }
/// An nn op with an inferred result type, built at the rule's location.
template <typename OpTy>
mlir::Value make(GradientEmitter &e, mlir::Value a, mlir::Value b) {
  return e.builder().create<OpTy>(e.loc(), a, b);
}
template <typename OpTy>
mlir::Value make(GradientEmitter &e, mlir::Value a) {
  return e.builder().create<OpTy>(e.loc(), a);
}
} // namespace gradient

/// One per family file of dialects/NN/Gradients (called by Gradients.cpp).
void registerElementwiseGradients(mlir::MLIRContext *ctx);
void registerContractionGradients(mlir::MLIRContext *ctx);
void registerConvPoolGradients(mlir::MLIRContext *ctx);
void registerNormalizationGradients(mlir::MLIRContext *ctx);
void registerLossGradients(mlir::MLIRContext *ctx);
void registerReductionGradients(mlir::MLIRContext *ctx);
void registerDataMovementGradients(mlir::MLIRContext *ctx);
void registerRecurrentGradients(mlir::MLIRContext *ctx);
void registerTrainingGradients(mlir::MLIRContext *ctx);

} // namespace kiln::nn

#endif // KILN_DIALECTS_NN_GRADIENTS_GRADIENTRULES_H
