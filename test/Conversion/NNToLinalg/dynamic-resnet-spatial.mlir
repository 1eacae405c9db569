// RUN: kiln-opt %s --nn-decompose --canonicalize --convert-nn-to-linalg --canonicalize --cse --canonicalize | FileCheck %s

// The ResNet block of dynamic-resnet-block.mlir with symbolic height and
// width as well: the window sizes are computed at run time, and the residual
// add checks that the convolution kept the pooled size.
// CHECK-LABEL: func @resnet_hw
// CHECK-NOT: = nn.
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} -> tensor<?x4x?x?xf32>
// CHECK: linalg.pooling_nchw_max {{.*}} -> tensor<?x4x?x?xf32>
// CHECK: cf.assert %{{.*}}, "nn.add: expects dim 2 of the operands to be equal (a dynamic size does not broadcast)"
// CHECK-NOT: = nn.
// CHECK: return %{{.*}} : tensor<?x10xf32>
func.func @resnet_hw(%x: tensor<?x3x?x?xf32>, %w1: tensor<4x3x3x3xf32>, %w2: tensor<4x4x3x3xf32>,
                     %b: tensor<4xf32>, %fc: tensor<10x4xf32>, %fb: tensor<10xf32>) -> tensor<?x10xf32> {
  %0 = nn.conv %x, %w1, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
      : (tensor<?x3x?x?xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x?x?xf32>
  %1 = nn.relu %0 : tensor<?x4x?x?xf32>
  %2 = nn.max_pool %1 {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
      : (tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32>
  %3 = nn.conv %2, %w2, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
      : (tensor<?x4x?x?xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<?x4x?x?xf32>
  %4 = nn.add %3, %2 : (tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32>
  %5 = nn.relu %4 : tensor<?x4x?x?xf32>
  %6 = nn.global_average_pool %5 : (tensor<?x4x?x?xf32>) -> tensor<?x4x1x1xf32>
  %7 = nn.reshape %6 : (tensor<?x4x1x1xf32>) -> tensor<?x4xf32>
  %8 = nn.gemm %7, %fc, %fb {alpha = 1.0 : f64, beta = 1.0 : f64, trans_a = false, trans_b = true}
      : (tensor<?x4xf32>, tensor<10x4xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  return %8 : tensor<?x10xf32>
}
