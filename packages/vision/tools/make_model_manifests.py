"""Record torchvision's models for tests/test_models.py: state_dict keys, shapes and
dtypes, parameter counts, output shapes, and the logits under deterministic weights.

    /opt/tv/bin/python packages/vision/tools/make_model_manifests.py

Writes tests/fixtures/model_manifest.json (compact JSON) and tests/fixtures/model_logits.npz,
and the 1,000 ImageNet category names of torchvision's weights metadata to
src/embervision/models/_imagenet_categories.txt.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import torch
import torchvision
from torchvision.models._meta import _IMAGENET_CATEGORIES

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from model_cases import MODELS, deterministic_state, model_input  # noqa: E402


def main() -> None:
    torch.set_num_threads(2)
    manifest = {"_versions": f"torchvision {torchvision.__version__}", "models": {}}
    logits = {}
    for name, size in MODELS.items():
        model = torchvision.models.get_model(name).eval()
        sd = model.state_dict()
        shapes = {k: (list(v.shape), str(v.dtype).replace("torch.", "")) for k, v in sd.items()}
        model.load_state_dict({k: torch.from_numpy(v) for k, v in
                               deterministic_state(shapes).items()})
        with torch.no_grad():
            out = model(torch.from_numpy(model_input(size)))
        manifest["models"][name] = {
            "keys": [[k, s, d] for k, (s, d) in shapes.items()],
            "num_params": sum(p.numel() for p in model.parameters()),
            "input_size": size, "output_shape": list(out.shape)}
        logits[name] = out.numpy()
        print(name, manifest["models"][name]["num_params"], flush=True)
    fixtures = ROOT / "tests" / "fixtures"
    (fixtures / "model_manifest.json").write_text(json.dumps(manifest, separators=(",", ":")))
    np.savez_compressed(fixtures / "model_logits.npz", **logits)
    (ROOT / "src" / "embervision" / "models" / "_imagenet_categories.txt").write_text(
        "\n".join(_IMAGENET_CATEGORIES) + "\n")


if __name__ == "__main__":
    main()
