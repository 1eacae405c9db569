//===- LowerStridedCopies.cpp - memref.copy -> linalg.copy ---------------===//

#include "compiler/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace kiln {
#define GEN_PASS_DEF_LOWERSTRIDEDCOPIESPASS
#include "compiler/Codegen/CPU/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {
struct LowerStridedCopiesPass
    : kiln::impl::LowerStridedCopiesPassBase<LowerStridedCopiesPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    // A memref.cast to the identity layout hides a strided view that
    // expand-strided-metadata exposes again before the LLVM lowering, which
    // then calls the C runner's memrefCopy (not linked) for a dynamic shape.
    auto strided = [](Value v) {
      for (;;) {
        if (!cast<MemRefType>(v.getType()).getLayout().isIdentity())
          return true;
        auto c = v.getDefiningOp<memref::CastOp>();
        if (!c)
          return false;
        v = c.getSource();
      }
    };
    getOperation().walk([&](memref::CopyOp copy) {
      if (strided(copy.getSource()) || strided(copy.getTarget()))
        copies.push_back(copy);
    });
    IRRewriter rewriter(&getContext());
    for (memref::CopyOp copy : copies) {
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                  copy.getTarget());
    }
  }
};
} // namespace
