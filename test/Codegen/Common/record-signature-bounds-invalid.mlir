// RUN: kiln-opt %s --kiln-record-signature --split-input-file \
// RUN:   --verify-diagnostics

// A bound on a symbol no input has could never be checked before a run.
// expected-error @+1 {{expects bounded symbol 'M' to be a symbolic dim of an input, found none (the inputs' symbols: N)}}
module attributes {kiln.dim_bounds = {M = 4 : i64}} {
  func.func @model(%x: tensor<?xf32> {kiln.dim_names = ["N"]}) {
    return
  }
}

// -----

// expected-error @+1 {{expects bounded symbol 'N' to be a symbolic dim of an input, found none (the inputs' symbols: none)}}
module attributes {kiln.dim_bounds = {N = 4 : i64}} {
  func.func @model(%x: tensor<2xf32>) {
    return
  }
}

// -----

// expected-error @+1 {{expects the bound of 'N' in kiln.dim_bounds to be an i64 >= 1, found 0 : i64}}
module attributes {kiln.dim_bounds = {N = 0 : i64}} {
  func.func @model(%x: tensor<?xf32> {kiln.dim_names = ["N"]}) {
    return
  }
}

// -----

// expected-error @+1 {{expects the bound of 'N' in kiln.dim_bounds to be an i64 >= 1, found "64"}}
module attributes {kiln.dim_bounds = {N = "64"}} {
  func.func @model(%x: tensor<?xf32> {kiln.dim_names = ["N"]}) {
    return
  }
}

// -----

// expected-error @+1 {{expects kiln.dim_bounds to be a dictionary {SYMBOL = N}, found [64]}}
module attributes {kiln.dim_bounds = [64]} {
  func.func @model(%x: tensor<?xf32> {kiln.dim_names = ["N"]}) {
    return
  }
}
