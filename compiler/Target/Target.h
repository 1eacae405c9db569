//===- Target.h - what a code generation target provides -------*- C++ -*-===//
//
// kiln-compile drives every target the same way: the target's pipeline takes
// the nn module to its own last IR, `emit` turns that IR into LLVM IR,
// assembly or an object, and `emitArtifact` makes an artifact of it with
// Kiln's runtime. A new target is one more implementation of this class and
// one more pipeline; the tool does not change.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_TARGET_TARGET_H
#define KILN_COMPILER_TARGET_TARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/StringRef.h"

#include <memory>
#include <string>

namespace llvm {
class raw_pwrite_stream;
} // namespace llvm

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace kiln {

/// What the command line says about the machine code wanted.
struct TargetOptions {
  /// Processor name (x86-64-v3, sm_90...); empty means the host's.
  std::string cpu;
  /// Comma-separated +feature/-feature list; empty means the processor's
  /// (or, with no processor given, the host's) features.
  std::string features;
  unsigned optLevel = 3;
  /// Where the runtime's static libraries are, for linking executables.
  std::string runtimeLibDir;
  /// Record where the most planned bytes are live (kiln.memory_peak), for
  /// kiln-compile --report.
  bool recordMemoryPeak = false;
};

/// Where a target's pipeline stops.
enum class PipelineEnd {
  /// linalg on tensors (kiln-compile --emit=linalg).
  Linalg,
  /// The target's last IR, which `emit` takes (the LLVM dialect on the CPU).
  TargetIR,
};

/// What `emit` writes.
enum class EmitKind { LLVMIR, Assembly, Object };

enum class ArtifactKind { SharedLibrary, Executable };

class Target {
  /// Where the target's stages are timed; null when they are not.
  mlir::TimingScope *timing = nullptr;

public:
  virtual ~Target() = default;

  /// Times the stages of `emit` and `link` (kiln-compile --mlir-timing) as
  /// timers nested in `parent`, which must outlive the calls; null stops it.
  void setTiming(mlir::TimingScope *parent) { timing = parent; }

  /// A timer for the stage `name`, nested in the setTiming scope; an
  /// inactive one when there is none.
  mlir::TimingScope timeStage(llvm::StringRef name) const {
    return timing ? timing->nest(name) : mlir::TimingScope();
  }

  /// The name --target selects.
  virtual llvm::StringRef name() const = 0;

  /// The most bytes of weights (constant data) code for this target can
  /// address in one artifact; 0 when there is no such limit.
  virtual uint64_t maxWeightBytes() const { return 0; }

  /// Adds the passes that take an nn module to `end`. Fails, with a
  /// diagnostic, when the pipeline cannot be built for this target.
  virtual mlir::LogicalResult buildPipeline(mlir::OpPassManager &pm, PipelineEnd end) const = 0;

  /// Writes `module`, the output of the whole pipeline, as `kind`. Reports
  /// failures as diagnostics on the module.
  virtual mlir::LogicalResult emit(mlir::ModuleOp module, EmitKind kind,
                                   llvm::raw_pwrite_stream &os) const = 0;

  /// Compiles `module` (as `emit` would an object) and links it with the
  /// runtime into `outputPath`. The target decides what goes into which
  /// object (the CPU target writes the weights as an object of their own),
  /// so `module` may be changed on the way. Reports failures as
  /// diagnostics.
  virtual mlir::LogicalResult emitArtifact(mlir::ModuleOp module, llvm::StringRef outputPath,
                                           ArtifactKind kind) const = 0;
};

/// The target called `name` (cpu; cuda is reserved), set up for `options`.
/// Returns null, with a diagnostic in `context`, for an unknown or
/// unimplemented target or options the target cannot honour.
std::unique_ptr<Target> createTarget(llvm::StringRef name, const TargetOptions &options,
                                     mlir::MLIRContext *context);

} // namespace kiln

#endif // KILN_COMPILER_TARGET_TARGET_H
