//===- Validation.cpp - the model checked as a whole before import -------===//
//
// Models come from strangers, and ONNX's shape inference trusts its input
// (it divides by a zero stride and reads missing inputs). Everything that
// can be checked without shapes is checked here first, one line per
// problem, so every problem is reported at once and nothing later has to
// guard against a malformed graph.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/ONNX/Importer.h"

#include "llvm/ADT/StringSet.h"

#include "onnx/defs/schema.h"

using namespace mlir;
using namespace kiln::onnx_import;

std::vector<const onnx::NodeProto *>
kiln::onnx_import::nodesWithin(const onnx::GraphProto &graph) {
  std::vector<const onnx::NodeProto *> nodes;
  for (const auto &node : graph.node())
    nodes.push_back(&node);
  for (const auto &node : graph.node())
    for (const auto &a : node.attribute()) {
      std::vector<const onnx::GraphProto *> subgraphs;
      if (a.has_g())
        subgraphs.push_back(&a.g());
      for (const auto &g : a.graphs())
        subgraphs.push_back(&g);
      for (const onnx::GraphProto *g : subgraphs) {
        std::vector<const onnx::NodeProto *> inner = nodesWithin(*g);
        nodes.insert(nodes.end(), inner.begin(), inner.end());
      }
    }
  return nodes;
}

LogicalResult GraphImporter::checkOpsets() {
  Location fileLoc = FileLineColLoc::get(&ctx, fileName, 0, 0);
  const auto &known = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  for (const auto &imp : model.opset_import()) {
    StringRef domain = canonicalDomain(imp.domain());
    std::string name = domain.empty() ? "the default domain" : ("domain '" + domain + "'").str();
    auto range = known.find(domain.str());
    if (range != known.end()) {
      // The default domain's newest opset is Kiln's, not the linked ONNX's:
      // the importer keeps its own rules for what changed after it.
      int64_t newest = domain.empty()
                           ? std::max<int64_t>(range->second.second, kMaxDefaultOpset)
                           : range->second.second;
      if (imp.version() < range->second.first || imp.version() > newest)
        return emitError(fileLoc) << "expects an opset of " << name << " in ["
                                  << range->second.first << ", " << newest << "], found "
                                  << imp.version();
    }
    if (imp.version() < 1)
      return emitError(fileLoc) << "expects an opset of " << name << " >= 1, found "
                                << imp.version();
  }
  if (opsetOf(OpRegistry::kDefaultDomain) == 0)
    return emitError(fileLoc) << "the model imports no version of the default ONNX domain";
  return success();
}

/// The problems of `graph` (the model's graph when `where` is empty, else a
/// subgraph, `where` naming it) given `producer`, the values visible from
/// enclosing graphs and where each comes from. ONNX's IR keeps a subgraph
/// in SSA form together with its enclosing scopes: its node outputs must
/// not reuse a visible name either.
static void scopeProblems(const onnx::GraphProto &graph, const std::string &where,
                          std::map<std::string, std::string> producer,
                          llvm::function_ref<std::string(const onnx::NodeProto &)> nodeLabel,
                          std::vector<std::string> &problems) {
  std::string kind = where.empty() ? "graph input" : "input";
  std::string suffix = where.empty() ? "" : " of " + where;
  llvm::StringSet<> inputs, initializers;
  for (const auto &in : graph.input()) {
    if (!inputs.insert(in.name()).second)
      problems.push_back(kind + " '" + in.name() + "'" + suffix + " is given twice");
    producer[in.name()] = kind + " '" + in.name() + "'" + suffix;
  }
  for (const auto &init : graph.initializer()) {
    if (!initializers.insert(init.name()).second)
      problems.push_back("initializer '" + init.name() + "'" + suffix + " is given twice");
    // An initializer may also be listed as a graph input (its default).
    if (!inputs.contains(init.name()))
      producer[init.name()] = "initializer '" + init.name() + "'" + suffix;
  }
  for (const auto &node : graph.node()) {
    std::string label = nodeLabel(node);
    // Topological order: every input is defined by an earlier node (which
    // also rules out cycles).
    for (const std::string &in : node.input())
      if (!in.empty() && !producer.count(in))
        problems.push_back(label + ": input '" + in + "' is not defined before use");
    llvm::StringSet<> attributes;
    for (const auto &a : node.attribute()) {
      if (!attributes.insert(a.name()).second)
        problems.push_back(label + ": attribute '" + a.name() + "' is given twice");
      // A subgraph sees the values defined so far.
      if (a.has_g())
        scopeProblems(a.g(), "the " + a.name() + " of " + label, producer, nodeLabel, problems);
      for (const auto &g : a.graphs())
        scopeProblems(g, "a graph of " + a.name() + " of " + label, producer, nodeLabel,
                      problems);
    }
    for (const std::string &out : node.output()) {
      if (out.empty())
        continue;
      auto [it, inserted] = producer.emplace(out, label);
      if (!inserted)
        problems.push_back(label + ": output '" + out + "' is already produced by " +
                           it->second);
    }
  }
  if (where.empty() && graph.output_size() == 0)
    problems.push_back("expects at least one graph output, found none");
  llvm::StringSet<> outputs;
  for (const auto &out : graph.output()) {
    if (!producer.count(out.name()))
      problems.push_back("graph output '" + out.name() + "'" + suffix + " is never computed");
    if (!outputs.insert(out.name()).second)
      problems.push_back("graph output '" + out.name() + "'" + suffix + " is given twice");
  }
}

std::vector<std::string> GraphImporter::graphProblems() const {
  std::vector<std::string> problems;
  scopeProblems(
      model.graph(), "", {}, [&](const onnx::NodeProto &node) { return nodeLabel(node); },
      problems);
  return problems;
}

namespace {
/// An operator signature that changed after the linked ONNX's schemas (ONNX
/// 1.12 knows opsets up to 17): Kiln's own rule from `since` on.
struct Signature {
  StringRef opType;
  int since;
  int minInputs, maxInputs, maxOutputs;
};
} // namespace

// Opset 18 made the reductions' axes an input and added Pad's axes;
// GroupNormalization and Col2Im are new in 18.
static const Signature kSignatures[] = {
    {"ReduceL1", 18, 1, 2, 1},        {"ReduceL2", 18, 1, 2, 1},
    {"ReduceLogSum", 18, 1, 2, 1},    {"ReduceLogSumExp", 18, 1, 2, 1},
    {"ReduceMax", 18, 1, 2, 1},       {"ReduceMean", 18, 1, 2, 1},
    {"ReduceMin", 18, 1, 2, 1},       {"ReduceProd", 18, 1, 2, 1},
    {"ReduceSumSquare", 18, 1, 2, 1}, {"Pad", 18, 2, 4, 1},
    {"GroupNormalization", 18, 3, 3, 1}, {"Col2Im", 18, 3, 3, 1},
};

/// Kiln's signature of a default-domain op at `opset` when it is newer than
/// the linked ONNX's schema (`schemaSince`, 0 when there is none).
static const Signature *kilnSignature(StringRef domain, StringRef opType, int64_t opset,
                                      int schemaSince) {
  if (!domain.empty())
    return nullptr;
  const Signature *best = nullptr;
  for (const Signature &s : kSignatures)
    if (s.opType == opType && s.since <= opset && s.since > schemaSince &&
        (!best || s.since > best->since))
      best = &s;
  return best;
}

/// Attributes that versions after the linked ONNX's newest opset added to
/// ops it knows, which handlers read at any opset.
static const std::pair<StringRef, StringRef> kNewerAttributes[] = {
    {"Resize", "axes"},       {"Resize", "antialias"},   {"Resize", "keep_aspect_ratio_policy"},
    {"Split", "num_outputs"}, {"LpPool", "ceil_mode"},   {"AveragePool", "dilations"},
    {"Cast", "saturate"},     {"CastLike", "saturate"},  {"QuantizeLinear", "saturate"},
    {"QuantizeLinear", "block_size"}, {"QuantizeLinear", "output_dtype"},
    {"DequantizeLinear", "block_size"},
};

/// Whether some version of `node`'s op has attribute `name`: one the linked
/// ONNX knows, or one listed above. True when the model's opset is past the
/// linked ONNX's newest (its schemas cannot tell).
static bool knownAttribute(const onnx::NodeProto &node, int64_t opset, StringRef name) {
  std::string domain = canonicalDomain(node.domain()).str();
  const auto &versions = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  auto range = versions.find(domain);
  if (range == versions.end() || opset > range->second.second)
    return true;
  for (int v = range->second.second; v >= 1;) {
    const onnx::OpSchema *s = onnx::OpSchemaRegistry::Schema(node.op_type(), v, domain);
    if (!s)
      break;
    if (s->attributes().count(name.str()))
      return true;
    v = s->since_version() - 1;
  }
  return domain.empty() &&
         llvm::is_contained(kNewerAttributes, std::make_pair(StringRef(node.op_type()), name));
}

static std::string count(int64_t n, StringRef what) {
  return std::to_string(n) + " " + what.str() + (n == 1 ? "" : "s");
}

std::vector<std::string> GraphImporter::nodeProblems() const {
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
  for (const onnx::NodeProto *nodePtr : nodesWithin(model.graph())) {
    const onnx::NodeProto &node = *nodePtr;
    std::string where = nodeLabel(node);
    // Handlers read output 0 without re-checking, but for the recurrent
    // layers, whose y is optional (Y_h alone is common).
    bool firstOptional = node.op_type() == "LSTM" || node.op_type() == "GRU" ||
                         node.op_type() == "RNN";
    bool anyOutput = false;
    for (const auto &o : node.output())
      anyOutput |= !o.empty();
    if (node.output_size() == 0 || (firstOptional ? !anyOutput : node.output(0).empty()))
      problems.push_back(where + ": expects at least one output, found none");
    const onnx::OpSchema *schema = onnx::OpSchemaRegistry::Schema(
        node.op_type(), static_cast<int>(opsetOf(node)), canonicalDomain(node.domain()).str());
    if (const Signature *own = kilnSignature(canonicalDomain(node.domain()), node.op_type(),
                                             opsetOf(node), schema ? schema->since_version() : 0)) {
      // The binder checks the attribute types as it reads them.
      if (node.input_size() < own->minInputs)
        problems.push_back(where + ": expects at least " + count(own->minInputs, "input") +
                           ", found " + std::to_string(node.input_size()));
      if (node.input_size() > own->maxInputs)
        problems.push_back(where + ": expects at most " + count(own->maxInputs, "input") +
                           ", found " + std::to_string(node.input_size()));
      if (node.output_size() > own->maxOutputs)
        problems.push_back(where + ": expects at most " + count(own->maxOutputs, "output") +
                           ", found " + std::to_string(node.output_size()));
    } else if (schema) {
      if (node.input_size() < schema->min_input())
        problems.push_back(where + ": expects at least " + count(schema->min_input(), "input") +
                           ", found " + std::to_string(node.input_size()));
      if (node.input_size() > schema->max_input())
        problems.push_back(where + ": expects at most " + count(schema->max_input(), "input") +
                           ", found " + std::to_string(node.input_size()));
      if (node.output_size() > schema->max_output())
        problems.push_back(where + ": expects at most " + count(schema->max_output(), "output") +
                           ", found " + std::to_string(node.output_size()));
      llvm::StringSet<> given;
      for (const auto &a : node.attribute()) {
        given.insert(a.name());
        auto it = schema->attributes().find(a.name());
        if (it == schema->attributes().end()) {
          // An attribute no version of the op has is a typo or another op's:
          // ignoring it could compute something else than the model meant.
          // (Handlers read some attributes of later versions at any opset.)
          if (!knownAttribute(node, opsetOf(node), a.name()))
            problems.push_back(where + ": expects only attributes of the op's schema, found "
                                       "unknown attribute '" +
                               a.name() + "'");
          continue;
        }
        // IR version 1 attributes have no type; the binder reads their fields.
        if (a.type() == onnx::AttributeProto::UNDEFINED || a.type() == it->second.type)
          continue;
        problems.push_back(where + ": expects attribute '" + a.name() + "' of type " +
                           attributeTypeName(it->second.type).str() + ", found " +
                           attributeTypeName(a.type()).str());
      }
      for (const auto &[name, attr] : schema->attributes())
        if (attr.required && !given.contains(name))
          problems.push_back(where + ": expects required attribute '" + name + "', found none");
    }
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
        if (v < least || v > kMaxWindow) {
          problems.push_back(where + ": expects " + a.name() + " in [" + std::to_string(least) +
                             ", " + std::to_string(kMaxWindow) + "], found " + std::to_string(v));
          break;
        }
    }
  }
  return problems;
}
