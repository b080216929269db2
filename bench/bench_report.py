"""multilabel_report against the same fifteen numbers from separate scikit-learn calls.

Run: .venv/bin/python bench/bench_report.py [n_samples] [n_labels]
Prints both timings, measured side by side in one run, and their ratio (no assertion on time).
"""

from __future__ import annotations

import sys
import time

import numpy as np
import sklearn.metrics as skm

from mlc_utils.metrics import REPORT_KEYS, multilabel_report


def sklearn_report(y_true: np.ndarray, y_score: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    """Fifteen separate scikit-learn calls (one-error, absent from scikit-learn, with NumPy)."""
    y_pred = (y_score >= threshold).astype(int)
    return {
        "subset_accuracy": skm.accuracy_score(y_true, y_pred),
        "hamming_loss": skm.hamming_loss(y_true, y_pred),
        "precision_micro": skm.precision_score(y_true, y_pred, average="micro", zero_division=0),
        "recall_micro": skm.recall_score(y_true, y_pred, average="micro", zero_division=0),
        "f1_micro": skm.f1_score(y_true, y_pred, average="micro", zero_division=0),
        "precision_macro": skm.precision_score(y_true, y_pred, average="macro", zero_division=0),
        "recall_macro": skm.recall_score(y_true, y_pred, average="macro", zero_division=0),
        "f1_macro": skm.f1_score(y_true, y_pred, average="macro", zero_division=0),
        "f1_weighted": skm.f1_score(y_true, y_pred, average="weighted", zero_division=0),
        "f1_samples": skm.f1_score(y_true, y_pred, average="samples", zero_division=0),
        "jaccard_samples": skm.jaccard_score(y_true, y_pred, average="samples", zero_division=0),
        "one_error": float(np.mean(y_true[np.arange(len(y_true)), np.argmax(y_score, axis=1)] == 0)),
        "coverage": skm.coverage_error(y_true, y_score) - 1,
        "ranking_loss": skm.label_ranking_loss(y_true, y_score),
        "label_ranking_average_precision": skm.label_ranking_average_precision_score(y_true, y_score),
    }


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    n_samples = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    n_labels = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    rng = np.random.default_rng(0)
    y_true = (rng.random((n_samples, n_labels)) < 0.1).astype(np.int64)
    # Scores correlated with the labels, rounded to 3 decimals so that ties occur as in practice.
    y_score = np.round(np.clip(0.4 * y_true + 0.6 * rng.random(y_true.shape), 0, 1), 3)

    ours = multilabel_report(y_true, y_score)
    theirs = sklearn_report(y_true, y_score)
    worst = max(abs(ours[k] - theirs[k]) for k in REPORT_KEYS)

    t_ours = best_of(lambda: multilabel_report(y_true, y_score), repeats=3)
    t_theirs = best_of(lambda: sklearn_report(y_true, y_score), repeats=1)
    print(f"y_true/y_score: {n_samples:,} x {n_labels}, 15 metrics, largest difference {worst:.1e}")
    print(f"multilabel_report:               {t_ours:7.2f} s (best of 3)")
    print(f"15 separate scikit-learn calls:  {t_theirs:7.2f} s")
    print(f"speed-up: {t_theirs / t_ours:.1f}x")


if __name__ == "__main__":
    main()
