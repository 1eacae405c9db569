// A pipeline that cannot be built from its options is an error that names the
// option, and kiln-opt exits non-zero: nothing runs. Options that do not parse
// are reported by MLIR's option parser.
// RUN: not kiln-opt %s --pass-pipeline='builtin.module(kiln-cpu-pipeline{vector-width=12})' 2>&1 | FileCheck %s --check-prefix=WIDTH
// WIDTH: error: the CPU pipeline expects vector-width to be a power of two, found 12
// WIDTH: failed to add `kiln-cpu-pipeline` with options `vector-width=12`
// RUN: not kiln-opt %s --pass-pipeline='builtin.module(kiln-cpu-llvm-pipeline{vector-width=0})' 2>&1 | FileCheck %s --check-prefix=ZERO
// ZERO: the CPU pipeline expects vector-width to be a power of two, found 0
// RUN: not kiln-opt %s --pass-pipeline='builtin.module(kiln-cpu-pipeline{vector-registers=0})' 2>&1 | FileCheck %s --check-prefix=REGS
// REGS: the CPU pipeline expects vector-registers to be at least 1, found 0
// RUN: not kiln-opt %s --pass-pipeline='builtin.module(kiln-cpu-pipeline{vector-width=wide})' 2>&1 | FileCheck %s --check-prefix=PARSE
// PARSE: 'wide' value invalid
// PARSE: failed to add `kiln-cpu-pipeline` with options `vector-width=wide`
// RUN: not kiln-opt %s --pass-pipeline='builtin.module(kiln-cpu-pipeline{lanes=8})' 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: no such option lanes
// Nested under another op, the module-level pipelines are refused, not aborted on.
// RUN: not kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-cpu-pipeline))' 2>&1 | FileCheck %s --check-prefix=ANCHOR
// ANCHOR: error: the Kiln pipelines expect to run on builtin.module, found 'func.func'
func.func @model(%x: tensor<2x3xf32> {kiln.name = "x"}) -> tensor<2x3xf32> {
  %0 = nn.relu %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
