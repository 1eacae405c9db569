//===- Functions.cpp - ONNX function bodies expanded in place ------------===//
//
// Some ONNX operators are defined by a function body in their schema (the
// window functions HannWindow, HammingWindow and BlackmanWindow, and others):
// a graph of simpler operators. A node of such an operator that Kiln has no
// handler for at the model's opset is replaced by that graph before import,
// so the rest of the importer only sees operators it reads. Kiln's own
// handler always wins where there is one (docs/onnx-import.md).
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/ONNX/Importer.h"

#include "onnx/defs/schema.h"

#include <map>

using namespace kiln::onnx_import;

namespace {

/// The body node `inner` with its attribute references resolved against the
/// caller `outer` (or the schema's defaults); a reference to an attribute
/// that neither gives is dropped, as ONNX's inliner does.
void resolveAttributes(onnx::NodeProto &inner, const onnx::NodeProto &outer,
                       const onnx::OpSchema &schema) {
  google::protobuf::RepeatedPtrField<onnx::AttributeProto> resolved;
  for (const onnx::AttributeProto &a : inner.attribute()) {
    if (a.ref_attr_name().empty()) {
      *resolved.Add() = a;
      continue;
    }
    const onnx::AttributeProto *given = nullptr;
    for (const auto &o : outer.attribute())
      if (o.name() == a.ref_attr_name())
        given = &o;
    auto dflt = schema.attributes().find(a.ref_attr_name());
    if (!given && dflt != schema.attributes().end() && dflt->second.default_value.has_type())
      given = &dflt->second.default_value;
    if (!given)
      continue;
    onnx::AttributeProto *copy = resolved.Add();
    *copy = *given;
    copy->set_name(a.name());
  }
  inner.mutable_attribute()->Swap(&resolved);
}

} // namespace

int kiln::onnx_import::expandFunctions(onnx::ModelProto &model, const OpRegistry &registry) {
  std::map<std::string, int64_t> opsets;
  for (const auto &imp : model.opset_import())
    opsets[canonicalDomain(imp.domain()).str()] = imp.version();
  auto opsetOf = [&](const onnx::NodeProto &node) -> int64_t {
    auto it = opsets.find(canonicalDomain(node.domain()).str());
    if (it != opsets.end())
      return it->second;
    it = opsets.find("");
    return it == opsets.end() ? 0 : it->second;
  };
  int expanded = 0;
  // A body may use another function operator: a few rounds, bounded so a
  // (malformed) self-referencing schema cannot loop.
  for (int round = 0; round < 4; ++round) {
    bool changed = false;
    google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
    for (const onnx::NodeProto &node : model.graph().node()) {
      int64_t opset = opsetOf(node);
      const onnx::OpSchema *schema =
          registry.lookup(node.domain(), node.op_type(), opset)
              ? nullptr
              : onnx::OpSchemaRegistry::Schema(node.op_type(), static_cast<int>(opset),
                                               canonicalDomain(node.domain()).str());
      const onnx::FunctionProto *body =
          schema && schema->HasFunction() ? schema->GetFunction() : nullptr;
      if (!body || node.input_size() > body->input_size() ||
          node.output_size() > body->output_size()) {
        *nodes.Add() = node;
        continue;
      }
      // Formal parameters become the caller's values (an omitted optional
      // one stays empty); the body's own values get the caller's prefix.
      std::string caller = node.name().empty() && node.output_size() ? node.output(0) : node.name();
      std::string prefix = caller + "/" + node.op_type() + "/";
      std::map<std::string, std::string> names;
      for (int i = 0; i < body->input_size(); ++i)
        names[body->input(i)] = i < node.input_size() ? node.input(i) : "";
      for (int i = 0; i < body->output_size(); ++i)
        names[body->output(i)] = i < node.output_size() ? node.output(i) : "";
      auto rename = [&](const std::string &n) -> std::string {
        if (n.empty())
          return n;
        auto it = names.find(n);
        return it != names.end() ? it->second : prefix + n;
      };
      for (int k = 0; k < body->node_size(); ++k) {
        onnx::NodeProto inner = body->node(k);
        for (std::string &in : *inner.mutable_input())
          in = rename(in);
        for (std::string &out : *inner.mutable_output())
          out = rename(out);
        inner.set_name(prefix + std::to_string(k) + "_" + inner.op_type());
        resolveAttributes(inner, node, *schema);
        *nodes.Add() = std::move(inner);
      }
      changed = true;
      ++expanded;
    }
    model.mutable_graph()->mutable_node()->Swap(&nodes);
    if (!changed)
      break;
  }
  return expanded;
}
