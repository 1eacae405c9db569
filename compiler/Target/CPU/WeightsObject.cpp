//===- WeightsObject.cpp - weights as their own object file --------------===//
//
// A model's weights are most of its bytes. Translated to LLVM IR they become
// ConstantDataArrays (one per row of every nested array), are copied again
// into MC's fragments and once more into the object: several times their
// size in compiler memory, and most of the compile time of a large model.
// Here the big constant globals of the LLVM dialect module become external
// declarations instead, and their bytes go from the resource blobs (which
// the importer backs by the model's own bytes) straight into a relocatable
// ELF object of one read-only section, written in order with no copy. The
// linker merges that section into .rodata, so the loaded artifact maps the
// weights from its file.
//
//===----------------------------------------------------------------------===//

#include "compiler/Target/CPU/CPUTarget.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/SwapByteOrder.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;
namespace ELF = llvm::ELF;

namespace {

/// The section the weights live in: a .rodata.* name, so every linker's
/// default script merges it into .rodata (read-only, not executable).
constexpr llvm::StringLiteral kSectionName = ".rodata.kiln_weights";

/// The bytes of `value` exactly as LLVM lays out the global's nested array
/// type (row-major, each element its whole bytes), or nothing when they are
/// not stored that way (splats, i1, sub-byte types).
std::optional<ArrayRef<char>> storedBytes(Attribute value) {
  auto elements = dyn_cast_or_null<ElementsAttr>(value);
  if (!elements)
    return std::nullopt;
  Type elem = elements.getElementType();
  if (!elem.isIntOrFloat() || elem.getIntOrFloatBitWidth() % 8 != 0)
    return std::nullopt;
  uint64_t size = elements.getNumElements() * (elem.getIntOrFloatBitWidth() / 8);
  ArrayRef<char> bytes;
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    bytes = blob->getData();
  } else if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    if (dense.isSplat())
      return std::nullopt;
    bytes = dense.getRawData();
  }
  if (bytes.size() != size)
    return std::nullopt;
  return bytes;
}

uint16_t elfMachine(const llvm::Triple &triple) {
  switch (triple.getArch()) {
  case llvm::Triple::x86_64:
    return ELF::EM_X86_64;
  case llvm::Triple::aarch64:
    return ELF::EM_AARCH64;
  case llvm::Triple::riscv64:
    return ELF::EM_RISCV;
  case llvm::Triple::ppc64le:
    return ELF::EM_PPC64;
  default:
    return ELF::EM_NONE;
  }
}

/// Writes `n` zero bytes.
void pad(llvm::raw_ostream &os, uint64_t n) {
  static const char zeros[64] = {};
  for (; n > sizeof(zeros); n -= sizeof(zeros))
    os.write(zeros, sizeof(zeros));
  os.write(zeros, n);
}

template <typename T>
void writeStruct(llvm::raw_ostream &os, const T &value) {
  os.write(reinterpret_cast<const char *>(&value), sizeof(T));
}

} // namespace

bool kiln::cpu::canWriteWeightsObject(const llvm::Triple &triple) {
  // The headers are written as the host lays out its structs.
  return triple.isOSBinFormatELF() && triple.isArch64Bit() && triple.isLittleEndian() &&
         llvm::sys::IsLittleEndianHost && elfMachine(triple) != ELF::EM_NONE;
}

std::vector<kiln::cpu::Weight> kiln::cpu::externalizeWeights(ModuleOp module,
                                                             uint64_t minBytes) {
  std::vector<Weight> weights;
  for (auto global : module.getOps<LLVM::GlobalOp>()) {
    // Only read-only data: a writable global with an initial value is
    // state, and state lives in .data.
    if (!global.getConstant() || global.getInitializerBlock() || global.getThreadLocal_())
      continue;
    std::optional<ArrayRef<char>> bytes = storedBytes(global.getValueOrNull());
    if (!bytes || bytes->size() < minBytes)
      continue;
    weights.push_back({global.getSymName().str(), *bytes, global.getAlignment().value_or(1)});
    // A declaration the code reaches PC-relatively (hidden, so no GOT), and
    // the weights object defines.
    global.removeValueAttr();
    global.setLinkage(LLVM::Linkage::External);
    global.setVisibility_(LLVM::Visibility::Hidden);
    global.setDsoLocal(true);
    global.removeUnnamedAddrAttr();
  }
  return weights;
}

LogicalResult kiln::cpu::writeWeightsObject(ArrayRef<Weight> weights, const llvm::Triple &triple,
                                            llvm::raw_fd_ostream &os, std::string &error) {
  if (!canWriteWeightsObject(triple)) {
    error = "cannot write a weights object for " + triple.str();
    return failure();
  }
  enum : unsigned { kNull, kData, kStackNote, kSymtab, kStrtab, kShstrtab, kNumSections };

  // The data section: each weight at its alignment, in module order, so the
  // same module always gives the same bytes.
  uint64_t sectionAlign = 64, dataSize = 0;
  std::vector<uint64_t> offsets;
  for (const Weight &w : weights) {
    uint64_t align = std::max<uint64_t>(w.alignment, 1);
    sectionAlign = std::max(sectionAlign, align);
    dataSize = llvm::alignTo(dataSize, align);
    offsets.push_back(dataSize);
    dataSize += w.bytes.size();
  }
  // ONNX models are refused at import (maxWeightBytes); this catches the
  // rest (nn-dialect input, weights that folding made) before the linker
  // fails with pages of truncated relocations.
  if (dataSize > kMaxWeightBytes) {
    error = "expects at most " + std::to_string(kMaxWeightBytes) +
            " bytes of weights (what the code of one artifact can address), found " +
            std::to_string(dataSize);
    return failure();
  }

  std::string strtab(1, '\0'), shstrtab(1, '\0');
  auto addName = [](std::string &table, StringRef name) {
    uint32_t at = table.size();
    table.append(name.begin(), name.end());
    table.push_back('\0');
    return at;
  };
  std::vector<ELF::Elf64_Sym> symbols(1 + weights.size());
  std::memset(symbols.data(), 0, symbols.size() * sizeof(ELF::Elf64_Sym));
  for (auto [i, w] : llvm::enumerate(weights)) {
    ELF::Elf64_Sym &s = symbols[1 + i];
    s.st_name = addName(strtab, w.symbol);
    s.setBindingAndType(ELF::STB_GLOBAL, ELF::STT_OBJECT);
    s.st_other = ELF::STV_HIDDEN;
    s.st_shndx = kData;
    s.st_value = offsets[i];
    s.st_size = w.bytes.size();
  }

  ELF::Elf64_Shdr sections[kNumSections];
  std::memset(sections, 0, sizeof(sections));
  uint64_t offset = llvm::alignTo(sizeof(ELF::Elf64_Ehdr), sectionAlign);
  auto &data = sections[kData];
  data.sh_name = addName(shstrtab, kSectionName);
  data.sh_type = ELF::SHT_PROGBITS;
  data.sh_flags = ELF::SHF_ALLOC;
  data.sh_offset = offset;
  data.sh_size = dataSize;
  data.sh_addralign = sectionAlign;
  offset += dataSize;
  // Without it, GNU ld takes the object to need an executable stack.
  auto &note = sections[kStackNote];
  note.sh_name = addName(shstrtab, ".note.GNU-stack");
  note.sh_type = ELF::SHT_PROGBITS;
  note.sh_offset = offset;
  note.sh_addralign = 1;
  auto &symtab = sections[kSymtab];
  symtab.sh_name = addName(shstrtab, ".symtab");
  symtab.sh_type = ELF::SHT_SYMTAB;
  symtab.sh_offset = offset = llvm::alignTo(offset, 8);
  symtab.sh_size = symbols.size() * sizeof(ELF::Elf64_Sym);
  symtab.sh_link = kStrtab;
  symtab.sh_info = 1; // the first global symbol: all but the null one
  symtab.sh_addralign = 8;
  symtab.sh_entsize = sizeof(ELF::Elf64_Sym);
  offset += symtab.sh_size;
  auto &str = sections[kStrtab];
  str.sh_name = addName(shstrtab, ".strtab");
  str.sh_type = ELF::SHT_STRTAB;
  str.sh_offset = offset;
  str.sh_size = strtab.size();
  str.sh_addralign = 1;
  offset += str.sh_size;
  auto &shstr = sections[kShstrtab];
  shstr.sh_name = addName(shstrtab, ".shstrtab");
  shstr.sh_type = ELF::SHT_STRTAB;
  shstr.sh_offset = offset;
  shstr.sh_size = shstrtab.size();
  shstr.sh_addralign = 1;
  offset += shstr.sh_size;
  uint64_t sectionHeaders = llvm::alignTo(offset, 8);

  ELF::Elf64_Ehdr header;
  std::memset(&header, 0, sizeof(header));
  std::memcpy(header.e_ident, ELF::ElfMagic, 4);
  header.e_ident[ELF::EI_CLASS] = ELF::ELFCLASS64;
  header.e_ident[ELF::EI_DATA] = ELF::ELFDATA2LSB;
  header.e_ident[ELF::EI_VERSION] = ELF::EV_CURRENT;
  header.e_ident[ELF::EI_OSABI] = ELF::ELFOSABI_NONE;
  header.e_type = ELF::ET_REL;
  header.e_machine = elfMachine(triple);
  header.e_version = ELF::EV_CURRENT;
  header.e_shoff = sectionHeaders;
  header.e_ehsize = sizeof(ELF::Elf64_Ehdr);
  header.e_shentsize = sizeof(ELF::Elf64_Shdr);
  header.e_shnum = kNumSections;
  header.e_shstrndx = kShstrtab;

  writeStruct(os, header);
  uint64_t at = sizeof(header);
  pad(os, data.sh_offset - at);
  at = data.sh_offset;
  for (auto [i, w] : llvm::enumerate(weights)) {
    pad(os, data.sh_offset + offsets[i] - at);
    os.write(w.bytes.data(), w.bytes.size());
    at = data.sh_offset + offsets[i] + w.bytes.size();
  }
  pad(os, symtab.sh_offset - at);
  os.write(reinterpret_cast<const char *>(symbols.data()), symtab.sh_size);
  os << strtab << shstrtab;
  pad(os, sectionHeaders - offset);
  for (const ELF::Elf64_Shdr &s : sections)
    writeStruct(os, s);
  os.flush();
  if (os.has_error()) {
    error = "cannot write the weights object: " + os.error().message();
    os.clear_error(); // reported here, not again when the stream closes
    return failure();
  }
  return success();
}
