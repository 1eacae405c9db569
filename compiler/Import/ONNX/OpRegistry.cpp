//===- OpRegistry.cpp - ONNX op handlers by (domain, op, version) --------===//

#include "compiler/Import/ONNX/OpRegistry.h"

#include "compiler/Import/ONNX/Importer.h"

using namespace kiln::onnx_import;

static std::string key(llvm::StringRef domain, llvm::StringRef opType) {
  return (canonicalDomain(domain) + llvm::Twine('\0') + opType).str();
}

void OpRegistry::onDomain(llvm::StringRef domain, llvm::StringRef opType, int64_t sinceVersion,
                          OpHandler handler) {
  handlers[key(domain, opType)][sinceVersion] = std::move(handler);
}

const OpHandler *OpRegistry::lookup(llvm::StringRef domain, llvm::StringRef opType,
                                    int64_t opset) const {
  auto it = handlers.find(key(domain, opType));
  if (it == handlers.end())
    return nullptr;
  // The greatest since-version <= opset.
  auto next = it->second.upper_bound(opset);
  if (next == it->second.begin())
    return nullptr;
  return &std::prev(next)->second;
}

const OpRegistry &OpRegistry::get() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    registerElementwiseOps(r);
    registerMatMulOps(r);
    registerConvPoolOps(r);
    registerNormalizationOps(r);
    registerReductionOps(r);
    registerDataMovementOps(r);
    registerShapeOps(r);
    registerShapeOperandOps(r);
    registerLossOps(r);
    registerSamplingOps(r);
    registerRecurrentOps(r);
    registerLinearAlgebraOps(r);
    registerControlFlowOps(r);
    registerIndexingOps(r);
    registerQuantizedOps(r);
    return r;
  }();
  return registry;
}
