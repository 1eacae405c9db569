// RUN: kiln-opt %s --kiln-record-signature --split-input-file \
// RUN:   --allow-unregistered-dialect | FileCheck %s

// kiln.dim_bounds (kiln-compile's --dim-bound) bounds the entries whose inputs
// have the symbol; an entry without it gets no bounds, and the symbol keeps
// its name in the shapes.
// CHECK-LABEL: module attributes {kiln.abi = {entries = [
// CHECK-SAME: {bounds = {N = 64 : i64, T = 1 : i64}, function = @infer, inputs = [{dtype = "f32", name = "x", shape = ["N", "T"]}], name = "infer", outputs = [{dtype = "f32", name = "y", shape = ["N"]}], workspace = 0 : i64},
// CHECK-SAME: {function = @other, inputs = [{dtype = "f32", name = "z", shape = [4]}], name = "other", outputs = [], workspace = 0 : i64}]}
module attributes {kiln.dim_bounds = {N = 64 : i64, T = 1 : i64}} {
  func.func @infer(%x: tensor<?x?xf32> {kiln.name = "x", kiln.dim_names = ["N", "T"]})
      -> (tensor<?xf32> {kiln.dim_names = ["N"]}) attributes {kiln.result_names = ["y"]} {
    %0 = "test.y"() : () -> tensor<?xf32>
    return %0 : tensor<?xf32>
  }
  func.func @other(%z: tensor<4xf32> {kiln.name = "z"}) {
    return
  }
}

// -----

// A made-up name (inK_dA) can be bounded too.
// CHECK-LABEL: module attributes {kiln.abi = {entries = [
// CHECK-SAME: {bounds = {in0_d1 = 7 : i64}, function = @model
module attributes {kiln.dim_bounds = {in0_d1 = 7 : i64}} {
  func.func @model(%x: tensor<2x?xf32>) {
    return
  }
}
