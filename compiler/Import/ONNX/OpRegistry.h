//===- OpRegistry.h - ONNX op handlers by (domain, op, version) -*- C++ -*-===//
//
// Handlers are registered as ONNX's own schemas are versioned: a handler
// registered for (domain, op type, since-version) reads every opset from
// that version until the next registration of the same op. A model at
// opset N gets the handler with the greatest since-version <= N for the
// node's domain; an op with no such handler is unsupported.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_IMPORT_ONNX_OPREGISTRY_H
#define KILN_COMPILER_IMPORT_ONNX_OPREGISTRY_H

#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <functional>
#include <map>

namespace kiln::onnx_import {

class NodeBinder;

/// The newest opset of the default domain the importer reads. Opsets past
/// the linked ONNX's (17 for ONNX 1.12) follow Kiln's own version rules:
/// handlers registered at their since-version, and the signatures that
/// changed checked in Validation.cpp.
constexpr int64_t kMaxDefaultOpset = 21;

using OpHandler = std::function<mlir::LogicalResult(NodeBinder &)>;

class OpRegistry {
public:
  /// ONNX's default domain ("" and "ai.onnx" are the same).
  static constexpr llvm::StringLiteral kDefaultDomain = "";

  /// Registers `handler` for `opType` in the default domain from opset
  /// `sinceVersion` on.
  void on(llvm::StringRef opType, int64_t sinceVersion, OpHandler handler) {
    onDomain(kDefaultDomain, opType, sinceVersion, std::move(handler));
  }
  /// Registers `handler` for `opType` in `domain` (e.g. "com.microsoft",
  /// "ai.onnx.ml") from that domain's opset `sinceVersion` on.
  void onDomain(llvm::StringRef domain, llvm::StringRef opType, int64_t sinceVersion,
                OpHandler handler);

  /// The handler for `opType` of `domain` at the model's `opset` for that
  /// domain, or null when there is none.
  const OpHandler *lookup(llvm::StringRef domain, llvm::StringRef opType, int64_t opset) const;

  /// Every op the importer handles, for the default and the other domains.
  static const OpRegistry &get();

private:
  // "domain\0OpType" -> since-version -> handler.
  llvm::StringMap<std::map<int64_t, OpHandler>> handlers;
};

// One registration function per op family (compiler/Import/ONNX/Ops/).
void registerElementwiseOps(OpRegistry &registry);
void registerMatMulOps(OpRegistry &registry);
void registerConvPoolOps(OpRegistry &registry);
void registerNormalizationOps(OpRegistry &registry);
void registerReductionOps(OpRegistry &registry);
void registerDataMovementOps(OpRegistry &registry);
void registerShapeOps(OpRegistry &registry);
void registerShapeOperandOps(OpRegistry &registry);
void registerLossOps(OpRegistry &registry);
void registerSamplingOps(OpRegistry &registry);
void registerRecurrentOps(OpRegistry &registry);
void registerLinearAlgebraOps(OpRegistry &registry);
void registerControlFlowOps(OpRegistry &registry);
void registerIndexingOps(OpRegistry &registry);
void registerQuantizedOps(OpRegistry &registry);

} // namespace kiln::onnx_import

#endif // KILN_COMPILER_IMPORT_ONNX_OPREGISTRY_H
