//===- Tensors.cpp - ONNX tensors as nn constants -------------------------===//

#include "compiler/Import/ONNX/Importer.h"

#include "dialects/NN/IR/NNOps.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Alignment.h"

#include <type_traits>

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::onnx_import;

std::optional<Type> GraphImporter::knownElementType(int t) {
  switch (t) {
  case onnx::TensorProto::FLOAT:
    return Type(builder.getF32Type());
  case onnx::TensorProto::DOUBLE:
    return Type(builder.getF64Type());
  case onnx::TensorProto::FLOAT16:
    return Type(builder.getF16Type());
  case onnx::TensorProto::BFLOAT16:
    return Type(builder.getBF16Type());
  case onnx::TensorProto::INT64:
    return Type(builder.getI64Type());
  case onnx::TensorProto::INT32:
    return Type(builder.getI32Type());
  case onnx::TensorProto::INT16:
    return Type(builder.getIntegerType(16));
  case onnx::TensorProto::INT8:
    return Type(builder.getIntegerType(8));
  case onnx::TensorProto::BOOL:
    return Type(builder.getI1Type());
  // Unsigned integers keep their signedness in nn (builtin ui8...ui64); the
  // lowering picks unsigned arithmetic for them.
  case onnx::TensorProto::UINT8:
    return Type(builder.getIntegerType(8, /*isSigned=*/false));
  case onnx::TensorProto::UINT16:
    return Type(builder.getIntegerType(16, /*isSigned=*/false));
  case onnx::TensorProto::UINT32:
    return Type(builder.getIntegerType(32, /*isSigned=*/false));
  case onnx::TensorProto::UINT64:
    return Type(builder.getIntegerType(64, /*isSigned=*/false));
  default:
    return std::nullopt;
  }
}

std::string GraphImporter::elementTypeName(int t) {
  if (onnx::TensorProto::DataType_IsValid(t))
    return onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(t));
  return "data type " + std::to_string(t) + " (not an ONNX type)";
}

FailureOr<Type> GraphImporter::elementType(int t, Location loc, StringRef what) {
  if (std::optional<Type> type = knownElementType(t))
    return *type;
  return emitError(loc) << what << ": unsupported element type " << elementTypeName(t)
                        << " (supported: float, double, float16, bfloat16, int8, int16, int32, int64, uint8, "
                           "uint16, uint32, uint64, bool)";
}

FailureOr<int64_t> GraphImporter::elementCount(const onnx::TensorProto &t, Location loc,
                                               const std::string &what) {
  int64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || d > kMaxElements / std::max<int64_t>(n, 1))
      return emitError(loc) << what << " has an invalid dimension " << d;
    n *= d;
  }
  return n;
}

FailureOr<AsmResourceBlob> GraphImporter::tensorBlob(const onnx::TensorProto &t, Type elem,
                                                     Location loc, bool take,
                                                     const std::string &what) {
  FailureOr<int64_t> count = elementCount(t, loc, what);
  if (failed(count))
    return failure();
  int64_t n = *count;
  size_t width = elem.isInteger(1) ? 1 : elem.getIntOrFloatBitWidth() / 8;
  size_t size = n * width;
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    return externalBlob(t, size, width, loc, what);
  if (t.has_raw_data()) {
    if (t.raw_data().size() != size)
      return emitError(loc) << what << " holds " << t.raw_data().size()
                            << " bytes, expected " << size;
    if (take && llvm::isAddrAligned(llvm::Align(width), t.raw_data().data())) {
      // The bytes move from the model into the blob instead of being copied.
      // The importer owns the model, and nothing reads a tensor's raw data
      // after importTensor (which gives a second import of the same tensor
      // the attribute of the first).
      auto owned = std::make_unique<std::string>(
          std::move(*const_cast<onnx::TensorProto &>(t).mutable_raw_data()));
      ArrayRef<char> data(owned->data(), owned->size());
      return AsmResourceBlob(
          data, width, [owned = std::move(owned)](void *, size_t, size_t) {},
          /*dataIsMutable=*/true);
    }
    return HeapAsmResourceBlob::allocateAndCopyWithAlign(
        ArrayRef<char>(t.raw_data().data(), size), width);
  }
  // Sized from the data actually present (checked against the dims first),
  // never from the dims alone.
  AsmResourceBlob bytes;
  auto copyTyped = [&](const auto &field, auto tag) -> LogicalResult {
    using T = decltype(tag);
    if (static_cast<int64_t>(field.size()) != n)
      return emitError(loc) << what << " holds " << field.size()
                            << " values, expected " << n;
    bytes = HeapAsmResourceBlob::allocate(size, width);
    char *out = bytes.getMutableData().data();
    bool isBool = t.data_type() == onnx::TensorProto::BOOL;
    for (int64_t i = 0; i < n; ++i) {
      auto raw = field.Get(i);
      T v = static_cast<T>(raw);
      // A narrower type's values (or bits) stored in a wider field must fit:
      // 300 for a uint8 was stored as 44.
      if constexpr (std::is_integral_v<T>) {
        if (static_cast<decltype(raw)>(v) != raw || (isBool && raw != 0 && raw != 1))
          return emitError(loc) << what << " expects values that fit its data type ("
                                << onnx::TensorProto::DataType_Name(
                                       static_cast<onnx::TensorProto::DataType>(t.data_type()))
                                << (isBool ? ": 0 or 1" : "") << "), found " << raw
                                << " at index " << i;
      }
      std::memcpy(out + i * width, &v, width);
    }
    return success();
  };
  LogicalResult ok = success();
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    ok = copyTyped(t.float_data(), float());
    break;
  case onnx::TensorProto::DOUBLE:
    ok = copyTyped(t.double_data(), double());
    break;
  case onnx::TensorProto::INT64:
    ok = copyTyped(t.int64_data(), int64_t());
    break;
  case onnx::TensorProto::INT32:
    ok = copyTyped(t.int32_data(), int32_t());
    break;
  case onnx::TensorProto::INT16:
    ok = copyTyped(t.int32_data(), int16_t());
    break;
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::BOOL:
    ok = copyTyped(t.int32_data(), int8_t());
    break;
  case onnx::TensorProto::UINT8:
    ok = copyTyped(t.int32_data(), uint8_t());
    break;
  case onnx::TensorProto::UINT16:
  // float16 and bfloat16 bits are stored in int32_data.
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
    ok = copyTyped(t.int32_data(), uint16_t());
    break;
  case onnx::TensorProto::UINT32:
    ok = copyTyped(t.uint64_data(), uint32_t());
    break;
  case onnx::TensorProto::UINT64:
    ok = copyTyped(t.uint64_data(), uint64_t());
    break;
  default:
    return emitError(loc) << what << ": unsupported data type";
  }
  if (failed(ok))
    return failure();
  return std::move(bytes);
}

FailureOr<Entry> GraphImporter::importTensor(const onnx::TensorProto &t, Location loc,
                                             const std::string &named) {
  const std::string what = named.empty() ? "tensor " + quoted(t.name()) : named;
  Entry e;
  auto imported = importedResources.find(&t);
  if (imported != importedResources.end()) {
    e.value = builder.create<ConstantOp>(loc, imported->second);
    return e;
  }
  FailureOr<Type> elem = elementType(t.data_type(), loc, what);
  if (failed(elem))
    return failure();
  // The dims are checked before any type is built from them: a negative dim
  // or a product past int64 is not a shape.
  FailureOr<int64_t> count = elementCount(t, loc, what);
  if (failed(count))
    return failure();
  SmallVector<int64_t> shape(t.dims().begin(), t.dims().end());
  auto type = RankedTensorType::get(shape, *elem);
  // Weights live once in a resource blob however many ops use them; tiny
  // tensors and booleans are dense attributes.
  bool resource = !elem->isInteger(1) && *count > 16;
  FailureOr<AsmResourceBlob> bytes = tensorBlob(t, *elem, loc, /*take=*/resource, what);
  if (failed(bytes))
    return failure();
  ElementsAttr value;
  if (elem->isInteger(1)) {
    SmallVector<bool> bits(bytes->getData().begin(), bytes->getData().end());
    value = DenseElementsAttr::get(type, ArrayRef<bool>(bits));
  } else if (!resource) {
    value = DenseElementsAttr::getFromRawBuffer(type, bytes->getData());
  } else {
    // The key must be a bare identifier, or the printed IR (--emit=nn) does
    // not parse back: exporters name weights `onnx::Conv_18` or `0.weight`.
    // The blob manager makes a clashing key unique.
    std::string name = t.name().empty() ? "weight" + std::to_string(resourceCounter++) : t.name();
    for (char &c : name)
      if (!llvm::isAlnum(c) && c != '_')
        c = '_';
    if (llvm::isDigit(name.front()))
      name.insert(name.begin(), '_');
    value = DenseResourceElementsAttr::get(type, name, std::move(*bytes));
    importedResources[&t] = value;
  }
  e.value = builder.create<ConstantOp>(loc, value);
  return e;
}
