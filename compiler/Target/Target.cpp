//===- Target.cpp - choosing a target by name ----------------------------===//

#include "compiler/Target/Target.h"

#include "compiler/Target/CPU/CPUTarget.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"

using namespace mlir;

std::unique_ptr<kiln::Target> kiln::createTarget(llvm::StringRef name, const TargetOptions &options,
                                                 MLIRContext *context) {
  if (name == "cpu")
    return createCPUTarget(options, context);
  if (name == "cuda") {
    emitError(UnknownLoc::get(context))
        << "the cuda target is not implemented yet; use --target=cpu";
    return nullptr;
  }
  emitError(UnknownLoc::get(context)) << "--target expects cpu or cuda, found '" << name << "'";
  return nullptr;
}
