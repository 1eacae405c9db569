// RUN: kiln-opt %s --kiln-record-signature --split-input-file \
// RUN:   --allow-unregistered-dialect | FileCheck %s

// One public function is one entry, named after it; names come from kiln.name
// and kiln.result_names, with input_K / output_K defaults.
// CHECK-LABEL: module attributes {kiln.abi = {entries = [{function = @model, inputs = [{dtype = "f32", name = "image", shape = [1, 3, 8, 8]}, {dtype = "i64", name = "input_1", shape = []}], name = "model", outputs = [{dtype = "f32", name = "logits", shape = [1, 10]}, {dtype = "bool", name = "output_1", shape = [4]}], workspace = 0 : i64}]}}
module {
  func.func private @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
  func.func @model(%x: tensor<1x3x8x8xf32> {kiln.name = "image"}, %n: tensor<i64>)
      -> (tensor<1x10xf32>, tensor<4xi1>) attributes {kiln.result_names = ["logits"]} {
    %0 = "test.logits"() : () -> tensor<1x10xf32>
    %1 = "test.mask"() : () -> tensor<4xi1>
    return %0, %1 : tensor<1x10xf32>, tensor<4xi1>
  }
}

// -----

// Several public functions are several entries, in module order; kiln.entry_name
// renames one. Dynamic dims become symbols, from kiln.dim_names or made up.
// CHECK-LABEL: module attributes {kiln.abi = {entries = [
// CHECK-SAME: {function = @forward, inputs = [{dtype = "f32", name = "x", shape = ["N", 3]}], name = "infer", outputs = [{dtype = "f32", name = "y", shape = ["N", "out0_d1"]}], workspace = 0 : i64},
// CHECK-SAME: {function = @train_step, inputs = [{dtype = "f32", name = "x", shape = ["N", 3]}, {dtype = "i32", name = "labels", shape = ["in1_d0"]}], name = "train_step", outputs = [{dtype = "f64", name = "loss", shape = []}], workspace = 0 : i64}]}}
module {
  func.func @forward(%x: tensor<?x3xf32> {kiln.name = "x", kiln.dim_names = ["N", ""]})
      -> (tensor<?x?xf32> {kiln.dim_names = ["N"]})
      attributes {kiln.entry_name = "infer", kiln.result_names = ["y"]} {
    %0 = "test.y"() : () -> tensor<?x?xf32>
    return %0 : tensor<?x?xf32>
  }
  func.func @train_step(%x: tensor<?x3xf32> {kiln.name = "x", kiln.dim_names = ["N"]},
                        %labels: tensor<?xi32> {kiln.name = "labels"}) -> tensor<f64>
      attributes {kiln.result_names = ["loss"]} {
    %0 = "test.loss"() : () -> tensor<f64>
    return %0 : tensor<f64>
  }
}

// -----

// An empty name in kiln.dim_names leaves that dynamic dim unnamed (an ONNX
// input with a dim_param on some dims only, the others made '?' by
// --input-shape): it gets the made-up name.
// CHECK-LABEL: module attributes {kiln.abi = {entries = [{function = @partly_named, inputs = [{dtype = "f32", name = "x", shape = ["N", "in0_d1", 8]}]
module {
  func.func @partly_named(%x: tensor<?x?x8xf32> {kiln.name = "x", kiln.dim_names = ["N", "", ""]})
      -> tensor<?x?x8xf32> {
    return %x : tensor<?x?x8xf32>
  }
}

// -----

// Unsigned integers, float16 and bfloat16 have runtime dtypes of their own.
// CHECK-LABEL: module attributes {kiln.abi = {entries = [{function = @model, inputs = [{dtype = "u8", name = "input_0", shape = [2]}, {dtype = "u64", name = "input_1", shape = [2]}, {dtype = "f16", name = "input_2", shape = [2]}], name = "model", outputs = [{dtype = "bf16", name = "output_0", shape = [2]}, {dtype = "u16", name = "output_1", shape = [2]}, {dtype = "u32", name = "output_2", shape = [2]}], workspace = 0 : i64}]}}
module {
  func.func @model(%a: tensor<2xui8>, %b: tensor<2xui64>, %c: tensor<2xf16>)
      -> (tensor<2xbf16>, tensor<2xui16>, tensor<2xui32>) {
    %0 = "test.a"() : () -> tensor<2xbf16>
    %1 = "test.b"() : () -> tensor<2xui16>
    %2 = "test.c"() : () -> tensor<2xui32>
    return %0, %1, %2 : tensor<2xbf16>, tensor<2xui16>, tensor<2xui32>
  }
}
