//===- MatMul.cpp - MatMul, Gemm and Einsum -------------------------------===//

#include "compiler/Import/ONNX/NodeBinder.h"

#include <map>

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::onnx_import;

namespace {

/// ONNX's einsum equation made explicit for nn.einsum: spaces dropped,
/// each `...` expanded into capital letters for the operand's extra
/// dimensions, and an implicit result (no `->`) written out as the
/// broadcast dimensions then the letters used once, sorted.
FailureOr<std::string> explicitEinsum(NodeBinder &b, ArrayRef<Value> inputs) {
  std::string eq;
  for (char c : b.attrString("equation", ""))
    if (c != ' ')
      eq.push_back(c);
  StringRef text(eq);
  auto [lhs, rhs] = text.split("->");
  bool implicit = lhs.size() == text.size();
  SmallVector<StringRef> parts;
  lhs.split(parts, ',');
  if (parts.size() != inputs.size())
    return b.error() << "the equation " << quoted(eq) << " names " << parts.size()
                     << " operands, found " << inputs.size();
  // Broadcast dimensions: the largest number any operand's `...` stands for.
  int64_t ellipsis = 0;
  for (auto [part, v] : llvm::zip(parts, inputs)) {
    int64_t named = static_cast<int64_t>(part.size()) - (part.contains("...") ? 3 : 0);
    if (part.contains("..."))
      ellipsis = std::max(ellipsis, typeOf(v).getRank() - named);
  }
  // Letters the equation does not use stand for the broadcast dimensions.
  std::string spare;
  for (char c : std::string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
    if (eq.find(c) == std::string::npos)
      spare.push_back(c);
  if (ellipsis > static_cast<int64_t>(spare.size()))
    return b.error() << "too many broadcast dimensions";
  auto expand = [&](StringRef part, int64_t rank) {
    size_t at = part.find("...");
    if (at == StringRef::npos)
      return part.str();
    int64_t count = rank - (static_cast<int64_t>(part.size()) - 3);
    std::string out = part.substr(0, at).str();
    for (int64_t i = ellipsis - count; i < ellipsis; ++i)
      out.push_back(spare[i]);
    return out + part.substr(at + 3).str();
  };
  std::map<char, int> counts;
  std::string explicitLhs;
  for (auto [i, part] : llvm::enumerate(parts)) {
    std::string e = expand(part, typeOf(inputs[i]).getRank());
    for (char c : e)
      ++counts[c];
    explicitLhs += (i ? "," : "") + e;
  }
  std::string result;
  if (implicit) {
    result = spare.substr(0, ellipsis);
    for (auto [c, n] : counts)
      if (n == 1 && spare.substr(0, ellipsis).find(c) == std::string::npos)
        result.push_back(c);
  } else {
    size_t at = rhs.find("...");
    if (at == StringRef::npos)
      result = rhs.str();
    else
      result = rhs.substr(0, at).str() + spare.substr(0, ellipsis) + rhs.substr(at + 3).str();
  }
  return explicitLhs + "->" + result;
}

} // namespace

void kiln::onnx_import::registerMatMulOps(OpRegistry &r) {
  r.on("MatMul", 1, [](NodeBinder &b) -> LogicalResult {
    FailureOr<Value> x = b.input(0), y = b.input(1);
    if (failed(x) || failed(y))
      return failure();
    return b.defineResult(b.create<MatMulOp>(*x, *y));
  });
  r.on("Gemm", 1, [](NodeBinder &b) -> LogicalResult {
    FailureOr<Value> x = b.input(0), y = b.input(1);
    if (failed(x) || failed(y))
      return failure();
    FailureOr<Value> c = b.optionalInput(2);
    if (failed(c))
      return failure();
    OpBuilder &builder = b.builder();
    return b.defineResult(b.create<GemmOp>(
        *x, *y, *c, builder.getF64FloatAttr(b.attrFloat("alpha", 1.0)),
        builder.getF64FloatAttr(b.attrFloat("beta", 1.0)),
        builder.getBoolAttr(b.attrBool("transA", false)),
        builder.getBoolAttr(b.attrBool("transB", false))));
  });
  r.on("Einsum", 12, [](NodeBinder &b) -> LogicalResult {
    FailureOr<SmallVector<Value>> in = b.allInputs();
    if (failed(in))
      return failure();
    FailureOr<std::string> eq = explicitEinsum(b, *in);
    if (failed(eq))
      return failure();
    return b.defineResult(b.create<EinsumOp>(*in, b.builder().getStringAttr(*eq)));
  });
}
