"""Fuzz target: `load_model` on mutated `.trainlab` files (header, tensors, checksum).

Seeds are the models of `_model_seeds` saved with `Model.save`; half the inputs come
from the generic byte mutator, half from `_safetensors_mutations` (valid containers
with edited JSON configuration, tensor entries or values)."""

from __future__ import annotations

import pathlib

from _safetensors_mutations import mutate  # noqa: F401 - the harness picks it up

CLEAN = (ValueError,)


def seeds(workdir: pathlib.Path) -> list[bytes]:
    from _model_seeds import seed_models

    out = []
    for i, model in enumerate(seed_models()):
        path = workdir / f"seed{i}.trainlab"
        model.save(path)
        out.append(path.read_bytes())
    return out


def run(data: bytes, workdir: pathlib.Path) -> object:
    from trainlab.models import load_model

    path = workdir / "case.trainlab"
    path.write_bytes(data)
    return load_model(path)
