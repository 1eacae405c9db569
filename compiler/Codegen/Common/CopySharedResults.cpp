//===- CopySharedResults.cpp - one buffer per dynamically shaped result ---===//
//
// A function whose results keep their place in the signature (a dynamically
// shaped one makes them all stay) hands each result buffer to the caller,
// who owns and frees it. When two results are one tensor (an output
// returned twice, one output an Identity or a Reshape of another), One-Shot
// Bufferize gives them one buffer and the deallocation pipeline marks it
// owned by both: the caller got one pointer twice and freed it twice. Each
// result after the first that shares its storage with an earlier one (the
// same value, or views of the same value through reshapes, casts and slices)
// becomes a copy of its own.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Common/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/DenseSet.h"

namespace kiln {
#define GEN_PASS_DEF_COPYSHAREDRESULTSPASS
#include "compiler/Codegen/Common/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// The tensor whose storage `value` bufferizes to a view of.
Value storageRoot(Value value) {
  while (Operation *def = value.getDefiningOp()) {
    if (!isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp, tensor::CastOp,
             tensor::ExtractSliceOp, tensor::ReshapeOp>(def))
      break;
    value = def->getOperand(0);
  }
  return value;
}

struct CopySharedResultsPass
    : kiln::impl::CopySharedResultsPassBase<CopySharedResultsPass> {
  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    // Static results become out-parameters, each written by a copy.
    bool keepsResults = llvm::any_of(fn.getResultTypes(), [](Type t) {
      auto shaped = dyn_cast<ShapedType>(t);
      return shaped && !shaped.hasStaticShape();
    });
    if (!keepsResults)
      return;
    fn.walk([](func::ReturnOp ret) {
      llvm::DenseSet<Value> seen;
      OpBuilder b(ret);
      for (OpOperand &operand : ret->getOpOperands()) {
        auto type = dyn_cast<RankedTensorType>(operand.get().getType());
        if (!type || seen.insert(storageRoot(operand.get())).second)
          continue;
        operand.set(b.create<bufferization::AllocTensorOp>(ret.getLoc(), type, ValueRange{},
                                                           operand.get()));
      }
    });
  }
};

} // namespace
