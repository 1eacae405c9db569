// RUN: kiln-opt %s --kiln-emit-entry-point --split-input-file --verify-diagnostics

// expected-error @+1 {{expects the kiln.abi module attribute (run kiln-record-signature first), found none}}
module {
}

// -----

// expected-error @+1 {{expects kiln.abi to be {entries = [...]} with at least one entry, found {entries = []}}}
module attributes {kiln.abi = {entries = []}} {
}

// -----

// expected-error @+1 {{expects each kiln.abi entry to be {name = "...", function = @f, inputs = [...], outputs = [...], workspace = N} with an optional bounds = {S = N} and unshared = N, found {function = @f, name = "infer"}}}
module attributes {kiln.abi = {entries = [{name = "infer", function = @f}]}} {
}

// -----

// expected-error @+1 {{expects kiln.abi entry names of letters, digits and '_' not starting with a digit, found '1st'}}
module attributes {kiln.abi = {entries = [{name = "1st", function = @f, inputs = [], outputs = [], workspace = 0}]}} {
}

// -----

// expected-error @+1 {{expects the workspace of kiln.abi entry 'e' to be >= 0, found -64}}
module attributes {kiln.abi = {entries = [{name = "e", function = @f, inputs = [], outputs = [], workspace = -64}]}} {
}

// -----

// expected-error @+1 {{expects distinct kiln.abi entry names, found 'e' twice}}
module attributes {kiln.abi = {entries = [
    {name = "e", function = @f, inputs = [], outputs = [], workspace = 0},
    {name = "e", function = @f, inputs = [], outputs = [], workspace = 0}]}} {
}

// -----

// expected-error @+1 {{expects each input of kiln.abi entry 'e' to be {name = "...", dtype = "...", shape = [...]}, found {name = "x"}}}
module attributes {kiln.abi = {entries = [{name = "e", function = @f, inputs = [{name = "x"}], outputs = [], workspace = 0}]}} {
}

// -----

// expected-error @+1 {{expects the dtype of output 'y' of entry 'e' to be one of f32 f64 f16 bf16 i8 i16 i32 i64 u8 u16 u32 u64 bool, found 'c64'}}
module attributes {kiln.abi = {entries = [{name = "e", function = @f, inputs = [], outputs = [{name = "y", dtype = "c64", shape = [4]}], workspace = 0}]}} {
}

// -----

// expected-error @+1 {{expects each dim of input 'x' of entry 'e' to be a size >= 0 or an identifier symbol, found "batch size"}}
module attributes {kiln.abi = {entries = [{name = "e", function = @f, inputs = [{name = "x", dtype = "f32", shape = ["batch size"]}], outputs = [], workspace = 0}]}} {
}

// -----

// expected-error @+1 {{expects distinct output names in kiln.abi entry 'e', found 'y' twice}}
module attributes {kiln.abi = {entries = [{name = "e", function = @f, inputs = [], outputs = [{name = "y", dtype = "f32", shape = []}, {name = "y", dtype = "f32", shape = []}], workspace = 0}]}} {
}

// -----

// expected-error @+1 {{expects the function @f of entry 'e' in the LLVM dialect, found none}}
module attributes {kiln.abi = {entries = [{name = "e", function = @f, inputs = [], outputs = [], workspace = 0}]}} {
}

// -----

// The workspace argument is part of the count.
module attributes {kiln.abi = {entries = [{name = "e", function = @f, inputs = [{name = "x", dtype = "f32", shape = [4]}], outputs = [], workspace = 64}]}} {
  // expected-error @+1 {{expects the function of entry 'e' to take 4 pointers (inputs, outputs, the workspace if any, dims and error; after kiln-lower-entry-abi) and return an i32 status, found '!llvm.func<void (ptr, ptr, ptr)>'}}
  llvm.func @f(%x: !llvm.ptr, %dims: !llvm.ptr, %error: !llvm.ptr) {
    llvm.return
  }
}

// -----

// expected-error @+1 {{expects no symbol named 'kiln_run_e' before the entry points are emitted, found one}}
module attributes {kiln.abi = {entries = [{name = "e", function = @f, inputs = [], outputs = [], workspace = 0}]}} {
  llvm.func @f(%dims: !llvm.ptr, %error: !llvm.ptr) -> i32 {
    %0 = llvm.mlir.constant(0 : i32) : i32
    llvm.return %0 : i32
  }
  llvm.func @kiln_run_e() {
    llvm.return
  }
}
