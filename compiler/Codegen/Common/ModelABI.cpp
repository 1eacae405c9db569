//===- ModelABI.cpp - the typed description of a model's entry points ----===//

#include "compiler/Codegen/Common/ModelABI.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace kiln::abi;

bool kiln::abi::isIdentifier(StringRef s) {
  if (s.empty() || llvm::isDigit(s.front()))
    return false;
  return llvm::all_of(s, [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

StringRef kiln::abi::dtypeName(Type t) {
  if (t.isF32())
    return "f32";
  if (t.isF64())
    return "f64";
  if (t.isF16())
    return "f16";
  if (t.isBF16())
    return "bf16";
  if (t.isSignlessInteger(1))
    return "bool";
  if (t.isSignlessInteger(8))
    return "i8";
  if (t.isSignlessInteger(16))
    return "i16";
  if (t.isSignlessInteger(32))
    return "i32";
  if (t.isSignlessInteger(64))
    return "i64";
  if (t.isUnsignedInteger(8))
    return "u8";
  if (t.isUnsignedInteger(16))
    return "u16";
  if (t.isUnsignedInteger(32))
    return "u32";
  if (t.isUnsignedInteger(64))
    return "u64";
  return "";
}

/// The dtype names the runtime knows (kiln_dtype_from_name).
static bool isRuntimeDtype(StringRef name) {
  return llvm::is_contained({"f32", "f64", "f16", "bf16", "i8", "i16", "i32", "i64", "u8", "u16",
                             "u32", "u64", "bool"},
                            name);
}

namespace {
/// Reads the attribute, reporting the first malformed part against the module.
struct Reader {
  ModuleOp module;

  InFlightDiagnostic error() { return module.emitError(); }

  FailureOr<TensorSpec> readValue(StringRef entry, StringRef kind, Attribute attr) {
    auto dict = dyn_cast<DictionaryAttr>(attr);
    auto name = dict ? dict.getAs<StringAttr>("name") : StringAttr();
    auto dtype = dict ? dict.getAs<StringAttr>("dtype") : StringAttr();
    auto shape = dict ? dict.getAs<ArrayAttr>("shape") : ArrayAttr();
    if (!name || !dtype || !shape || dict.size() != 3) {
      error() << "expects each " << kind << " of kiln.abi entry '" << entry
              << "' to be {name = \"...\", dtype = \"...\", shape = [...]}, found " << attr;
      return failure();
    }
    if (!isRuntimeDtype(dtype.getValue())) {
      error() << "expects the dtype of " << kind << " '" << name.getValue() << "' of entry '"
              << entry << "' to be one of f32 f64 f16 bf16 i8 i16 i32 i64 u8 u16 u32 u64 bool, found '"
              << dtype.getValue() << "'";
      return failure();
    }
    TensorSpec value{name.getValue().str(), dtype.getValue().str(), {}};
    for (Attribute d : shape) {
      auto size = dyn_cast<IntegerAttr>(d);
      auto symbol = dyn_cast<StringAttr>(d);
      if (size && size.getType().isInteger(64) && size.getInt() >= 0) {
        value.shape.push_back({size.getInt(), ""});
      } else if (symbol && isIdentifier(symbol.getValue())) {
        value.shape.push_back({0, symbol.getValue().str()});
      } else {
        error() << "expects each dim of " << kind << " '" << name.getValue() << "' of entry '"
                << entry << "' to be a size >= 0 or an identifier symbol, found " << d;
        return failure();
      }
    }
    return value;
  }

  LogicalResult readValues(Entry &entry, StringRef kind, ArrayAttr values,
                           std::vector<TensorSpec> &out) {
    llvm::StringSet<> seen;
    for (Attribute attr : values) {
      FailureOr<TensorSpec> value = readValue(entry.name, kind, attr);
      if (failed(value))
        return failure();
      if (!seen.insert(value->name).second)
        return error() << "expects distinct " << kind << " names in kiln.abi entry '"
                       << entry.name << "', found '" << value->name << "' twice";
      out.push_back(std::move(*value));
    }
    return success();
  }

  /// A bound is >= 1 and names a symbol some input has, so the runtime can
  /// check it before a run.
  LogicalResult readBounds(Entry &entry, DictionaryAttr bounds) {
    llvm::StringSet<> inputSymbols;
    for (const TensorSpec &v : entry.inputs)
      for (const Dim &d : v.shape)
        if (d.isSymbolic())
          inputSymbols.insert(d.symbol);
    for (NamedAttribute bound : bounds) {
      auto value = dyn_cast<IntegerAttr>(bound.getValue());
      StringRef symbol = bound.getName().getValue();
      if (!value || !value.getType().isInteger(64) || value.getInt() < 1)
        return error() << "expects the bound of '" << symbol << "' in kiln.abi entry '"
                       << entry.name << "' to be an i64 >= 1, found " << bound.getValue();
      if (!inputSymbols.contains(symbol))
        return error() << "expects bounded symbol '" << symbol << "' of kiln.abi entry '"
                       << entry.name << "' to be a dim of one of its inputs, found none";
      entry.bounds[symbol.str()] = value.getInt();
    }
    return success();
  }

  FailureOr<Entry> readEntry(Attribute attr) {
    auto dict = dyn_cast<DictionaryAttr>(attr);
    auto name = dict ? dict.getAs<StringAttr>("name") : StringAttr();
    auto function = dict ? dict.getAs<FlatSymbolRefAttr>("function") : FlatSymbolRefAttr();
    auto inputs = dict ? dict.getAs<ArrayAttr>("inputs") : ArrayAttr();
    auto outputs = dict ? dict.getAs<ArrayAttr>("outputs") : ArrayAttr();
    auto workspace = dict ? dict.getAs<IntegerAttr>("workspace") : IntegerAttr();
    Attribute boundsAttr = dict ? dict.get("bounds") : Attribute();
    auto bounds = dyn_cast_or_null<DictionaryAttr>(boundsAttr);
    Attribute unsharedAttr = dict ? dict.get("unshared") : Attribute();
    auto unshared = dyn_cast_or_null<IntegerAttr>(unsharedAttr);
    if (!name || !function || !inputs || !outputs || !workspace || (boundsAttr && !bounds) ||
        (unsharedAttr && !unshared) ||
        dict.size() != 5u + (bounds ? 1 : 0) + (unshared ? 1 : 0)) {
      error() << "expects each kiln.abi entry to be {name = \"...\", function = @f, inputs = "
                 "[...], outputs = [...], workspace = N} with an optional bounds = {S = N} "
                 "and unshared = N, found "
              << attr;
      return failure();
    }
    if (!isIdentifier(name.getValue())) {
      error() << "expects kiln.abi entry names of letters, digits and '_' not starting with a "
                 "digit, found '"
              << name.getValue() << "'";
      return failure();
    }
    if (workspace.getInt() < 0) {
      error() << "expects the workspace of kiln.abi entry '" << name.getValue()
              << "' to be >= 0, found " << workspace.getInt();
      return failure();
    }
    if (unshared && unshared.getInt() < 0) {
      error() << "expects the unshared bytes of kiln.abi entry '" << name.getValue()
              << "' to be >= 0, found " << unshared.getInt();
      return failure();
    }
    Entry entry{name.getValue().str(), function.getValue().str(), {}, {}, workspace.getInt()};
    if (unshared)
      entry.unshared = unshared.getInt();
    if (failed(readValues(entry, "input", inputs, entry.inputs)) ||
        failed(readValues(entry, "output", outputs, entry.outputs)))
      return failure();
    if (bounds && failed(readBounds(entry, bounds)))
      return failure();
    return entry;
  }
};
} // namespace

/// The losses a training artifact may name (the runtime's accuracy depends on it).
static bool isTrainingLoss(StringRef loss) {
  return llvm::is_contained({"softmax-cross-entropy", "nll", "mse", "bce-logits"}, loss);
}

/// Reads kiln.training and checks it against the entries already read: the
/// runtime finds STATE by position, so init's outputs must be exactly it.
static FailureOr<Training> readTraining(ModuleOp module, Attribute attr, const ModelABI &abi) {
  auto dict = dyn_cast<DictionaryAttr>(attr);
  auto loss = dict ? dict.getAs<StringAttr>("loss") : StringAttr();
  auto label = dict ? dict.getAs<StringAttr>("label") : StringAttr();
  auto source = dict ? dict.getAs<StringAttr>("source") : StringAttr();
  auto state = dict ? dict.getAs<ArrayAttr>("state") : ArrayAttr();
  auto digest = dict ? dict.getAs<StringAttr>("source_sha256") : StringAttr();
  if (!loss || !label || !source || !state || dict.size() != (digest ? 5u : 4u)) {
    module.emitError() << "expects kiln.training to be {loss = \"...\", label = \"...\", "
                          "source = \"...\", state = [...]} and optionally source_sha256 = "
                          "\"...\", found "
                       << attr;
    return failure();
  }
  if (digest && (digest.getValue().size() != 64 ||
                 !llvm::all_of(digest.getValue(), [](char c) {
                   return llvm::isDigit(c) || (c >= 'a' && c <= 'f');
                 }))) {
    module.emitError() << "expects the kiln.training source_sha256 to be 64 lower-case hex "
                          "digits, found '"
                       << digest.getValue() << "'";
    return failure();
  }
  if (!isTrainingLoss(loss.getValue())) {
    module.emitError() << "expects the kiln.training loss to be one of softmax-cross-entropy nll "
                          "mse bce-logits, found '"
                       << loss.getValue() << "'";
    return failure();
  }
  if (label.getValue().empty() || source.getValue().empty()) {
    module.emitError() << "expects a non-empty kiln.training "
                       << (label.getValue().empty() ? "label" : "source") << ", found \"\"";
    return failure();
  }
  Training training{loss.getValue().str(), label.getValue().str(), source.getValue().str(), {},
                    digest ? digest.getValue().str() : std::string()};
  llvm::StringSet<> seen;
  for (Attribute s : state) {
    auto item = dyn_cast<DictionaryAttr>(s);
    auto name = item ? item.getAs<StringAttr>("name") : StringAttr();
    auto kind = item ? item.getAs<StringAttr>("kind") : StringAttr();
    if (!name || !kind || item.size() != 2 || name.getValue().empty()) {
      module.emitError() << "expects each kiln.training state to be {name = \"...\", kind = "
                            "\"...\"} with a non-empty name, found "
                         << s;
      return failure();
    }
    if (!llvm::is_contained({"parameter", "buffer", "optimizer"}, kind.getValue())) {
      module.emitError() << "expects the kind of kiln.training state '" << name.getValue()
                         << "' to be parameter, buffer or optimizer, found '" << kind.getValue()
                         << "'";
      return failure();
    }
    if (!seen.insert(name.getValue()).second) {
      module.emitError() << "expects distinct kiln.training state names, found '"
                         << name.getValue() << "' twice";
      return failure();
    }
    training.state.push_back({name.getValue().str(), kind.getValue().str()});
  }
  const Entry *init = nullptr;
  for (StringRef required : {"init", "train_step", "eval", "infer"}) {
    auto it = llvm::find_if(abi.entries, [&](const Entry &e) { return e.name == required; });
    if (it == abi.entries.end()) {
      module.emitError() << "expects a training artifact to have an entry '" << required
                         << "', found none";
      return failure();
    }
    if (required == "init")
      init = &*it;
  }
  bool same = init->outputs.size() == training.state.size();
  for (size_t i = 0; same && i < training.state.size(); ++i)
    same = init->outputs[i].name == training.state[i].name;
  if (!same) {
    std::string names;
    for (const TensorSpec &v : init->outputs)
      names += (names.empty() ? "'" : ", '") + v.name + "'";
    module.emitError() << "expects the outputs of entry 'init' to be the kiln.training state in "
                          "order, found "
                       << (names.empty() ? std::string("none") : names);
    return failure();
  }
  return training;
}

FailureOr<ModelABI> kiln::abi::readABI(ModuleOp module) {
  Attribute attr = module->getAttr(kAttrName);
  if (!attr)
    return module.emitError("expects the kiln.abi module attribute (run kiln-record-signature "
                            "first), found none");
  auto dict = dyn_cast<DictionaryAttr>(attr);
  auto entries = dict ? dict.getAs<ArrayAttr>("entries") : ArrayAttr();
  if (!entries || dict.size() != 1 || entries.empty())
    return module.emitError("expects kiln.abi to be {entries = [...]} with at least one entry, "
                            "found ")
           << attr;
  Reader reader{module};
  ModelABI abi;
  llvm::StringSet<> names;
  for (Attribute e : entries) {
    FailureOr<Entry> entry = reader.readEntry(e);
    if (failed(entry))
      return failure();
    if (!names.insert(entry->name).second)
      return module.emitError("expects distinct kiln.abi entry names, found '")
             << entry->name << "' twice";
    abi.entries.push_back(std::move(*entry));
  }
  if (Attribute training = module->getAttr(kTrainingAttrName)) {
    FailureOr<Training> read = readTraining(module, training, abi);
    if (failed(read))
      return failure();
    abi.training = std::move(*read);
  }
  return abi;
}

void kiln::abi::writeABI(ModuleOp module, const ModelABI &abi) {
  Builder b(module.getContext());
  auto values = [&](ArrayRef<TensorSpec> specs) {
    SmallVector<Attribute> out;
    for (const TensorSpec &v : specs) {
      SmallVector<Attribute> shape;
      for (const Dim &d : v.shape)
        shape.push_back(d.isSymbolic() ? Attribute(b.getStringAttr(d.symbol))
                                       : Attribute(b.getI64IntegerAttr(d.size)));
      out.push_back(b.getDictionaryAttr({b.getNamedAttr("name", b.getStringAttr(v.name)),
                                         b.getNamedAttr("dtype", b.getStringAttr(v.dtype)),
                                         b.getNamedAttr("shape", b.getArrayAttr(shape))}));
    }
    return b.getArrayAttr(out);
  };
  SmallVector<Attribute> entries;
  for (const Entry &e : abi.entries) {
    SmallVector<NamedAttribute> fields = {
        b.getNamedAttr("name", b.getStringAttr(e.name)),
        b.getNamedAttr("function", FlatSymbolRefAttr::get(b.getContext(), e.function)),
        b.getNamedAttr("inputs", values(e.inputs)), b.getNamedAttr("outputs", values(e.outputs)),
        b.getNamedAttr("workspace", b.getI64IntegerAttr(e.workspace))};
    // Absent rather than empty, so entries without bounds read as before.
    if (!e.bounds.empty()) {
      SmallVector<NamedAttribute> bounds;
      for (const auto &[symbol, bound] : e.bounds)
        bounds.push_back(b.getNamedAttr(symbol, b.getI64IntegerAttr(bound)));
      fields.push_back(b.getNamedAttr("bounds", b.getDictionaryAttr(bounds)));
    }
    if (e.unshared)
      fields.push_back(b.getNamedAttr("unshared", b.getI64IntegerAttr(*e.unshared)));
    entries.push_back(b.getDictionaryAttr(fields));
  }
  module->setAttr(kAttrName,
                  b.getDictionaryAttr({b.getNamedAttr("entries", b.getArrayAttr(entries))}));
}

/// Percent-encodes the bytes the signature's line format cannot hold.
static std::string encodeName(StringRef name) {
  std::string out;
  for (unsigned char c : name) {
    if (c <= 0x20 || c == '%' || c >= 0x7f) {
      out += '%';
      out += llvm::hexdigit(c >> 4);
      out += llvm::hexdigit(c & 15);
    } else {
      out += c;
    }
  }
  return out;
}

std::string kiln::abi::serializeSignature(const ModelABI &abi,
                                          std::optional<ArrayRef<std::string>> cpuFeatures) {
  std::string text = "kiln-model " + std::to_string(kFormatVersion) + "\n";
  if (cpuFeatures) {
    text += "cpu-features";
    for (const std::string &f : *cpuFeatures)
      text += " " + f;
    text += "\n";
  }
  auto line = [&](StringRef kind, const TensorSpec &v) {
    text += (kind + " " + encodeName(v.name) + " " + v.dtype + " [").str();
    for (auto [i, d] : llvm::enumerate(v.shape))
      text += (i ? "," : "") + (d.isSymbolic() ? d.symbol : std::to_string(d.size));
    text += "]\n";
  };
  for (const Entry &e : abi.entries) {
    text += "entry " + e.name + "\n";
    for (const auto &[symbol, bound] : e.bounds)
      text += "bound " + symbol + " " + std::to_string(bound) + "\n";
    for (const TensorSpec &v : e.inputs)
      line("input", v);
    for (const TensorSpec &v : e.outputs)
      line("output", v);
    text += "workspace " + std::to_string(e.workspace) + "\n";
  }
  if (abi.training) {
    text += "training " + abi.training->loss + " " + encodeName(abi.training->label) + "\n";
    text += "source " + encodeName(abi.training->source) + "\n";
    if (!abi.training->sourceSha256.empty())
      text += "source-sha256 " + abi.training->sourceSha256 + "\n";
    for (const StateSpec &s : abi.training->state)
      text += "state " + encodeName(s.name) + " " + s.kind + "\n";
  }
  return text;
}
