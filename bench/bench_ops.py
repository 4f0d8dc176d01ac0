"""Check: `tl.ops` against Keras 3's `keras.ops` (issue 16), op by op.

Usage::

    python bench/bench_ops.py [--peers-python .venv-peers/bin/python] [--shared ../shared]

Runs every case of `CASES` with trainlab here and with ``keras.ops`` (Keras 3,
JAX backend) in the peers' Python, on the same inputs, and prints a Markdown
section (``### tl.ops against keras.ops``): per op the largest absolute
difference, whether the dtypes and shapes agree. Exit status 1 if any case
differs by more than 1e-5 or in dtype/shape.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# (label, op name, positional args as expressions over the inputs x, y, i, m)
CASES = [
    ("sum(x, 1, True)", "sum", "x, 1, True"), ("mean(x, 0)", "mean", "x, 0"),
    ("max(x, -1, True)", "max", "x, -1, True"), ("min(x)", "min", "x"), ("argmax(x, 1)", "argmax", "x, 1"),
    ("argmin(x, 0)", "argmin", "x, 0"), ("std(x, 1)", "std", "x, 1"), ("var(x)", "var", "x"),
    ("prod(x, 0)", "prod", "x, 0"), ("expand_dims(x, 1)", "expand_dims", "x, 1"),
    ("squeeze(x[:, :1])", "squeeze", "x[:, :1]"), ("concatenate([x, y], 1)", "concatenate", "[x, y], 1"),
    ("stack([x, y])", "stack", "[x, y]"), ("reshape(x, (4, 3))", "reshape", "x, (4, 3)"),
    ("transpose(x)", "transpose", "x"), ("matmul(x, y.T)", "matmul", "x, y.T"),
    ("clip(x, -0.5, 0.5)", "clip", "x, -0.5, 0.5"), ("where(m, x, y)", "where", "m, x, y"),
    ("linspace(0, 1, 7)", "linspace", "0.0, 1.0, 7"), ("arange(2, 9, 3)", "arange", "2, 9, 3"),
    ("zeros((2, 3))", "zeros", "(2, 3)"), ("ones((2,))", "ones", "(2,)"),
    ("exp(x)", "exp", "x"), ("log(abs(x))", "log", "np.abs(x)"), ("sqrt(abs(x))", "sqrt", "np.abs(x)"),
    ("square(x)", "square", "x"), ("abs(x)", "abs", "x"), ("logsumexp(x, 1)", "logsumexp", "x, 1"),
    ("convert_to_tensor(i)", "convert_to_tensor", "i"), ("convert_to_tensor(1.5)", "convert_to_tensor", "1.5"),
    ("cast(x, 'int32')", "cast", "x, 'int32'"), ("one_hot(i, 4)", "one_hot", "i, 4"),
    ("softmax(x)", "softmax", "x"), ("softmax(x, 0)", "softmax", "x, 0"), ("log_softmax(x)", "log_softmax", "x"),
    ("sigmoid(x)", "sigmoid", "x"), ("relu(x)", "relu", "x"), ("relu6(3 * x)", "relu6", "3 * x"),
    ("leaky_relu(x)", "leaky_relu", "x"), ("elu(x)", "elu", "x"), ("selu(x)", "selu", "x"),
    ("gelu(x)", "gelu", "x"), ("silu(x)", "silu", "x"), ("softplus(x)", "softplus", "x"),
    ("softsign(x)", "softsign", "x"), ("hard_sigmoid(x)", "hard_sigmoid", "x"), ("tanh(x)", "tanh", "x"),
    ("sort(x)", "sort", "x"), ("argsort(x)", "argsort", "x"), ("cumsum(x, 1)", "cumsum", "x, 1"),
    ("tile(i, 2)", "tile", "i, 2"), ("repeat(i, 2)", "repeat", "i, 2"), ("norm(x)", "norm", "x"),
    ("top_k(i, 2)[0]", "top_k", "i, 2"),
]

_RUNNER = r"""
import json, sys
import numpy as np
data = np.load(sys.argv[1])
x, y, i, m = data["x"], data["y"], data["i"], data["m"]
{setup}
out = {{}}
for label, name, args in json.loads(sys.argv[2]):
    try:
        value = eval(f"ops.{{name}}({{args}})")
        if isinstance(value, (tuple, list)):
            value = value[0]
        arr = np.asarray(value)
        out[label] = {{"value": arr.tolist(), "dtype": str(arr.dtype), "shape": list(arr.shape)}}
    except Exception as exc:
        out[label] = {{"error": f"{{type(exc).__name__}}: {{exc}}"}}
print(json.dumps(out))
"""


def run(python: str, setup: str, inputs: str, env: dict) -> dict:
    code = _RUNNER.format(setup=setup)
    proc = subprocess.run([python, "-c", code, inputs, json.dumps(CASES)], capture_output=True, text=True,
                          env=env, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--peers-python", default=os.path.join(ROOT, ".venv-peers", "bin", "python"))
    p.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    args = p.parse_args()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        inputs = os.path.join(tmp, "inputs.npz")
        x = rng.normal(size=(3, 4)).astype(np.float32)
        np.savez(inputs, x=x, y=rng.normal(size=(3, 4)).astype(np.float32), i=np.array([3, 0, 2, 1]),
                 m=x > 0)
        env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu",
               "PYTHONPATH": os.path.join(ROOT, "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
        ours = run(sys.executable, "import trainlab as tl\nops = tl.ops", inputs, env)
        keras = run(args.peers_python, "import keras\nops = keras.ops", inputs, env)
    lines = ["### tl.ops against keras.ops", "",
             f"{len(CASES)} cases, same inputs; Keras 3 on JAX from the peers' Python.", "",
             "| op | max abs difference | dtype (trainlab / keras) | same shape |", "| --- | ---: | --- | --- |"]
    bad = 0
    for label, _, _ in CASES:
        a, b = ours[label], keras[label]
        if "error" in a or "error" in b:
            bad += 1
            lines.append(f"| `{label}` | error: {a.get('error') or b.get('error')} | | |")
            continue
        same_shape = a["shape"] == b["shape"]
        diff = float(np.max(np.abs(np.asarray(a["value"], float) - np.asarray(b["value"], float)))) if same_shape \
            and np.size(a["value"]) else 0.0
        ok = same_shape and diff <= 1e-5 and a["dtype"] == b["dtype"]
        bad += not ok
        lines.append(f"| `{label}` | {diff:.1e} | {a['dtype']} / {b['dtype']} | {'yes' if same_shape else 'NO'} |")
    lines += ["", f"{len(CASES) - bad} of {len(CASES)} cases agree (difference <= 1e-5, same dtype and shape)."]
    print("\n".join(lines))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
