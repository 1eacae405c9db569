// RUN: kiln-opt %s --kiln-entry-checks-to-errors --split-input-file --verify-diagnostics

// A check inside a region other than scf loops and branches (a parallel
// loop's body runs on several threads) has no error path.
module attributes {kiln.abi = {entries = [{name = "model", function = @model, workspace = 0,
    inputs = [{name = "x", dtype = "f32", shape = ["N"]}], outputs = []}]}} {
  func.func @model(%x: memref<?xf32>) {
    %c0 = arith.constant 0 : index
    %n = memref.dim %x, %c0 : memref<?xf32>
    scf.forall (%i) in (%n) {
      %ok = arith.cmpi slt, %i, %n : index
      // expected-error @+1 {{expects run-time checks at the top level of the entry function or in scf loops and branches, found one inside 'scf.forall'}}
      cf.assert %ok, "in a parallel loop"
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
