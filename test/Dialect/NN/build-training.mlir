// RUN: kiln-opt %s --split-input-file --verify-diagnostics \
// RUN:   --pass-pipeline='builtin.module(nn-build-training{loss=softmax-cross-entropy label=y optimizer=adam lr=0.001 source=/m.onnx})' \
// RUN:   | FileCheck %s

// A linear classifier with batch norm: the four entries, STATE = parameters,
// running statistics, Adam's moments per parameter, then step.
// CHECK: module attributes {kiln.training = {label = "y", loss = "softmax-cross-entropy", source = "/m.onnx", state = [{kind = "parameter", name = "w"}, {kind = "parameter", name = "bn.scale"}, {kind = "parameter", name = "bn.bias"}, {kind = "buffer", name = "bn.mean"}, {kind = "buffer", name = "bn.var"}, {kind = "optimizer", name = "w.exp_avg"}, {kind = "optimizer", name = "w.exp_avg_sq"}, {kind = "optimizer", name = "bn.scale.exp_avg"}, {kind = "optimizer", name = "bn.scale.exp_avg_sq"}, {kind = "optimizer", name = "bn.bias.exp_avg"}, {kind = "optimizer", name = "bn.bias.exp_avg_sq"}, {kind = "optimizer", name = "step"}]}}
// CHECK-LABEL: func.func @init()
// CHECK-SAME: kiln.result_names = ["w", "bn.scale", "bn.bias", "bn.mean", "bn.var", "w.exp_avg", "w.exp_avg_sq", "bn.scale.exp_avg", "bn.scale.exp_avg_sq", "bn.bias.exp_avg", "bn.bias.exp_avg_sq", "step"]
// CHECK: nn.constant dense<5.000000e-01> : tensor<4x3xf32>
// CHECK-NOT: kiln.parameter
// CHECK: return
// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: %[[W:[^:]*]]: tensor<4x3xf32> {kiln.name = "w"}
// CHECK-SAME: {kiln.name = "x"}, %[[Y:[^:]*]]: tensor<2xi64> {kiln.name = "y"})
// CHECK-SAME: kiln.result_names = ["loss", "w", "bn.scale"
// CHECK: nn.matmul %{{.*}}, %[[W]]
// CHECK: nn.batch_norm_training {{.*}} {epsilon = 1.000000e-05 : f64, momentum = 8.000000e-01 : f64}
// CHECK: nn.softmax_cross_entropy {{.*}} {reduction = "mean"}
// CHECK: nn.adam_update %[[W]]
// CHECK-LABEL: func.func @eval(
// CHECK-SAME: kiln.result_names = ["loss", "logits"]
// CHECK: nn.batch_norm {{.*}}{epsilon
// CHECK: nn.softmax_cross_entropy {{.*}} {reduction = "none"}
// CHECK-LABEL: func.func @infer(
// CHECK-SAME: kiln.result_names = ["logits"]
// CHECK-NOT: nn.dropout
// CHECK: return
// CHECK-NOT: func.func @model
func.func @model(%x: tensor<2x4xf32> {kiln.name = "x"}) -> tensor<2x3xf32> attributes {kiln.result_names = ["logits"]} {
  %w = nn.constant {kiln.parameter = "w"} dense<0.5> : tensor<4x3xf32>
  %s = nn.constant {kiln.parameter = "bn.scale"} dense<1.0> : tensor<3xf32>
  %b = nn.constant {kiln.parameter = "bn.bias"} dense<0.0> : tensor<3xf32>
  %m = nn.constant {kiln.parameter = "bn.mean"} dense<0.0> : tensor<3xf32>
  %v = nn.constant {kiln.parameter = "bn.var"} dense<1.0> : tensor<3xf32>
  %unused = nn.constant {kiln.parameter = "unused"} dense<1.0> : tensor<3xf32>
  %r = nn.constant dense<0.25> : tensor<f32>
  %d, %mask = nn.dropout %x, %r {seed = 7 : i64} : (tensor<2x4xf32>, tensor<f32>) -> (tensor<2x4xf32>, tensor<2x4xi1>)
  %0 = nn.matmul %d, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %1 = nn.batch_norm %0, %s, %b, %m, %v {epsilon = 1.0e-5 : f64, kiln.momentum = 0.8 : f64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// expected-error @+1 {{nn-build-training: expects at least one trainable parameter (a float initializer), found none}}
module {
  func.func @model(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
    %0 = nn.relu %x : tensor<2x4xf32>
    return %0 : tensor<2x4xf32>
  }
}

// -----

// expected-error @+1 {{nn-build-training: expects static input shapes for training, found 'tensor<?x4xf32>' for input 'x' (pin it with --input-shape or --batch)}}
module {
  func.func @model(%x: tensor<?x4xf32> {kiln.name = "x"}) -> tensor<?x4xf32> {
    %0 = nn.relu %x : tensor<?x4xf32>
    return %0 : tensor<?x4xf32>
  }
}

// -----

// A running variance sharing its initializer with the scale (an exporter
// merged the two because both were ones) would be overwritten by the
// running-statistics update: refused.
// expected-error @+1 {{nn-build-training: expects each batch norm running mean and variance in an initializer of its own, found 'bn.weight' also used elsewhere (an exporter merged initializers of equal value; export them with distinct values, or as separate initializers)}}
module {
  func.func @model(%x: tensor<2x3xf32> {kiln.name = "x"}) -> tensor<2x3xf32> attributes {kiln.result_names = ["logits"]} {
    %s = nn.constant {kiln.parameter = "bn.weight"} dense<1.0> : tensor<3xf32>
    %b = nn.constant {kiln.parameter = "bn.bias"} dense<0.0> : tensor<3xf32>
    %0 = nn.batch_norm %x, %s, %b, %b, %s {epsilon = 1.0e-5 : f64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    return %0 : tensor<2x3xf32>
  }
}

// -----

// A batch norm momentum outside [0, 1] (from hand-written IR; the ONNX
// importer refuses it first) is an error, not an abort in the training op's
// inference.
module {
  func.func @model(%x: tensor<2x3xf32> {kiln.name = "x"}) -> tensor<2x3xf32> attributes {kiln.result_names = ["logits"]} {
    %s = nn.constant {kiln.parameter = "bn.scale"} dense<1.0> : tensor<3xf32>
    %b = nn.constant {kiln.parameter = "bn.bias"} dense<0.0> : tensor<3xf32>
    %m = nn.constant {kiln.parameter = "bn.mean"} dense<0.0> : tensor<3xf32>
    %v = nn.constant {kiln.parameter = "bn.var"} dense<1.0> : tensor<3xf32>
    // expected-error @+1 {{'nn.batch_norm' op expects kiln.momentum in [0, 1], found 7}}
    %0 = nn.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-5 : f64, kiln.momentum = 7.0 : f64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    return %0 : tensor<2x3xf32>
  }
}
