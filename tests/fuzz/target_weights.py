"""Fuzz target: `Model.load_weights` on mutated weights files (`save_weights`).

Each input is loaded into every seed architecture (`_model_seeds`): it must load
into at least one or be refused with a `ValueError` by all."""

from __future__ import annotations

import pathlib

from _safetensors_mutations import mutate  # noqa: F401 - the harness picks it up

CLEAN = (ValueError,)
_MODELS: list = []


def seeds(workdir: pathlib.Path) -> list[bytes]:
    from _model_seeds import seed_models

    _MODELS[:] = seed_models(train=False)
    out = []
    for i, model in enumerate(_MODELS):
        path = workdir / f"seed{i}.weights.safetensors"
        model.save_weights(path)
        out.append(path.read_bytes())
    return out


def run(data: bytes, workdir: pathlib.Path) -> object:
    path = workdir / "case.weights.safetensors"
    path.write_bytes(data)
    from trainlab.saving import read_metadata

    read_metadata(path)  # a damaged file fails here, once, exactly as load_weights would for every model
    error = None
    for model in _MODELS:
        try:
            model.load_weights(path)
            return model
        except ValueError as exc:
            error = exc
    raise error
