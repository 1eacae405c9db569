// RUN: kiln-opt %s --kiln-lower-entry-abi --split-input-file --verify-diagnostics

// The function must have the shape kiln-entry-checks-to-errors gives it.
module attributes {kiln.abi = {entries = [{name = "model", function = @model, workspace = 0,
    inputs = [{name = "x", dtype = "f32", shape = [4]}], outputs = []}]}} {
  // expected-error @+1 {{expects entry function @model of entry 'model' to take its inputs, outputs, workspace and error pointer and return a status (after kiln-entry-checks-to-errors), found '(memref<4xf32>) -> ()'}}
  func.func @model(%x: memref<4xf32>) {
    return
  }
}

// -----

// expected-error @+1 {{expects the function @missing of entry 'model' with a body, found none}}
module attributes {kiln.abi = {entries = [{name = "model", function = @missing, workspace = 0,
    inputs = [], outputs = []}]}} {
}
