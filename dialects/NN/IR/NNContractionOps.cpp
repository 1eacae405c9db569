//===- NNContractionOps.cpp - nn dialect: matmul, gemm, einsum -------------===//

#include "dialects/NN/IR/NNInference.h"

#include "llvm/ADT/StringExtras.h"

#include <map>
#include <set>

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::detail;

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType a = rankedType(adaptor.getLhs()), b = rankedType(adaptor.getRhs());
  if (a.getElementType() != b.getElementType())
    return fail(loc, name, "expects operands of one element type, found ")
           << a.getElementType() << " and " << b.getElementType();
  if (a.getRank() == 0 || b.getRank() == 0)
    return fail(loc, name, "expects operands of rank >= 1, found ranks ")
           << a.getRank() << " and " << b.getRank();
  SmallVector<int64_t> as(a.getShape()), bs(b.getShape());
  bool vecA = as.size() == 1, vecB = bs.size() == 1;
  if (vecA)
    as.insert(as.begin(), 1);
  if (vecB)
    bs.push_back(1);
  int64_t k1 = as.back(), k2 = bs[bs.size() - 2];
  if (dimsMayDiffer(k1, k2))
    return fail(loc, name, "expects the contracted dimensions to match, found ")
           << k1 << " (lhs " << shapeStr(a.getShape()) << ") and " << k2
           << " (rhs " << shapeStr(b.getShape()) << ")";
  SmallVector<int64_t> batch;
  if (failed(broadcastShapes(ArrayRef<int64_t>(as).drop_back(2),
                             ArrayRef<int64_t>(bs).drop_back(2), batch)))
    return fail(loc, name, "expects broadcast-compatible batch dimensions, found ")
           << shapeStr(a.getShape()) << " and " << shapeStr(b.getShape());
  SmallVector<int64_t> shape(batch);
  if (!vecA)
    shape.push_back(as[as.size() - 2]);
  if (!vecB)
    shape.push_back(bs.back());
  types.push_back(RankedTensorType::get(shape, a.getElementType()));
  return success();
}

LogicalResult GemmOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType a = rankedType(adaptor.getA()), b = rankedType(adaptor.getB());
  if (a.getRank() != 2 || b.getRank() != 2)
    return fail(loc, name, "expects matrices, found ranks ")
           << a.getRank() << " and " << b.getRank();
  if (a.getElementType() != b.getElementType())
    return fail(loc, name, "expects operands of one element type, found ")
           << a.getElementType() << " and " << b.getElementType();
  bool ta = adaptor.getTransA(), tb = adaptor.getTransB();
  int64_t m = a.getDimSize(ta ? 1 : 0), k1 = a.getDimSize(ta ? 0 : 1);
  int64_t k2 = b.getDimSize(tb ? 1 : 0), n = b.getDimSize(tb ? 0 : 1);
  if (dimsMayDiffer(k1, k2))
    return fail(loc, name, "expects the contracted dimensions to match, found ")
           << k1 << " and " << k2;
  SmallVector<int64_t> shape{m, n};
  if (Value c = adaptor.getC()) {
    RankedTensorType ct = rankedType(c);
    SmallVector<int64_t> joined;
    bool ok = ct.getElementType() == a.getElementType() && ct.getRank() <= 2 &&
              succeeded(broadcastShapes(shape, ct.getShape(), joined));
    for (size_t d = 0; ok && d < joined.size(); ++d)
      ok = !dimsMayDiffer(joined[d], shape[d]);
    if (!ok)
      return fail(loc, name, "expects c to broadcast to ")
             << shapeStr(shape) << " " << a.getElementType() << ", found "
             << shapeStr(ct.getShape()) << " " << ct.getElementType();
  }
  types.push_back(RankedTensorType::get(shape, a.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Einsum
//===----------------------------------------------------------------------===//

FailureOr<std::pair<SmallVector<std::string>, std::string>>
kiln::nn::parseEinsum(StringRef equation) {
  auto [lhs, rhs] = equation.split("->");
  if (lhs.size() == equation.size())
    return failure();
  auto isLetters = [](StringRef s) { return llvm::all_of(s, llvm::isAlpha); };
  SmallVector<StringRef> parts;
  lhs.split(parts, ',');
  SmallVector<std::string> operands;
  for (StringRef part : parts) {
    if (!isLetters(part))
      return failure();
    operands.push_back(part.str());
  }
  if (!isLetters(rhs))
    return failure();
  return std::make_pair(operands, rhs.str());
}

LogicalResult EinsumOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  auto parsed = parseEinsum(adaptor.getEquation());
  if (failed(parsed))
    return fail(loc, name, "expects an explicit equation of letters like 'ab,bc->ac', found '")
           << adaptor.getEquation() << "'";
  auto &[operands, result] = *parsed;
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty() || operands.size() != inputs.size())
    return fail(loc, name, "expects ")
           << operands.size() << " operands for '" << adaptor.getEquation() << "', found "
           << inputs.size();
  std::map<char, int64_t> sizes;
  Type elem = rankedType(inputs.front()).getElementType();
  for (auto [i, v] : llvm::enumerate(inputs)) {
    RankedTensorType t = rankedType(v);
    if (t.getElementType() != elem)
      return fail(loc, name, "expects operands of one element type, found ")
             << elem << " and " << t.getElementType();
    if (t.getRank() != static_cast<int64_t>(operands[i].size()))
      return fail(loc, name, "expects operand ")
             << i << " of rank " << operands[i].size() << " ('" << operands[i] << "'), found rank "
             << t.getRank();
    for (auto [d, c] : llvm::enumerate(operands[i])) {
      auto [it, inserted] = sizes.try_emplace(c, t.getDimSize(d));
      if (!inserted && dimsMayDiffer(it->second, t.getDimSize(d)))
        return fail(loc, name, "expects one size for index '")
               << c << "', found " << it->second << " and " << t.getDimSize(d);
      // A static size wins over a dynamic one (checked equal at run time).
      if (ShapedType::isDynamic(it->second))
        it->second = t.getDimSize(d);
    }
  }
  SmallVector<int64_t> shape;
  std::set<char> seen;
  for (char c : result) {
    if (!sizes.count(c) || !seen.insert(c).second)
      return fail(loc, name, "expects distinct result indices that appear in an operand, found '")
             << c << "'";
    shape.push_back(sizes[c]);
  }
  types.push_back(RankedTensorType::get(shape, elem));
  return success();
}
