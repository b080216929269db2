"""Issue 9 bad-input table: `.venv/bin/python tools/bad_inputs_table.py [-v]` prints how each public call
in the table fares: refused clearly (ValueError/TypeError starting with the argument name), refused unclearly,
accepted silently, or (for inputs that must work) right/wrong result. Not collected by pytest."""
import sys, warnings, io, contextlib
import numpy as np
import pandas as pd
import scipy.sparse as sp

from mlc_utils import metrics, thresholds, labels, exercises, data, plotting
import matplotlib; matplotlib.use("Agg")
import matplotlib.pyplot as plt

Y = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]])
S = np.array([[0.9, 0.2, 0.7], [0.3, 0.6, 0.1], [0.8, 0.55, 0.4], [0.2, 0.1, 0.95]])
S32 = np.array([[.7, .2, .9], [.3, .7, .65]], np.float32); Y32 = np.array([[1, 0, 1], [0, 1, 0]])
X, YX = data.make_multidigits(4)
H = {"loss": [0.5, 0.4, 0.3], "val_loss": [0.5, 0.45]}
Ynull = pd.DataFrame(Y, dtype="Int64"); Ybool = pd.DataFrame(Y.astype(bool), dtype="boolean")
Yna = Ynull.copy(); Yna.iloc[0, 0] = pd.NA

def out(f):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        f()
    return buf.getvalue().strip()

# (label, call, argument name the message must start with, or a predicate on a correct result)
CASES = [
    # point 7: silent wrong results (must equal learner's >=)
    ("apply_thresholds float32 at 0.7", lambda: apply_ok(), "result"),
    ("multilabel_report float32 at 0.7", lambda: report_ok(), "result"),
    ("check('threshold') float32 at 0.7", lambda: check_thr_ok(), "result"),
    # point 8
    ("label_sets duplicate names", lambda: labels.label_sets(Y, ["a", "a", "b"]), "label_names"),
    ("label_sets set of names", lambda: labels.label_sets(Y, {"a", "b", "c"}), "label_names"),
    ("plot_label_frequency duplicate names", lambda: plotting.plot_label_frequency(Y, ["a", "a", "b"]), "label_names"),
    # point 9, 11 plotting
    ("plot_image_grid uint8", lambda: grid_uint8_ok(), "result"),
    ("plot_image_grid floats 0-255", lambda: plotting.plot_image_grid(X * 255, YX), "X"),
    ("plot_image_grid int64", lambda: plotting.plot_image_grid((X * 255).astype(np.int64), YX), "X"),
    ("plot_image_grid negative floats", lambda: plotting.plot_image_grid(-X, YX), "X"),
    ("plot_image_grid NaN", lambda: plotting.plot_image_grid(X * np.nan, YX), "X"),
    ("plot_image_grid channels-first", lambda: plotting.plot_image_grid(np.moveaxis(X, -1, 1), YX), "X"),
    ("plot_image_grid 2 channels", lambda: plotting.plot_image_grid(X[..., :2], YX), "X"),
    ("plot_image_grid 5-D", lambda: plotting.plot_image_grid(X[None], YX), "X"),
    ("plot_learning_curves unequal", lambda: plotting.plot_learning_curves(H, metrics=("loss",)), "history"),
    ("plot_learning_curves text", lambda: plotting.plot_learning_curves({"loss": "abc"}, metrics=("loss",)), "history['loss']"),
    ("plot_learning_curves empty", lambda: plotting.plot_learning_curves({"loss": []}, metrics=("loss",)), "history['loss']"),
    # point 10 exercises
    ("check f1 one-label", lambda: f1_one_label_ok(), "result"),
    ("check f1 probabilities as y_pred", lambda: exercises.check("f1", 0.5, y_true=Y, y_pred=S), "y_pred"),
    ("check f1 labels {0,2}", lambda: exercises.check("f1", 0.5, y_true=2 * Y, y_pred=Y), "y_true"),
    ("check hamming labels {0,2}", lambda: exercises.check("hamming_loss", 0.5, y_true=Y, y_pred=2 * Y), "y_pred"),
    ("check roc_auc label without positives", lambda: exercises.check("roc_auc", 0.5, y_true=np.c_[Y[:, :2], [0, 0, 0, 0]], y_score=S), "y_true"),
    ("check average_precision label without positives", lambda: exercises.check("average_precision", 0.5, y_true=np.c_[Y[:, :2], [0, 0, 0, 0]], y_score=S), "y_true"),
    ("check one_error scores > 1", lambda: exercises.check("one_error", 0.5, y_true=Y, y_score=S * 3), "y_score"),
    ("check ranking_loss shape mismatch", lambda: exercises.check("ranking_loss", 0.5, y_true=Y, y_score=S[:, :2]), "y_score"),
    ("check label_cardinality 1-D Y", lambda: exercises.check("label_cardinality", 0.5, Y=[1, 0, 1]), "Y"),
    ("verdict_value TF-like scalar", lambda: verdict_ok(FakeTensor(0.25)), "result"),
    ("verdict_value one-element list", lambda: verdict_ok([0.25]), "result"),
    ("verdict_value pandas Series of one", lambda: verdict_ok(pd.Series([0.25])), "result"),
    ("verdict_value complex array", lambda: verdict_not_correct(np.array([0.25 + 0j])), "result"),
    ("verdict_value complex number", lambda: verdict_not_correct(0.25 + 0j), "result"),
    ("verdict_array complex", lambda: verdict_array_not_correct(), "result"),
    # point 11 unclear errors
    ("tune grid set", lambda: thresholds.tune_thresholds(Y, S, grid={0.3, 0.5}), "grid"),
    ("tune grid dict", lambda: thresholds.tune_thresholds(Y, S, grid={0.3: 1}), "grid"),
    ("tune grid string", lambda: thresholds.tune_thresholds(Y, S, grid="0.5"), "grid"),
    ("tune grid booleans", lambda: thresholds.tune_thresholds(Y, S, grid=[True, False]), "grid"),
    ("tune grid ragged", lambda: thresholds.tune_thresholds(Y, S, grid=[[0.1, 0.2], [0.3]]), "grid"),
    ("tune grid 2-D", lambda: thresholds.tune_thresholds(Y, S, grid=[[0.1, 0.2]]), "grid"),
    ("tune grid empty", lambda: thresholds.tune_thresholds(Y, S, grid=[]), "grid"),
    ("tune grid > 1", lambda: thresholds.tune_thresholds(Y, S, grid=[0.5, 1.5]), "grid"),
    ("tune grid NaN", lambda: thresholds.tune_thresholds(Y, S, grid=[0.5, np.nan]), "grid"),
    ("multilabel_report threshold=True", lambda: metrics.multilabel_report(Y, S, True), "threshold"),
    ("apply_thresholds threshold=True", lambda: thresholds.apply_thresholds(S, True), "thresholds"),
    ("apply_thresholds boolean array", lambda: thresholds.apply_thresholds(S, [True, False, True]), "thresholds"),
    ("stratified_split seed 2**32", lambda: data.stratified_split(np.zeros((4, 1)), np.eye(4, 2, dtype=int), seed=2**32), "seed"),
    ("make_multidigits seed 2**64", lambda: data.make_multidigits(2, seed=2**64), "seed"),
    ("make_multidigits 10**13", lambda: data.make_multidigits(10**13), "n_samples"),
    ("stratified_split one label column", lambda: split_one_col_ok(), "result"),
    ("stratified_split one sample", lambda: data.stratified_split(np.zeros((1, 2)), [[1, 0]]), "Y"),
    ("multilabel_report sparse CSR", lambda: sparse_ok(), "result"),
    ("multilabel_report pandas Int64/boolean", lambda: nullable_ok(), "result"),
    ("label_cardinality pandas Int64 with NA", lambda: labels.label_cardinality(Yna), "Y"),
    ("label_cardinality text column", lambda: labels.label_cardinality(pd.DataFrame({"a": ["x", "y"]})), "Y"),
    ("coverage of a row without labels", lambda: coverage_ok(), "result"),
]

class FakeTensor:
    def __init__(self, v): self.v = v
    def __array__(self, dtype=None, copy=None): return np.asarray(self.v, dtype=dtype)

def expect(cond):
    if not cond:
        raise AssertionError("wrong result")
def apply_ok(): expect(np.array_equal(thresholds.apply_thresholds(S32, 0.7), (S32 >= 0.7).astype(int)))
def report_ok(): expect(metrics.multilabel_report(Y32, S32, 0.7)["f1_micro"] == 1.0)
def check_thr_ok(): expect(out(lambda: exercises.check("threshold", (S32 >= 0.7).astype(int), y_score=S32, threshold=0.7)).startswith("Correct"))
def grid_uint8_ok():
    f = plotting.plot_image_grid((X * 255).astype(np.uint8), YX); expect(f.axes[0].images[0].get_array().max() > 1)
def f1_one_label_ok(): expect(out(lambda: exercises.check("f1", 0.8, y_true=[[1], [1], [1], [0], [0]], y_pred=[[1], [1], [0], [0], [0]])).startswith("Correct"))
def verdict_ok(a): expect(exercises.verdict_value(a, 0.25).startswith("Correct"))
def verdict_not_correct(a): expect(not exercises.verdict_value(a, 0.25).startswith("Correct"))
def verdict_array_not_correct(): expect(not exercises.verdict_array(np.ones((2, 2), complex), np.ones((2, 2))).startswith("Correct"))
def split_one_col_ok():
    r = data.stratified_split(np.arange(20.)[:, None], np.array([[0], [0], [0], [1]] * 5), test_size=0.4); expect(r[3].sum() == 2)
def sparse_ok(): expect(metrics.multilabel_report(sp.csr_matrix(Y), S) == metrics.multilabel_report(Y, S))
def nullable_ok(): expect(metrics.multilabel_report(Ynull, S) == metrics.multilabel_report(Y, S) == metrics.multilabel_report(Ybool, S))
def coverage_ok(): expect(metrics.coverage([[0, 0, 0], [1, 0, 0]], [[.1, .2, .3], [.1, .2, .3]]) == 1.0)

counts = {"refused clearly": 0, "refused unclearly": 0, "accepted silently": 0, "right result": 0, "wrong result": 0}
for label, call, arg in CASES:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            call()
            kind = "right result" if arg == "result" else "accepted silently"
        except AssertionError:
            kind = "wrong result"
        except (ValueError, TypeError) as e:
            msg = str(e)
            kind = "refused clearly" if arg != "result" and msg.startswith(arg + ":") else "refused unclearly"
            if arg == "result": kind = "refused unclearly"
        except Exception as e:
            kind = "refused unclearly"
    plt.close("all")
    counts[kind] += 1
    if "-v" in sys.argv:
        print(f"{kind:18s} {label}")
print(len(CASES), "inputs tried:", counts)
