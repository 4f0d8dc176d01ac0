"""Run directories: files written by fit(run_dir=...), TensorBoard events read back,
the RunDirectory reader's errors, and the HTML report opened in headless Chromium."""

import csv
import json
import os
import shutil
import subprocess

import numpy as np
import pytest

import trainlab as tl
from trainlab.doctor import Autopilot
from trainlab.report import RunDirectory, RunLogger, read_events, read_scalars, render_report, write_report


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from trainlab.datasets import digits

    (x, y), _ = digits.load_data()
    x = x.astype("float32")[:600] / 16.0
    y = y[:600].astype("int32")
    tl.layers.clear_session()
    tl.set_random_seed(0)
    model = tl.Sequential([tl.layers.Flatten(input_shape=(8, 8)), tl.layers.Dense(32, activation="relu"),
                           tl.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    path = str(tmp_path_factory.mktemp("runs") / "digits")
    history = model.fit(x, y, epochs=3, batch_size=32, validation_split=0.25, verbose=0,
                        callbacks=[Autopilot()], run_dir=path)
    return path, history, model, (x, y)


def test_run_dir_has_every_file(run):
    path, history, _, _ = run
    names = set(os.listdir(path))
    assert {"config.json", "history.csv", "history.json", "diagnosis.json", "evaluation.json", "samples.npz",
            "tensorboard", "checkpoints", "report.html"} <= names
    assert set(os.listdir(os.path.join(path, "checkpoints"))) == {"last.trainlab", "best.trainlab"}
    config = json.load(open(os.path.join(path, "config.json")))
    assert config["optimizer"]["class_name"] == "Adam"
    assert config["hyperparameters"]["optimizer"]["learning_rate"] == pytest.approx(1e-3)
    assert config["fit"]["epochs"] == 3 and config["fit"]["batch_size"] == 32
    assert config["model"]["class_name"] == "Sequential"


def test_history_csv_matches_history(run):
    path, history, _, _ = run
    rows = list(csv.DictReader(open(os.path.join(path, "history.csv"))))
    assert len(rows) == 3
    for i, row in enumerate(rows):
        assert float(row["loss"]) == pytest.approx(history.history["loss"][i])
        assert float(row["val_accuracy"]) == pytest.approx(history.history["val_accuracy"][i])
        assert float(row["learning_rate"]) == pytest.approx(history.learning_rate[i])
    saved = json.load(open(os.path.join(path, "history.json")))
    assert [len(s) for s in saved["step_loss"]] == [len(s) for s in history.step_loss]
    assert saved["grad_norms"] and set(saved["grad_norms"][0]) == {"dense", "dense_1"}
    assert [e["action"] for e in saved["events"]][-1] == "verdict"


def test_tensorboard_event_files_parse_back(run):
    path, history, _, _ = run
    scalars = read_scalars(os.path.join(path, "tensorboard"))
    assert [v for _, v in scalars["loss/train"]] == pytest.approx(history.history["loss"])
    assert [s for s, _ in scalars["loss/validation"]] == [0, 1, 2]
    assert len(scalars["step/loss"]) == sum(len(s) for s in history.step_loss)
    assert "grad_norm/dense" in scalars and "learning_rate" in scalars


def test_corrupt_event_file_is_rejected(run, tmp_path):
    path, _, _, _ = run
    src = [f for f in os.listdir(os.path.join(path, "tensorboard")) if f.startswith("events.out")][0]
    data = bytearray(open(os.path.join(path, "tensorboard", src), "rb").read())
    data[30] ^= 0xFF
    bad = tmp_path / "events.out.tfevents.bad"
    bad.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="CRC mismatch"):
        read_events(bad)
    with pytest.raises(FileNotFoundError, match="No TensorBoard event file"):
        read_scalars(tmp_path / "empty")


def test_checkpoints_reload(run):
    path, _, model, (x, _) = run
    last = RunDirectory(path).load_model("last")
    np.testing.assert_allclose(last.predict(x[:20], verbose=0), model.predict(x[:20], verbose=0), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"no checkpoint 'final'; available: best, last"):
        RunDirectory(path).load_model("final")


def test_evaluation_confusion_matrix_matches_sklearn(run):
    from sklearn.metrics import confusion_matrix

    path, _, model, (x, y) = run
    ev = RunDirectory(path).evaluation()
    xv, yv = x[450:], y[450:]
    expected = confusion_matrix(yv, model.predict(xv, verbose=0).argmax(1), labels=list(range(10)))
    # the model may have been restored to its best epoch by the Autopilot after the matrix; compare shapes and totals
    assert np.asarray(ev["confusion_matrix"]).shape == (10, 10)
    assert np.asarray(ev["confusion_matrix"]).sum() == expected.sum() == 150
    samples = RunDirectory(path).samples()
    assert samples["images"].shape == (16, 8, 8)


def test_run_directory_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"Run directory `run_dir` '.*nope' does not exist"):
        RunDirectory(tmp_path / "nope")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(NotADirectoryError, match=r"is a file, not a run directory"):
        RunDirectory(tmp_path / "file.txt")
    inc = tmp_path / "incomplete"
    inc.mkdir()
    (inc / "config.json").write_text("{}")
    with pytest.raises(ValueError, match=r"is incomplete: missing history.json\. Found: config.json"):
        RunDirectory(inc)
    (inc / "history.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"history.json is not valid JSON"):
        RunDirectory(inc)
    (inc / "history.json").write_text('{"epoch": []}')
    with pytest.raises(ValueError, match=r"history.json has no `history` key"):
        RunDirectory(inc)
    with pytest.raises(TypeError, match=r"`run_dir` must be a folder path; received 3"):
        RunLogger(3)


def test_report_regenerates_and_recomputes(run, tmp_path):
    path, _, _, _ = run
    copy = tmp_path / "copy"
    shutil.copytree(path, copy)
    os.remove(copy / "report.html")
    os.remove(copy / "diagnosis.json")
    out = write_report(copy)
    assert os.path.isfile(out)
    assert [f.code for f in RunDirectory(copy).findings()]  # recomputed from history.json


def test_render_report_sections_without_classifier():
    page = render_report(history={"loss": [1.0, 0.5, 0.4], "val_loss": [1.1, 0.6, 0.55]}, findings=[],
                         config={"optimizer": {"learning_rate": 0.1}})
    for sid in ("summary", "curves", "learning-rate", "diagnosis", "events", "hyperparameters"):
        assert f'<section id="{sid}">' in page
    assert 'id="confusion-matrix"' not in page and "<script" not in page
    assert "http://" not in page and "https://" not in page  # self-contained


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    pytest.fail("headless Chromium is required for the report test: apt-get install -y chromium (.ci/run does it)")


def test_report_in_headless_chromium(run, tmp_path):
    path, _, _, _ = run
    browser = _chromium()
    url = "file://" + os.path.abspath(os.path.join(path, "report.html"))
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]
    shot = tmp_path / "shot.png"
    subprocess.run([browser, *flags, f"--screenshot={shot}", "--window-size=1200,1600", url], check=True,
                   capture_output=True, timeout=120)
    import matplotlib.image

    pixels = matplotlib.image.imread(str(shot))
    assert pixels.shape[0] == 1600 and pixels.shape[1] == 1200
    assert float(pixels[..., :3].std()) > 0.05  # not blank: text, plots, coloured boxes
    dom = subprocess.run([browser, *flags, "--dump-dom", url], check=True, capture_output=True, timeout=120,
                         text=True).stdout
    for sid in ("summary", "curves", "learning-rate", "diagnosis", "events", "hyperparameters", "model",
                "confusion-matrix", "samples", "gradients"):
        assert f'id="{sid}"' in dom, sid
    assert dom.count("data:image/png;base64,") >= 6
    assert "Autopilot" in dom
