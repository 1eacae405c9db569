//===- Im2col.cpp - convolution as im2col plus a contraction -------------===//
//
// The CPU strategy's fallback for the convolutions DirectConv.cpp's rule does
// not take: an im2col copy of the (padded) input and one contraction, one
// image at a time.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/CPU/Im2col.h"
#include "compiler/Codegen/CPU/PartialTiles.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"

using namespace mlir;
using kiln::cpu::im2colWindowMap;
using kiln::cpu::tileNamedOp;

/// Rewrites a `linalg.conv_2d_nchw_fchw` (input already padded) into
///   cols[n, c, kh, kw, oh, ow] = input[n, c, oh*sh + kh*dh, ow*sw + kw*dw]
///   out[n, f, p] += filter[f, k] * cols[n, k, p]   (k = c*KH*KW, p = oh*OW+ow)
/// and returns the contraction. A 1x1 stride-1 convolution skips the copy.
/// When OH*OW is not a multiple of `vectorWidth` (7x7, 14x14 maps), the
/// columns and the accumulator are padded with zeros to the next multiple so
/// every register block is whole, and the padding is sliced off the result.
FailureOr<linalg::GenericOp> kiln::cpu::convToIm2colContraction(RewriterBase &rewriter,
                                                     linalg::Conv2DNchwFchwOp conv,
                                                     int64_t vectorWidth) {
  Value input = conv.getInputs()[0], filter = conv.getInputs()[1];
  Value init = conv.getOutputs()[0];
  auto inType = dyn_cast<RankedTensorType>(input.getType());
  auto fType = dyn_cast<RankedTensorType>(filter.getType());
  auto outType = dyn_cast<RankedTensorType>(init.getType());
  if (!inType || !fType || !outType || !inType.hasStaticShape() ||
      !fType.hasStaticShape() || !outType.hasStaticShape())
    return failure();
  SmallVector<int64_t> strides(conv.getStrides().getValues<int64_t>());
  SmallVector<int64_t> dilations(conv.getDilations().getValues<int64_t>());
  int64_t n = inType.getDimSize(0), c = inType.getDimSize(1);
  int64_t f = fType.getDimSize(0), kh = fType.getDimSize(2), kw = fType.getDimSize(3);
  int64_t oh = outType.getDimSize(2), ow = outType.getDimSize(3);
  int64_t k = c * kh * kw, p = oh * ow;
  Type elem = outType.getElementType();
  Location loc = conv.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  rewriter.setInsertionPoint(conv);

  auto colsType = RankedTensorType::get({n, k, p}, elem);
  Value cols;
  bool pointwise = kh == 1 && kw == 1 && strides[0] == 1 && strides[1] == 1 &&
                   inType.getDimSize(2) == oh && inType.getDimSize(3) == ow;
  if (pointwise) {
    cols = rewriter.create<tensor::CollapseShapeOp>(
        loc, colsType, input, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
  } else {
    AffineMap inMap = im2colWindowMap(ctx, strides, dilations);
    AffineMap outMap = AffineMap::getMultiDimIdentityMap(6, ctx);
    Value empty = rewriter.create<tensor::EmptyOp>(
        loc, ArrayRef<int64_t>{n, c, kh, kw, oh, ow}, elem);
    Value copied =
        rewriter
            .create<linalg::GenericOp>(
                loc, empty.getType(), input, empty, ArrayRef<AffineMap>{inMap, outMap},
                SmallVector<utils::IteratorType>(6, utils::IteratorType::parallel),
                [](OpBuilder &b, Location l, ValueRange args) {
                  b.create<linalg::YieldOp>(l, args[0]);
                })
            .getResult(0);
    cols = rewriter.create<tensor::CollapseShapeOp>(
        loc, colsType, copied, ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}, {4, 5}});
  }
  Value filter2D = rewriter.create<tensor::CollapseShapeOp>(
      loc, RankedTensorType::get({f, k}, elem), filter,
      ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}});
  auto out3DType = RankedTensorType::get({n, f, p}, elem);
  Value init3D = rewriter.create<tensor::CollapseShapeOp>(
      loc, out3DType, init, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
  int64_t padded = llvm::alignTo(p, vectorWidth);
  if (padded != p) {
    Value zero = rewriter.create<arith::ConstantOp>(loc, rewriter.getZeroAttr(elem));
    cols = tensor::createPadHighOp(RankedTensorType::get({n, k, padded}, elem), cols, zero,
                                   /*nofold=*/false, loc, rewriter);
    out3DType = RankedTensorType::get({n, f, padded}, elem);
    init3D = tensor::createPadHighOp(out3DType, init3D, zero, /*nofold=*/false, loc, rewriter);
  }

  AffineExpr dn, df, dp, dk;
  bindDims(ctx, dn, df, dp, dk);
  SmallVector<AffineMap> maps{AffineMap::get(4, 0, {df, dk}, ctx),
                              AffineMap::get(4, 0, {dn, dk, dp}, ctx),
                              AffineMap::get(4, 0, {dn, df, dp}, ctx)};
  SmallVector<utils::IteratorType> iters(3, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  auto contraction = rewriter.create<linalg::GenericOp>(
      loc, out3DType, ValueRange{filter2D, cols}, init3D, maps, iters,
      [](OpBuilder &b, Location l, ValueRange args) {
        Value prod = b.create<arith::MulFOp>(l, args[0], args[1]);
        b.create<linalg::YieldOp>(l, b.create<arith::AddFOp>(l, args[2], prod).getResult());
      });
  Value result = contraction.getResult(0);
  if (padded != p)
    result = rewriter.create<tensor::ExtractSliceOp>(
        loc, RankedTensorType::get({n, f, p}, elem), result, ArrayRef<OpFoldResult>{
            rewriter.getIndexAttr(0), rewriter.getIndexAttr(0), rewriter.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{rewriter.getIndexAttr(n), rewriter.getIndexAttr(f),
                               rewriter.getIndexAttr(p)},
        ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1), rewriter.getIndexAttr(1),
                               rewriter.getIndexAttr(1)});
  result = rewriter.create<tensor::ExpandShapeOp>(
      loc, outType, result,
      ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
  rewriter.replaceOp(conv, result);
  return contraction;
}

/// A static batch of more than one image is convolved one image at a time
/// (an scf.for over the batch around the im2col copy and its contraction):
/// the columns of one image are written and read back while they are still
/// in cache, and the im2col buffer holds one image's columns, not the
/// batch's. Reading a whole batch's columns back from memory, the
/// contraction's strided column loads defeated the prefetcher (a 3x3
/// convolution of 8x64x28x28 took 34 ms against 0.7 ms for one image).
/// Pointwise convolutions, which need no copy, are left whole.
FailureOr<linalg::Conv2DNchwFchwOp> kiln::cpu::tileConvBatch(RewriterBase &rewriter,
                                                  linalg::Conv2DNchwFchwOp conv) {
  auto inType = dyn_cast<RankedTensorType>(conv.getInputs()[0].getType());
  auto fType = dyn_cast<RankedTensorType>(conv.getInputs()[1].getType());
  auto outType = dyn_cast<RankedTensorType>(conv.getOutputs()[0].getType());
  if (!inType || !fType || !outType || !inType.hasStaticShape() || !fType.hasStaticShape() ||
      !outType.hasStaticShape() || inType.getDimSize(0) <= 1)
    return failure();
  bool unitStrides = llvm::all_of(conv.getStrides().getValues<int64_t>(),
                                  [](int64_t v) { return v == 1; });
  if (fType.getDimSize(2) == 1 && fType.getDimSize(3) == 1 && unitStrides &&
      inType.getDimSize(2) == outType.getDimSize(2) &&
      inType.getDimSize(3) == outType.getDimSize(3))
    return failure();
  SmallVector<int64_t> sizes(conv.getNumLoops(), 0);
  sizes[0] = 1;
  return tileNamedOp(rewriter, conv, sizes);
}
