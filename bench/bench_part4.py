"""Part IV figures, measured side by side in one run, printed as one Markdown table.

Run: .venv/bin/python bench/bench_part4.py [--skip-notebooks | --notebooks 10 11 12]

1. Each chapter notebook's execution time (nbconvert, a fresh kernel, written to a temporary copy).
2. Training throughput (images/s) of the reference and the improved CNN in float32 and with the
   mixed-precision policy this CPU supports, and their ratio.
3. Time to target: each CNN trained in full (reference as chapter 4 trains it, improved as chapter 10
   does), timed to the reference's final validation micro-F1 (float32 run), and the ratio.
4. Yeast (chapter 11's protocol): 10 seeded 66/34 hold-outs, mean +- std of micro-/macro-F1 and
   Hamming loss for the Keras MLP and the scikit-learn baselines, beside the published TKDE 2011 bests.

Timings depend on the machine and its load: compare the ratios, and rerun on a quiet machine.
No assertions on time.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from mlc_utils.metrics import multilabel_report
from mlc_utils.models import (
    bfloat16_supported,
    build_improved_cnn,
    build_mlp,
    build_reference_cnn,
    mixed_precision_policy,
)
from mlc_utils.thresholds import tune_thresholds
from mlc_utils.training import (
    REFERENCE_FIT,
    compile_reference_model,
    EpochClock,
    keras,
    reference_data,
    set_seed,
    time_to_reach,
    train_improved_cnn,
)

ROOT = Path(__file__).resolve().parents[1]
rows: list[tuple[str, str]] = []


def row(what: str, value: str) -> None:
    rows.append((what, value))
    print(f"  {what}: {value}", file=sys.stderr, flush=True)


def notebooks(only: list[str]) -> None:
    python_bin = Path(sys.executable).parent
    jupyter = python_bin / "jupyter"
    for notebook in sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb")):
        if only and notebook.name[:2] not in only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            result = subprocess.run(
                [str(jupyter), "nbconvert", "--to", "notebook", "--execute", "--output-dir", tmp,
                 "--ExecutePreprocessor.timeout=900", "--log-level=ERROR", str(notebook)],
                capture_output=True, text=True, cwd=notebook.parent,
            )
            seconds = time.perf_counter() - start
        status = f"{seconds:.1f} s" if result.returncode == 0 else f"FAILED after {seconds:.1f} s"
        row(f"notebook {notebook.name}", status)


def throughput(build, policy: str, X, Y, epochs: int = 2) -> float:
    set_seed(0)
    model = build(policy=policy)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(X[:64], Y[:64], batch_size=64, epochs=1, verbose=0)  # build the graph first
    start = time.perf_counter()
    model.fit(X, Y, batch_size=64, epochs=epochs, verbose=0)
    return len(X) * epochs / (time.perf_counter() - start)


def train_reference(policy: str):
    """The reference CNN as chapter 4 trains it (same recipe and early stopping), timed per epoch."""
    set_seed(0)
    data = reference_data()
    model = compile_reference_model(build_reference_cnn(policy=policy))
    clock = EpochClock(*data["val"])
    stop = keras.callbacks.EarlyStopping(
        monitor=REFERENCE_FIT["early_stopping_monitor"],
        patience=REFERENCE_FIT["early_stopping_patience"],
        restore_best_weights=REFERENCE_FIT["restore_best_weights"],
    )
    model.fit(*data["train"], validation_data=data["val"], batch_size=REFERENCE_FIT["batch_size"],
              epochs=REFERENCE_FIT["epochs"], callbacks=[clock, stop], verbose=0)
    return model, clock


def cnns() -> None:
    data = reference_data()
    X, Y = data["train"]
    policy = mixed_precision_policy()
    row("bfloat16 instructions on this CPU", str(bfloat16_supported()))
    for name, build in (("reference CNN", build_reference_cnn), ("improved CNN", build_improved_cnn)):
        f32 = throughput(build, "float32", X, Y)
        if policy != "float32":
            mixed = throughput(build, policy, X, Y)
            row(f"{name} training throughput, float32 / {policy}",
                f"{f32:.0f} / {mixed:.0f} images/s (x{mixed / f32:.2f})")
        else:
            row(f"{name} training throughput, float32", f"{f32:.0f} images/s")

    reference, ref_clock = train_reference("float32")
    target = multilabel_report(data["val"][1], reference.predict(data["val"][0], verbose=0))["f1_micro"]
    X_test, Y_test = data["test"]
    ref_test = multilabel_report(Y_test, reference.predict(X_test, verbose=0))["f1_micro"]
    ref_time = time_to_reach(ref_clock.times, ref_clock.val_f1_micro, target)
    row("target: reference CNN's final validation micro-F1 (float32)", f"{target:.4f}")
    row("reference CNN float32: time to target / total; test micro-F1",
        f"{ref_time:.1f} s / {ref_clock.times[-1]:.1f} s; {ref_test:.4f}")
    for run_policy in dict.fromkeys([policy, "float32"]):
        model, history = train_improved_cnn(run_policy)
        reached = time_to_reach(history["time_s"], history["val_f1_micro"], target)
        test_f1 = multilabel_report(Y_test, model.predict(X_test, verbose=0))["f1_micro"]
        ratio = f"x{reached / ref_time:.2f} of the reference's" if reached else "never reached"
        reached_text = f"{reached:.1f} s" if reached else "-"
        row(f"improved CNN {run_policy}: time to target ({ratio}) / total; test micro-F1",
            f"{reached_text} / {history['time_s'][-1]:.1f} s; {test_f1:.4f}")


def yeast() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.multioutput import ClassifierChain
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.preprocessing import StandardScaler

    from mlc_utils.data import load_yeast

    X, Y, _, _ = load_yeast()
    results: dict[str, list[tuple[float, float, float]]] = {}
    start = time.perf_counter()
    for seed in range(10):
        train, test = train_test_split(np.arange(len(X)), test_size=0.34, random_state=seed)
        scaler = StandardScaler().fit(X[train])
        X_train, X_test = scaler.transform(X[train]), scaler.transform(X[test])
        Y_train, Y_test = Y[train], Y[test]
        runs = {}
        for name, est in (
            ("binary relevance (logistic)", OneVsRestClassifier(LogisticRegression(solver="liblinear"))),
            ("classifier chain (logistic)", ClassifierChain(LogisticRegression(solver="liblinear"), random_state=0)),
            ("k-NN (k = 10)", KNeighborsClassifier(n_neighbors=10)),
        ):
            est.fit(X_train, Y_train)
            proba = est.predict_proba(X_test)
            scores = np.column_stack([p[:, 1] for p in proba]) if isinstance(proba, list) else proba
            runs[name] = (scores, 0.5)
        # Chapter 11's Keras MLP: 75 % to fit, 25 % to tune thresholds (per label, shrunk halfway
        # towards the global micro-F1 threshold).
        X_fit, X_val, Y_fit, Y_val = train_test_split(X_train, Y_train, test_size=0.25, random_state=seed)
        set_seed(seed)
        model = build_mlp(X.shape[1], Y.shape[1], hidden_units=(512,), dropout=0.5)
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
        model.fit(X_fit, Y_fit, epochs=30, batch_size=128, verbose=0)
        val_scores = model.predict(X_val, verbose=0, batch_size=1024)
        thresholds = (tune_thresholds(Y_val, val_scores, metric="f1", per_label=True)
                      + tune_thresholds(Y_val, val_scores, metric="f1_micro", per_label=False)) / 2
        runs["Keras MLP (chapter 11)"] = (model.predict(X_test, verbose=0, batch_size=1024), thresholds)
        for name, (scores, threshold) in runs.items():
            report = multilabel_report(Y_test, scores, threshold)
            results.setdefault(name, []).append(
                (report["f1_micro"] * 100, report["f1_macro"] * 100, report["hamming_loss"]))
    seconds = time.perf_counter() - start
    for name, values in results.items():
        v = np.array(values)
        row(f"Yeast {name}: micro-F1 / macro-F1 % / Hamming loss",
            f"{v[:, 0].mean():.2f} ± {v[:, 0].std(ddof=1):.2f} / {v[:, 1].mean():.2f} ± "
            f"{v[:, 1].std(ddof=1):.2f} / {v[:, 2].mean():.3f} ± {v[:, 2].std(ddof=1):.3f}")
    row("Yeast published bests (TKDE 2011, same protocol)", "MLkNN 63.93 ± 1.06 micro; BPMLL 42.85 ± 1.02 macro")
    row("Yeast: time for the 10 splits, all methods", f"{seconds:.1f} s")


def main() -> None:
    started = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    only = sys.argv[sys.argv.index("--notebooks") + 1:] if "--notebooks" in sys.argv else []
    if "--skip-notebooks" not in sys.argv:
        notebooks(only)
    cnns()
    yeast()
    print(f"\nMeasured {started} on {platform.machine()} with {os.cpu_count()} CPUs "
          f"(load average at the end: {os.getloadavg()[0]:.1f}).\n")
    print("| measurement | value |")
    print("| --- | --- |")
    for what, value in rows:
        print(f"| {what} | {value} |")


if __name__ == "__main__":
    main()
