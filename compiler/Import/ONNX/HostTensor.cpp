//===- HostTensor.cpp - shape arithmetic folded at import ----------------===//

#include "compiler/Import/ONNX/HostTensor.h"

#include "compiler/Import/ONNX/NodeBinder.h"

using namespace mlir;
using namespace kiln::onnx_import;

FailureOr<SmallVector<const HostTensor *>> kiln::onnx_import::requireHostInputs(NodeBinder &b) {
  SmallVector<const HostTensor *> in;
  for (int i = 0; i < b.numInputs(); ++i) {
    if (!b.hasInput(i)) {
      in.push_back(nullptr);
      continue;
    }
    const HostTensor *h = b.hostInput(i);
    if (!h)
      return b.error() << "is supported only on constants known at compile time (shape "
                          "computations), but input '"
                       << b.node().input(i) << "' is computed at run time";
    in.push_back(h);
  }
  return in;
}

static int64_t normAxis(int64_t a, int64_t rank) { return a < 0 ? a + rank : a; }

static LogicalResult foldCast(NodeBinder &b, const HostTensor &x) {
  FailureOr<Type> elem = b.elementType(b.attrInt("to", 0), "Cast target");
  if (failed(elem))
    return failure();
  if (!isa<IntegerType>(*elem) || elem->isInteger(1))
    return b.error() << "folding supports only casts between integer types";
  HostTensor h = x;
  h.elementType = *elem;
  b.defineHost(0, h);
  return success();
}

static LogicalResult foldGather(NodeBinder &b, const HostTensor &data, const HostTensor &idx) {
  int64_t rank = data.shape.size();
  int64_t axis = normAxis(b.attrInt("axis", 0), rank);
  if (axis < 0 || axis >= rank)
    return b.error() << "axis out of range";
  int64_t outer = 1, inner = 1, dim = data.shape[axis];
  for (int64_t i = 0; i < axis; ++i)
    outer *= data.shape[i];
  for (int64_t i = axis + 1; i < rank; ++i)
    inner *= data.shape[i];
  HostTensor h{{}, data.elementType, {}};
  h.shape.append(data.shape.begin(), data.shape.begin() + axis);
  h.shape.append(idx.shape.begin(), idx.shape.end());
  h.shape.append(data.shape.begin() + axis + 1, data.shape.end());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k : idx.ints) {
      if (k < 0)
        k += dim;
      if (k < 0 || k >= dim)
        return b.error() << "index " << k << " out of range for dimension " << dim;
      for (int64_t i = 0; i < inner; ++i)
        h.ints.push_back(data.ints[(o * dim + k) * inner + i]);
    }
  b.defineHost(0, h);
  return success();
}

static LogicalResult foldConcat(NodeBinder &b, ArrayRef<const HostTensor *> in) {
  HostTensor h = *in[0];
  int64_t rank = h.shape.size();
  int64_t axis = normAxis(b.attrInt("axis", 0), rank);
  if (rank != 1 || axis != 0)
    return b.error() << "folding supports only 1-D concatenation";
  for (size_t i = 1; i < in.size(); ++i) {
    h.ints.append(in[i]->ints.begin(), in[i]->ints.end());
    h.shape[0] += in[i]->shape[0];
  }
  b.defineHost(0, h);
  return success();
}

/// Integer elementwise arithmetic with broadcasting of scalars.
static LogicalResult foldArithmetic(NodeBinder &b, const HostTensor &a, const HostTensor &c) {
  StringRef op = b.opType();
  SmallVector<int64_t> shape;
  if (failed(kiln::nn::broadcastShapes(a.shape, c.shape, shape)))
    return b.error() << "operand shapes do not broadcast";
  bool aScalar = a.ints.size() == 1, cScalar = c.ints.size() == 1;
  if (!(a.shape == c.shape || aScalar || cScalar))
    return b.error() << "folding supports equal shapes or a scalar operand";
  HostTensor h{shape, a.elementType, {}};
  size_t n = std::max(a.ints.size(), c.ints.size());
  for (size_t i = 0; i < n; ++i) {
    int64_t x = a.ints[aScalar ? 0 : i], y = c.ints[cScalar ? 0 : i];
    if (op == "Div" && y == 0)
      return b.error() << "division by zero";
    h.ints.push_back(op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : x / y);
  }
  b.defineHost(0, h);
  return success();
}

LogicalResult kiln::onnx_import::foldOnHost(NodeBinder &b) {
  FailureOr<SmallVector<const HostTensor *>> in = requireHostInputs(b);
  if (failed(in))
    return failure();
  StringRef op = b.opType();
  if (op == "Cast")
    return foldCast(b, *(*in)[0]);
  if (op == "Gather")
    return foldGather(b, *(*in)[0], *(*in)[1]);
  if (op == "Concat")
    return foldConcat(b, *in);
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div")
    return foldArithmetic(b, *(*in)[0], *(*in)[1]);
  return b.error() << "has no folding rule";
}

LogicalResult kiln::onnx_import::foldSliceOnHost(NodeBinder &b, const HostTensor &data,
                                                 ArrayRef<int64_t> starts, ArrayRef<int64_t> ends,
                                                 ArrayRef<int64_t> steps) {
  if (data.shape.size() != 1)
    return b.error() << "folding supports only 1-D slices";
  int64_t n = data.shape[0], step = steps.empty() ? 1 : steps[0];
  if (starts.size() != 1 || ends.size() != 1 || step == 0)
    return b.error() << "folding supports one sliced axis with a non-zero step";
  int64_t s = starts[0] < 0 ? starts[0] + n : starts[0];
  int64_t e = ends[0] < 0 ? ends[0] + n : ends[0];
  HostTensor h{{0}, data.elementType, {}};
  if (step > 0) {
    s = std::clamp<int64_t>(s, 0, n);
    e = std::clamp<int64_t>(e, 0, n);
    for (int64_t i = s; i < e; i += step)
      h.ints.push_back(data.ints[i]);
  } else {
    s = std::clamp<int64_t>(s, -1, n - 1);
    e = std::clamp<int64_t>(e, -1, n - 1);
    for (int64_t i = s; i > e; i += step)
      h.ints.push_back(data.ints[i]);
  }
  h.shape[0] = h.ints.size();
  b.defineHost(0, h);
  return success();
}
