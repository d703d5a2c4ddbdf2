"""Write tests/fixtures/serialization/: small checkpoints saved by real PyTorch.

Run with torch installed: python packages/core/tools/make_serialization_fixtures.py
Each case is saved in the zip format (``<case>.zip.pt``) and, where PyTorch can, in the
legacy format (``<case>.legacy.pt``). ``expected.json`` describes every tensor of every
file by its path in the object ('model/0.weight', 'same/1'): dtype, shape, stride, storage
offset, autograd flags, which storage it views (a number per file) and its values (the
bytes of its elements in order, as hex).
"""

import json
import pathlib

import torch
import torch.serialization

OUT = pathlib.Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "serialization"
DTYPES = ("float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64",
          "uint8", "bool")


def dtypes_case():
    values = torch.tensor([[0.0, -1.5, 2.25], [3.0, 100.0, -7.0]])
    return {name: values.to(getattr(torch, name)) for name in DTYPES}


def extra_dtypes_case():
    """Dtypes without a typed storage class (saved through _rebuild_tensor_v3), and complex."""
    return {
        "uint16": torch.tensor([1, 2, 65535], dtype=torch.uint16),
        "complex64": torch.tensor([1 + 2j, -0.5j]),
    }


def views_case():
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    same = torch.tensor([5, 6], dtype=torch.int64)
    tagged = torch.nn.Parameter(torch.tensor([0.25]))
    tagged.tag = "pruned"  # an attribute: saved through _rebuild_parameter_with_state
    return {
        "base": base,
        "rows": base[1:3],
        "columns": base[:, 1::2],
        "transposed": base.t(),
        "expanded": base[0].expand(2, 4),
        "scalar": base[1, 2],
        "empty": base[3:],
        "other": torch.tensor([1.0, 2.0]),
        "parameter": torch.nn.Parameter(torch.tensor([0.5, -0.5])),
        "frozen": torch.nn.Parameter(torch.tensor([1.0]), requires_grad=False),
        "leaf": torch.tensor([2.0, 3.0], requires_grad=True),
        "tagged": tagged,
        "same": [same, same],
    }


def checkpoint_case():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    model(torch.randn(5, 3)).square().mean().backward()
    optimizer.step()
    return {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "epoch": 7,
        "meta": {
            "name": "tiny",
            "pair": (1, 2.5),
            "nothing": None,
            "flags": [True, False],
            "tags": {"a", "b"},
            "blob": b"\x00\x01ember",
            "dtype": torch.float16,
            "device": torch.device("cpu"),
            "size": torch.Size([2, 3]),
        },
    }


def cuda_case():
    """Storages tagged 'cuda:0', as a checkpoint saved on a GPU has them."""
    return {"weight": torch.tensor([[1.0, 2.0], [3.0, 4.0]]), "step": torch.tensor(3)}


def float64_case():
    """One dtype only, so a test can rewrite the legacy file's storages byte-swapped."""
    return {"a": torch.arange(6, dtype=torch.float64).reshape(2, 3),
            "b": torch.tensor([1.5, -2.0], dtype=torch.float64)}


CASES = {  # name -> (builder, formats)
    "dtypes": (dtypes_case, ("zip", "legacy")),
    "extra_dtypes": (extra_dtypes_case, ("zip",)),
    "views": (views_case, ("zip", "legacy")),
    "checkpoint": (checkpoint_case, ("zip", "legacy")),
    "cuda": (cuda_case, ("zip", "legacy")),
    "float64": (float64_case, ("legacy",)),
}


def flatten(obj, path=""):
    """Yield (path, tensor) for every tensor in nested dicts, lists and tuples."""
    if isinstance(obj, torch.Tensor):
        yield path, obj
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield from flatten(value, f"{path}/{key}" if path else str(key))
    elif isinstance(obj, (list, tuple)):
        for index, value in enumerate(obj):
            yield from flatten(value, f"{path}/{index}" if path else str(index))


def describe(obj):
    storages = {}
    tensors = {}
    for path, tensor in flatten(obj):
        storage = storages.setdefault(tensor.untyped_storage().data_ptr(), len(storages))
        data = tensor.detach().flatten().contiguous().view(torch.uint8).numpy().tobytes()
        tensors[path] = {
            "dtype": str(tensor.dtype).removeprefix("torch."),
            "shape": list(tensor.shape),
            "stride": list(tensor.stride()),
            "offset": tensor.storage_offset(),
            "requires_grad": tensor.requires_grad,
            "parameter": isinstance(tensor, torch.nn.Parameter),
            "storage": storage,
            "hex": data.hex(),
        }
    return tensors


def to_json(expected):
    """Compact JSON, one line per tensor."""
    files = []
    for name, tensors in sorted(expected.items()):
        lines = ",\n".join(f"  {json.dumps(path)}: {json.dumps(spec, sort_keys=True)}"
                           for path, spec in sorted(tensors.items()))
        files.append(f" {json.dumps(name)}: {{\n{lines}\n }}")
    return "{\n" + ",\n".join(files) + "\n}\n"


def save(obj, path, fmt):
    torch.save(obj, path, _use_new_zipfile_serialization=fmt == "zip")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    expected = {}
    for name, (build, formats) in CASES.items():
        obj = build()
        for fmt in formats:
            path = OUT / f"{name}.{fmt}.pt"
            if name == "cuda":
                tag = torch.serialization.location_tag
                torch.serialization.location_tag = lambda storage: "cuda:0"
                try:
                    save(obj, path, fmt)
                finally:
                    torch.serialization.location_tag = tag
            else:
                save(obj, path, fmt)
            expected[path.name] = describe(torch.load(path, map_location="cpu"))
    (OUT / "expected.json").write_text(to_json(expected))
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(expected)} checkpoints and expected.json to {OUT} ({total} bytes)")


if __name__ == "__main__":
    main()
