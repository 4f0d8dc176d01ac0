"""Model files as untrusted input: header caps and checks before any allocation, the
tensors' checksum, files without one (older trainlab), and stale `.part` temporaries
of killed saves (issue 11, items 1 and 8)."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from safetensors.numpy import save as st_save

import trainlab as tl
from trainlab import _header_checks as checks
from trainlab import layers
from trainlab._io import remove_stale_temporaries
from trainlab.saving import read_metadata


def _embedding_model_file(tmp_path):
    model = tl.Sequential([layers.Input((5,), dtype="int32"), layers.Embedding(20, 4),
                           layers.GlobalAveragePooling1D(), layers.Dense(2)])
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.fit(np.arange(10).reshape(2, 5), np.array([0, 1]), verbose=0)
    path = tmp_path / "m.trainlab"
    model.save(path)
    return model, path


def _rewrite(path, out, edit_metadata=None, edit_tensors=None):
    """Write `out` as `path` with edited metadata / tensors (a crafted file)."""
    metadata, tensors = read_metadata(path)
    if edit_metadata:
        edit_metadata(metadata)
    if edit_tensors:
        edit_tensors(tensors)
    out.write_bytes(st_save(tensors, metadata=metadata))
    return out


def _edit_config(edit):
    def apply(metadata):
        config = json.loads(metadata["model_config"])
        edit(config)
        metadata["model_config"] = json.dumps(config)
    return apply


def _layer(config, i):
    return config["config"]["layers"][i]["config"]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    return _embedding_model_file(tmp_path_factory.mktemp("saved"))


def test_huge_embedding_in_header_is_refused_before_allocation(saved, tmp_path):
    _, path = saved
    bad = _rewrite(path, tmp_path / "huge.trainlab", _edit_config(lambda c: _layer(c, 0).update(input_dim=10**9)))
    with pytest.raises(ValueError, match=r"huge\.trainlab.*`model_config\.config\.layers\[0\]\.config\.input_dim` "
                                         r"is 1000000000.*\[0, 16777216\]"):
        tl.models.load_model(bad)


def test_sizes_within_the_cap_but_past_the_parameter_cap_are_computed_abstractly(saved, tmp_path):
    # 2**24 x 2**24 embeddings = 2**48 elements (1 PiB): only jax.eval_shape may see them
    _, path = saved
    edit = _edit_config(lambda c: _layer(c, 0).update(input_dim=2**24, output_dim=2**24))
    bad = _rewrite(path, tmp_path / "big.trainlab", edit)
    with pytest.raises(ValueError, match=rf"`model_config` declares {2**48 + 2**25 + 2} weight elements, over "
                                         rf"the cap of {2**31}"):
        tl.models.load_model(bad)


def test_declared_shape_is_compared_with_the_files_tensors(saved, tmp_path):
    _, path = saved
    bad = _rewrite(path, tmp_path / "other.trainlab", _edit_config(lambda c: _layer(c, 0).update(input_dim=21)))
    with pytest.raises(ValueError, match=r"params/embedding/embeddings.*shape \(20, 4\).*expects \(21, 4\)"):
        tl.models.load_model(bad)


@pytest.mark.parametrize("edit, field, what", [
    (lambda c: _layer(c, 2).update(units="3"), r"layers\[2\]\.config\.units", r"is '3'"),
    (lambda c: _layer(c, 2).update(units=True), r"layers\[2\]\.config\.units", r"is True"),
    (lambda c: _layer(c, 2).update(units=-1), r"layers\[2\]\.config\.units", r"is -1"),
    (lambda c: _layer(c, 1).update(keepdims=2**40), r"layers\[1\]\.config\.keepdims", r"integer cap"),
    (lambda c: c["config"]["layers"].append(5), r"layers\[3\]", r"is a int, but a layer configuration"),
    (lambda c: c["config"].update(layers={"a": 1}), r"config\.layers", r"a list of layers was expected"),
    (lambda c: c["config"]["layers"][0].update(class_name=7), r"class_name", r"is 7"),
    (lambda c: c["config"]["layers"][0].update(class_name="NoSuchLayer"), r"model_config",
     r"ValueError: Unknown layer class 'NoSuchLayer'"),
    (lambda c: c["config"]["layers"][0].update(class_name="KerasTensor"), r"model_config", r"Unknown layer class"),
    (lambda c: _layer(c, 2).update(activation=["x"]), r"model_config", r"does not describe a model"),
    (lambda c: _layer(c, 0).update(name="n" * 70_000), r"layers\[0\]\.config\.name", r"65536"),
    (lambda c: _layer(c, 0).update(ngrams=2**24), r"layers\[0\]\.config\.ngrams", r"n-gram orders must be integers "
     r"in \[0, 64\]"),
    (lambda c: c["config"]["layers"].extend([c["config"]["layers"][1]] * 2_001), r"model_config",
     r"more than 2000 layers"),
])
def test_bad_header_fields_give_one_valueerror_naming_file_and_field(saved, tmp_path, edit, field, what):
    _, path = saved
    bad = _rewrite(path, tmp_path / "bad.trainlab", _edit_config(edit))
    with pytest.raises(ValueError, match=rf"bad\.trainlab'?: header field `[^`]*{field}[^`]*` .*{what}"):
        tl.models.load_model(bad)


@pytest.mark.parametrize("key, value, field, what", [
    ("model_config", "[" * 100_000, "model_config", r"is not valid JSON \(RecursionError"),
    ("model_config", "[" * 70 + "]" * 70, r"model_config(\[0\]){64}", r"nested more than 64 levels"),
    ("model_config", '{"class_name": "Dense", "config": {"units": NaN}}', "model_config.config.units", r"is NaN"),
    ("model_config", "{", "model_config", r"is not valid JSON"),
    ("build_input_shape", '"abc"', "build_input_shape", r'is "abc", but an input shape'),
    ("build_input_shape", "[null, 99999999999]", r"build_input_shape\[1\]", r"outside the integer cap"),
    ("build_input_shape", "[null, 20000000]", r"build_input_shape\[1\]", r"input dimension"),
    ("compile_config", "[1]", "compile_config", r"is a list, but a dict or null"),
    ("compile_config", '{"optimizer": "nope"}', "compile_config", r"does not describe a model"),
])
def test_bad_metadata_fields(saved, tmp_path, key, value, field, what):
    _, path = saved
    bad = _rewrite(path, tmp_path / "bad.trainlab", lambda m: m.update({key: value}))
    with pytest.raises(ValueError, match=rf"bad\.trainlab'?: header field `{field}` .*{what}"):
        tl.models.load_model(bad)


def test_missing_model_config_is_named(saved, tmp_path):
    _, path = saved
    bad = _rewrite(path, tmp_path / "bad.trainlab", lambda m: m.pop("model_config"))
    with pytest.raises(ValueError, match=r"header field `model_config` is missing"):
        tl.models.load_model(bad)


@pytest.mark.parametrize("name, value, what", [
    ("train_state/step", np.array([-3], np.int64), r"`train_state/step` is a int64 tensor of shape \(1,\)"),
    ("train_state/key", np.zeros(3, np.uint32), r"`train_state/key` is a uint32 tensor of shape \(3,\)"),
    ("junk/x", np.zeros(1, np.float32), r"`tensors` has a tensor named 'junk/x'"),
])
def test_bad_tensors_are_named(saved, tmp_path, name, value, what):
    _, path = saved

    def edit(metadata):
        metadata.pop("tensors_sha256")

    bad = _rewrite(path, tmp_path / "bad.trainlab", edit, lambda t: t.update({name: value}))
    with pytest.raises(ValueError, match=what):
        tl.models.load_model(bad)


def test_checksum_catches_altered_tensor_values(saved, tmp_path):
    model, path = saved
    metadata, tensors = read_metadata(path)
    assert metadata["tensors_sha256"] == checks.tensors_sha256(tensors)
    altered = _rewrite(path, tmp_path / "alt.trainlab",
                       edit_tensors=lambda t: t["params/dense/kernel"].__setitem__((0, 0), 7.0))
    with pytest.raises(ValueError, match=r"alt\.trainlab'?: header field `tensors_sha256` is '[0-9a-f]{64}', but the "
                                         r"tensors in the file hash to '[0-9a-f]{64}'.*altered or corrupted"):
        tl.models.load_model(altered)
    # a flipped byte in the raw file is caught too
    raw = bytearray(path.read_bytes())
    raw[-3] ^= 0x10
    (tmp_path / "flip.trainlab").write_bytes(bytes(raw))
    with pytest.raises(ValueError, match=r"`tensors_sha256`"):
        tl.models.load_model(tmp_path / "flip.trainlab")
    with pytest.raises(ValueError, match=r"`tensors_sha256`"):
        model.load_weights(tmp_path / "flip.trainlab")


def test_checksum_matches_an_independent_hashlib_reference():
    import hashlib

    t = {"b": np.arange(3, dtype=np.int32), "a": np.ones((2, 2), np.float32)}
    ref = hashlib.sha256()
    for name in ("a", "b"):
        ref.update(f"{name}\0{t[name].dtype.str}\0{t[name].shape}\0".encode() + t[name].tobytes())
    assert checks.tensors_sha256(t) == ref.hexdigest()


def test_files_without_checksum_from_older_trainlab_still_load(saved, tmp_path):
    model, path = saved
    old = _rewrite(path, tmp_path / "old.trainlab", lambda m: m.pop("tensors_sha256"))
    assert "tensors_sha256" not in read_metadata(old)[0]
    loaded = tl.models.load_model(old)
    x = np.arange(10).reshape(2, 5) % 20
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    weights_only = tmp_path / "w.weights.safetensors"
    model.save_weights(weights_only)
    _rewrite(weights_only, weights_only, lambda m: m.pop("tensors_sha256"))
    fresh = tl.models.load_model(path)
    fresh.load_weights(weights_only)
    for a, b in zip(fresh.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------------
# stale temporaries of killed saves (item 8)
_KILLED_SAVE = textwrap.dedent("""
    import os, sys, time
    import numpy as np
    import trainlab as tl
    from trainlab import layers
    model = tl.Sequential([layers.Input((1000,)), layers.Dense(2000)])   # 8 MB of weights
    model.build_from_data(np.zeros((1, 1000), np.float32))
    real_fsync = os.fsync
    def slow_fsync(fd):                     # the save is in flight, data written, not yet renamed
        print("writing", flush=True)
        time.sleep(60)
    os.fsync = slow_fsync
    model.save(sys.argv[1])
""")


def test_kill_9_during_save_leaves_a_part_that_the_next_save_or_load_removes(saved, tmp_path):
    model, path = saved
    target = tmp_path / "big.trainlab"
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_SAVE, str(target)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        assert proc.stdout.readline().strip() == "writing"
        parts = list(tmp_path.glob(".big.trainlab.*.part"))
        assert len(parts) == 1 and parts[0].stat().st_size > 8_000_000
        assert parts[0].name.split(".")[3] == str(proc.pid)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert parts[0].exists() and not target.exists()
    # a live writer's temporary (this process) and another file's temporary are never touched
    live = tmp_path / f".big.trainlab.{os.getpid()}.0123456789ab.part"
    other = tmp_path / f".big.trainlab.x.{proc.pid}.0123456789ab.part"
    live.write_bytes(b"in flight")
    other.write_bytes(b"other file")
    model.save(target)
    assert not parts[0].exists() and live.exists() and other.exists()
    # the next load removes a stale one as well
    parts[0].write_bytes(b"stale again")
    tl.models.load_model(target)
    assert not parts[0].exists()


def test_temporaries_without_pid_count_as_stale_only_when_old(tmp_path):
    target = tmp_path / "m.trainlab"
    old_style = tmp_path / ".m.trainlab.0123456789ab.part"
    old_style.write_bytes(b"x")
    assert remove_stale_temporaries(target) == []
    past = time.time() - 3600
    os.utime(old_style, (past, past))
    assert remove_stale_temporaries(target) == [old_style] and not old_style.exists()
