//===- Target.h - object emission and linking ------------------*- C++ -*-===//

#ifndef KILN_COMPILER_TARGET_TARGET_H
#define KILN_COMPILER_TARGET_TARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"

#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
class raw_pwrite_stream;
} // namespace llvm

namespace kiln {

struct CPUTargetOptions {
  /// CPU name; empty means the host CPU.
  std::string cpu;
  /// Comma-separated +feature/-feature list; empty means the host's features.
  std::string features;
  unsigned optLevel = 3;
};

/// The target's vector shape: f32 lanes per register and register count
/// (AVX-512: 16 and 32; AVX: 8 and 16; otherwise SSE's 4 and 16).
struct CPUVectorShape {
  int64_t vectorWidth = 4;
  int64_t vectorRegisters = 16;
};

/// Queries the target machine `options` describe. Fails with `error` set when
/// no target machine can be created.
mlir::LogicalResult queryVectorShape(const CPUTargetOptions &options, CPUVectorShape &shape,
                                     std::string &error);

/// Translates an LLVM-dialect module to LLVM IR and optimizes it for the
/// target. Returns null and emits a diagnostic on failure.
std::unique_ptr<llvm::Module> translateAndOptimize(mlir::ModuleOp module,
                                                   llvm::LLVMContext &llvmContext,
                                                   const CPUTargetOptions &options);

enum class EmitKind { Assembly, Object };

/// Writes `module` as assembly or a relocatable object for the target.
mlir::LogicalResult emitMachineCode(llvm::Module &module, const CPUTargetOptions &options,
                                    EmitKind kind, llvm::raw_pwrite_stream &os,
                                    std::string &error);

enum class ArtifactKind { SharedLibrary, Executable };

/// Links `objectPath` with Kiln's runtime (found in `runtimeLibDir`) into a
/// shared library or an executable at `outputPath`, through the system C
/// compiler driver (clang-19, clang or cc, or $KILN_LINKER).
mlir::LogicalResult linkArtifact(llvm::StringRef objectPath, llvm::StringRef outputPath,
                                 ArtifactKind kind, llvm::StringRef runtimeLibDir,
                                 std::string &error);

} // namespace kiln

#endif // KILN_COMPILER_TARGET_TARGET_H
