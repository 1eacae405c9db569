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

LogicalResult GraphImporter::checkVersions() {
  Location fileLoc = FileLineColLoc::get(&ctx, fileName, 0, 0);
  // 0 is an unset field (ONNX requires one); past kMaxIRVersion the format
  // may hold structure this importer would not see.
  if (model.ir_version() < 1 || model.ir_version() > kMaxIRVersion)
    return emitError(fileLoc) << "expects an ir_version in [1, " << kMaxIRVersion << "], found "
                              << model.ir_version();
  const auto &known = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  llvm::StringMap<int64_t> seen;
  for (const auto &imp : model.opset_import()) {
    StringRef domain = canonicalDomain(imp.domain());
    std::string name =
        domain.empty() ? "the default domain" : "domain " + quoted(domain);
    // "" and "ai.onnx" are one domain: two entries would leave the opset to
    // whichever came last.
    auto [prev, inserted] = seen.try_emplace(domain, imp.version());
    if (!inserted)
      return emitError(fileLoc) << "expects one opset_import entry per domain, found " << name
                                << " twice (opsets " << prev->second << " and "
                                << imp.version() << ")";
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
/// An error when `a` holds a value in a field other than the one its type
/// names (ONNX IR: "exactly one of the value fields"), or, untyped (IR
/// version 1), in more than one field.
static std::optional<std::string> strayAttributeField(const onnx::AttributeProto &a) {
  SmallVector<onnx::AttributeProto::AttributeType> held = attributeHeldTypes(a);
  if (a.type() == onnx::AttributeProto::UNDEFINED) {
    if (held.size() <= 1)
      return std::nullopt;
    return "expects attribute " + quoted(a.name()) + " to hold one value, found " +
           attributeTypeName(held[0]).str() + " and " + attributeTypeName(held[1]).str();
  }
  for (onnx::AttributeProto::AttributeType type : held)
    if (type != a.type())
      return "expects attribute " + quoted(a.name()) + " of type " +
             attributeTypeName(a.type()).str() +
             " to hold its value there, found " + attributeTypeName(type).str();
  return std::nullopt;
}

static void scopeProblems(const onnx::GraphProto &graph, const std::string &where,
                          std::map<std::string, std::string> producer,
                          llvm::function_ref<std::string(const onnx::NodeProto &)> nodeLabel,
                          std::vector<std::string> &problems) {
  std::string kind = where.empty() ? "graph input" : "input";
  std::string suffix = where.empty() ? "" : " of " + where;
  llvm::StringSet<> inputs, initializers;
  for (const auto &in : graph.input()) {
    if (!inputs.insert(in.name()).second)
      problems.push_back(kind + " " + quoted(in.name()) + suffix + " is given twice");
    producer[in.name()] = kind + " " + quoted(in.name()) + suffix;
  }
  for (const auto &init : graph.initializer()) {
    if (!initializers.insert(init.name()).second)
      problems.push_back("initializer " + quoted(init.name()) + suffix + " is given twice");
    // An initializer may also be listed as a graph input (its default).
    if (!inputs.contains(init.name()))
      producer[init.name()] = "initializer " + quoted(init.name()) + suffix;
  }
  for (const auto &node : graph.node()) {
    std::string label = nodeLabel(node);
    // Topological order: every input is defined by an earlier node (which
    // also rules out cycles).
    for (const std::string &in : node.input())
      if (!in.empty() && !producer.count(in))
        problems.push_back(label + ": input " + quoted(in) + " is not defined before use");
    llvm::StringSet<> attributes;
    for (const auto &a : node.attribute()) {
      if (!attributes.insert(a.name()).second)
        problems.push_back(label + ": attribute " + quoted(a.name()) + " is given twice");
      // A subgraph sees the values defined so far.
      if (a.has_g())
        scopeProblems(a.g(), "the " + escaped(a.name()) + " of " + label, producer, nodeLabel,
                      problems);
      for (const auto &g : a.graphs())
        scopeProblems(g, "a graph of " + escaped(a.name()) + " of " + label, producer, nodeLabel,
                      problems);
    }
    for (const std::string &out : node.output()) {
      if (out.empty())
        continue;
      auto [it, inserted] = producer.emplace(out, label);
      if (!inserted)
        problems.push_back(label + ": output " + quoted(out) + " is already produced by " +
                           it->second);
    }
  }
  if (where.empty() && graph.output_size() == 0)
    problems.push_back("expects at least one graph output, found none");
  // The artifact's signature names the model's inputs, outputs and (for
  // training) its initializers; a NUL cannot be carried there, and such a
  // model compiled into an artifact that kiln-run refused.
  if (where.empty()) {
    auto noNul = [&](const std::string &what, const std::string &name) {
      if (name.find('\0') != std::string::npos)
        problems.push_back(what + " " + quoted(name) +
                           " has a NUL byte in its name, which a compiled model cannot carry");
    };
    for (const auto &in : graph.input())
      noNul("graph input", in.name());
    for (const auto &init : graph.initializer())
      noNul("initializer", init.name());
    for (const auto &out : graph.output())
      noNul("graph output", out.name());
  }
  llvm::StringSet<> outputs;
  for (const auto &out : graph.output()) {
    if (!producer.count(out.name()))
      problems.push_back("graph output " + quoted(out.name()) + suffix + " is never computed");
    if (!outputs.insert(out.name()).second)
      problems.push_back("graph output " + quoted(out.name()) + suffix + " is given twice");
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
/// 1.12 knows opsets up to 17): Kiln's own rule from `since` on. Inputs and
/// attributes are space-separated names; a required attribute ends in '!'.
struct Signature {
  StringRef opType;
  int since;
  int minInputs, maxInputs, maxOutputs;
  StringRef inputs, attributes;
};
} // namespace

// Opset 18 made the reductions' axes an input and added Pad's axes;
// GroupNormalization, Col2Im and Mish are new in 18, and GroupNormalization
// gained stash_type in 21.
#define KILN_REDUCTION_18(op) {op, 18, 1, 2, 1, "data axes", "keepdims noop_with_empty_axes"}
static const Signature kSignatures[] = {
    KILN_REDUCTION_18("ReduceL1"),        KILN_REDUCTION_18("ReduceL2"),
    KILN_REDUCTION_18("ReduceLogSum"),    KILN_REDUCTION_18("ReduceLogSumExp"),
    KILN_REDUCTION_18("ReduceMax"),       KILN_REDUCTION_18("ReduceMean"),
    KILN_REDUCTION_18("ReduceMin"),       KILN_REDUCTION_18("ReduceProd"),
    KILN_REDUCTION_18("ReduceSumSquare"),
    {"Pad", 18, 2, 4, 1, "data pads constant_value axes", "mode"},
    {"GroupNormalization", 18, 3, 3, 1, "X scale bias", "epsilon num_groups!"},
    {"GroupNormalization", 21, 3, 3, 1, "X scale bias", "epsilon num_groups! stash_type"},
    {"Col2Im", 18, 3, 3, 1, "input image_shape block_shape", "dilations pads strides"},
    {"Mish", 18, 1, 1, 1, "X", ""},
};
#undef KILN_REDUCTION_18

/// Attributes that versions after the linked ONNX's newest opset added to
/// ops whose signature is otherwise the newest one it knows, from `since`
/// on (the handlers read them).
struct NewerAttribute {
  StringRef opType, name;
  int since;
};
static const NewerAttribute kNewerAttributes[] = {
    {"Resize", "axes", 18},           {"Resize", "antialias", 18},
    {"Resize", "keep_aspect_ratio_policy", 18},
    {"Split", "num_outputs", 18},     {"LpPool", "ceil_mode", 18},
    {"AveragePool", "dilations", 19}, {"Cast", "saturate", 19},
    {"CastLike", "saturate", 19},     {"QuantizeLinear", "saturate", 19},
    {"QuantizeLinear", "block_size", 21}, {"QuantizeLinear", "output_dtype", 21},
    {"DequantizeLinear", "block_size", 21},
};

namespace {
/// What a node may look like at one opset: the schema in effect there, by
/// ONNX's registry or by Kiln's rules past it.
struct OpSignature {
  int minInputs = 0, maxInputs = 0, maxOutputs = 0;
  std::vector<std::string> inputs;
  /// Attribute name -> type (UNDEFINED where the binder checks the type).
  std::map<std::string, onnx::AttributeProto::AttributeType> attributes;
  std::vector<std::string> required;
};
} // namespace

/// The signature of `opType` in `domain` at `opset`, or nothing when
/// neither ONNX's registry nor Kiln's tables define the op there. Past the
/// newest opset the registry knows, the newest schema it has stands, plus
/// the attributes and signatures above: so an attribute a later version
/// added and Kiln does not read, or one a later version removed, is refused
/// rather than ignored.
static std::optional<OpSignature> signatureAt(StringRef domain, StringRef opType,
                                              int64_t opset) {
  const auto &versions = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  auto range = versions.find(domain.str());
  int newest = range == versions.end() ? 0 : range->second.second;
  const onnx::OpSchema *schema = onnx::OpSchemaRegistry::Schema(
      opType.str(), static_cast<int>(std::min<int64_t>(opset, newest ? newest : opset)),
      domain.str());
  OpSignature sig;
  const Signature *own = nullptr;
  if (domain.empty())
    for (const Signature &s : kSignatures)
      if (s.opType == opType && s.since <= opset &&
          s.since > (schema ? schema->since_version() : 0) && (!own || s.since > own->since))
        own = &s;
  if (own) {
    sig.minInputs = own->minInputs;
    sig.maxInputs = own->maxInputs;
    sig.maxOutputs = own->maxOutputs;
    SmallVector<StringRef> names;
    own->inputs.split(names, ' ', -1, /*KeepEmpty=*/false);
    for (StringRef n : names)
      sig.inputs.push_back(n.str());
    names.clear();
    own->attributes.split(names, ' ', -1, /*KeepEmpty=*/false);
    for (StringRef n : names) {
      bool required = n.consume_back("!");
      sig.attributes[n.str()] = onnx::AttributeProto::UNDEFINED;
      if (required)
        sig.required.push_back(n.str());
    }
    return sig;
  }
  if (!schema)
    return std::nullopt;
  sig.minInputs = schema->min_input();
  sig.maxInputs = schema->max_input();
  sig.maxOutputs = schema->max_output();
  for (const auto &in : schema->inputs())
    sig.inputs.push_back(in.GetName());
  for (const auto &[name, attr] : schema->attributes()) {
    sig.attributes[name] = attr.type;
    if (attr.required)
      sig.required.push_back(name);
  }
  if (domain.empty())
    for (const NewerAttribute &a : kNewerAttributes)
      if (a.opType == opType && a.since <= opset)
        sig.attributes.try_emplace(a.name.str(), onnx::AttributeProto::UNDEFINED);
  return sig;
}

/// Why `name` is not an attribute of `node`'s op at `opset`: the opsets at
/// which the op has it (and whether it is an input at `opset`), or that no
/// version has it.
static std::string unknownAttribute(const onnx::NodeProto &node, int64_t opset,
                                    const OpSignature &sig, StringRef name) {
  StringRef domain = canonicalDomain(node.domain());
  const auto &versions = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  auto range = versions.find(domain.str());
  int64_t last = range == versions.end() ? 0 : range->second.second;
  if (domain.empty())
    last = std::max<int64_t>(last, kMaxDefaultOpset);
  int64_t lo = 0, hi = 0;
  for (int64_t v = 1; v <= last; ++v) {
    std::optional<OpSignature> at = signatureAt(domain, node.op_type(), v);
    if (at && at->attributes.count(name.str())) {
      lo = lo ? lo : v;
      hi = v;
    }
  }
  // A typo or another op's attribute: ignoring it could compute something
  // else than the model meant.
  if (!lo)
    return "expects only attributes of the op's schema, found unknown attribute " + quoted(name);
  std::string at = "opset " + std::to_string(opset);
  std::string msg = "expects only attributes of " + escaped(node.op_type()) + " at " + at +
                    ", found " + quoted(name) + ", an attribute ";
  if (hi == last)
    msg += "from opset " + std::to_string(lo) + " on";
  else if (lo == hi)
    msg += "at opset " + std::to_string(lo) + " only";
  else
    msg += "at opsets " + std::to_string(lo) + " to " + std::to_string(hi);
  // The common case: an attribute that became an input (ReduceSum-13 axes).
  if (llvm::is_contained(sig.inputs, name.str()))
    msg += " (an input at " + at + ")";
  return msg;
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
  // And Constant nodes' values: a Conv weight from a Constant of the wrong
  // rank crashed ONNX's shape inference (found by kiln-fuzz-importer).
  for (const onnx::NodeProto *node : nodesWithin(model.graph())) {
    if (node->op_type() != "Constant" || !node->domain().empty() || node->output_size() < 1)
      continue;
    for (const auto &a : node->attribute())
      if (a.name() == "value" && a.type() == onnx::AttributeProto::TENSOR)
        shapes[node->output(0)].assign(a.t().dims().begin(), a.t().dims().end());
  }
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
    // Everything against the signature the model's opset selects, not any
    // version's: an attribute that moved to an input (ReduceSum-13's axes)
    // would otherwise be ignored and the node compute something else.
    int64_t opset = opsetOf(node);
    if (std::optional<OpSignature> sig =
            signatureAt(canonicalDomain(node.domain()), node.op_type(), opset)) {
      if (node.input_size() < sig->minInputs)
        problems.push_back(where + ": expects at least " + count(sig->minInputs, "input") +
                           ", found " + std::to_string(node.input_size()));
      if (node.input_size() > sig->maxInputs)
        problems.push_back(where + ": expects at most " + count(sig->maxInputs, "input") +
                           ", found " + std::to_string(node.input_size()));
      if (node.output_size() > sig->maxOutputs)
        problems.push_back(where + ": expects at most " + count(sig->maxOutputs, "output") +
                           ", found " + std::to_string(node.output_size()));
      llvm::StringSet<> given;
      for (const auto &a : node.attribute()) {
        given.insert(a.name());
        auto it = sig->attributes.find(a.name());
        if (it == sig->attributes.end()) {
          problems.push_back(where + ": " + unknownAttribute(node, opset, *sig, a.name()));
          continue;
        }
        // The value lives in the field the type names, and only there: an
        // INTS attribute whose values sit in `floats` was read as empty.
        if (std::optional<std::string> stray = strayAttributeField(a)) {
          problems.push_back(where + ": " + *stray);
          continue;
        }
        // IR version 1 attributes have no type; the binder reads their
        // fields, and checks the types Kiln's own signatures leave open.
        if (a.type() == onnx::AttributeProto::UNDEFINED ||
            it->second == onnx::AttributeProto::UNDEFINED || a.type() == it->second)
          continue;
        problems.push_back(where + ": expects attribute " + quoted(a.name()) + " of type " +
                           attributeTypeName(it->second).str() + ", found " +
                           attributeTypeName(a.type()).str());
      }
      for (const std::string &name : sig->required)
        if (!given.contains(name))
          problems.push_back(where + ": expects required attribute " + quoted(name) +
                             ", found none");
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
    // blocksize^2 divides the channels in ONNX's shape inference: 2^32
    // wrapped it to 0 (SIGFPE).
    if (node.op_type() == "DepthToSpace" || node.op_type() == "SpaceToDepth")
      for (const auto &a : node.attribute())
        if (a.name() == "blocksize" && (a.i() < 1 || a.i() > kMaxWindow))
          problems.push_back(where + ": expects blocksize in [1, " + std::to_string(kMaxWindow) +
                             "], found " + std::to_string(a.i()));
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
