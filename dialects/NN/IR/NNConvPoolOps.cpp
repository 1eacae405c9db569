//===- NNConvPoolOps.cpp - nn dialect: convolution and pooling -------------===//

#include "dialects/NN/IR/NNInference.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::detail;

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

/// Checks the window attributes of a conv or pool over `input` and appends
/// the spatial output sizes to `shape`.
static LogicalResult inferWindow(std::optional<Location> loc, StringRef name,
                                 RankedTensorType input, ArrayRef<int64_t> kernel,
                                 ArrayRef<int64_t> strides,
                                 ArrayRef<int64_t> dilations,
                                 ArrayRef<int64_t> pads, bool ceilMode,
                                 SmallVectorImpl<int64_t> &shape) {
  if (input.getRank() < 3 || input.getRank() > 5)
    return fail(loc, name, "expects an input of rank 3, 4 or 5 (N, C, 1 to 3 spatial), found rank ")
           << input.getRank();
  size_t spatial = input.getRank() - 2;
  if (kernel.size() != spatial || strides.size() != spatial ||
      dilations.size() != spatial || pads.size() != 2 * spatial)
    return fail(loc, name, "expects ")
           << spatial << " kernel sizes, strides and dilations and "
           << 2 * spatial << " pads, found " << kernel.size() << ", "
           << strides.size() << ", " << dilations.size() << " and "
           << pads.size();
  for (size_t i = 0; i < spatial; ++i) {
    if (kernel[i] <= 0 || strides[i] <= 0 || dilations[i] <= 0)
      return fail(loc, name, "expects positive kernel sizes, strides and dilations");
    if (pads[i] < 0 || pads[i + spatial] < 0)
      return fail(loc, name, "expects non-negative pads");
    int64_t in = input.getDimSize(2 + i);
    int64_t out = windowOutputSize(in, kernel[i], strides[i], dilations[i],
                                   pads[i], pads[i + spatial], ceilMode);
    if (!ShapedType::isDynamic(in) && out <= 0)
      return fail(loc, name, "expects the window to fit in spatial dimension ")
             << i << " of size " << in << " (padded "
             << in + pads[i] + pads[i + spatial] << ", window "
             << dilations[i] * (kernel[i] - 1) + 1 << ")";
    shape.push_back(out);
  }
  return success();
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = rankedType(adaptor.getInput());
  RankedTensorType w = rankedType(adaptor.getWeight());
  if (w.getRank() != in.getRank())
    return fail(loc, name, "expects a weight of the input's rank ")
           << in.getRank() << ", found rank " << w.getRank();
  if (w.getElementType() != in.getElementType())
    return fail(loc, name, "expects input and weight of one element type, found ")
           << in.getElementType() << " and " << w.getElementType();
  int64_t group = adaptor.getGroup();
  if (group < 1)
    return fail(loc, name, "expects group >= 1, found ") << group;
  int64_t f = w.getDimSize(0);
  if (!ShapedType::isDynamic(f) && f % group != 0)
    return fail(loc, name, "expects the output channels (")
           << f << ") to be a multiple of group (" << group << ")";
  if (in.getRank() >= 2 && !ShapedType::isDynamic(w.getDimSize(1)) &&
      dimsMayDiffer(in.getDimSize(1), w.getDimSize(1) * group))
    return fail(loc, name, "expects input channels (")
           << in.getDimSize(1) << ") to equal weight channels ("
           << w.getDimSize(1) << ") times group (" << group << ")";
  if (Value bias = adaptor.getBias()) {
    RankedTensorType b = rankedType(bias);
    if (b.getRank() != 1 || dimsMayDiffer(b.getDimSize(0), f) ||
        b.getElementType() != in.getElementType())
      return fail(loc, name, "expects a bias of shape ")
             << f << " " << in.getElementType() << ", found "
             << shapeStr(b.getShape()) << " " << b.getElementType();
  }
  SmallVector<int64_t> shape{in.getRank() > 0 ? in.getDimSize(0) : 0, f};
  SmallVector<int64_t> kernel(w.getShape().drop_front(std::min<int64_t>(2, w.getRank())));
  if (failed(inferWindow(loc, name, in, kernel, adaptor.getStrides(),
                         adaptor.getDilations(), adaptor.getPads(),
                         /*ceilMode=*/false, shape)))
    return failure();
  types.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  RankedTensorType in = rankedType(adaptor.getInput());
  SmallVector<int64_t> shape(in.getShape().take_front(2));
  if (failed(inferWindow(loc, getOperationName(), in, adaptor.getKernelShape(),
                         adaptor.getStrides(), adaptor.getDilations(),
                         adaptor.getPads(), adaptor.getCeilMode(), shape)))
    return failure();
  types.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult AveragePoolOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &types) {
  RankedTensorType in = rankedType(adaptor.getInput());
  SmallVector<int64_t> shape(in.getShape().take_front(2));
  SmallVector<int64_t> ones(adaptor.getKernelShape().size(), 1);
  if (failed(inferWindow(loc, getOperationName(), in, adaptor.getKernelShape(),
                         adaptor.getStrides(), ones, adaptor.getPads(),
                         adaptor.getCeilMode(), shape)))
    return failure();
  types.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

static LogicalResult inferGlobalPool(std::optional<Location> loc, StringRef name,
                                     Value input, SmallVectorImpl<Type> &types) {
  RankedTensorType in = rankedType(input);
  if (in.getRank() < 3)
    return fail(loc, name, "expects an input of rank >= 3 (N, C, spatial...), found rank ")
           << in.getRank();
  SmallVector<int64_t> shape(in.getShape());
  std::fill(shape.begin() + 2, shape.end(), 1);
  types.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult GlobalAveragePoolOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  return inferGlobalPool(loc, getOperationName(), adaptor.getInput(), types);
}

LogicalResult GlobalMaxPoolOp::inferReturnTypes(MLIRContext *,
                                                std::optional<Location> loc,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  return inferGlobalPool(loc, getOperationName(), adaptor.getInput(), types);
}

LogicalResult ConvTransposeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = rankedType(adaptor.getInput());
  RankedTensorType w = rankedType(adaptor.getWeight());
  int64_t rank = in.getRank();
  if (rank < 3 || rank > 5)
    return fail(loc, name, "expects an input of rank 3, 4 or 5 (N, C, 1 to 3 spatial), found rank ")
           << rank;
  if (w.getRank() != rank)
    return fail(loc, name, "expects a weight of the input's rank ")
           << rank << ", found rank " << w.getRank();
  if (w.getElementType() != in.getElementType())
    return fail(loc, name, "expects input and weight of one element type, found ")
           << in.getElementType() << " and " << w.getElementType();
  int64_t group = adaptor.getGroup();
  if (group < 1)
    return fail(loc, name, "expects group >= 1, found ") << group;
  int64_t c = w.getDimSize(0);
  if (!ShapedType::isDynamic(c) && c % group != 0)
    return fail(loc, name, "expects the weight's input channels (")
           << c << ") to be a multiple of group (" << group << ")";
  if (dimsMayDiffer(in.getDimSize(1), c))
    return fail(loc, name, "expects input channels (")
           << in.getDimSize(1) << ") to equal the weight's first dimension (" << c << ")";
  int64_t f = ShapedType::isDynamic(w.getDimSize(1)) ? ShapedType::kDynamic
                                                     : w.getDimSize(1) * group;
  if (Value bias = adaptor.getBias())
    if (failed(checkPerChannel(loc, name, "a bias", rankedType(bias), in, f)))
      return failure();
  size_t n = rank - 2;
  ArrayRef<int64_t> strides = adaptor.getStrides(), dilations = adaptor.getDilations(),
                    outPad = adaptor.getOutputPadding(), pads = adaptor.getPads();
  if (strides.size() != n || dilations.size() != n || outPad.size() != n ||
      pads.size() != 2 * n)
    return fail(loc, name, "expects ")
           << n << " strides, dilations and output paddings and " << 2 * n << " pads, found "
           << strides.size() << ", " << dilations.size() << ", " << outPad.size() << " and "
           << pads.size();
  SmallVector<int64_t> shape{in.getDimSize(0), f};
  for (size_t i = 0; i < n; ++i) {
    if (strides[i] <= 0 || dilations[i] <= 0)
      return fail(loc, name, "expects positive strides and dilations");
    if (outPad[i] < 0)
      return fail(loc, name, "expects non-negative output paddings, found ") << outPad[i];
    int64_t size = in.getDimSize(2 + i), kernel = w.getDimSize(2 + i);
    if (ShapedType::isDynamic(size) || ShapedType::isDynamic(kernel)) {
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    int64_t out = strides[i] * (size - 1) + outPad[i] + dilations[i] * (kernel - 1) + 1 -
                  pads[i] - pads[n + i];
    if (out <= 0)
      return fail(loc, name, "expects a positive output size in spatial dimension ")
             << i << ", found " << out;
    shape.push_back(out);
  }
  types.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}
