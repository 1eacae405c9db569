// Options that tile sizes are computed from must be positive: the pass refuses
// the others before running, naming the option.
// RUN: not kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-cpu-tile-and-vectorize{vector-width=0}))' 2>&1 | FileCheck %s --check-prefix=WIDTH
// WIDTH: error: kiln-cpu-tile-and-vectorize expects vector-width to be at least 1, found 0
// RUN: not kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-cpu-tile-and-vectorize{vector-registers=-2}))' 2>&1 | FileCheck %s --check-prefix=REGS
// REGS: error: kiln-cpu-tile-and-vectorize expects vector-registers to be at least 1, found -2
// RUN: not kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-cpu-tile-and-vectorize{reduction-block=0}))' 2>&1 | FileCheck %s --check-prefix=BLOCK
// BLOCK: error: kiln-cpu-tile-and-vectorize expects reduction-block to be at least 1, found 0
// RUN: not kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-cpu-tile-and-vectorize{inner-tile=0}))' 2>&1 | FileCheck %s --check-prefix=INNER
// INNER: error: kiln-cpu-tile-and-vectorize expects inner-tile to be at least 1, found 0
// RUN: not kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-cpu-tile-and-vectorize{sum-block=0}))' 2>&1 | FileCheck %s --check-prefix=SUM
// SUM: error: kiln-cpu-tile-and-vectorize expects sum-block to be at least 1, found 0
func.func @mm(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%c : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}
