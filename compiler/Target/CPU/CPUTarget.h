//===- CPUTarget.h - the CPU target and its parts --------------*- C++ -*-===//

#ifndef KILN_COMPILER_TARGET_CPU_CPUTARGET_H
#define KILN_COMPILER_TARGET_CPU_CPUTARGET_H

#include "compiler/Target/Target.h"

#include <cstdint>
#include <vector>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
class Triple;
class raw_fd_ostream;
} // namespace llvm

namespace kiln {

/// The CPU target: the host's processor, or --mcpu/--mattr, through LLVM's
/// TargetMachine; kiln-cpu-pipeline sized by the processor's vector registers.
/// Returns null, with a diagnostic in `context`, when LLVM has no target
/// machine for the options.
std::unique_ptr<Target> createCPUTarget(const TargetOptions &options, mlir::MLIRContext *context);

namespace cpu {

/// Creates the target machine `options` describe; null with `error` set when
/// LLVM has none.
std::unique_ptr<llvm::TargetMachine> createTargetMachine(const TargetOptions &options,
                                                         std::string &error);

/// f32 lanes per vector register and vector registers of `tm`'s processor
/// (AVX-512: 16 and 32; AVX: 8 and 16; otherwise SSE's 4 and 16).
struct VectorShape {
  int64_t vectorWidth = 4;
  int64_t vectorRegisters = 16;
};
VectorShape queryVectorShape(const llvm::TargetMachine &tm);

/// The features of runtime/kiln_cpu_features.def that `tm`'s processor has
/// (its CPU's implied features with --mattr applied), comma-separated: what
/// the signature records and the runtime tests before it loads the code.
/// Empty for a target other than x86.
std::string queryCPUFeatures(const llvm::TargetMachine &tm);

/// Translates an LLVM-dialect module to LLVM IR for `tm`. Returns null, with
/// a diagnostic on `module`, on failure.
std::unique_ptr<llvm::Module> translateToLLVMIR(mlir::ModuleOp module,
                                                llvm::LLVMContext &llvmContext,
                                                llvm::TargetMachine &tm);

/// Optimizes `llvmModule`, translated from `module`, for `tm` at `optLevel`.
/// Fails with a diagnostic on `module`.
mlir::LogicalResult optimizeLLVMIR(mlir::ModuleOp module, llvm::Module &llvmModule,
                                   llvm::TargetMachine &tm, unsigned optLevel);

/// Writes `module` as assembly or a relocatable object for `tm`.
mlir::LogicalResult emitMachineCode(llvm::Module &module, llvm::TargetMachine &tm,
                                    EmitKind kind, llvm::raw_pwrite_stream &os,
                                    std::string &error);

/// A constant global whose bytes go into the weights object
/// (WeightsObject.cpp) instead of the LLVM IR.
struct Weight {
  std::string symbol;
  /// The bytes as the global's type lays them out; owned by the MLIR
  /// context (a resource blob or a dense attribute).
  llvm::ArrayRef<char> bytes;
  uint64_t alignment = 1;
};

/// Constants of at least this many bytes leave the IR; smaller ones (shape
/// tables, short vectors) stay where LLVM can fold them.
constexpr uint64_t kMinWeightBytes = 4096;

/// The most weight bytes an artifact may hold. The code reaches its data
/// PC-relatively with 32-bit offsets (the small code model), so the whole
/// loaded image must span less than 2 GiB; this leaves 128 MiB of it to the
/// code and the rest of the data. (docs/reliability.md)
constexpr uint64_t kMaxWeightBytes = (uint64_t(1) << 31) - (uint64_t(1) << 27);

/// Whether writeWeightsObject knows `triple`'s object format (64-bit
/// little-endian ELF).
bool canWriteWeightsObject(const llvm::Triple &triple);

/// Turns every read-only global of `module` that holds at least `minBytes`
/// of stored bytes into a hidden external declaration, and returns the
/// declarations' names and bytes, in module order.
std::vector<Weight> externalizeWeights(mlir::ModuleOp module, uint64_t minBytes);

/// Writes a relocatable object that defines each weight as a hidden symbol
/// in one read-only section, streaming the bytes from where they are.
mlir::LogicalResult writeWeightsObject(llvm::ArrayRef<Weight> weights,
                                       const llvm::Triple &triple, llvm::raw_fd_ostream &os,
                                       std::string &error);

/// Links `objectPaths` with Kiln's runtime (found in `runtimeLibDir`) into a
/// shared library or an executable at `outputPath`, through the system C
/// compiler driver (clang-19, clang or cc, or $KILN_LINKER).
mlir::LogicalResult linkArtifact(llvm::ArrayRef<std::string> objectPaths,
                                 llvm::StringRef outputPath, ArtifactKind kind,
                                 llvm::StringRef runtimeLibDir, std::string &error);

} // namespace cpu
} // namespace kiln

#endif // KILN_COMPILER_TARGET_CPU_CPUTARGET_H
