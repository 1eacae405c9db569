//===- Importer.cpp - ONNX model -> nn dialect ---------------------------===//
//
// One pass over the graph in topological order. Every value becomes an SSA
// value of the nn function. Each node goes to the handler the OpRegistry
// holds for its (domain, op type, opset); the ops it built are folded right
// away (the nn dialect's folders, NNConstantEval.h), so the shape, pad and
// mask arithmetic exporters emit is an nn.constant by the time a later
// handler needs its value.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/ONNX/Importer.h"

#include "compiler/Import/ONNX/NodeBinder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"

#include "onnx/shape_inference/implementation.h"

#include <stdexcept>


using namespace mlir;
using namespace kiln;
using namespace kiln::onnx_import;

int64_t kiln::onnx_import::boundedElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    if (d < 0 || __builtin_mul_overflow(n, d, &n) || n > kMaxElements)
      return -1;
  return n;
}

static std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s;
  for (int64_t d : shape)
    s += (s.empty() ? "" : "x") + (ShapedType::isDynamic(d) ? "?" : std::to_string(d));
  return s.empty() ? "scalar" : s;
}

/// A dim_param usable as a signature symbol: `[A-Za-z_][A-Za-z0-9_]*`.
static bool isSymbolName(StringRef s) {
  return !s.empty() && !llvm::isDigit(s.front()) &&
         llvm::all_of(s, [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

std::string kiln::onnx_import::escaped(StringRef s) {
  std::string out;
  llvm::raw_string_ostream os(out);
  llvm::printEscapedString(s, os);
  return out;
}

std::string kiln::onnx_import::quoted(StringRef s) { return "'" + escaped(s) + "'"; }

StringRef kiln::onnx_import::canonicalDomain(StringRef domain) {
  return domain == "ai.onnx" ? "" : domain;
}

GraphImporter::GraphImporter(MLIRContext &ctx, const onnx::ModelProto &model, StringRef path,
                             const OpRegistry &registry)
    : ctx(ctx), builder(&ctx), model(model), registry(registry),
      modelDir(llvm::sys::path::parent_path(path)), fileName(path) {
  for (const auto &imp : model.opset_import())
    opsets[canonicalDomain(imp.domain())] = imp.version();
}

int64_t GraphImporter::opsetOf(StringRef domain) const {
  auto it = opsets.find(canonicalDomain(domain));
  return it == opsets.end() ? 0 : it->second;
}

int64_t GraphImporter::opsetOf(const onnx::NodeProto &node) const {
  int64_t version = opsetOf(node.domain());
  return version ? version : opsetOf(OpRegistry::kDefaultDomain);
}

std::string GraphImporter::nodeLabel(const onnx::NodeProto &node) const {
  std::string name = node.name().empty() && node.output_size() ? node.output(0) : node.name();
  StringRef domain = canonicalDomain(node.domain());
  std::string op =
      escaped(domain.empty() ? node.op_type() : (domain + "." + node.op_type()).str());
  return "node " + quoted(name) + " (" + op + ", opset " + std::to_string(opsetOf(node)) + ")";
}

Location GraphImporter::nodeLoc(const onnx::NodeProto &node) {
  std::string name = node.name().empty() && node.output_size() ? node.output(0) : node.name();
  return NameLoc::get(StringAttr::get(&ctx, name), FileLineColLoc::get(&ctx, fileName, 0, 0));
}

InFlightDiagnostic GraphImporter::nodeError(const onnx::NodeProto &node) {
  return emitError(nodeLoc(node)) << nodeLabel(node) << ": ";
}

//===----------------------------------------------------------------------===//
// Before shape inference
//===----------------------------------------------------------------------===//

LogicalResult GraphImporter::prepare() {
  Location fileLoc = FileLineColLoc::get(&ctx, fileName, 0, 0);
  const onnx::GraphProto &graph = model.graph();

  // Every unsupported node, reported at once.
  std::vector<std::string> unsupported;
  for (const onnx::NodeProto *node : nodesWithin(graph))
    if (!registry.lookup(node->domain(), node->op_type(), opsetOf(*node)))
      unsupported.push_back(nodeLabel(*node));
  if (!unsupported.empty()) {
    auto diag = emitError(fileLoc) << unsupported.size() << " unsupported operator"
                                   << (unsupported.size() == 1 ? "" : "s") << " in the model:";
    for (const auto &u : unsupported)
      diag << "\n  " << u;
    return failure();
  }

  // Every structural problem, reported at once; handlers then read the
  // inputs and outputs the schema promises without re-checking.
  std::vector<std::string> problems = graphProblems();
  std::vector<std::string> inNodes = nodeProblems();
  problems.insert(problems.end(), inNodes.begin(), inNodes.end());
  if (!problems.empty()) {
    InFlightDiagnostic diag = emitError(fileLoc)
                              << "malformed ONNX model: " << problems.size() << " problem"
                              << (problems.size() == 1 ? "" : "s") << ":";
    for (const std::string &p : problems)
      diag << "\n  " << p;
    return failure();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// The graph
//===----------------------------------------------------------------------===//

void GraphImporter::foldNode(const onnx::NodeProto &node, Operation *first) {
  llvm::DenseMap<Value, Value> replaced;
  Block *block = builder.getInsertionBlock();
  OpBuilder::InsertionGuard guard(builder);
  for (Operation &op : llvm::make_early_inc_range(
           llvm::make_range(first ? first->getIterator() : block->end(), block->end()))) {
    if (isa<nn::ConstantOp>(op) || op.getNumResults() == 0)
      continue;
    // A trained parameter stays a value of its own (markParameters).
    if (llvm::any_of(op.getOperands(), [](Value v) {
          Operation *def = v.getDefiningOp();
          return def && def->hasAttr("kiln.parameter");
        }))
      continue;
    SmallVector<Attribute> operands;
    for (Value v : op.getOperands()) {
      Attribute attr;
      operands.push_back(matchPattern(v, m_Constant(&attr)) ? attr : Attribute());
    }
    SmallVector<OpFoldResult> results;
    // An empty result list is an in-place update: nothing to replace.
    if (failed(op.fold(operands, results)) || results.empty())
      continue;
    builder.setInsertionPoint(&op);
    SmallVector<Value> values;
    SmallVector<Operation *> made;
    for (auto [result, folded] : llvm::zip(op.getResults(), results)) {
      if (auto v = dyn_cast<Value>(folded)) {
        values.push_back(v);
        continue;
      }
      if (Operation *c = op.getDialect()->materializeConstant(
              builder, cast<Attribute>(folded), result.getType(), op.getLoc())) {
        made.push_back(c);
        values.push_back(c->getResult(0));
      }
    }
    // A result the dialect cannot materialize, or one folded to itself: the
    // op stays.
    if (values.size() != op.getNumResults() ||
        llvm::any_of(values, [&](Value v) { return v.getDefiningOp() == &op; })) {
      for (Operation *c : made)
        c->erase();
      continue;
    }
    for (auto [result, v] : llvm::zip(op.getResults(), values)) {
      result.replaceAllUsesWith(v);
      replaced[result] = v;
    }
    op.erase();
  }
  for (const std::string &out : node.output()) {
    auto it = values.find(out);
    if (it != values.end())
      if (Value v = replaced.lookup(it->second.value))
        it->second.value = v;
  }
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node) {
  const OpHandler *handler = registry.lookup(node.domain(), node.op_type(), opsetOf(node));
  // prepare() lists the unsupported nodes of every graph; this guards the rest.
  if (!handler)
    return nodeError(node) << "unsupported operator";
  NodeBinder binder(*this, node);
  Block *block = builder.getInsertionBlock();
  Operation *last = block->empty() ? nullptr : &block->back();
  // A handler that reported an error fails even if it went on to build
  // something (an attribute of the wrong type read as its default).
  if (failed((*handler)(binder)) || binder.hasFailed())
    return failure();
  foldNode(node, last ? last->getNextNode() : (block->empty() ? nullptr : &block->front()));
  // Nothing downstream should allocate a tensor of unbounded size.
  for (int i = 0; i < node.output_size(); ++i) {
    auto it = values.find(node.output(i));
    if (node.output(i).empty() || it == values.end() || !it->second.value)
      continue;
    ArrayRef<int64_t> shape = typeOf(it->second.value).getShape();
    // A run-time shape (nn.dynamic_reshape, ...) is bounded when it runs.
    if (!ShapedType::isDynamicShape(shape) && boundedElements(shape) < 0)
      return nodeError(node) << "expects output " << quoted(node.output(i)) << " of at most "
                             << kMaxElements << " elements, found shape " << shapeString(shape);
  }
  return checkShape(node);
}

FailureOr<SmallVector<Value>> GraphImporter::importSubgraph(const onnx::GraphProto &graph,
                                                            ValueRange args, Location loc) {
  // The subgraph's names shadow the enclosing ones only inside it.
  std::map<std::string, Entry> enclosing = values;
  auto restore = llvm::make_scope_exit([&] { values = std::move(enclosing); });
  for (auto [in, arg] : llvm::zip(graph.input(), args))
    values[in.name()] = Entry{arg};
  for (const auto &init : graph.initializer()) {
    FailureOr<Entry> e = importTensor(init, loc);
    if (failed(e))
      return failure();
    values[init.name()] = *e;
  }
  for (const auto &node : graph.node())
    if (failed(importNode(node)))
      return failure();
  // A subgraph's value_info is held like the main graph's (ONNX's shape
  // inference, which runs on a copy, rewrites only the main graph's).
  for (const auto &vi : graph.value_info()) {
    auto it = values.find(vi.name());
    if (it != values.end() &&
        failed(checkDeclared("value " + quoted(vi.name()) + " (value_info of subgraph " +
                                 quoted(graph.name()) + ")",
                             vi.type(), it->second.value, checkDims)))
      return failure();
  }
  SmallVector<Value> results;
  for (const auto &out : graph.output()) {
    auto it = values.find(out.name());
    if (it == values.end() || !it->second.value)
      return emitError(loc) << "subgraph " << quoted(graph.name()) << ": output "
                            << quoted(out.name())
                            << " is never computed";
    results.push_back(it->second.value);
  }
  // So are the types the subgraph declares for its outputs, as the main
  // graph's outputs are held to theirs.
  for (auto [out, value] : llvm::zip(graph.output(), results))
    if (failed(checkDeclared("output " + quoted(out.name()) + " of subgraph " +
                                 quoted(graph.name()),
                             out.type(), value, checkDims)))
      return failure();
  return results;
}

SmallVector<int64_t> GraphImporter::inferredShape(StringRef name, int64_t rank) const {
  SmallVector<int64_t> shape(rank, ShapedType::kDynamic);
  auto it = inferredTypes.find(name.str());
  if (it == inferredTypes.end() || !it->second->has_tensor_type() ||
      !it->second->tensor_type().has_shape())
    return shape;
  const auto &dims = it->second->tensor_type().shape().dim();
  if (dims.size() != rank)
    return shape;
  for (int d = 0; d < dims.size(); ++d)
    if (dims[d].has_dim_value() && dims[d].dim_value() >= 0)
      shape[d] = dims[d].dim_value();
  return shape;
}

LogicalResult GraphImporter::checkShape(const onnx::NodeProto &node) {
  for (int i = 0; i < node.output_size(); ++i) {
    auto it = values.find(node.output(i));
    if (it == values.end())
      continue;
    auto inferred = inferredTypes.find(node.output(i));
    if (inferred == inferredTypes.end() || !inferred->second->has_tensor_type() ||
        !inferred->second->tensor_type().has_shape())
      continue;
    ArrayRef<int64_t> ours = typeOf(it->second.value).getShape();
    const auto &dims = inferred->second->tensor_type().shape().dim();
    bool mismatch = dims.size() != static_cast<int>(ours.size());
    for (int d = 0; !mismatch && d < dims.size(); ++d)
      mismatch = dims[d].has_dim_value() && !ShapedType::isDynamic(ours[d]) &&
                 dims[d].dim_value() != ours[d];
    if (mismatch) {
      std::string theirs;
      for (const auto &d : dims)
        theirs += (theirs.empty() ? "" : "x") +
                  (d.has_dim_value() ? std::to_string(d.dim_value()) : std::string("?"));
      std::string mine;
      for (int64_t d : ours)
        mine += (mine.empty() ? "" : "x") +
                (ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d));
      // Kiln's inference decides; ONNX's (1.12) is older than some of
      // the rules Kiln follows (MaxPool's ceil_mode windows).
      emitWarning(nodeLoc(node)) << nodeLabel(node) << ": output " << quoted(node.output(i))
                                 << " has shape " << (mine.empty() ? "scalar" : mine)
                                 << ", ONNX shape inference says "
                                 << (theirs.empty() ? "scalar" : theirs) << "; Kiln's is used";
    }
  }
  return success();
}

void GraphImporter::recordDeclaredTypes() {
  for (const auto &out : model.graph().output())
    declaredOutputs.push_back(out.type());
  for (const auto &vi : model.graph().value_info())
    declaredValues[vi.name()] = vi.type();
}

LogicalResult GraphImporter::checkDeclared(const std::string &what,
                                           const onnx::TypeProto &declared, Value value,
                                           bool dims) {
  auto type = dyn_cast_or_null<RankedTensorType>(value ? value.getType() : Type());
  if (!type || !declared.has_tensor_type())
    return success();
  Location fileLoc = FileLineColLoc::get(&ctx, fileName, 0, 0);
  const auto &tt = declared.tensor_type();
  if (tt.elem_type() != onnx::TensorProto::UNDEFINED &&
      knownElementType(tt.elem_type()) != type.getElementType()) {
    // ONNX's name of Kiln's element type (each maps one to one).
    std::string ours;
    for (int t = onnx::TensorProto::DataType_MIN; t <= onnx::TensorProto::DataType_MAX; ++t)
      if (t != onnx::TensorProto::UNDEFINED && knownElementType(t) == type.getElementType())
        ours = elementTypeName(t);
    return emitError(fileLoc) << what << " is declared of element type "
                              << elementTypeName(tt.elem_type()) << ", but the graph computes "
                              << ours;
  }
  if (!tt.has_shape())
    return success();
  std::string theirs;
  bool mismatch = tt.shape().dim_size() != type.getRank();
  for (auto [axis, d] : llvm::enumerate(tt.shape().dim())) {
    theirs += (axis ? "x" : "") + (d.has_dim_value()   ? std::to_string(d.dim_value())
                                   : d.has_dim_param() ? escaped(d.dim_param())
                                                       : std::string("?"));
    // A dim_param or an unknown dim agrees with anything.
    if (dims && !mismatch && d.has_dim_value() && !type.isDynamicDim(axis) &&
        d.dim_value() != type.getDimSize(axis))
      mismatch = true;
  }
  if (mismatch)
    return emitError(fileLoc) << what << " is declared of shape "
                              << (theirs.empty() ? "scalar" : theirs)
                              << ", but the graph computes " << shapeString(type.getShape());
  return success();
}

OwningOpRef<ModuleOp> GraphImporter::run(const ONNXImportOptions &options) {
  Location fileLoc = FileLineColLoc::get(&ctx, fileName, 0, 0);
  const onnx::GraphProto &graph = model.graph();

  for (const auto &vi : graph.value_info())
    inferredTypes[vi.name()] = &vi.type();
  for (const auto &vi : graph.output())
    inferredTypes[vi.name()] = &vi.type();

  llvm::StringSet<> initializerNames;
  for (const auto &init : graph.initializer())
    initializerNames.insert(init.name());

  // A dim_param that --input-shape pins in one input is pinned in every
  // input that shares it, so the runtime checks them all before a run.
  llvm::StringMap<int64_t> pinned;
  for (const auto &in : graph.input()) {
    auto override = options.inputShapes.find(in.name());
    if (override == options.inputShapes.end() || !in.type().has_tensor_type() ||
        !in.type().tensor_type().has_shape())
      continue;
    const auto &dims = in.type().tensor_type().shape();
    for (auto [axis, size] : llvm::enumerate(override->second)) {
      if (ShapedType::isDynamic(size) || static_cast<int>(axis) >= dims.dim_size() ||
          !isSymbolName(dims.dim(axis).dim_param()))
        continue;
      auto [it, inserted] = pinned.try_emplace(dims.dim(axis).dim_param(), size);
      if (!inserted && it->second != size) {
        emitError(fileLoc) << "--input-shape gives the symbolic dimension " << quoted(it->first())
                           << " two values, " << it->second << " and " << size;
        return nullptr;
      }
    }
  }

  // The function type: graph inputs that are not initializers.
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  SmallVector<ArrayAttr> argDimNames;
  for (const auto &in : graph.input()) {
    if (initializerNames.contains(in.name()))
      continue;
    if (!in.type().has_tensor_type()) {
      emitError(fileLoc) << "graph input " << quoted(in.name()) << " is not a tensor";
      return nullptr;
    }
    const auto &tt = in.type().tensor_type();
    FailureOr<Type> elem = elementType(tt.elem_type(), fileLoc, "graph input " + quoted(in.name()));
    if (failed(elem))
      return nullptr;
    SmallVector<int64_t> shape;
    auto override = options.inputShapes.find(in.name());
    if (override != options.inputShapes.end()) {
      shape = override->second;
      if (options.batchSize > 0 && !shape.empty() && shape[0] != options.batchSize) {
        emitError(fileLoc) << "--batch " << options.batchSize << " and --input-shape for "
                           << quoted(in.name()) << " disagree on dim 0 ("
                           << (ShapedType::isDynamic(shape[0]) ? std::string("?")
                                                               : std::to_string(shape[0]))
                           << ")";
        return nullptr;
      }
      if (tt.has_shape() && tt.shape().dim_size() != static_cast<int>(shape.size())) {
        emitError(fileLoc) << "--input-shape for " << quoted(in.name()) << " gives "
                           << shape.size() << " dimensions, the model has "
                           << tt.shape().dim_size();
        return nullptr;
      }
    } else {
      if (!tt.has_shape()) {
        emitError(fileLoc) << "graph input " << quoted(in.name())
                           << " has no shape; give one with --input-shape " << escaped(in.name())
                           << "=DxDx...";
        return nullptr;
      }
      // A dim without a value (a dim_param, or nothing) stays symbolic.
      for (const auto &d : tt.shape().dim()) {
        auto pin = pinned.find(d.dim_param());
        shape.push_back(d.has_dim_value()   ? d.dim_value()
                        : pin != pinned.end() ? pin->second
                                              : ShapedType::kDynamic);
      }
      // --batch: dim 0 of every input, where the model leaves it free.
      if (options.batchSize > 0 && !shape.empty()) {
        if (!ShapedType::isDynamic(shape[0]) && shape[0] != options.batchSize) {
          emitError(fileLoc) << "--batch " << options.batchSize << ": graph input "
                             << quoted(in.name())
                             << " has a static dim 0 of " << shape[0]
                             << " (export the model with a symbolic batch dim)";
          return nullptr;
        }
        shape[0] = options.batchSize;
      }
    }
    // A symbolic dim is named by the model's dim_param when that is an
    // identifier; otherwise kiln-record-signature names it (inK_dA).
    SmallVector<Attribute> dimNames;
    bool named = false;
    for (auto [axis, size] : llvm::enumerate(shape)) {
      std::string param;
      if (ShapedType::isDynamic(size) && tt.has_shape() &&
          static_cast<int>(axis) < tt.shape().dim_size())
        param = tt.shape().dim(axis).dim_param();
      if (!isSymbolName(param))
        param.clear();
      named |= !param.empty();
      dimNames.push_back(builder.getStringAttr(param));
    }
    SmallVector<int64_t> staticDims;
    for (int64_t d : shape)
      if (!ShapedType::isDynamic(d))
        staticDims.push_back(d);
    if (boundedElements(staticDims) < 0) {
      emitError(fileLoc) << "expects graph input " << quoted(in.name()) << " of at most "
                         << kMaxElements << " elements, found shape " << shapeString(shape);
      return nullptr;
    }
    argDimNames.push_back(named ? builder.getArrayAttr(dimNames) : ArrayAttr());
    argTypes.push_back(RankedTensorType::get(shape, *elem));
    argNames.push_back(in.name());
  }
  for (const auto &[name, _] : options.inputShapes)
    if (!llvm::is_contained(argNames, name.str())) {
      emitError(fileLoc) << "--input-shape names " << quoted(name)
                         << ", which is not an input of the model";
      return nullptr;
    }

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());
  auto fn = builder.create<func::FuncOp>(fileLoc, "model", builder.getFunctionType(argTypes, {}));
  Block *body = fn.addEntryBlock();
  builder.setInsertionPointToEnd(body);
  for (auto [i, name] : llvm::enumerate(argNames)) {
    fn.setArgAttr(i, "kiln.name", builder.getStringAttr(name));
    if (argDimNames[i])
      fn.setArgAttr(i, "kiln.dim_names", argDimNames[i]);
    values[name].value = body->getArgument(i);
  }
  markParameters = options.markParameters;
  // --input-shape may replace static input dims, and with them the dims the
  // model declares for what follows: then only element types and ranks hold.
  checkDims = options.inputShapes.empty();
  for (const auto &init : graph.initializer()) {
    FailureOr<Entry> e = importTensor(init, fileLoc);
    if (failed(e))
      return nullptr;
    values[init.name()] = *e;
    auto type = cast<RankedTensorType>(e->value.getType());
    if (markParameters && isa<FloatType>(type.getElementType()) && type.getRank() >= 1)
      e->value.getDefiningOp()->setAttr("kiln.parameter", builder.getStringAttr(init.name()));
  }
  // A graph input with an initializer of the same name is compiled as that
  // constant (ONNX IR >= 4 makes it a default the caller may override; Kiln
  // takes no such input). Its declaration must still agree with the
  // initializer, and from IR 4, where initializers need not be inputs, the
  // dropped inputs are named once.
  SmallVector<std::string> defaulted;
  for (const auto &in : graph.input()) {
    auto it = values.find(in.name());
    if (!initializerNames.contains(in.name()) || it == values.end())
      continue;
    if (failed(checkDeclared("graph input " + quoted(in.name()) + " (which has an initializer)",
                             in.type(), it->second.value, /*dims=*/true)))
      return nullptr;
    defaulted.push_back(quoted(in.name()));
  }
  if (!defaulted.empty() && model.ir_version() >= 4) {
    InFlightDiagnostic warn = emitWarning(fileLoc)
                              << defaulted.size()
                              << " graph input(s) also have an initializer and are compiled as "
                                 "constants, not inputs (ONNX makes the initializer a default "
                                 "the caller may override; Kiln does not): ";
    for (auto [i, name] : llvm::enumerate(llvm::ArrayRef(defaulted).take_front(8)))
      warn << (i ? ", " : "") << name;
    if (defaulted.size() > 8)
      warn << ", ...";
  }

  for (const auto &node : graph.node())
    if (failed(importNode(node)))
      return nullptr;

  SmallVector<Value> results;
  SmallVector<Attribute> resultNames;
  for (const auto &out : graph.output()) {
    auto it = values.find(out.name());
    if (it == values.end()) {
      emitError(fileLoc) << "graph output " << quoted(out.name()) << " is never computed";
      return nullptr;
    }
    results.push_back(it->second.value);
    resultNames.push_back(builder.getStringAttr(out.name()));
  }
  // The model's own declarations hold: an output declared 2x4 that the
  // graph computes as 2x3 is a broken model (or a misread one), never
  // something to pass on silently. --input-shape may replace static input
  // dims, and with them the output dims the model declares; then only
  // element types and ranks are held.
  bool dims = checkDims;
  for (auto [i, out] : llvm::enumerate(graph.output()))
    if (i < declaredOutputs.size() &&
        failed(checkDeclared("graph output " + quoted(out.name()), declaredOutputs[i],
                             results[i], dims)))
      return nullptr;
  for (const auto &[name, declared] : declaredValues) {
    auto it = values.find(name);
    if (it != values.end() &&
        failed(checkDeclared("value " + quoted(name) + " (value_info)", declared, it->second.value,
                             dims)))
      return nullptr;
  }
  builder.create<func::ReturnOp>(fileLoc, results);
  // Constants that folded into others, and initializers no node reads.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*body)))
    if (isa<nn::ConstantOp>(op) && op.use_empty())
      op.erase();
  fn.setFunctionType(builder.getFunctionType(argTypes, ValueRange(results).getTypes()));
  fn->setAttr("kiln.result_names", builder.getArrayAttr(resultNames));
  // A symbolic output dim takes the graph output's dim_param, so an output
  // [N,1000] shares N with the input that binds it.
  for (auto [i, out] : llvm::enumerate(graph.output())) {
    auto type = dyn_cast<RankedTensorType>(results[i].getType());
    if (!type || type.hasStaticShape() || !out.type().has_tensor_type() ||
        !out.type().tensor_type().has_shape() ||
        out.type().tensor_type().shape().dim_size() != type.getRank())
      continue;
    SmallVector<Attribute> dimNames;
    bool named = false;
    for (auto [axis, size] : llvm::enumerate(type.getShape())) {
      std::string param = out.type().tensor_type().shape().dim(axis).dim_param();
      if (!ShapedType::isDynamic(size) || !isSymbolName(param))
        param.clear();
      named |= !param.empty();
      dimNames.push_back(builder.getStringAttr(param));
    }
    if (named)
      fn.setResultAttr(i, "kiln.dim_names", builder.getArrayAttr(dimNames));
  }
  return module;
}

/// Runs ONNX's shape inference for the cross-check: on a copy, so a run
/// that throws half-way leaves nothing behind, and only at opsets the linked
/// ONNX knows (past them its schemas are older than the model's). Its
/// results (value_info, graph output types) are copied back on success;
/// when it fails the import goes on with Kiln's own inference and a warning.
static void crossCheckShapes(onnx::ModelProto &model, GraphImporter &importer, Location fileLoc) {
  const auto &known = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  auto range = known.find(std::string(OpRegistry::kDefaultDomain));
  if (range != known.end() && importer.opsetOf(OpRegistry::kDefaultDomain) > range->second.second)
    return;
  // Large weights are not copied: inference reads only their dims (the
  // values it propagates are small integer tensors).
  constexpr size_t kCopiedBytes = 1 << 16;
  std::vector<std::pair<onnx::TensorProto *, std::string>> held;
  for (onnx::TensorProto &init : *model.mutable_graph()->mutable_initializer())
    if (init.raw_data().size() > kCopiedBytes && init.data_type() != onnx::TensorProto::INT64 &&
        init.data_type() != onnx::TensorProto::INT32) {
      held.emplace_back(&init, std::string());
      held.back().second.swap(*init.mutable_raw_data());
    }
  onnx::ModelProto copy = model;
  for (auto &[tensor, data] : held)
    tensor->mutable_raw_data()->swap(data);
  try {
    onnx::ShapeInferenceOptions siOptions(/*check_type=*/false, /*strict_mode=*/0,
                                          /*data_prop=*/true);
    onnx::shape_inference::InferShapes(copy, onnx::OpSchemaRegistry::Instance(), siOptions);
  } catch (const std::exception &e) {
    emitWarning(fileLoc) << "ONNX shape inference failed, Kiln's own shape inference decides: "
                         << escaped(e.what());
    return;
  }
  onnx::GraphProto &graph = *model.mutable_graph();
  *graph.mutable_value_info() = copy.graph().value_info();
  for (int i = 0; i < graph.output_size(); ++i)
    *graph.mutable_output(i)->mutable_type() = copy.graph().output(i).type();
}

/// The bytes the tensors of `graph` (initializers and Constant values, in
/// subgraphs too) take, from their dims and types alone (saturating).
static uint64_t weightBytes(const onnx::GraphProto &graph) {
  uint64_t total = 0;
  auto add = [&](const onnx::TensorProto &t) {
    uint64_t n;
    switch (t.data_type()) {
    case onnx::TensorProto::DOUBLE:
    case onnx::TensorProto::INT64:
    case onnx::TensorProto::UINT64:
      n = 8;
      break;
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::INT32:
    case onnx::TensorProto::UINT32:
      n = 4;
      break;
    case onnx::TensorProto::FLOAT16:
    case onnx::TensorProto::BFLOAT16:
    case onnx::TensorProto::INT16:
    case onnx::TensorProto::UINT16:
      n = 2;
      break;
    default:
      n = 1;
    }
    // A negative dim counts nothing here: the tensor's import refuses it.
    for (int64_t d : t.dims())
      if (d < 0)
        n = 0;
      else if (__builtin_mul_overflow(n, static_cast<uint64_t>(d), &n))
        n = UINT64_MAX;
    if (__builtin_add_overflow(total, n, &total))
      total = UINT64_MAX;
  };
  for (const auto &init : graph.initializer())
    add(init);
  for (const auto &node : graph.node())
    for (const auto &a : node.attribute()) {
      if (a.has_t())
        add(a.t());
      if (a.has_g())
        total += std::min(weightBytes(a.g()), UINT64_MAX - total);
      for (const auto &g : a.graphs())
        total += std::min(weightBytes(g), UINT64_MAX - total);
    }
  return total;
}

OwningOpRef<ModuleOp> kiln::onnx_import::importModel(onnx::ModelProto &model, StringRef path,
                                                     Location fileLoc, MLIRContext &context,
                                                     const ONNXImportOptions &options) {
  if (!model.has_graph()) {
    emitError(fileLoc) << "malformed ONNX model: no graph";
    return nullptr;
  }
  // The versions decide which schemas and function bodies apply. Unsupported
  // operators and malformed nodes are reported before ONNX's shape inference
  // runs: it trusts its input and can crash on such nodes.
  GraphImporter importer(context, model, path, OpRegistry::get());
  if (failed(importer.checkVersions()))
    return nullptr;
  expandFunctions(model, OpRegistry::get());
  if (failed(importer.prepare()))
    return nullptr;
  if (options.maxWeightBytes > 0) {
    uint64_t bytes = weightBytes(model.graph());
    if (bytes > options.maxWeightBytes) {
      emitError(fileLoc) << "expects at most " << options.maxWeightBytes
                         << " bytes of weights (what the code of one artifact can address), "
                            "found "
                         << bytes << " in the model's initializers and constants";
      return nullptr;
    }
  }
  importer.recordDeclaredTypes();
  crossCheckShapes(model, importer, fileLoc);
  return importer.run(options);
}
