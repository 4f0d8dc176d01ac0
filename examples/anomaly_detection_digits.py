"""Anomaly detection with an autoencoder: learn one digit, flag all the others.

`AnomalyDetector` trains an autoencoder on images of one digit only (the
"normal" class) and sets its threshold at the 99th percentile of the
reconstruction errors of held-out normal images. On the test set, every other
digit should reconstruct worse: the ROC AUC of the reconstruction error as an
anomaly score measures how well, whatever the threshold.

    python examples/anomaly_detection_digits.py [--digit 0]
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.metrics import roc_auc_score

from trainlab.datasets import digits
from trainlab.estimators import AnomalyDetector


def main(digit: int = 0, epochs: int = 100, hidden_units: tuple = (32, 8), seed: int = 0, verbose: int = 1) -> dict:
    """Train on `digit` only; return ROC AUC and detection rates on the test set."""
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    x_train = x_train.reshape(len(x_train), -1) / digits.MAX_PIXEL
    x_test = x_test.reshape(len(x_test), -1) / digits.MAX_PIXEL
    detector = AnomalyDetector(hidden_units=hidden_units, epochs=epochs, learning_rate=0.003, batch_size=16,
                               threshold_percentile=99.0, random_state=seed)
    detector.fit(x_train[y_train == digit])
    anomalous = y_test != digit
    scores = -detector.score_samples(x_test)  # higher = more anomalous
    flagged = detector.predict(x_test) == -1
    result = {
        "digit": digit,
        "roc_auc": float(roc_auc_score(anomalous, scores)),
        "detected": float(flagged[anomalous].mean()),        # other digits flagged (recall)
        "false_alarms": float(flagged[~anomalous].mean()),   # test images of `digit` flagged
        "threshold": detector.threshold_,
        "detector": detector,
    }
    if verbose:
        print(f"normal digit {digit}: ROC AUC {result['roc_auc']:.3f}; other digits flagged "
              f"{100 * result['detected']:.1f}%, {digit}s flagged {100 * result['false_alarms']:.1f}%")
    return result


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--digit", type=int, default=None, help="the normal digit (default: each of 0-9 in turn)")
    args = p.parse_args()
    digits_to_run = range(10) if args.digit is None else [args.digit]
    aucs = [main(d)["roc_auc"] for d in digits_to_run]
    if len(aucs) > 1:
        print(f"mean ROC AUC over digits: {np.mean(aucs):.3f}")
