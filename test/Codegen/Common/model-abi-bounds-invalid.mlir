// RUN: kiln-opt %s --kiln-emit-entry-point --split-input-file --verify-diagnostics

// Entry bounds in kiln.abi are read and checked like the rest of it.

// expected-error @+1 {{expects the bound of 'N' in kiln.abi entry 'e' to be an i64 >= 1, found 0 : i64}}
module attributes {kiln.abi = {entries = [{name = "e", function = @f, workspace = 0,
    bounds = {N = 0 : i64},
    inputs = [{name = "x", dtype = "f32", shape = ["N"]}], outputs = []}]}} {
}

// -----

// expected-error @+1 {{expects bounded symbol 'M' of kiln.abi entry 'e' to be a dim of one of its inputs, found none}}
module attributes {kiln.abi = {entries = [{name = "e", function = @f, workspace = 0,
    bounds = {M = 4 : i64},
    inputs = [{name = "x", dtype = "f32", shape = ["N"]}],
    outputs = [{name = "y", dtype = "f32", shape = ["M"]}]}]}} {
}

// -----

// expected-error @+1 {{expects each kiln.abi entry to be {name = "...", function = @f, inputs = [...], outputs = [...], workspace = N} with an optional bounds = {S = N} and unshared = N, found}}
module attributes {kiln.abi = {entries = [{name = "e", function = @f, workspace = 0,
    bounds = [4], inputs = [], outputs = []}]}} {
}

// -----

// kiln-plan-memory's optional unshared bytes are an integer >= 0.
// expected-error @+1 {{expects the unshared bytes of kiln.abi entry 'e' to be >= 0, found -1}}
module attributes {kiln.abi = {entries = [{name = "e", function = @f, workspace = 0,
    unshared = -1 : i64, inputs = [], outputs = []}]}} {
}

// -----

// unshared is an integer.
// expected-error @+1 {{expects each kiln.abi entry to be {name = "...", function = @f, inputs = [...], outputs = [...], workspace = N} with an optional bounds = {S = N} and unshared = N, found}}
module attributes {kiln.abi = {entries = [{name = "e", function = @f, workspace = 0,
    unshared = "x", inputs = [], outputs = []}]}} {
}
