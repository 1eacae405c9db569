//===- ShapeOperands.h - shapes, axes and bounds read at run time -*- C++ -*-===//
//
// Handlers for the forms of Reshape, Unsqueeze, Squeeze, Slice, Expand,
// Tile and ConstantOfShape whose shape-like input is not known at compile
// time (a graph input, or computed from a symbolic dimension): they build
// the nn.dynamic_* ops, whose lowering reads and checks the values at run
// time. The family handlers call them when the input is not a constant.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_IMPORT_ONNX_OPS_SHAPEOPERANDS_H
#define KILN_COMPILER_IMPORT_ONNX_OPS_SHAPEOPERANDS_H

#include "compiler/Import/ONNX/NodeBinder.h"

namespace kiln::onnx_import {

/// True when input `i` is absent or known at compile time.
inline bool constantOrAbsent(NodeBinder &b, int i) {
  return !b.hasInput(i) || b.constInput(i);
}

mlir::LogicalResult importRuntimeReshape(NodeBinder &b);
/// Unsqueeze-13 / Squeeze-13 with run-time axes.
mlir::LogicalResult importRuntimeUnsqueezeSqueeze(NodeBinder &b, bool unsqueeze);
/// Slice-10 and later with any of starts/ends/axes/steps computed.
mlir::LogicalResult importRuntimeSlice(NodeBinder &b);
/// Split-13 and later with run-time split sizes.
mlir::LogicalResult importRuntimeSplit(NodeBinder &b);
/// Split of `x` along `axis` into the sizes `split` (1-D i64, one per
/// output), checked at run time to be non-negative and add up to the dim.
mlir::LogicalResult splitAtRunTime(NodeBinder &b, mlir::Value x, int64_t axis, mlir::Value split);
/// The label that starts a run-time check's message: "node 'NAME' (OpType): ".
std::string runTimeLabel(NodeBinder &b);
mlir::LogicalResult importRuntimeExpand(NodeBinder &b);
mlir::LogicalResult importRuntimeTile(NodeBinder &b);
/// Pad-11 and later (constant mode) with run-time pads.
mlir::LogicalResult importRuntimePad(NodeBinder &b);
/// ReduceSum-13 with run-time axes (of static, non-zero length).
mlir::LogicalResult importRuntimeReduceSum(NodeBinder &b);
/// CumSum with a run-time axis.
mlir::LogicalResult importRuntimeCumSum(NodeBinder &b);
/// ConstantOfShape with a computed shape.
mlir::LogicalResult importRuntimeConstantOfShape(NodeBinder &b);

} // namespace kiln::onnx_import

#endif // KILN_COMPILER_IMPORT_ONNX_OPS_SHAPEOPERANDS_H
