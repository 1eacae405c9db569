// RUN: kiln-opt %s --kiln-entry-checks-to-errors --split-input-file --verify-diagnostics

// A check inside a loop has no error path to branch to.
module attributes {kiln.abi = {entries = [{name = "model", function = @model, workspace = 0,
    inputs = [{name = "x", dtype = "f32", shape = ["N"]}], outputs = []}]}} {
  func.func @model(%x: memref<?xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = memref.dim %x, %c0 : memref<?xf32>
    scf.for %i = %c0 to %n step %c1 {
      %ok = arith.cmpi slt, %i, %n : index
      // expected-error @+1 {{expects run-time checks at the top level of the entry function, found one inside 'scf.for'}}
      cf.assert %ok, "in a loop"
    }
    return
  }
}

// -----

// Nor does one outside an entry function.
module attributes {kiln.abi = {entries = [{name = "model", function = @model, workspace = 0,
    inputs = [], outputs = []}]}} {
  func.func @model() {
    return
  }
  func.func private @helper(%ok: i1) {
    // expected-error @+1 {{expects run-time checks only in entry functions, found one in @helper}}
    cf.assert %ok, "elsewhere"
    return
  }
}
