//===- NNToLinalgUtils.h - helpers shared by the nn lowerings --*- C++ -*-===//
//
// Internal to compiler/Conversion/NNToLinalg: the small builders every family
// file uses (constants, filled tensors, broadcasting generics, reductions,
// reshapes, padding). Shapes are static when these run.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_CONVERSION_NNTOLINALG_NNTOLINALGUTILS_H
#define KILN_COMPILER_CONVERSION_NNTOLINALG_NNTOLINALGUTILS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

namespace kiln::nntolinalg {

using mlir::AffineMap;
using mlir::ArrayRef;
using mlir::Location;
using mlir::OpBuilder;
using mlir::RankedTensorType;
using mlir::Type;
using mlir::Value;
using mlir::ValueRange;

/// Builds the element a generic yields from its input elements.
using BodyFn = llvm::function_ref<Value(OpBuilder &, Location, ValueRange)>;

bool isFloat(Type t);

/// A scalar constant of `type` (float or integer) holding `value`.
Value scalar(OpBuilder &b, Location loc, Type type, double value);

/// The identity of a max (`largest` false: -inf or the smallest integer) or
/// min (`largest` true: +inf or the largest integer) reduction.
Value extreme(OpBuilder &b, Location loc, Type type, bool largest);

/// A tensor.empty of `type` filled with `value`.
Value filled(OpBuilder &b, Location loc, RankedTensorType type, Value value);

/// The indexing map that reads `operand` at the iteration point of `result`
/// under numpy broadcasting (shapes aligned right; size-1 dims read index 0).
AffineMap broadcastMap(mlir::MLIRContext *ctx, ArrayRef<int64_t> operand,
                       ArrayRef<int64_t> result);

/// A parallel linalg.generic over `resultType` reading `inputs` with
/// broadcasting (or through `explicitMaps`); `body` maps the input elements
/// to the result element.
Value elementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                  ValueRange inputs, BodyFn body, ArrayRef<AffineMap> explicitMaps = {});

/// A copy of `input` into `resultType` read through `maps` (by default the
/// broadcast map): expands, tiles, reversed slices.
Value copied(OpBuilder &b, Location loc, RankedTensorType resultType, Value input,
             ArrayRef<AffineMap> maps = {});

/// A generic that reduces `input` over `reduced` dims into a tensor without
/// them, starting from `initValue` and combining with `combine(acc, x)`.
Value reduce(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> reduced,
             Value initValue,
             llvm::function_ref<Value(OpBuilder &, Location, Value, Value)> combine);

/// Reinterprets a static tensor with a new shape of the same element count.
Value reshapeTo(OpBuilder &b, Location loc, Value input, RankedTensorType type);

/// Pads the dims from `firstDim` on (by default the spatial dims 2... of an
/// NC... tensor) with `value`: a filled tensor with the input inserted.
Value padSpatial(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> low,
                 ArrayRef<int64_t> high, Value value, int64_t firstDim = 2);

/// Element conversions between float and signless integer types; integers
/// are signed, and i1 (bool) is the comparison with zero.
Value convertElement(OpBuilder &b, Location loc, Value x, Type to);

/// `acc + x * y` for floats or integers.
Value multiplyAdd(OpBuilder &b, Location loc, Value acc, Value x, Value y);

/// Axis attributes are stored as i64 but read back unsigned; negative
/// values count from the end.
inline int64_t normalizeAxis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

} // namespace kiln::nntolinalg

#endif // KILN_COMPILER_CONVERSION_NNTOLINALG_NNTOLINALGUTILS_H
