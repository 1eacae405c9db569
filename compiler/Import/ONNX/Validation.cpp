//===- Validation.cpp - checks before ONNX shape inference runs ----------===//
//
// ONNX's shape inference trusts its input: it divides by a zero stride and
// reads missing inputs. What it would not survive is found here first, one
// line per problem, so every bad node is reported at once.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/ONNX/Importer.h"

#include "llvm/ADT/StringSet.h"

#include "onnx/defs/schema.h"

using namespace kiln::onnx_import;

/// Nodes with fewer inputs than their schema requires, shape operands
/// longer than any rank, and window attributes (strides, dilations,
/// kernel_shape, group) below 1 or pads below 0.
std::vector<std::string> GraphImporter::preShapeInferenceProblems() const {
  constexpr int64_t kMaxRank = 64;
  static const llvm::StringSet<> windowed = {"Conv",         "ConvTranspose", "ConvInteger",
                                             "QLinearConv",  "MaxPool",       "AveragePool",
                                             "LpPool",       "MaxUnpool"};
  // Shapes known before inference: graph inputs and initializers.
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto &in : model.graph().input())
    if (in.type().has_tensor_type() && in.type().tensor_type().has_shape())
      for (const auto &d : in.type().tensor_type().shape().dim())
        shapes[in.name()].push_back(d.has_dim_value() ? d.dim_value() : -1);
  for (const auto &init : model.graph().initializer())
    shapes[init.name()].assign(init.dims().begin(), init.dims().end());
  auto rankOf = [&](const onnx::NodeProto &node, int i) -> int64_t {
    if (i >= node.input_size())
      return -1;
    auto it = shapes.find(node.input(i));
    return it == shapes.end() ? -1 : static_cast<int64_t>(it->second.size());
  };
  std::vector<std::string> problems;
  for (const auto &node : model.graph().node()) {
    std::string where = nodeLabel(node);
    const onnx::OpSchema *schema = onnx::OpSchemaRegistry::Schema(
        node.op_type(), static_cast<int>(opsetOf(node)), node.domain());
    if (schema && node.input_size() < schema->min_input())
      problems.push_back(where + ": expects at least " + std::to_string(schema->min_input()) +
                         (schema->min_input() == 1 ? " input" : " inputs") + ", found " +
                         std::to_string(node.input_size()));
    // A 1-D shape operand's length is the result's rank.
    int shapeOperand = node.op_type() == "ConstantOfShape" ? 0
                       : node.op_type() == "Expand" || node.op_type() == "Reshape" ? 1
                                                                                     : -1;
    if (shapeOperand >= 0 && shapeOperand < node.input_size()) {
      auto it = shapes.find(node.input(shapeOperand));
      if (it != shapes.end() && it->second.size() == 1 && it->second[0] > kMaxRank)
        problems.push_back(where + ": expects a shape operand of at most " +
                           std::to_string(kMaxRank) + " elements (the result's rank), found " +
                           std::to_string(it->second[0]));
    }
    if (!windowed.contains(node.op_type()))
      continue;
    int64_t xRank = rankOf(node, 0), wRank = rankOf(node, 1);
    if (xRank >= 0 && xRank < 3)
      problems.push_back(where + ": expects an input of rank >= 3 (N, C, spatial...), found rank " +
                         std::to_string(xRank));
    if (node.op_type().find("Conv") != std::string::npos && xRank >= 0 && wRank >= 0 &&
        xRank != wRank)
      problems.push_back(where + ": expects a weight of the input's rank " +
                         std::to_string(xRank) + ", found rank " + std::to_string(wRank));
    for (const auto &a : node.attribute()) {
      int64_t least;
      if (a.name() == "strides" || a.name() == "dilations" || a.name() == "kernel_shape" ||
          a.name() == "group")
        least = 1;
      else if (a.name() == "pads" || a.name() == "output_padding")
        least = 0;
      else
        continue;
      std::vector<int64_t> values(a.ints().begin(), a.ints().end());
      if (a.type() == onnx::AttributeProto::INT)
        values.push_back(a.i());
      for (int64_t v : values)
        if (v < least) {
          problems.push_back(where + ": expects " + a.name() + " >= " + std::to_string(least) +
                             ", found " + std::to_string(v));
          break;
        }
    }
  }
  return problems;
}
