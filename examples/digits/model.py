#!/usr/bin/python3
"""The untrained digits CNN of `make train-demo`, exported to ONNX for training.

Model (torch.nn, default initialization: Kaiming-uniform weights and uniform
biases in Conv2d and Linear, BatchNorm2d scale 1, shift 0, running mean 0 and
variance 1):

    conv1 Conv2d(1->16, 3x3, pad 1) - bn1 BatchNorm2d - ReLU
    conv2 Conv2d(16->32, 3x3, pad 1) - bn2 BatchNorm2d - ReLU
    MaxPool2d(2) -> flatten -> fc Linear(512->10)

input `input` float32 [N,1,8,8] (N symbolic), output `logits` float32 [N,10].

How the export keeps what training needs (torch 1.13, checked by
export_training_onnx):

* Batch norm stays BatchNormalization: torch.onnx.export with
  `training=TrainingMode.EVAL` folds each BatchNorm into the preceding Conv
  (with or without do_constant_folding), so the model is exported in eval mode
  under `TrainingMode.PRESERVE`, which keeps BatchNormalization (training_mode=0
  at opset >= 15) with the running statistics as inputs.
* Initializers keep torch's names (`conv1.weight`, `bn1.running_mean`, ...):
  `do_constant_folding=False`, else parameters the graph slices or transposes
  (LSTM gates, attention's in_proj_weight) become new folded tensors named
  `onnx::...`. In eval mode the exporter also merges initializers of equal value
  (a fresh BatchNorm's bias and running mean are both zeros) into one tensor
  plus Identity nodes; export_training_onnx turns each such Identity back into
  its own initializer, so every parameter and running statistic is a separate,
  named initializer, as training needs.

    /usr/bin/python3 examples/digits/model.py OUT.onnx [--seed 0] [--opset 15]
"""

import argparse
import os


def build_model(seed=0):
    """The digits CNN with torch's default initialization under `seed`."""
    import torch
    nn = torch.nn

    class DigitsCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
            self.bn1 = nn.BatchNorm2d(16)
            self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
            self.bn2 = nn.BatchNorm2d(32)
            self.pool = nn.MaxPool2d(2)
            self.fc = nn.Linear(32 * 4 * 4, 10)

        def forward(self, x):
            x = torch.relu(self.bn1(self.conv1(x)))
            x = torch.relu(self.bn2(self.conv2(x)))
            return self.fc(torch.flatten(self.pool(x), 1))

    torch.manual_seed(seed)
    return DigitsCNN()


def export_training_onnx(module, example_inputs, path, input_names=("input",),
                         output_names=("logits",), opset=15, dynamic_batch=True):
    """Export `module` for kiln-compile --train (see the module doc) and check that
    every parameter and batch-norm buffer is an initializer under its torch name.

    `example_inputs` is a tuple of tensors; with `dynamic_batch`, dim 0 of every
    input and output is the symbol N. Returns the ONNX ModelProto as saved."""
    import warnings

    import onnx
    import torch

    was_training = module.training
    module.eval()
    axes = None
    if dynamic_batch:
        axes = {name: {0: "N"} for name in (*input_names, *output_names)}
    try:
        with warnings.catch_warnings():
            # The exporter warns about eval mode under PRESERVE and about tracing: both intended.
            warnings.simplefilter("ignore")
            torch.onnx.export(module, tuple(example_inputs), path, opset_version=opset,
                              input_names=list(input_names), output_names=list(output_names),
                              do_constant_folding=False,
                              training=torch.onnx.TrainingMode.PRESERVE, dynamic_axes=axes)
    finally:
        module.train(was_training)
    model = onnx.load(path)
    graph = model.graph
    state = module.state_dict()
    inits = {t.name: t for t in graph.initializer}
    # Undo the exporter's merging of equal-valued initializers (Identity nodes).
    for node in list(graph.node):
        if (node.op_type == "Identity" and node.input[0] in inits and node.output[0] in state
                and node.output[0] not in inits):
            copy = onnx.TensorProto()
            copy.CopyFrom(inits[node.input[0]])
            copy.name = node.output[0]
            graph.initializer.append(copy)
            inits[copy.name] = copy
            graph.node.remove(node)
    wanted = [name for name, value in state.items()
              if value.is_floating_point() and not name.endswith("num_batches_tracked")]
    missing = [name for name in wanted if name not in inits]
    if missing:
        raise RuntimeError(f"export_training_onnx: {', '.join(missing)} not exported as "
                           "initializers")
    # torch's order (kiln-compile --train keeps the initializers' order in its state).
    rank = {name: i for i, name in enumerate(state)}
    ordered = sorted(graph.initializer, key=lambda t: rank.get(t.name, len(rank)))
    del graph.initializer[:]
    graph.initializer.extend(ordered)
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="the .onnx file to write")
    ap.add_argument("--seed", type=int, default=0, help="torch.manual_seed before init (default 0)")
    ap.add_argument("--opset", type=int, default=15, help="ONNX opset (default 15)")
    args = ap.parse_args()
    import torch
    model = build_model(args.seed)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    proto = export_training_onnx(model, (torch.zeros(1, 1, 8, 8),), args.out, opset=args.opset)
    params = sum(p.numel() for p in model.parameters())
    ops = sorted({n.op_type for n in proto.graph.node})
    print(f"digits CNN: {params} parameters, {len(proto.graph.initializer)} initializers, "
          f"ops {', '.join(ops)}; wrote {args.out}")


if __name__ == "__main__":
    main()
