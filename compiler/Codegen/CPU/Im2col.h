//===- Im2col.h - convolution as im2col plus a contraction ---------------===//

#ifndef KILN_CODEGEN_CPU_IM2COL_H
#define KILN_CODEGEN_CPU_IM2COL_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace kiln::cpu {

/// Rewrites a `linalg.conv_2d_nchw_fchw` (input already padded) into
///   cols[n, c, kh, kw, oh, ow] = input[n, c, oh*sh + kh*dh, ow*sw + kw*dw]
///   out[n, f, p] += filter[f, k] * cols[n, k, p]   (k = c*KH*KW, p = oh*OW+ow)
/// and returns the contraction (static shapes only). A 1x1 stride-1
/// convolution skips the copy; OH*OW is padded to whole vectors of
/// `vectorWidth` and the padding sliced off the result.
mlir::FailureOr<mlir::linalg::GenericOp>
convToIm2colContraction(mlir::RewriterBase &rewriter, mlir::linalg::Conv2DNchwFchwOp conv,
                        int64_t vectorWidth);

/// Tiles a static convolution of more than one image (not pointwise) by one
/// image and returns the convolution inside the loop, so that one image's
/// im2col columns are written and read back while in cache.
mlir::FailureOr<mlir::linalg::Conv2DNchwFchwOp>
tileConvBatch(mlir::RewriterBase &rewriter, mlir::linalg::Conv2DNchwFchwOp conv);

} // namespace kiln::cpu

#endif // KILN_CODEGEN_CPU_IM2COL_H
