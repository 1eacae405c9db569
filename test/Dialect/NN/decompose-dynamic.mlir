// RUN: kiln-opt %s --nn-decompose --split-input-file | FileCheck %s

// Decompositions with a dynamic batch (the other sizes static).

// A transposed convolution: the batch is paired by the reshapes and taken
// whole by the slice (size ShapedType::kDynamic).
// CHECK-LABEL: func @conv_transpose_batch
// CHECK: nn.reshape %{{.*}} : (tensor<?x2x3x3xf32>) -> tensor<?x2x3x1x3x1xf32>
// CHECK: nn.pad
// CHECK: nn.slice %{{.*}} {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: -9223372036854775808, 2, 5, 5>, strides = array<i64: 1, 1, 1, 1>}
// CHECK: nn.conv {{.*}} -> tensor<?x4x7x7xf32>
// CHECK-NOT: nn.conv_transpose
func.func @conv_transpose_batch(%x: tensor<?x2x3x3xf32>, %w: tensor<2x4x3x3xf32>) -> tensor<?x4x7x7xf32> {
  %0 = nn.conv_transpose %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
      : (tensor<?x2x3x3xf32>, tensor<2x4x3x3xf32>) -> tensor<?x4x7x7xf32>
  return %0 : tensor<?x4x7x7xf32>
}
