// RUN: kiln-opt %s --kiln-record-signature --split-input-file --verify-diagnostics \
// RUN:   --allow-unregistered-dialect

// expected-error @+1 {{expects the model's input 'x' to be a ranked tensor of f32, f64, f16, bf16, bool, i8, i16, i32, i64, ui8, ui16, ui32 or ui64, found 'tensor<4xi4>'}}
func.func @model(%x: tensor<4xi4> {kiln.name = "x"}) {
  return
}

// -----

// expected-error @+1 {{expects the model's input 'input_0' to be a ranked tensor of f32, f64, f16, bf16, bool, i8, i16, i32, i64, ui8, ui16, ui32 or ui64, found 'tensor<*xf32>'}}
func.func @model(%x: tensor<*xf32>) {
  return
}

// -----

// expected-error @+1 {{expects kiln.dim_names of the model's input 'x' to name dim 0 with an identifier, found "batch size"}}
func.func @model(%x: tensor<?xf32> {kiln.name = "x", kiln.dim_names = ["batch size"]}) {
  return
}

// -----

// Entry names become C symbols (kiln_run_NAME).
// expected-error @+1 {{expects an entry name of letters, digits and '_' not starting with a digit, found 'train-step'}}
func.func @model() attributes {kiln.entry_name = "train-step"} {
  return
}

// -----

func.func @a() attributes {kiln.entry_name = "infer"} {
  return
}
// expected-error @+1 {{expects distinct entry names, found 'infer' twice}}
func.func @infer() {
  return
}

// -----

// expected-error @+1 {{expects at least one public function (an entry point), found none}}
module {
  func.func private @helper() {
    return
  }
}
