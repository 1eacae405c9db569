//===- ControlFlow.cpp - If, Loop and Scan as scf regions ----------------===//
//
// If becomes scf.if and Loop scf.while, their subgraphs imported into the
// regions as nn ops (the subgraphs read the enclosing values directly). The
// loop state is carried as tensors; a Loop's scan outputs are written into a
// buffer of trip-count rows and cut to the iterations that ran, so they
// need the trip count M. A result whose branches (or iterations) disagree on
// a dim gets that dim dynamic. Scan is an scf.for over its scan length that
// slices its inputs and writes its outputs row by row (Scan-8's batch is
// unrolled). Sequence and optional values stay unsupported
// (the ops that make them have no handler).
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/ONNX/NodeBinder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::onnx_import;

namespace {

/// The one element of a rank-0 (or single-element) tensor as a scalar.
FailureOr<Value> scalarOf(NodeBinder &b, Value t, StringRef what) {
  RankedTensorType type = typeOf(t);
  if (type.getNumElements() != 1 || !type.hasStaticShape())
    return b.error() << "expects " << what << " to hold one element, found " << type;
  OpBuilder &builder = b.builder();
  SmallVector<Value> zeros(type.getRank(), builder.create<arith::ConstantIndexOp>(b.loc(), 0));
  return builder.create<tensor::ExtractOp>(b.loc(), t, zeros).getResult();
}

/// `a` and `b` with the dims on which they differ dynamic; null when their
/// ranks or element types differ.
RankedTensorType joinTypes(RankedTensorType a, RankedTensorType b) {
  if (a.getRank() != b.getRank() || a.getElementType() != b.getElementType())
    return {};
  SmallVector<int64_t> shape;
  for (auto [x, y] : llvm::zip(a.getShape(), b.getShape()))
    shape.push_back(x == y ? x : ShapedType::kDynamic);
  return a.clone(shape);
}

/// The static shape the subgraph declares for output `i`, or nothing.
std::optional<SmallVector<int64_t>> declaredShape(const onnx::GraphProto &graph, int i) {
  const onnx::TypeProto &type = graph.output(i).type();
  if (!type.has_tensor_type() || !type.tensor_type().has_shape())
    return std::nullopt;
  SmallVector<int64_t> dims;
  for (const auto &d : type.tensor_type().shape().dim()) {
    if (!d.has_dim_value() || d.dim_value() < 0)
      return std::nullopt;
    dims.push_back(d.dim_value());
  }
  return dims;
}

Value castTo(OpBuilder &builder, Location loc, Value v, Type type) {
  return v.getType() == type ? v : builder.create<tensor::CastOp>(loc, type, v).getResult();
}

/// Imports `graph` into a new detached block whose arguments have `argTypes`;
/// `wrap` turns the block arguments into the subgraph's input values.
struct Region {
  std::unique_ptr<Block> block;
  SmallVector<Value> results;
};

FailureOr<Region> importInto(NodeBinder &b, const onnx::GraphProto &graph, TypeRange argTypes,
                             function_ref<SmallVector<Value>(Block &)> wrap) {
  Region r;
  r.block = std::make_unique<Block>();
  for (Type t : argTypes)
    r.block->addArgument(t, b.loc());
  OpBuilder::InsertionGuard guard(b.builder());
  b.builder().setInsertionPointToEnd(r.block.get());
  SmallVector<Value> inputs = wrap(*r.block);
  FailureOr<SmallVector<Value>> results = b.importSubgraph(graph, inputs);
  if (failed(results)) {
    // Ops of a failed import may use each other; drop the uses first.
    for (Operation &op : *r.block)
      op.dropAllUses();
    r.block->clear();
    return failure();
  }
  r.results = *results;
  return r;
}

/// Moves `from`'s ops to the end of `to`, its arguments replaced by `args`.
void splice(Block &from, Block &to, ValueRange args) {
  for (auto [old, repl] : llvm::zip(from.getArguments(), args))
    old.replaceAllUsesWith(repl);
  to.getOperations().splice(to.end(), from.getOperations());
}

LogicalResult importIf(NodeBinder &b) {
  const onnx::GraphProto *thenGraph = b.attrGraph("then_branch");
  const onnx::GraphProto *elseGraph = b.attrGraph("else_branch");
  if (!thenGraph || !elseGraph)
    return b.error() << "expects then_branch and else_branch subgraphs";
  FailureOr<Value> cond = b.input(0);
  if (failed(cond))
    return failure();
  FailureOr<Value> flag = scalarOf(b, *cond, "the condition");
  if (failed(flag))
    return failure();
  auto none = [](Block &) { return SmallVector<Value>(); };
  FailureOr<Region> thenRegion = importInto(b, *thenGraph, {}, none);
  if (failed(thenRegion))
    return failure();
  FailureOr<Region> elseRegion = importInto(b, *elseGraph, {}, none);
  if (failed(elseRegion))
    return failure();
  if (thenRegion->results.size() != elseRegion->results.size() ||
      static_cast<int>(thenRegion->results.size()) < b.numOutputs())
    return b.error() << "expects both branches to give the node's " << b.numOutputs()
                     << " outputs, found " << thenRegion->results.size() << " and "
                     << elseRegion->results.size();
  SmallVector<Type> types;
  for (auto [i, t, e] : llvm::enumerate(thenRegion->results, elseRegion->results)) {
    RankedTensorType joined = joinTypes(typeOf(t), typeOf(e));
    if (!joined)
      return b.error() << "expects output " << i << " of both branches to have one rank and "
                       << "element type, found " << typeOf(t) << " and " << typeOf(e);
    types.push_back(joined);
  }
  OpBuilder &builder = b.builder();
  auto op = builder.create<scf::IfOp>(b.loc(), types, *flag, /*withElseRegion=*/true);
  for (auto [region, block] : {std::pair{&*thenRegion, op.thenBlock()},
                               std::pair{&*elseRegion, op.elseBlock()}}) {
    splice(*region->block, *block, {});
    OpBuilder inner = OpBuilder::atBlockEnd(block);
    SmallVector<Value> yielded;
    for (auto [v, t] : llvm::zip(region->results, types))
      yielded.push_back(castTo(inner, b.loc(), v, t));
    inner.create<scf::YieldOp>(b.loc(), yielded);
  }
  for (int i = 0; i < b.numOutputs(); ++i)
    if (b.hasOutput(i))
      b.define(i, op.getResult(i));
  return success();
}

/// The most rows a scan output may have: the element limit of any tensor.
constexpr int64_t kMaxScanRows = int64_t(1) << 31;

LogicalResult importLoop(NodeBinder &b) {
  const onnx::GraphProto *body = b.attrGraph("body");
  if (!body)
    return b.error() << "expects a body subgraph";
  int64_t carried = std::max(0, b.numInputs() - 2);
  int64_t scans = body->output_size() - 1 - carried;
  if (body->input_size() != carried + 2 || scans < 0)
    return b.error() << "expects a body of " << carried + 2 << " inputs and at least "
                     << carried + 1 << " outputs, found " << body->input_size() << " and "
                     << body->output_size();
  OpBuilder &builder = b.builder();
  Location loc = b.loc();
  Type i64 = builder.getI64Type(), i1 = builder.getI1Type();
  // The trip count (absent: unbounded) and the first condition (absent: true).
  Value trip = builder.create<arith::ConstantOp>(loc, builder.getI64IntegerAttr(INT64_MAX));
  if (b.hasInput(0)) {
    FailureOr<Value> m = b.input(0);
    FailureOr<Value> s = failed(m) ? FailureOr<Value>(failure()) : scalarOf(b, *m, "M");
    if (failed(s))
      return failure();
    trip = *s;
  } else if (scans > 0) {
    return b.error() << "expects a trip count M for a Loop with scan outputs";
  }
  Value go = builder.create<arith::ConstantOp>(loc, builder.getBoolAttr(true));
  if (b.hasInput(1)) {
    FailureOr<Value> c = b.input(1);
    FailureOr<Value> s = failed(c) ? FailureOr<Value>(failure()) : scalarOf(b, *c, "cond");
    if (failed(s))
      return failure();
    go = *s;
  }
  SmallVector<Value> initial;
  for (int64_t i = 0; i < carried; ++i) {
    FailureOr<Value> v = b.input(2 + i);
    if (failed(v))
      return failure();
    initial.push_back(*v);
  }

  // The body, once with the initial types; when an iteration changes a
  // carried value's shape, once more with the dims that changed dynamic.
  SmallVector<Type> state{i64, i1};
  for (Value v : initial)
    state.push_back(v.getType());
  auto wrap = [&](Block &block) {
    OpBuilder &inner = b.builder();
    SmallVector<Value> in{
        inner.create<tensor::FromElementsOp>(loc, RankedTensorType::get({}, i64),
                                             block.getArgument(0)),
        inner.create<tensor::FromElementsOp>(loc, RankedTensorType::get({}, i1),
                                             block.getArgument(1))};
    for (int64_t i = 0; i < carried; ++i)
      in.push_back(block.getArgument(2 + i));
    return in;
  };
  FailureOr<Region> region = failure();
  SmallVector<bool> checkedCarried(carried, false);
  for (int attempt = 0; attempt < 2; ++attempt) {
    checkedCarried.assign(carried, false);
    region = importInto(b, *body, state, wrap);
    if (failed(region))
      return failure();
    bool changed = false;
    for (int64_t i = 0; i < carried; ++i) {
      RankedTensorType was = cast<RankedTensorType>(state[2 + i]);
      RankedTensorType joined = joinTypes(was, typeOf(region->results[1 + i]));
      if (!joined)
        return b.error() << "expects loop-carried value " << i << " to keep its rank and "
                         << "element type, found " << was << " then "
                         << typeOf(region->results[1 + i]);
      // A shape Kiln cannot type but the body declares stays, checked per
      // iteration (below).
      std::optional<SmallVector<int64_t>> declared = declaredShape(*body, 1 + i);
      if (joined != was && was.hasStaticShape() && declared &&
          ArrayRef<int64_t>(*declared) == was.getShape())
        checkedCarried[i] = true;
      else if (joined != was)
        changed = true, state[2 + i] = joined;
    }
    if (!changed)
      break;
    if (attempt == 1)
      return b.error() << "expects the loop-carried shapes to settle after one generalization";
  }
  FailureOr<Value> condOut = [&]() -> FailureOr<Value> {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToEnd(region->block.get());
    return scalarOf(b, region->results[0], "the body's condition output");
  }();
  if (failed(condOut))
    return failure();

  // Scan buffers of M rows (M clamped to [0, kMaxScanRows], checked at run
  // time). A scan value whose shape Kiln cannot type takes the body's
  // declared shape; since a check inside the loop has no error path, each
  // iteration compares the dims with it into a flag that is carried along,
  // a mismatch ends the loop without writing, and the flag is checked after
  // the loop.
  std::string label =
      "node " + quoted(b.node().name().empty() ? b.node().output(0) : b.node().name()) +
      " (Loop): ";
  SmallVector<RankedTensorType> scanTypes, rowTypes;
  SmallVector<Value> buffers;
  bool checked = llvm::is_contained(checkedCarried, true);
  if (scans > 0) {
    Value zero = builder.create<arith::ConstantOp>(loc, builder.getI64IntegerAttr(0));
    Value limit = builder.create<arith::ConstantOp>(loc, builder.getI64IntegerAttr(kMaxScanRows));
    builder.create<cf::AssertOp>(
        loc, builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sle, trip, limit),
        label + "expects a trip count of at most 2^31 with scan outputs");
    Value rows = builder.create<arith::IndexCastOp>(
        loc, builder.getIndexType(), builder.create<arith::MaxSIOp>(loc, trip, zero));
    for (int64_t k = 0; k < scans; ++k) {
      RankedTensorType t = typeOf(region->results[1 + carried + k]);
      if (!t.hasStaticShape()) {
        std::optional<SmallVector<int64_t>> dims = declaredShape(*body, 1 + carried + k);
        RankedTensorType fixed = dims ? t.clone(*dims) : RankedTensorType();
        if (!fixed || fixed.getRank() != t.getRank() || joinTypes(t, fixed) != t)
          return b.error() << "expects scan output " << k
                           << " of a static shape (or one the body declares), found " << t;
        t = fixed;
        checked = true;
      }
      rowTypes.push_back(t);
      SmallVector<int64_t> shape{ShapedType::kDynamic};
      shape.append(t.getShape().begin(), t.getShape().end());
      scanTypes.push_back(t.clone(shape));
      buffers.push_back(builder.create<tensor::EmptyOp>(loc, scanTypes.back(), ValueRange{rows}));
    }
  }

  SmallVector<Value> operands{
      builder.create<arith::ConstantOp>(loc, builder.getI64IntegerAttr(0)), go};
  for (auto [v, t] : llvm::zip(initial, ArrayRef<Type>(state).drop_front(2)))
    operands.push_back(castTo(builder, loc, v, t));
  operands.append(buffers);
  int64_t flagAt = operands.size();
  if (checked)
    operands.push_back(builder.create<arith::ConstantOp>(loc, builder.getBoolAttr(true)));
  SmallVector<Type> types = llvm::to_vector(ValueRange(operands).getTypes());
  SmallVector<Location> locs(types.size(), loc);
  auto loop = builder.create<scf::WhileOp>(loc, types, operands);
  {
    Block *before = builder.createBlock(&loop.getBefore(), {}, types, locs);
    Value more = builder.create<arith::AndIOp>(
        loc, before->getArgument(1),
        builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, before->getArgument(0),
                                      trip));
    builder.create<scf::ConditionOp>(loc, more, before->getArguments());
    Block *after = builder.createBlock(&loop.getAfter(), {}, types, locs);
    // A body output that is a body input (a value carried unchanged) is
    // the new block's argument.
    for (Value &v : region->results)
      if (auto arg = dyn_cast<BlockArgument>(v); arg && arg.getOwner() == region->block.get())
        v = after->getArgument(arg.getArgNumber());
    if (auto arg = dyn_cast<BlockArgument>(*condOut); arg && arg.getOwner() == region->block.get())
      *condOut = after->getArgument(arg.getArgNumber());
    splice(*region->block, *after, after->getArguments().take_front(2 + carried));
    Value ok = builder.create<arith::ConstantOp>(loc, builder.getBoolAttr(true));
    auto sameDims = [&](Value v, RankedTensorType want) {
      for (int64_t d = 0; d < want.getRank(); ++d)
        if (typeOf(v).isDynamicDim(d))
          ok = builder.create<arith::AndIOp>(
              loc, ok,
              builder.create<arith::CmpIOp>(
                  loc, arith::CmpIPredicate::eq, builder.create<tensor::DimOp>(loc, v, d),
                  builder.create<arith::ConstantIndexOp>(loc, want.getDimSize(d))));
    };
    for (int64_t i = 0; i < carried; ++i)
      if (checkedCarried[i])
        sameDims(region->results[1 + i], cast<RankedTensorType>(state[2 + i]));
    for (int64_t k = 0; k < scans; ++k)
      sameDims(region->results[1 + carried + k], rowTypes[k]);
    SmallVector<Value> next{
        builder.create<arith::AddIOp>(loc, after->getArgument(0),
                                      builder.create<arith::ConstantOp>(
                                          loc, builder.getI64IntegerAttr(1))),
        checked ? builder.create<arith::AndIOp>(loc, *condOut, ok).getResult() : *condOut};
    for (int64_t i = 0; i < carried; ++i) {
      Value v = region->results[1 + i];
      if (!checkedCarried[i]) {
        next.push_back(castTo(builder, loc, v, state[2 + i]));
        continue;
      }
      // Only a value of the declared shape is carried on; otherwise the
      // loop ends here and the check after it fails.
      next.push_back(builder.create<arith::SelectOp>(loc, ok, castTo(builder, loc, v, state[2 + i]),
                                                     after->getArgument(2 + i)));
    }
    Value row = builder.create<arith::IndexCastOp>(loc, builder.getIndexType(),
                                                   after->getArgument(0));
    auto writeRows = [&](OpBuilder &w) {
      SmallVector<Value> written;
      for (int64_t k = 0; k < scans; ++k) {
        Value v = castTo(w, loc, region->results[1 + carried + k], rowTypes[k]);
        RankedTensorType t = rowTypes[k];
        SmallVector<OpFoldResult> offsets(t.getRank() + 1, w.getIndexAttr(0));
        offsets[0] = row;
        SmallVector<OpFoldResult> sizes{w.getIndexAttr(1)};
        for (int64_t d : t.getShape())
          sizes.push_back(w.getIndexAttr(d));
        SmallVector<OpFoldResult> strides(t.getRank() + 1, w.getIndexAttr(1));
        written.push_back(w.create<tensor::InsertSliceOp>(
            loc, v, after->getArgument(2 + carried + k), offsets, sizes, strides));
      }
      return written;
    };
    if (!checked) {
      next.append(writeRows(builder));
    } else {
      auto write = builder.create<scf::IfOp>(
          loc, ok,
          [&](OpBuilder &w, Location l) { w.create<scf::YieldOp>(l, writeRows(w)); },
          [&](OpBuilder &w, Location l) {
            w.create<scf::YieldOp>(l, after->getArguments().slice(2 + carried, scans));
          });
      next.append(write.getResults().begin(), write.getResults().end());
      next.push_back(builder.create<arith::AndIOp>(loc, after->getArgument(flagAt), ok));
    }
    builder.create<scf::YieldOp>(loc, next);
  }
  builder.setInsertionPointAfter(loop);
  if (checked)
    builder.create<cf::AssertOp>(loc, loop.getResult(flagAt),
                                 label + "expects the loop-carried and scan values of the "
                                         "shapes the body declares");
  for (int64_t i = 0; i < carried; ++i)
    if (b.hasOutput(i))
      b.define(i, loop.getResult(2 + i));
  Value ran = builder.create<arith::IndexCastOp>(loc, builder.getIndexType(), loop.getResult(0));
  for (int64_t k = 0; k < scans; ++k) {
    if (!b.hasOutput(carried + k))
      continue;
    RankedTensorType t = scanTypes[k];
    SmallVector<OpFoldResult> offsets(t.getRank(), builder.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes{ran};
    for (int64_t d : t.getShape().drop_front())
      sizes.push_back(builder.getIndexAttr(d));
    SmallVector<OpFoldResult> strides(t.getRank(), builder.getIndexAttr(1));
    b.define(carried + k, builder.create<tensor::ExtractSliceOp>(
                              loc, t, loop.getResult(2 + carried + k), offsets, sizes, strides));
  }
  return success();
}


/// What one Scan runs: its states and scan inputs, and per scan input and
/// output the axis and whether it runs backwards.
struct ScanSpec {
  SmallVector<Value> states, inputs;
  SmallVector<int64_t> inAxes, outAxes;
  SmallVector<bool> inReverse, outReverse;
  int64_t numOutputs = 0;
};

/// The body of a Scan as an scf.for over the scan length T: iteration t
/// reads row t (T - 1 - t when reversed) of each scan input along its axis
/// and writes each scan output row there. Returns the final states, then
/// the scan outputs.
FailureOr<SmallVector<Value>> emitScan(NodeBinder &b, const onnx::GraphProto &body,
                                       const ScanSpec &spec, StringRef label) {
  OpBuilder &builder = b.builder();
  Location loc = b.loc();
  int64_t n = spec.states.size(), m = spec.inputs.size();
  auto idx = [&](int64_t v) { return builder.create<arith::ConstantIndexOp>(loc, v); };
  // The scan length: every scan input's length along its axis.
  Value length;
  int64_t staticLength = ShapedType::kDynamic;
  for (int64_t j = 0; j < m; ++j) {
    RankedTensorType t = typeOf(spec.inputs[j]);
    int64_t d = t.getDimSize(spec.inAxes[j]);
    Value dim = builder.createOrFold<tensor::DimOp>(loc, spec.inputs[j], spec.inAxes[j]);
    if (!length) {
      length = dim, staticLength = d;
      continue;
    }
    if (!ShapedType::isDynamic(d) && !ShapedType::isDynamic(staticLength) && d != staticLength)
      return b.error() << "expects scan inputs of one length, found " << staticLength << " and "
                       << d;
    if (ShapedType::isDynamic(d) || ShapedType::isDynamic(staticLength))
      builder.create<cf::AssertOp>(
          loc, builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, length, dim),
          (label + "expects scan inputs of one length").str());
    if (ShapedType::isDynamic(staticLength))
      staticLength = d;
  }
  Value zero = idx(0), one = idx(1), last = builder.create<arith::SubIOp>(loc, length, one);

  // Row j of a scan input: the input without its axis.
  SmallVector<RankedTensorType> rowTypes;
  for (int64_t j = 0; j < m; ++j) {
    SmallVector<int64_t> shape(typeOf(spec.inputs[j]).getShape());
    shape.erase(shape.begin() + spec.inAxes[j]);
    rowTypes.push_back(typeOf(spec.inputs[j]).clone(shape));
  }
  auto at = [&](OpBuilder &w, Value t, bool reverse) -> Value {
    return reverse ? w.create<arith::SubIOp>(loc, last, t).getResult() : t;
  };
  auto rowSlice = [&](OpBuilder &w, RankedTensorType full, int64_t axis, Value pos,
                      Value of) {
    SmallVector<OpFoldResult> offsets(full.getRank(), w.getIndexAttr(0)), sizes,
        strides(full.getRank(), w.getIndexAttr(1));
    offsets[axis] = pos;
    for (int64_t d = 0; d < full.getRank(); ++d)
      sizes.push_back(d == axis ? OpFoldResult(w.getIndexAttr(1))
                      : full.isDynamicDim(d)
                          ? OpFoldResult(w.createOrFold<tensor::DimOp>(loc, of, d))
                          : OpFoldResult(w.getIndexAttr(full.getDimSize(d))));
    return std::make_tuple(offsets, sizes, strides);
  };

  SmallVector<Type> argTypes{builder.getIndexType()};
  for (Value v : spec.states)
    argTypes.push_back(v.getType());
  auto wrap = [&](Block &block) {
    OpBuilder &inner = b.builder();
    SmallVector<Value> in(block.getArguments().slice(1, n));
    for (int64_t j = 0; j < m; ++j) {
      auto [offsets, sizes, strides] =
          rowSlice(inner, typeOf(spec.inputs[j]), spec.inAxes[j],
                   at(inner, block.getArgument(0), spec.inReverse[j]), spec.inputs[j]);
      in.push_back(inner.create<tensor::ExtractSliceOp>(loc, rowTypes[j], spec.inputs[j],
                                                        offsets, sizes, strides));
    }
    return in;
  };
  FailureOr<Region> region = importInto(b, body, argTypes, wrap);
  if (failed(region))
    return failure();
  for (int64_t i = 0; i < n; ++i) {
    RankedTensorType want = typeOf(spec.states[i]), got = typeOf(region->results[i]);
    if (!joinTypes(want, got) || (got != want && !got.hasStaticShape()))
      return b.error() << "expects state " << i << " to keep its type " << want << ", found "
                       << got;
  }
  // Scan output buffers: the row type with the scan length at the axis.
  SmallVector<RankedTensorType> outTypes;
  SmallVector<Value> inits(spec.states);
  for (int64_t k = 0; k < spec.numOutputs; ++k) {
    RankedTensorType row = typeOf(region->results[n + k]);
    if (!row.hasStaticShape())
      return b.error() << "expects scan output " << k << " of a static shape, found " << row;
    int64_t axis = spec.outAxes[k];
    if (axis < 0)
      axis += row.getRank() + 1;
    if (axis < 0 || axis > row.getRank())
      return b.error() << "expects scan_output_axes[" << k << "] in [" << -row.getRank() - 1
                       << ", " << row.getRank() << "], found " << spec.outAxes[k];
    SmallVector<int64_t> shape(row.getShape());
    shape.insert(shape.begin() + axis, staticLength);
    outTypes.push_back(row.clone(shape));
    inits.push_back(builder.create<tensor::EmptyOp>(
        loc, outTypes.back(), ShapedType::isDynamic(staticLength) ? ValueRange{length}
                                                                   : ValueRange{}));
  }

  auto loop = builder.create<scf::ForOp>(loc, zero, length, one, inits);
  Block *loopBody = loop.getBody();
  // Without iteration arguments the builder adds an empty yield; ours comes last.
  if (!loopBody->empty())
    loopBody->back().erase();
  for (Value &v : region->results)
    if (auto arg = dyn_cast<BlockArgument>(v); arg && arg.getOwner() == region->block.get())
      v = loopBody->getArgument(arg.getArgNumber());
  splice(*region->block, *loopBody, loopBody->getArguments().take_front(1 + n));
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(loopBody);
  SmallVector<Value> next;
  for (int64_t i = 0; i < n; ++i)
    next.push_back(castTo(builder, loc, region->results[i], spec.states[i].getType()));
  Value iv = loop.getInductionVar();
  for (int64_t k = 0; k < spec.numOutputs; ++k) {
    RankedTensorType full = outTypes[k];
    int64_t axis = spec.outAxes[k] < 0 ? spec.outAxes[k] + full.getRank() : spec.outAxes[k];
    Value buffer = loopBody->getArgument(1 + n + k);
    auto [offsets, sizes, strides] =
        rowSlice(builder, full, axis, at(builder, iv, spec.outReverse[k]), buffer);
    next.push_back(builder.create<tensor::InsertSliceOp>(loc, region->results[n + k], buffer,
                                                         offsets, sizes, strides));
  }
  builder.create<scf::YieldOp>(loc, next);
  return SmallVector<Value>(loop.getResults().begin(), loop.getResults().end());
}

/// A list attribute of `count` entries, `dflt` each when absent.
FailureOr<SmallVector<int64_t>> listAttr(NodeBinder &b, StringRef name, int64_t count,
                                         int64_t dflt) {
  SmallVector<int64_t> v = b.attrInts(name);
  if (!b.hasAttr(name))
    return SmallVector<int64_t>(count, dflt);
  if (static_cast<int64_t>(v.size()) != count)
    return b.error() << "expects " << name << " of " << count << " entries, found " << v.size();
  return v;
}

LogicalResult importScan(NodeBinder &b) {
  const onnx::GraphProto *body = b.attrGraph("body");
  if (!body)
    return b.error() << "expects a body subgraph";
  int64_t m = b.attrInt("num_scan_inputs", -1);
  // Scan-8 has sequence_lens first and a batch dimension on everything.
  bool batched = b.opset() < 9;
  int64_t first = batched ? 1 : 0;
  int64_t n = b.numInputs() - first - m;
  if (m < 1 || n < 0)
    return b.error() << "expects num_scan_inputs from 1 to the number of inputs, found " << m;
  int64_t k = body->output_size() - n;
  if (body->input_size() != n + m || k < 0)
    return b.error() << "expects a body of " << n + m << " inputs and at least " << n
                     << " outputs, found " << body->input_size() << " and "
                     << body->output_size();
  if (batched && b.hasInput(0))
    return b.error() << "sequence_lens is not supported (scans of unequal lengths)";
  ScanSpec spec;
  spec.numOutputs = k;
  for (int64_t i = 0; i < n + m; ++i) {
    FailureOr<Value> v = b.input(first + i);
    if (failed(v))
      return failure();
    (i < n ? spec.states : spec.inputs).push_back(*v);
  }
  auto dirs = listAttr(b, batched ? "directions" : "scan_input_directions", m, 0);
  auto inAxes = batched ? FailureOr<SmallVector<int64_t>>(SmallVector<int64_t>(m, 1))
                        : listAttr(b, "scan_input_axes", m, 0);
  auto outDirs = batched ? FailureOr<SmallVector<int64_t>>(SmallVector<int64_t>(k, 0))
                         : listAttr(b, "scan_output_directions", k, 0);
  auto outAxes = batched ? FailureOr<SmallVector<int64_t>>(SmallVector<int64_t>(k, 0))
                         : listAttr(b, "scan_output_axes", k, 0);
  if (failed(dirs) || failed(inAxes) || failed(outDirs) || failed(outAxes))
    return failure();
  for (int64_t j = 0; j < m; ++j) {
    int64_t rank = typeOf(spec.inputs[j]).getRank(), axis = (*inAxes)[j];
    if (axis < 0)
      axis += rank;
    if (axis < 0 || axis >= rank)
      return b.error() << "expects scan_input_axes[" << j << "] in [" << -rank << ", "
                       << rank - 1 << "], found " << (*inAxes)[j];
    spec.inAxes.push_back(axis);
    spec.inReverse.push_back((*dirs)[j] != 0);
  }
  for (int64_t o = 0; o < k; ++o)
    spec.outReverse.push_back((*outDirs)[o] != 0);
  spec.outAxes = *outAxes;
  std::string label =
      "node " + quoted(b.node().name().empty() ? b.node().output(0) : b.node().name()) +
      " (Scan): ";
  if (!batched) {
    FailureOr<SmallVector<Value>> results = emitScan(b, *body, spec, label);
    if (failed(results))
      return failure();
    for (auto [i, v] : llvm::enumerate(*results))
      if (b.hasOutput(i))
        b.define(i, v);
    return success();
  }

  // Scan-8: the body runs per batch entry (the batch is static and small
  // in the models that use this old form); the results are stacked again.
  OpBuilder &builder = b.builder();
  Location loc = b.loc();
  int64_t batch = ShapedType::kDynamic;
  for (Value v : llvm::concat<Value>(spec.states, spec.inputs))
    if (typeOf(v).getRank() < 1 || typeOf(v).isDynamicDim(0) ||
        (!ShapedType::isDynamic(batch) && typeOf(v).getDimSize(0) != batch))
      return b.error() << "expects a static batch dimension shared by every input, found "
                       << v.getType();
    else
      batch = typeOf(v).getDimSize(0);
  auto entry = [&](Value v, int64_t i) -> Value {
    RankedTensorType t = typeOf(v);
    SmallVector<OpFoldResult> offsets(t.getRank(), builder.getIndexAttr(0)), sizes,
        strides(t.getRank(), builder.getIndexAttr(1));
    offsets[0] = builder.getIndexAttr(i);
    sizes.push_back(builder.getIndexAttr(1));
    for (int64_t d = 1; d < t.getRank(); ++d)
      sizes.push_back(t.isDynamicDim(d)
                          ? OpFoldResult(builder.createOrFold<tensor::DimOp>(loc, v, d))
                          : OpFoldResult(builder.getIndexAttr(t.getDimSize(d))));
    return builder.create<tensor::ExtractSliceOp>(
        loc, RankedTensorType::get(t.getShape().drop_front(), t.getElementType()), v, offsets,
        sizes, strides);
  };
  SmallVector<SmallVector<Value>> perEntry;
  for (int64_t i = 0; i < batch; ++i) {
    ScanSpec one = spec;
    for (auto [dst, src] : llvm::zip(one.states, spec.states))
      dst = entry(src, i);
    for (auto [j, src] : llvm::enumerate(spec.inputs)) {
      one.inputs[j] = entry(src, i);
      one.inAxes[j] = 0;
    }
    FailureOr<SmallVector<Value>> results = emitScan(b, *body, one, label);
    if (failed(results))
      return failure();
    perEntry.push_back(*results);
  }
  for (int64_t r = 0; r < n + k; ++r) {
    if (!b.hasOutput(r))
      continue;
    RankedTensorType row = typeOf(perEntry[0][r]);
    SmallVector<int64_t> shape{batch};
    shape.append(row.getShape().begin(), row.getShape().end());
    RankedTensorType full = row.clone(shape);
    SmallVector<Value> dyn;
    for (int64_t d = 0; d < row.getRank(); ++d)
      if (row.isDynamicDim(d))
        dyn.push_back(builder.createOrFold<tensor::DimOp>(loc, perEntry[0][r], d));
    Value acc = builder.create<tensor::EmptyOp>(loc, full, dyn);
    for (int64_t i = 0; i < batch; ++i) {
      SmallVector<OpFoldResult> offsets(full.getRank(), builder.getIndexAttr(0)),
          strides(full.getRank(), builder.getIndexAttr(1)), sizes{builder.getIndexAttr(1)};
      offsets[0] = builder.getIndexAttr(i);
      for (int64_t d = 0; d < row.getRank(); ++d)
        sizes.push_back(row.isDynamicDim(d)
                            ? OpFoldResult(builder.createOrFold<tensor::DimOp>(loc, perEntry[i][r], d))
                            : OpFoldResult(builder.getIndexAttr(row.getDimSize(d))));
      acc = builder.create<tensor::InsertSliceOp>(loc, castTo(builder, loc, perEntry[i][r], row),
                                                  acc, offsets, sizes, strides);
    }
    b.define(r, acc);
  }
  return success();
}

} // namespace

void kiln::onnx_import::registerControlFlowOps(OpRegistry &r) {
  r.on("If", 1, importIf);
  r.on("Loop", 1, importLoop);
  r.on("Scan", 8, importScan);
}
