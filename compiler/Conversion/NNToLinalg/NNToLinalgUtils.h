//===- NNToLinalgUtils.h - helpers shared by the nn lowerings --*- C++ -*-===//
//
// Internal to compiler/Conversion/NNToLinalg: the small builders every family
// file uses (constants, filled tensors, broadcasting generics, reductions,
// reshapes, padding). Dynamic sizes come from tensor.dim of the operands or
// from the op's reified result shape; a static shape builds exactly the IR it
// always did.
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
/// Whether `t` (or its element type) is an unsigned integer (ONNX uint*):
/// such values take unsigned arith ops; the pass ends with signless types.
bool isUnsigned(Type t);

/// `pred` (a signed or equality predicate) for integers of type `t`: the
/// unsigned predicate when `t` is unsigned.
mlir::arith::CmpIPredicate intPredicate(mlir::arith::CmpIPredicate pred, Type t);

/// The larger and the smaller of `x` and `y`: maximumf/minimumf for floats
/// (NaN wins), signed or unsigned integer max/min by the type.
Value maxOf(OpBuilder &b, Location loc, Value x, Value y);
Value minOf(OpBuilder &b, Location loc, Value x, Value y);

/// A scalar constant of `type` (float or integer) holding `value`.
Value scalar(OpBuilder &b, Location loc, Type type, double value);

/// The identity of a max (`largest` false: -inf or the smallest integer) or
/// min (`largest` true: +inf or the largest integer) reduction.
Value extreme(OpBuilder &b, Location loc, Type type, bool largest);

/// tensor.dim of each dynamic dimension of `v`, in order.
llvm::SmallVector<Value> dynamicSizes(OpBuilder &b, Location loc, Value v);

/// The dynamic sizes of result `r` of `op` (an nn op), from its reified
/// shape; failure when they are not known.
mlir::FailureOr<llvm::SmallVector<Value>> resultSizes(OpBuilder &b, mlir::Operation *op,
                                                      unsigned r = 0);

/// A tensor.empty of `type` with `dynSizes` for its dynamic dimensions.
Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type, ValueRange dynSizes = {});

/// A tensor.empty of `type` (dynamic sizes `dynSizes`) filled with `value`.
Value filled(OpBuilder &b, Location loc, RankedTensorType type, Value value,
             ValueRange dynSizes = {});

/// The prefix of a run-time check's message: "node 'NAME' (nn.add): ", or
/// "nn.add: " when `op` has no node name.
std::string checkPrefix(mlir::Operation *op);

/// A cf.assert that sizes `x` and `y` (index) are equal, with the message
/// `checkPrefix(op) + what`; nothing when both are the same constant.
void assertEqual(OpBuilder &b, Location loc, mlir::Operation *op, Value x, Value y,
                 const llvm::Twine &what);

/// Run-time checks for numpy broadcasting of `operands` to the result sizes
/// `sizes` (all of them, static ones as constants): every operand dimension
/// that is not statically 1 must equal the result's, since it is read with
/// the result's index (a dynamic size that is 1 at run time does not
/// broadcast; docs/lowering-choices.md). Nothing for static pairs.
void assertBroadcast(OpBuilder &b, Location loc, mlir::Operation *op, ValueRange operands,
                     ArrayRef<Value> sizes);

/// The product of `v`'s sizes along `dims`, as a scalar of `elem` (the
/// divisor of a mean over dynamic dimensions).
Value elementCount(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> dims, Type elem);

/// Every size of `v` (static ones as constants).
llvm::SmallVector<Value> allSizes(OpBuilder &b, Location loc, Value v);

/// The indexing map that reads `operand` at the iteration point of `result`
/// under numpy broadcasting (shapes aligned right; size-1 dims read index 0).
AffineMap broadcastMap(mlir::MLIRContext *ctx, ArrayRef<int64_t> operand,
                       ArrayRef<int64_t> result);

/// A parallel linalg.generic over `resultType` reading `inputs` with
/// broadcasting (or through `explicitMaps`); `body` maps the input elements
/// to the result element. A dynamic result size is `dynSizes`' entry, or by
/// default the size of the first input that reads that dimension directly.
Value elementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                  ValueRange inputs, BodyFn body, ArrayRef<AffineMap> explicitMaps = {},
                  ValueRange dynSizes = {});

/// A copy of `input` into `resultType` read through `maps` (by default the
/// broadcast map): expands, tiles, reversed slices.
Value copied(OpBuilder &b, Location loc, RankedTensorType resultType, Value input,
             ArrayRef<AffineMap> maps = {}, ValueRange dynSizes = {});

/// A generic that reduces `input` over `reduced` dims into a tensor without
/// them, starting from `initValue` and combining with `combine(acc, x)`.
Value reduce(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> reduced,
             Value initValue,
             llvm::function_ref<Value(OpBuilder &, Location, Value, Value)> combine);

/// Reinterprets a tensor with a new shape of the same element count; the
/// result's dynamic sizes are `dynSizes`.
Value reshapeTo(OpBuilder &b, Location loc, Value input, RankedTensorType type,
                ValueRange dynSizes = {});

/// Pads the dims from `firstDim` on (by default the spatial dims 2... of an
/// NC... tensor) with `value`: a filled tensor with the input inserted.
Value padSpatial(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> low,
                 ArrayRef<int64_t> high, Value value, int64_t firstDim = 2);

/// Element conversions between float and integer types; signless integers
/// are signed, unsigned ones extend with zeros and convert with uitofp/fptoui,
/// and i1 (bool) is the comparison with zero. bf16 goes through f32: exactly
/// from it, truncating (dropping the low 16 bits) to it.
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
