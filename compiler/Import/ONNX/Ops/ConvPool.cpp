//===- ConvPool.cpp - convolution and pooling ----------------------------===//

#include "compiler/Import/ONNX/NodeBinder.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::onnx_import;

namespace {

DenseI64ArrayAttr ints(NodeBinder &b, ArrayRef<int64_t> v) {
  return b.builder().getDenseI64ArrayAttr(v);
}

/// Strides and dilations default to 1 per spatial dimension.
SmallVector<int64_t> onesUnlessGiven(NodeBinder &b, StringRef name, size_t n) {
  SmallVector<int64_t> v = b.attrInts(name);
  if (v.empty())
    v.assign(n, 1);
  return v;
}

/// `[a, b, ...]`, a `?` for a dynamic dim.
std::string listString(ArrayRef<int64_t> values) {
  std::string s = "[";
  for (auto [i, v] : llvm::enumerate(values))
    s += (i ? ", " : "") + (ShapedType::isDynamic(v) ? std::string("?") : std::to_string(v));
  return s + "]";
}

/// A convolution's kernel is its weight's spatial dims. ONNX requires a
/// given kernel_shape to equal them; one that does not is a broken model
/// (ONNX Runtime refuses it when it runs), not a hint to ignore. A dynamic
/// weight dim is not checked here.
LogicalResult checkKernelShape(NodeBinder &b, ArrayRef<int64_t> kernel) {
  if (!b.hasAttr("kernel_shape"))
    return success();
  SmallVector<int64_t> given = b.attrInts("kernel_shape");
  if (b.hasFailed())
    return failure();
  bool agrees = given.size() == kernel.size();
  for (size_t i = 0; agrees && i < given.size(); ++i)
    agrees = ShapedType::isDynamic(kernel[i]) || given[i] == kernel[i];
  if (agrees)
    return success();
  return b.error() << "expects kernel_shape " << listString(kernel)
                   << " (the weight's spatial dims), found " << listString(given);
}

/// Resolves auto_pad into explicit [begin..., end...] pads.
FailureOr<SmallVector<int64_t>> windowPads(NodeBinder &b, ArrayRef<int64_t> inShape,
                                           ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                                           ArrayRef<int64_t> dilations) {
  size_t n = kernel.size();
  std::string autoPad = b.attrString("auto_pad", "NOTSET");
  SmallVector<int64_t> pads = b.attrInts("pads");
  if (autoPad == "NOTSET") {
    if (pads.empty())
      pads.assign(2 * n, 0);
    return pads;
  }
  pads.assign(2 * n, 0);
  if (autoPad == "VALID")
    return pads;
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return b.error() << "unknown auto_pad " << quoted(autoPad);
  for (size_t i = 0; i < n; ++i) {
    int64_t in = inShape[2 + i], total;
    if (ShapedType::isDynamic(in)) {
      // SAME keeps ceil(in / stride) outputs; the padding that takes depends
      // on in modulo the stride, which only a stride of 1 makes constant.
      if (strides[i] != 1)
        return b.error() << "expects a static spatial dimension " << i << " for auto_pad '"
                         << autoPad << "' with stride " << strides[i]
                         << " (its padding depends on the size), found a symbolic one "
                            "(specialize it with --input-shape)";
      total = (kernel[i] - 1) * dilations[i];
    } else {
      int64_t out = (in + strides[i] - 1) / strides[i];
      total = std::max<int64_t>(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 -
                                       in);
    }
    int64_t small = total / 2, big = total - small;
    pads[i] = autoPad == "SAME_UPPER" ? small : big;
    pads[i + n] = autoPad == "SAME_UPPER" ? big : small;
  }
  return pads;
}

LogicalResult importConv(NodeBinder &b) {
  FailureOr<Value> x = b.input(0), w = b.input(1);
  if (failed(x) || failed(w))
    return failure();
  FailureOr<Value> bias = b.optionalInput(2);
  if (failed(bias))
    return failure();
  return b.defineResult(buildConv(b, *x, *w, *bias));
}

} // namespace

FailureOr<Value> kiln::onnx_import::buildConv(NodeBinder &b, Value x, Value w, Value bias) {
  ArrayRef<int64_t> wShape = typeOf(w).getShape();
  if (wShape.size() < 3 || wShape.size() > 5)
    return b.error() << "supports 1-D, 2-D and 3-D convolution, found a weight of rank "
                     << wShape.size();
  SmallVector<int64_t> kernel(wShape.drop_front(2));
  if (failed(checkKernelShape(b, kernel)))
    return failure();
  size_t n = kernel.size();
  SmallVector<int64_t> strides = onesUnlessGiven(b, "strides", n),
                       dilations = onesUnlessGiven(b, "dilations", n);
  if (typeOf(x).getRank() != static_cast<int64_t>(n + 2))
    return b.error() << "expects an input of rank " << n + 2 << ", found "
                     << typeOf(x).getRank();
  FailureOr<SmallVector<int64_t>> pads =
      windowPads(b, typeOf(x).getShape(), kernel, strides, dilations);
  if (failed(pads))
    return failure();
  return b.create<ConvOp>(x, w, bias, ints(b, strides), ints(b, *pads), ints(b, dilations),
                          b.builder().getI64IntegerAttr(b.attrInt("group", 1)));
}

namespace {

/// ConvTranspose: ONNX's output_shape and auto_pad resolved into explicit
/// pads of nn.conv_transpose (nn-decompose turns it into a convolution).
LogicalResult importConvTranspose(NodeBinder &b) {
  FailureOr<Value> x = b.input(0), w = b.input(1);
  if (failed(x) || failed(w))
    return failure();
  FailureOr<Value> bias = b.optionalInput(2);
  if (failed(bias))
    return failure();
  RankedTensorType xt = typeOf(*x), wt = typeOf(*w);
  ArrayRef<int64_t> wShape = wt.getShape();
  if (wShape.size() < 3 || wShape.size() > 5 || xt.getRank() != wt.getRank())
    return b.error() << "supports 1-D, 2-D and 3-D transposed convolution with an input of the "
                        "weight's rank, found weight rank "
                     << wShape.size() << " and input rank " << xt.getRank();
  int64_t n = wShape.size() - 2, group = b.attrInt("group", 1);
  int64_t cin = wShape[0];
  if (group <= 0 || cin % group || xt.getDimSize(1) != cin)
    return b.error() << "expects " << cin << " input channels divisible by group " << group
                     << ", found " << xt.getDimSize(1);
  SmallVector<int64_t> kernel(wShape.drop_front(2));
  if (failed(checkKernelShape(b, kernel)))
    return failure();
  SmallVector<int64_t> strides = onesUnlessGiven(b, "strides", n),
                       dilations = onesUnlessGiven(b, "dilations", n),
                       outPad = b.attrInts("output_padding"), pads = b.attrInts("pads");
  if (outPad.empty())
    outPad.assign(n, 0);
  SmallVector<int64_t> outputShape = b.attrInts("output_shape");
  std::string autoPad = b.attrString("auto_pad", "NOTSET");
  if (!outputShape.empty() && static_cast<int64_t>(outputShape.size()) > n)
    outputShape.erase(outputShape.begin(), outputShape.end() - n);
  if (outputShape.empty() && (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER"))
    for (int64_t i = 0; i < n; ++i)
      outputShape.push_back(xt.getDimSize(2 + i) * strides[i]);
  if (!outputShape.empty()) {
    // Pads that give the requested output size.
    pads.assign(2 * n, 0);
    for (int64_t i = 0; i < n; ++i) {
      int64_t total = strides[i] * (xt.getDimSize(2 + i) - 1) + outPad[i] +
                      (kernel[i] - 1) * dilations[i] + 1 - outputShape[i];
      // Floor division, as ONNX's reference computes it (total < 0 when the
      // requested output is larger than the natural one).
      int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
      pads[i] = autoPad == "SAME_UPPER" ? half : total - half;
      pads[n + i] = total - pads[i];
    }
  }
  if (pads.empty())
    pads.assign(2 * n, 0);
  if (static_cast<int64_t>(strides.size()) != n || static_cast<int64_t>(dilations.size()) != n ||
      static_cast<int64_t>(outPad.size()) != n || static_cast<int64_t>(pads.size()) != 2 * n)
    return b.error() << "expects strides, dilations and output_padding of " << n
                     << " values and pads of " << 2 * n;
  return b.defineResult(b.create<ConvTransposeOp>(
      *x, *w, *bias, ints(b, strides), ints(b, pads), ints(b, dilations), ints(b, outPad),
      b.builder().getI64IntegerAttr(group)));
}

LogicalResult importPool(NodeBinder &b, bool isMax) {
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  SmallVector<int64_t> kernel = b.attrInts("kernel_shape");
  size_t n = kernel.size();
  if (n < 1 || n > 3)
    return b.error() << "supports 1-D, 2-D and 3-D pooling, found kernel_shape of rank " << n;
  if (typeOf(*x).getRank() != static_cast<int64_t>(n + 2))
    return b.error() << "expects an input of rank " << n + 2 << ", found "
                     << typeOf(*x).getRank();
  SmallVector<int64_t> strides = onesUnlessGiven(b, "strides", n),
                       dilations = onesUnlessGiven(b, "dilations", n);
  // storage_order only changes the Indices output.
  int64_t storageOrder = isMax ? b.attrInt("storage_order", 0) : 0;
  if (storageOrder != 0 && storageOrder != 1)
    return b.error() << "expects storage_order 0 or 1, found " << storageOrder;
  if (!isMax && llvm::any_of(dilations, [](int64_t d) { return d != 1; }))
    return b.error() << "AveragePool with dilations is not supported";
  FailureOr<SmallVector<int64_t>> pads =
      windowPads(b, typeOf(*x).getShape(), kernel, strides, dilations);
  if (failed(pads))
    return failure();
  OpBuilder &builder = b.builder();
  BoolAttr ceil = builder.getBoolAttr(b.attrBool("ceil_mode", false));
  if (isMax) {
    FailureOr<Value> y = b.create<MaxPoolOp>(*x, ints(b, kernel), ints(b, strides),
                                             ints(b, *pads), ints(b, dilations), ceil);
    if (failed(y))
      return failure();
    b.define(0, *y);
    if (b.hasOutput(1)) {
      // Indices (MaxPool-8): the flat input position of each maximum.
      auto type = RankedTensorType::get(typeOf(*y).getShape(), builder.getI64Type());
      b.define(1, builder.create<MaxPoolIndicesOp>(
                      b.loc(), type, *x, ints(b, kernel), ints(b, strides), ints(b, *pads),
                      ints(b, dilations), ceil, builder.getI64IntegerAttr(storageOrder)));
    }
    return success();
  }
  return b.defineResult(b.create<AveragePoolOp>(
      *x, ints(b, kernel), ints(b, strides), ints(b, *pads), ceil,
      builder.getBoolAttr(b.attrBool("count_include_pad", false))));
}

/// Col2Im (opset 18): the sum of the column blocks back into an image is
/// a transposed convolution, grouped by channel, whose weight holds a 1 at
/// each block position: nn.conv_transpose of the columns viewed as
/// [N, C * K, blocks...]. The blocks that would end in a partial stride
/// become output_padding.
LogicalResult importCol2Im(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  FailureOr<SmallVector<int64_t>> image = b.constInts(1, "image_shape"),
                                  block = b.constInts(2, "block_shape");
  if (failed(x) || failed(image) || failed(block))
    return failure();
  RankedTensorType xt = typeOf(*x);
  int64_t n = image->size();
  if (n < 1 || n > 3 || static_cast<int64_t>(block->size()) != n)
    return b.error() << "supports 1 to 3 spatial dimensions with image_shape and block_shape of "
                        "the same length, found "
                     << n << " and " << block->size();
  if (xt.getRank() != 3 || ShapedType::isDynamicShape(xt.getShape().drop_front()))
    return b.error() << "expects an input [N, C * prod(block_shape), L] with static C and L, "
                        "found "
                     << xt;
  SmallVector<int64_t> strides = onesUnlessGiven(b, "strides", n),
                       dilations = onesUnlessGiven(b, "dilations", n), pads = b.attrInts("pads");
  if (pads.empty())
    pads.assign(2 * n, 0);
  if (static_cast<int64_t>(strides.size()) != n || static_cast<int64_t>(dilations.size()) != n ||
      static_cast<int64_t>(pads.size()) != 2 * n)
    return b.error() << "expects strides and dilations of " << n << " values and pads of "
                     << 2 * n;
  int64_t kernelSize = 1, blocks = 1;
  SmallVector<int64_t> counts, outPad;
  for (int64_t i = 0; i < n; ++i) {
    int64_t k = (*block)[i], s = strides[i], d = dilations[i];
    if (k < 1 || k > kMaxWindow || s < 1 || s > kMaxWindow || d < 1 || d > kMaxWindow ||
        (*image)[i] < 1 || (*image)[i] > kMaxWindow || pads[i] < 0 || pads[n + i] < 0 ||
        pads[i] > kMaxWindow || pads[n + i] > kMaxWindow)
      return b.error() << "expects block_shape, image_shape, strides and dilations in [1, "
                       << kMaxWindow << "] and pads in [0, " << kMaxWindow << "]";
    int64_t span = (*image)[i] + pads[i] + pads[n + i] - d * (k - 1) - 1;
    if (span < 0)
      return b.error() << "expects block " << k << " (dilation " << d
                       << ") to fit in the padded image along dimension " << i;
    counts.push_back(span / s + 1);
    outPad.push_back(span % s);
    kernelSize *= k;
    blocks *= counts.back();
  }
  int64_t columns = xt.getDimSize(1);
  if (columns % kernelSize || xt.getDimSize(2) != blocks)
    return b.error() << "expects an input [N, C * " << kernelSize << ", " << blocks
                     << "], found " << xt;
  int64_t channels = columns / kernelSize;
  OpBuilder &builder = b.builder();
  Type elem = xt.getElementType();
  if (!isa<FloatType>(elem))
    return b.error() << "expects a float input, found " << elem;
  SmallVector<int64_t> viewShape = {xt.getDimSize(0), columns};
  viewShape.append(counts);
  Value view =
      builder.create<ReshapeOp>(b.loc(), RankedTensorType::get(viewShape, elem), *x);
  // weight[c * K + k, 0, position k] = 1.
  SmallVector<int64_t> wShape = {columns, 1};
  wShape.append(block->begin(), block->end());
  auto wType = RankedTensorType::get(wShape, elem);
  SmallVector<APFloat> w(columns * kernelSize,
                         APFloat::getZero(cast<FloatType>(elem).getFloatSemantics()));
  for (int64_t row = 0; row < columns; ++row)
    w[row * kernelSize + row % kernelSize] =
        APFloat::getOne(cast<FloatType>(elem).getFloatSemantics());
  Value weight = builder.create<ConstantOp>(b.loc(), DenseElementsAttr::get(wType, w));
  return b.defineResult(b.create<ConvTransposeOp>(
      view, weight, Value(), ints(b, strides), ints(b, pads), ints(b, dilations),
      ints(b, outPad), builder.getI64IntegerAttr(channels)));
}

template <typename OpTy>
LogicalResult importGlobalPool(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  return b.defineResult(b.create<OpTy>(*x));
}

} // namespace

void kiln::onnx_import::registerConvPoolOps(OpRegistry &r) {
  r.on("Conv", 1, importConv);
  r.on("ConvTranspose", 1, importConvTranspose);
  r.on("Col2Im", 18, importCol2Im);
  r.on("MaxPool", 1, [](NodeBinder &b) { return importPool(b, /*isMax=*/true); });
  r.on("AveragePool", 1, [](NodeBinder &b) { return importPool(b, /*isMax=*/false); });
  r.on("GlobalAveragePool", 1, importGlobalPool<GlobalAveragePoolOp>);
  r.on("GlobalMaxPool", 1, importGlobalPool<GlobalMaxPoolOp>);
}
