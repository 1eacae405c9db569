#!/usr/bin/python3
"""Layers that exporters lower to several ONNX ops, against PyTorch.

A small PyTorch module with a grouped, dilated, strided ConvTranspose2d
(with output_padding), LayerNorm, GELU (Erf), an embedding lookup (Gather on
run-time indices), a masked fill (Where on a Trilu-style mask), log_softmax,
a cross-entropy loss and three interpolations (nearest x2, bilinear to a
size, bilinear with aligned corners: Resize) is exported to ONNX (opset 17), compiled by Kiln,
and its outputs compared with PyTorch's (rtol 1e-4, atol 1e-5).

    /usr/bin/python3 test/e2e/torch_layers.py --bin-dir build/bin [--work-dir DIR]
"""

import argparse
import os
import sys

import numpy as np

import kiln_e2e as e2e


NAMES = ["up", "logp", "loss", "near", "bilinear", "corners"]


def export(path):
    import torch
    import torch.nn.functional as F

    class Layers(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.up = torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1,
                                               dilation=2, groups=2)
            self.norm = torch.nn.LayerNorm(8)
            self.embed = torch.nn.Embedding(11, 8)

        def forward(self, image, tokens, labels):
            up = self.up(image)
            h = F.gelu(self.norm(self.embed(tokens)))
            scores = h @ h.transpose(-1, -2)
            mask = torch.triu(torch.ones(5, 5, dtype=torch.bool), diagonal=1)
            scores = scores.masked_fill(mask, float("-inf"))
            logp = F.log_softmax(scores, dim=-1)
            loss = F.cross_entropy(scores.reshape(-1, 5), labels.reshape(-1))
            near = F.interpolate(image, scale_factor=2, mode="nearest")
            bilinear = F.interpolate(image, size=(7, 9), mode="bilinear", align_corners=False)
            corners = F.interpolate(image, scale_factor=1.5, mode="bilinear", align_corners=True)
            return up, logp, loss, near, bilinear, corners

    torch.manual_seed(0)
    model = Layers().eval()
    g = torch.Generator().manual_seed(1)
    image = torch.randn(1, 4, 5, 5, generator=g)
    tokens = torch.randint(0, 11, (2, 5), generator=g)
    # Row i of the masked scores allows classes 0..i: labels stay there so
    # the loss is finite.
    labels = torch.randint(0, 100, (2, 5), generator=g) % torch.arange(1, 6)
    with torch.no_grad():
        expected = [t.numpy() for t in model(image, tokens, labels)]
    assert np.isfinite(expected[2]), "the reference loss must be finite"
    torch.onnx.export(model, (image, tokens, labels), path, opset_version=17,
                      input_names=["image", "tokens", "labels"],
                      output_names=NAMES)
    inputs = {"image": image.numpy(), "tokens": tokens.numpy(), "labels": labels.numpy()}
    return inputs, dict(zip(NAMES, expected))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    e2e.add_common_args(parser)
    args = parser.parse_args()
    failures = []
    try:
        with e2e.work_dir(args.work_dir) as work:
            path = os.path.join(work, "layers.onnx")
            inputs, expected = export(path)
            failures += e2e.check_model_outputs(args.bin_dir, work, path, inputs, expected,
                                                rtol=1e-4, atol=1e-5, oracle="PyTorch")
    except e2e.E2EError as err:
        failures.append(str(err))
    return e2e.finish(failures, "PyTorch layers (ConvTranspose2d, LayerNorm, Embedding, "
                                "masked log_softmax, cross-entropy, interpolate)")


if __name__ == "__main__":
    sys.exit(main())
