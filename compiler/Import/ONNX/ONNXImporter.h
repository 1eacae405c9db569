//===- ONNXImporter.h - ONNX model -> nn dialect ---------------*- C++ -*-===//
//
// The header stays free of ONNX and protobuf: tools include it without
// pulling those in.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_IMPORT_ONNX_ONNXIMPORTER_H
#define KILN_COMPILER_IMPORT_ONNX_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

namespace kiln {

struct ONNXImportOptions {
  /// Static shapes for graph inputs, replacing symbolic dimensions.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// Import for training (nn-build-training, docs/training.md): each
  /// top-level float initializer of rank >= 1 becomes an nn.constant with a
  /// `kiln.parameter` attribute holding its ONNX name, and no op reading one
  /// is folded at import, so the parameter stays a value of its own.
  /// BatchNormalization records its momentum (`kiln.momentum`) and an
  /// inference-mode Dropout stays an nn.dropout, for the training step.
  bool markParameters = false;
  /// When > 0, dim 0 of every graph input not given by inputShapes (a
  /// training batch; kiln-compile --batch). A static dim 0 that differs is
  /// an error.
  int64_t batchSize = 0;
  /// When > 0, a model whose initializers and Constant tensors take more
  /// bytes than this is refused before any of them is read (the target's
  /// Target::maxWeightBytes).
  uint64_t maxWeightBytes = 0;
};

/// Reads a binary ONNX model (.onnx) or ONNX's text format (.onnxtxt, or any
/// file starting with '<'), runs ONNX shape inference, and returns a module
/// with one public func in the nn dialect. On failure, errors are emitted on
/// the context's diagnostic engine (naming the ONNX node, its op type and
/// opset) and null is returned.
mlir::OwningOpRef<mlir::ModuleOp>
importONNXFile(llvm::StringRef path, mlir::MLIRContext &context,
               const ONNXImportOptions &options);

} // namespace kiln

#endif // KILN_COMPILER_IMPORT_ONNX_ONNXIMPORTER_H
