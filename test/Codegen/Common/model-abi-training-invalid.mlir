// RUN: kiln-opt %s --kiln-emit-entry-point --split-input-file --verify-diagnostics

// kiln.training (a training artifact's loss, label, source and STATE) is read
// and checked with kiln.abi before the signature is written.

// expected-error @+1 {{expects kiln.training to be {loss = "...", label = "...", source = "...", state = [...]} and optionally source_sha256 = "...", found {label = "y", loss = "mse"}}}
module attributes {kiln.training = {loss = "mse", label = "y"},
    kiln.abi = {entries = [{name = "init", function = @f, workspace = 0, inputs = [], outputs = []}]}} {
}

// -----

// expected-error @+1 {{expects the kiln.training loss to be one of softmax-cross-entropy nll mse bce-logits, found 'hinge'}}
module attributes {kiln.training = {loss = "hinge", label = "y", source = "m.onnx", state = []},
    kiln.abi = {entries = [{name = "init", function = @f, workspace = 0, inputs = [], outputs = []}]}} {
}

// -----

// The source's SHA-256 is 64 lower-case hex digits (the signature's
// source-sha256 line, which --save checks).
// expected-error @+1 {{expects the kiln.training source_sha256 to be 64 lower-case hex digits, found 'ABC'}}
module attributes {kiln.training = {loss = "mse", label = "y", source = "m.onnx", source_sha256 = "ABC", state = []},
    kiln.abi = {entries = [{name = "init", function = @f, workspace = 0, inputs = [], outputs = []}]}} {
}

// -----

// expected-error @+1 {{expects a non-empty kiln.training source, found ""}}
module attributes {kiln.training = {loss = "mse", label = "y", source = "", state = []},
    kiln.abi = {entries = [{name = "init", function = @f, workspace = 0, inputs = [], outputs = []}]}} {
}

// -----

// expected-error @+1 {{expects each kiln.training state to be {name = "...", kind = "..."} with a non-empty name, found "w"}}
module attributes {kiln.training = {loss = "mse", label = "y", source = "m.onnx", state = ["w"]},
    kiln.abi = {entries = [{name = "init", function = @f, workspace = 0, inputs = [], outputs = []}]}} {
}

// -----

// expected-error @+1 {{expects the kind of kiln.training state 'w' to be parameter, buffer or optimizer, found 'weight'}}
module attributes {kiln.training = {loss = "mse", label = "y", source = "m.onnx",
                                    state = [{name = "w", kind = "weight"}]},
    kiln.abi = {entries = [{name = "init", function = @f, workspace = 0, inputs = [], outputs = []}]}} {
}

// -----

// expected-error @+1 {{expects distinct kiln.training state names, found 'w' twice}}
module attributes {kiln.training = {loss = "mse", label = "y", source = "m.onnx",
                                    state = [{name = "w", kind = "parameter"}, {name = "w", kind = "buffer"}]},
    kiln.abi = {entries = [{name = "init", function = @f, workspace = 0, inputs = [], outputs = []}]}} {
}

// -----

// expected-error @+1 {{expects a training artifact to have an entry 'train_step', found none}}
module attributes {kiln.training = {loss = "mse", label = "y", source = "m.onnx",
                                    state = [{name = "w", kind = "parameter"}]},
    kiln.abi = {entries = [{name = "init", function = @f, workspace = 0, inputs = [], outputs = []}]}} {
}

// -----

// expected-error @+1 {{expects the outputs of entry 'init' to be the kiln.training state in order, found 'b', 'w'}}
module attributes {kiln.training = {loss = "mse", label = "y", source = "m.onnx",
                                    state = [{name = "w", kind = "parameter"}, {name = "b", kind = "parameter"}]},
    kiln.abi = {entries = [
      {name = "init", function = @f, workspace = 0, inputs = [],
       outputs = [{name = "b", dtype = "f32", shape = [1]}, {name = "w", dtype = "f32", shape = [1]}]},
      {name = "train_step", function = @f, workspace = 0, inputs = [], outputs = []},
      {name = "eval", function = @f, workspace = 0, inputs = [], outputs = []},
      {name = "infer", function = @f, workspace = 0, inputs = [], outputs = []}]}} {
}
