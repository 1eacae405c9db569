//===- Indexing.h - operators whose indices or sizes are data --*- C++ -*-===//
//
// Handlers other families call into: Pad's edge and reflect modes (from
// DataMovement.cpp's Pad).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_IMPORT_ONNX_OPS_INDEXING_H
#define KILN_COMPILER_IMPORT_ONNX_OPS_INDEXING_H

#include "compiler/Import/ONNX/NodeBinder.h"

namespace kiln::onnx_import {

/// Pad-2 (`padsAsInput` false: pads an attribute) and Pad-11/13/18 in mode
/// `edge` or `reflect`, with pads constant or read at run time (constant
/// when Pad-18's axes are given).
mlir::LogicalResult importBorderPad(NodeBinder &b, bool padsAsInput, llvm::StringRef mode);

} // namespace kiln::onnx_import

#endif // KILN_COMPILER_IMPORT_ONNX_OPS_INDEXING_H
