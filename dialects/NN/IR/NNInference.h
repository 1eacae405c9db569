//===- NNInference.h - helpers shared by the nn ops' verifiers --*- C++ -*-===//
//
// Private to dialects/NN: the diagnostics and shape utilities that every op
// family's inference uses, so each family file says only what is its own.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECTS_NN_IR_NNINFERENCE_H
#define KILN_DIALECTS_NN_IR_NNINFERENCE_H

#include "dialects/NN/IR/NNOps.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"

#include <optional>
#include <string>

namespace kiln::nn::detail {
using namespace mlir;

inline std::string shapeStr(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(
      shape,
      [&](int64_t d) {
        if (ShapedType::isDynamic(d))
          os << "?";
        else
          os << d;
      },
      [&] { os << "x"; });
  return s;
}

/// A diagnostic that is emitted only when inference was given a location
/// (verification passes one; speculative builders do not). Converts to
/// failure, so `return fail(loc, name, "...") << x;` reads like emitOpError.
class OptionalDiag {
public:
  OptionalDiag(std::optional<Location> loc, StringRef opName) {
    if (loc)
      diag.emplace(emitError(*loc) << "'" << opName << "' op ");
  }
  template <typename T>
  OptionalDiag &operator<<(T &&value) {
    if (diag)
      *diag << std::forward<T>(value);
    return *this;
  }
  operator LogicalResult() const { return failure(); }

private:
  std::optional<InFlightDiagnostic> diag;
};

inline OptionalDiag fail(std::optional<Location> loc, StringRef opName,
                         StringRef message) {
  OptionalDiag d(loc, opName);
  d << message;
  return d;
}

inline std::string listStr(ArrayRef<int64_t> values) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(values, os);
  return s;
}

inline bool dimsMayDiffer(int64_t a, int64_t b) {
  return !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b;
}

inline RankedTensorType rankedType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// Checks `lo <= axis <= hi`.
inline LogicalResult checkAxis(std::optional<Location> loc, StringRef name,
                               int64_t axis, int64_t lo, int64_t hi) {
  if (axis < lo || axis > hi)
    return fail(loc, name, "expects axis in [")
           << lo << ", " << hi << "], found " << axis;
  return success();
}

/// Softmax and log-softmax: the input's type, given a valid axis.
inline LogicalResult inferAlongAxis(std::optional<Location> loc, StringRef name, Value input,
                                    int64_t axis, SmallVectorImpl<Type> &types) {
  RankedTensorType in = rankedType(input);
  int64_t r = in.getRank();
  if (r == 0)
    return fail(loc, name, "expects an input of rank >= 1");
  if (failed(checkAxis(loc, name, axis, -r, r - 1)))
    return failure();
  types.push_back(in);
  return success();
}

/// Marks each of `axes` (in [-rank, rank), distinct) in `reduced`, one flag
/// per dimension of a rank-`rank` input.
inline LogicalResult collectAxes(std::optional<Location> loc, StringRef name,
                                 ArrayRef<int64_t> axes, int64_t rank,
                                 SmallVectorImpl<bool> &reduced) {
  reduced.assign(rank, false);
  for (int64_t a : axes) {
    if (failed(checkAxis(loc, name, a, -rank, rank - 1)))
      return failure();
    int64_t d = a < 0 ? a + rank : a;
    if (reduced[d])
      return fail(loc, name, "expects distinct axes, found dimension ") << d << " twice";
    reduced[d] = true;
  }
  return success();
}

/// `t` broadcasts to `in` by numpy's rules without changing its shape, and
/// has its element type.
inline LogicalResult checkBroadcastsTo(std::optional<Location> loc, StringRef name,
                                       StringRef what, RankedTensorType t,
                                       RankedTensorType in) {
  SmallVector<int64_t> joined;
  bool ok = t.getElementType() == in.getElementType() &&
            succeeded(broadcastShapes(in.getShape(), t.getShape(), joined)) &&
            joined.size() == in.getShape().size();
  for (size_t d = 0; ok && d < joined.size(); ++d)
    ok = !dimsMayDiffer(joined[d], in.getDimSize(d));
  if (!ok)
    return fail(loc, name, "expects ")
           << what << " to broadcast to the input shape " << shapeStr(in.getShape()) << " "
           << in.getElementType() << ", found " << shapeStr(t.getShape()) << " "
           << t.getElementType();
  return success();
}

/// A rank-1 per-channel parameter of `c` elements of `in`'s element type.
inline LogicalResult checkPerChannel(std::optional<Location> loc, StringRef name, StringRef what,
                                     RankedTensorType t, RankedTensorType in, int64_t c) {
  if (t.getRank() != 1 || dimsMayDiffer(t.getDimSize(0), c) ||
      t.getElementType() != in.getElementType())
    return fail(loc, name, "expects ")
           << what << " of shape " << shapeStr(c) << " " << in.getElementType() << ", found "
           << shapeStr(t.getShape()) << " " << t.getElementType();
  return success();
}

} // namespace kiln::nn::detail

#endif // KILN_DIALECTS_NN_IR_NNINFERENCE_H
