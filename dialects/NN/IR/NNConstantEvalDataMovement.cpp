//===- NNConstantEvalDataMovement.cpp - folding data movement ------------===//
//
// Data movement on literals: each op is a map from every result element to
// the input element it reads (eval::gather), following the op descriptions
// in NNDataMovementOps.td (gather indices count from the end when negative
// and are clamped into range, as generated code does).
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/IR/NNConstantEval.h"

#include "dialects/NN/IR/NNOps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::eval;

namespace {

/// An index along a dimension of size n as gathers read it.
int64_t clampIndex(int64_t k, int64_t n) {
  if (k < 0)
    k += n;
  return std::clamp<int64_t>(k, 0, n - 1);
}

/// Maps every result element through `src`, which turns result coordinates
/// into input coordinates (or returns false for a fill element).
template <typename Fn>
Literal byCoords(const Literal &in, RankedTensorType type, Fn src, double fill = 0) {
  int64_t n = type.getNumElements();
  SmallVector<int64_t> inStrides = stridesOf(in.shape()), coords, from;
  std::vector<int64_t> map(n);
  for (int64_t k = 0; k < n; ++k) {
    unravel(k, type.getShape(), coords);
    from.assign(in.shape().size(), 0);
    if (!src(ArrayRef<int64_t>(coords), from)) {
      map[k] = -1;
      continue;
    }
    int64_t linear = 0;
    for (size_t d = 0; d < from.size(); ++d)
      linear += from[d] * inStrides[d];
    map[k] = linear;
  }
  return gather(in, type, map, fill);
}

Literal reshaped(const Literal &in, RankedTensorType type) {
  Literal out = in;
  out.type = type;
  return out;
}

Literal concat(ConcatOp op, ArrayRef<Literal> in) {
  RankedTensorType type = op.getType();
  int64_t rank = type.getRank(), axis = op.getAxis();
  if (axis < 0)
    axis += rank;
  Literal out{type, {}, {}};
  // Row-major: for each index of the dimensions before the axis, the
  // operands' blocks one after another.
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= type.getDimSize(d);
  for (int64_t o = 0; o < outer; ++o)
    for (const Literal &l : in) {
      int64_t block = 1;
      for (int64_t d = axis; d < rank; ++d)
        block *= l.shape()[d];
      if (out.isFloat())
        out.f.insert(out.f.end(), l.f.begin() + o * block, l.f.begin() + (o + 1) * block);
      else
        out.i.insert(out.i.end(), l.i.begin() + o * block, l.i.begin() + (o + 1) * block);
    }
  return out;
}

std::optional<Literal> gatherOp(GatherOp op, ArrayRef<Literal> in) {
  const Literal &x = in[0], &idx = in[1];
  int64_t rank = x.shape().size(), axis = op.getAxis();
  if (axis < 0)
    axis += rank;
  int64_t idxRank = idx.shape().size();
  SmallVector<int64_t> idxStrides = stridesOf(idx.shape());
  return byCoords(x, op.getType(), [&](ArrayRef<int64_t> r, SmallVectorImpl<int64_t> &from) {
    int64_t k = 0;
    for (int64_t d = 0; d < idxRank; ++d)
      k += r[axis + d] * idxStrides[d];
    for (int64_t d = 0; d < axis; ++d)
      from[d] = r[d];
    from[axis] = clampIndex(idx.i[k], x.shape()[axis]);
    for (int64_t d = axis + 1; d < rank; ++d)
      from[d] = r[d - 1 + idxRank];
    return true;
  });
}

std::optional<Literal> gatherElements(GatherElementsOp op, ArrayRef<Literal> in) {
  const Literal &x = in[0], &idx = in[1];
  int64_t rank = x.shape().size(), axis = op.getAxis();
  if (axis < 0)
    axis += rank;
  SmallVector<int64_t> idxStrides = stridesOf(idx.shape());
  return byCoords(x, op.getType(), [&](ArrayRef<int64_t> r, SmallVectorImpl<int64_t> &from) {
    int64_t k = 0;
    for (int64_t d = 0; d < rank; ++d) {
      from[d] = r[d];
      k += r[d] * idxStrides[d];
    }
    from[axis] = clampIndex(idx.i[k], x.shape()[axis]);
    return true;
  });
}

std::optional<Literal> gatherND(GatherNDOp op, ArrayRef<Literal> in) {
  const Literal &x = in[0], &idx = in[1];
  int64_t batch = op.getBatchDims(), idxRank = idx.shape().size();
  int64_t m = idx.shape().back(), rank = x.shape().size();
  SmallVector<int64_t> idxStrides = stridesOf(idx.shape());
  return byCoords(x, op.getType(), [&](ArrayRef<int64_t> r, SmallVectorImpl<int64_t> &from) {
    // The result's first idxRank-1 coordinates pick the tuple.
    int64_t base = 0;
    for (int64_t d = 0; d < idxRank - 1; ++d)
      base += r[d] * idxStrides[d];
    for (int64_t d = 0; d < batch; ++d)
      from[d] = r[d];
    for (int64_t j = 0; j < m; ++j)
      from[batch + j] = clampIndex(idx.i[base + j], x.shape()[batch + j]);
    for (int64_t d = batch + m; d < rank; ++d)
      from[d] = r[idxRank - 1 + d - batch - m];
    return true;
  });
}

std::optional<Literal> trilu(TriluOp op, ArrayRef<Literal> in) {
  const Literal &x = in[0];
  int64_t k = in.size() > 1 ? in[1].i[0] : 0, rank = x.shape().size();
  bool upper = op.getUpper();
  return byCoords(
      x, op.getType(),
      [&](ArrayRef<int64_t> r, SmallVectorImpl<int64_t> &from) {
        int64_t diff = r[rank - 1] - r[rank - 2];
        from.assign(r.begin(), r.end());
        return upper ? diff >= k : diff <= k;
      },
      0.0);
}

std::optional<Literal> reverseSequence(ReverseSequenceOp op, ArrayRef<Literal> in) {
  const Literal &x = in[0], &lens = in[1];
  int64_t b = op.getBatchAxis(), t = op.getTimeAxis();
  int64_t steps = x.shape()[t];
  // A length outside [0, T] is an error left to the run-time check.
  if (llvm::any_of(lens.i, [&](int64_t v) { return v < 0 || v > steps; }))
    return std::nullopt;
  return byCoords(x, op.getType(), [&](ArrayRef<int64_t> r, SmallVectorImpl<int64_t> &from) {
    from.assign(r.begin(), r.end());
    int64_t len = std::clamp<int64_t>(lens.i[r[b]], 0, steps);
    if (r[t] < len)
      from[t] = len - 1 - r[t];
    return true;
  });
}

} // namespace

std::optional<Literal> eval::evalDataMovement(Operation *op, ArrayRef<Literal> in) {
  using R = std::optional<Literal>;
  return llvm::TypeSwitch<Operation *, R>(op)
      .Case([&](ReshapeOp o) { return reshaped(in[0], o.getType()); })
      .Case([&](FlattenOp o) { return reshaped(in[0], o.getType()); })
      .Case([&](TransposeOp o) -> R {
        ArrayRef<int64_t> perm = o.getPerm();
        return byCoords(in[0], o.getType(), [&](ArrayRef<int64_t> r, SmallVectorImpl<int64_t> &f) {
          for (size_t d = 0; d < perm.size(); ++d)
            f[perm[d]] = r[d];
          return true;
        });
      })
      .Case([&](ConcatOp o) -> R { return concat(o, in); })
      .Case([&](SliceOp o) -> R {
        ArrayRef<int64_t> offsets = o.getOffsets(), strides = o.getStrides();
        return byCoords(in[0], o.getType(), [&](ArrayRef<int64_t> r, SmallVectorImpl<int64_t> &f) {
          for (size_t d = 0; d < r.size(); ++d)
            f[d] = offsets[d] + r[d] * strides[d];
          return true;
        });
      })
      .Case([&](GatherOp o) { return gatherOp(o, in); })
      .Case([&](GatherElementsOp o) { return gatherElements(o, in); })
      .Case([&](GatherNDOp o) { return gatherND(o, in); })
      .Case([&](ExpandOp o) -> R {
        return gather(in[0], o.getType(), broadcastMap(in[0].shape(), o.getType().getShape()));
      })
      .Case([&](TileOp o) -> R {
        ArrayRef<int64_t> shape = in[0].shape();
        return byCoords(in[0], o.getType(), [&](ArrayRef<int64_t> r, SmallVectorImpl<int64_t> &f) {
          for (size_t d = 0; d < r.size(); ++d)
            f[d] = r[d] % shape[d];
          return true;
        });
      })
      .Case([&](PadOp o) -> R {
        ArrayRef<int64_t> low = o.getLow(), shape = in[0].shape();
        return byCoords(
            in[0], o.getType(),
            [&](ArrayRef<int64_t> r, SmallVectorImpl<int64_t> &f) {
              for (size_t d = 0; d < r.size(); ++d) {
                f[d] = r[d] - low[d];
                if (f[d] < 0 || f[d] >= shape[d])
                  return false;
              }
              return true;
            },
            o.getValue().convertToDouble());
      })
      .Case([&](TriluOp o) { return trilu(o, in); })
      .Case([&](ReverseSequenceOp o) { return reverseSequence(o, in); })
      .Default([](Operation *) { return std::nullopt; });
}
