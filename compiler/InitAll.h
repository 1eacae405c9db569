//===- InitAll.h - one registration point for every Kiln tool --*- C++ -*-===//

#ifndef KILN_COMPILER_INITALL_H
#define KILN_COMPILER_INITALL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace kiln {

/// Adds Kiln's dialects and the upstream dialects its pipelines produce,
/// with their bufferization and translation interfaces.
void registerKilnDialects(mlir::DialectRegistry &registry);

/// Registers Kiln's passes, the upstream passes its pipelines use, and the
/// named pipelines (kiln-cpu-pipeline, ...), so kiln-opt can run any of them.
void registerKilnPasses();

} // namespace kiln

#endif // KILN_COMPILER_INITALL_H
