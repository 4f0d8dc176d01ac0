"""A course notebook executed by a real Jupyter kernel (nbclient): the progress
bar updates one output in place, summary() prints its table once, and a
matplotlib plot comes back as a PNG image."""

import os

import nbformat
from nbclient import NotebookClient

import trainlab

SRC = os.path.dirname(os.path.dirname(os.path.abspath(trainlab.__file__)))

CELLS = [
    """\
import numpy as np
import matplotlib.pyplot as plt
import trainlab as tl
rng = np.random.default_rng(0)
x = rng.normal(size=(400, 4)).astype("float32")
y = (x[:, 0] + x[:, 1] > 0).astype("int32")
print(tl.__file__)""",
    """\
model = tl.Sequential([tl.layers.Dense(16, activation="relu", input_shape=(4,)),
                       tl.layers.Dense(2, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.summary()""",
    "history = model.fit(x, y, epochs=3, batch_size=8)",
    """\
plt.plot(history.history["loss"], label="loss")
plt.legend()
plt.show()""",
    "tl.report.plots.curves_figure(history.history, 'loss')",
]


def test_course_notebook_renders_progress_summary_and_plot(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("JAX_PLATFORMS", "cpu")
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src) for src in CELLS])
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    imports, summary, fit, plot, report_figure = (cell.outputs for cell in nb.cells)

    assert imports[0]["text"].strip() == trainlab.__file__  # the kernel runs this worktree's trainlab

    text = "".join(o.get("text", "") for o in summary)
    assert "Layer (type)" in text and "Total params: 114" in text  # 4*16+16 + 16*2+2
    assert [o["output_type"] for o in summary] == ["stream"]  # printed once, no Out[] copy

    displays = [o for o in fit if o["output_type"] == "display_data"]
    epochs = "".join(o.get("text", "") for o in fit if o["output_type"] == "stream")
    assert epochs.split() == ["Epoch", "1/3", "Epoch", "2/3", "Epoch", "3/3"]
    assert len(displays) == 3  # one bar per epoch, updated in place (50 steps each, not 50 lines)
    for bar in displays:
        final = bar["data"]["text/plain"]
        assert final.startswith("50/50 [" + "=" * 30 + "]") and "accuracy:" in final and "loss:" in final
        assert "<progress value='50' max='50'" in bar["data"]["text/html"]
    assert not any(o["output_type"] == "execute_result" for o in fit)

    assert any("image/png" in o.get("data", {}) for o in plot)
    assert any("image/png" in o.get("data", {}) for o in report_figure)  # trainlab's own figures too
