"""Seeding, the shared training recipe, and a cache of trained models for later chapters.

``load_reference_model()`` returns the reference CNN of chapter 4, trained once and cached;
``cached_model(name, build_fn, train_fn, key_parts=...)`` does the same for any model a chapter
trains (see its docstring). Importing this module imports TensorFlow/Keras.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import json
import os
import random
import re
import sys
import tempfile
import textwrap
import types
import warnings
import zipfile
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ._tensorflow import keras, tf  # imports TensorFlow without its start-up log lines

from ._validation import check_int
from .data import make_multidigits
from .models import build_reference_cnn

__all__ = [
    "set_seed",
    "REFERENCE_DATA",
    "REFERENCE_FIT",
    "reference_data",
    "compile_reference_model",
    "train_reference_model",
    "cache_dir",
    "cache_key",
    "cache_reference_model",
    "load_reference_model",
    "cached_model",
    "model_key",
    "CacheWarning",
    "HIT_MESSAGE",
    "MISS_MESSAGE",
    "DONE_MESSAGE",
]

#: The MultiDigits sizes and seed every chapter uses for the reference model.
REFERENCE_DATA: dict[str, int] = {"n_train": 6000, "n_val": 1000, "n_test": 2000, "seed": 0}

#: How chapter 4 compiles and fits the reference CNN.
REFERENCE_FIT: dict[str, Any] = {
    "optimizer": "adam",
    "learning_rate": 3e-3,
    "loss": "binary_crossentropy",
    "metrics": ["accuracy"],
    "batch_size": 64,
    "epochs": 10,
    "early_stopping_monitor": "val_loss",
    "early_stopping_patience": 2,
    "restore_best_weights": True,
}

HIT_MESSAGE = "Loaded the trained reference CNN from the cache."
MISS_MESSAGE = "No cached model found: training the reference CNN (about a minute)..."
DONE_MESSAGE = "Trained and cached."


def set_seed(seed: int = 0) -> None:
    """Seed Python, NumPy and TensorFlow (``keras.utils.set_random_seed``) and make TF ops deterministic."""
    seed = check_int(seed, "seed", minimum=0)
    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def reference_data() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """MultiDigits as used by the reference model: ``{"train": (X, Y), "val": (X, Y), "test": (X, Y)}``.

    Sizes and seed from ``REFERENCE_DATA``; X (n, 32, 32, 3) float32, Y (n, 10) int 0/1.
    """
    seed = REFERENCE_DATA["seed"]
    return {
        split: make_multidigits(REFERENCE_DATA[f"n_{split}"], split=split, seed=seed)
        for split in ("train", "val", "test")
    }


def compile_reference_model(model: keras.Model) -> keras.Model:
    """Compile ``model`` as chapter 4 does: Adam (``REFERENCE_FIT["learning_rate"]``), binary
    cross-entropy and Keras' ``"accuracy"`` metric. Returns the model."""
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=REFERENCE_FIT["learning_rate"]),
        loss=REFERENCE_FIT["loss"],
        # As in chapter 4: the string "accuracy", which Keras 3 resolves from the output shape, not
        # from the loss. For a 10-unit output it is CategoricalAccuracy (argmax of the scores ==
        # argmax of the 0/1 row, i.e. the lowest true digit), not the per-label accuracy.
        metrics=list(REFERENCE_FIT["metrics"]),
    )
    return model


def train_reference_model(verbose: int = 0) -> tuple[keras.Model, dict[str, list[float]]]:
    """Build, compile and fit the reference CNN exactly as chapter 4 does.

    Seeds with ``REFERENCE_DATA["seed"]``, fits on the train split with the val split for early
    stopping (``REFERENCE_FIT``). Returns the model (best weights restored) and its history
    as a dict of per-epoch lists (``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``).
    """
    set_seed(REFERENCE_DATA["seed"])
    data = reference_data()
    model = compile_reference_model(build_reference_cnn())
    early_stopping = keras.callbacks.EarlyStopping(
        monitor=REFERENCE_FIT["early_stopping_monitor"],
        patience=REFERENCE_FIT["early_stopping_patience"],
        restore_best_weights=REFERENCE_FIT["restore_best_weights"],
    )
    history = model.fit(
        *data["train"],
        validation_data=data["val"],
        batch_size=REFERENCE_FIT["batch_size"],
        epochs=REFERENCE_FIT["epochs"],
        callbacks=[early_stopping],
        verbose=verbose,
    )
    return model, {k: [float(v) for v in values] for k, values in history.history.items()}


# --------------------------------------------------------------------------------------------------
# The model cache
# --------------------------------------------------------------------------------------------------

#: Layout of a cache file (part of every key): a ``.keras`` archive plus an ``mlc_utils.json`` entry.
CACHE_FORMAT = 2
_META = "mlc_utils.json"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")
# Keras 3.15 converts variables with np.array(x, copy=False) when saving, which NumPy 2 answers with
# a DeprecationWarning; loading a file that does not match warns once per layer before it raises.
# Neither is the reader's business: the cache reports what went wrong itself.
_LIBRARY_NOISE = (
    (DeprecationWarning, r"__array__ implementation doesn't accept a copy keyword"),
    (UserWarning, r"Skipping"),
)
# Models trained in this session that could not be written to the cache: a second call reuses them.
_SESSION: dict[str, tuple[list[np.ndarray], dict[str, list[float]]]] = {}


class CacheWarning(UserWarning):
    """A trained model could not be written to the cache (it is still returned)."""


@contextlib.contextmanager
def _quiet_library():
    with warnings.catch_warnings():
        for category, message in _LIBRARY_NOISE:
            warnings.filterwarnings("ignore", message=message, category=category)
        yield


def cache_dir() -> Path:
    """Where trained models are cached.

    ``$MLC_UTILS_CACHE`` if set (``~`` expanded); else ``.cache/mlc_utils`` at the repository root
    when the package runs from a source checkout (an ignored folder); else ``~/.cache/mlc_utils``.
    """
    override = os.environ.get("MLC_UTILS_CACHE")
    if override:
        return Path(override).expanduser()
    root = Path(__file__).resolve().parents[1]
    if (root / "pyproject.toml").is_file():
        return root / ".cache" / "mlc_utils"
    return Path.home() / ".cache" / "mlc_utils"


def _follows(obj: Any) -> bool:
    """Whether the fingerprint reads the source of ``obj`` (this package's code and a notebook's own)."""
    module = getattr(obj, "__module__", None) or ""
    return module == "__main__" or module == "mlc_utils" or module.startswith("mlc_utils.")


# The source digest of each function's code, read once: the code that runs is the code that trains.
_SOURCES: dict[types.CodeType, str] = {}


def _code_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


def _fingerprint(obj: Any, seen: dict[int, str] | None = None) -> Any:
    """A JSON-able digest of ``obj`` that changes whenever what ``obj`` computes can change.

    Functions and classes of this package (or defined in a notebook) contribute their source code and,
    recursively, every module-level name their code uses: other functions, classes and constants
    (numbers, strings, tuples, dicts, arrays). Anything else that is callable (NumPy, Keras, ...)
    contributes its qualified name; its behaviour is covered by the library versions in the key.
    """
    seen = {} if seen is None else seen
    if obj is None or isinstance(obj, (bool, int, float, complex, str, bytes)):
        return repr(obj)
    if isinstance(obj, (np.generic, np.ndarray)):
        array = np.ascontiguousarray(obj)
        digest = hashlib.sha256(array.tobytes()).hexdigest()
        return f"array {array.dtype.str} {array.shape} {digest}"
    if isinstance(obj, (list, tuple)):
        return [type(obj).__name__, [_fingerprint(v, seen) for v in obj]]
    if isinstance(obj, (set, frozenset)):
        return ["set", sorted(json.dumps(_fingerprint(v, seen), sort_keys=True) for v in obj)]
    if isinstance(obj, dict):
        return ["dict", sorted([repr(k), _fingerprint(v, seen)] for k, v in obj.items())]
    if isinstance(obj, functools.partial):
        return ["partial", _fingerprint(obj.func, seen), _fingerprint(obj.args, seen),
                _fingerprint(obj.keywords, seen)]
    if isinstance(obj, types.MethodType):
        return ["method", _fingerprint(obj.__func__, seen)]
    if isinstance(obj, types.ModuleType):
        return f"module {obj.__name__}"
    wrapped = getattr(obj, "__wrapped__", None)  # functools.lru_cache, functools.wraps
    if wrapped is not None and callable(obj) and not isinstance(obj, type):
        return ["wrapped", _fingerprint(wrapped, seen)]
    name = f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', type(obj).__qualname__)}"
    if not (callable(obj) and _follows(obj)):
        return f"object {name}"
    if id(obj) in seen:
        return f"see {name}"
    seen[id(obj)] = name
    code = getattr(obj, "__code__", None)
    source = _SOURCES.get(code) if code is not None else None
    if source is None:
        try:
            source = hashlib.sha256(textwrap.dedent(inspect.getsource(obj)).encode()).hexdigest()
        except (OSError, TypeError):  # no source file (exec'd code): the compiled code stands in for it
            source = repr((code.co_code, code.co_consts, code.co_names)) if code else repr(obj)
        if code is not None:
            _SOURCES[code] = source
    parts: dict[str, Any] = {}
    functions = [obj] if isinstance(obj, types.FunctionType) else [
        v for v in vars(obj).values() if isinstance(v, types.FunctionType)
    ]
    for function in functions:
        namespace = function.__globals__
        for used in sorted(_code_names(function.__code__)):
            if used in namespace and used not in parts:
                parts[used] = _fingerprint(namespace[used], seen)
        for default in function.__defaults__ or ():
            parts.setdefault("<defaults>", []).append(_fingerprint(default, seen))
    return ["code", name, source, sorted(parts.items())]


def _versions() -> dict[str, str]:
    import sklearn

    import mlc_utils

    return {
        "mlc_utils": mlc_utils.__version__,
        "python": ".".join(map(str, sys.version_info[:2])),
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
    }


def _architecture(model: keras.Model) -> str:
    text = json.dumps(model.get_config(), sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def model_key(
    name: str,
    build_fn: Callable[[], keras.Model],
    train_fn: Callable[[], tuple[keras.Model, Any]],
    *,
    key_parts: Any = None,
    compile_fn: Callable[[keras.Model], Any] | None = None,
) -> str:
    """The cache key of a model: 16 hex digits of a SHA-256 over everything that makes its weights.

    Covers the cache format, ``name``, the built architecture's Keras configuration, the source code of
    ``build_fn``, ``train_fn`` and ``compile_fn`` and of everything of this package (or of the notebook)
    they use, recursively, with the constants they read (see ``_fingerprint``), ``key_parts`` (values,
    arrays and functions alike) and the versions of mlc_utils, Python, NumPy, scikit-learn, TensorFlow
    and Keras. Nothing has to be bumped by hand: change any of these and the key changes.
    """
    seen: dict[int, str] = {}  # each function once, even where several ingredients use it
    payload = {
        "format": CACHE_FORMAT,
        "name": name,
        "architecture": _architecture(build_fn()),
        "code": [_fingerprint(fn, seen) for fn in (build_fn, train_fn, compile_fn)],
        "parts": _fingerprint(key_parts, seen),
        "versions": _versions(),
    }
    text = json.dumps(payload, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _check_history(history: Any) -> dict[str, list[float]]:
    """A training history as the cache stores it: ``{metric: [one float per epoch]}``, equal lengths."""
    if hasattr(history, "history") and not isinstance(history, dict):  # a Keras History
        history = history.history
    if not isinstance(history, dict) or not history:
        raise TypeError(
            f"history: expected a non-empty dict of per-epoch lists or a Keras History, got "
            f"{type(history).__name__}"
        )
    out: dict[str, list[float]] = {}
    for metric, values in history.items():
        if not isinstance(metric, str) or not metric:
            raise ValueError(f"history: metric names must be non-empty strings, got {metric!r}")
        if isinstance(values, (str, bytes, dict)) or not isinstance(values, (list, tuple, np.ndarray)):
            raise ValueError(f"history: {metric!r} must be a list of per-epoch numbers, got {values!r:.60}")
        numbers = []
        for value in values:
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
                raise ValueError(f"history: {metric!r} must hold numbers, got {value!r:.60}")
            numbers.append(float(value))
        out[metric] = numbers
    lengths = {len(v) for v in out.values()}
    if len(lengths) != 1 or 0 in lengths:
        raise ValueError(f"history: every metric needs one value per epoch (>= 1), got lengths {sorted(lengths)}")
    return out


class _Miss(Exception):
    """The cache file cannot be used; the message says why."""


def _read(path: Path, name: str, key: str, build_fn, compile_fn) -> tuple[keras.Model, dict[str, list[float]]]:
    """Build the architecture from code and load only the weights of ``path`` into it.

    Nothing in the file is deserialized as code or configuration, whatever
    ``keras.config.enable_unsafe_deserialization()`` says: only ``mlc_utils.json`` (plain data)
    and the weight arrays are read.
    """
    if not path.is_file():
        raise _Miss("it is not a file")
    try:
        with zipfile.ZipFile(path) as archive:
            if _META not in archive.namelist():
                raise _Miss(f"it was not written by mlc_utils (no {_META} inside)")
            meta = json.loads(archive.read(_META).decode("utf-8"))
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _Miss(f"it is not a readable cache file ({type(error).__name__})") from None
    if not isinstance(meta, dict):
        raise _Miss(f"its {_META} is not a JSON object")
    model = build_fn()
    expected = {"format": CACHE_FORMAT, "name": name, "key": key, "architecture": _architecture(model)}
    for field, value in expected.items():
        if meta.get(field) != value:
            raise _Miss(f"it was written for another {field} ({str(meta.get(field))[:20]!r})")
    try:
        history = _check_history(meta.get("history"))
    except (TypeError, ValueError) as error:
        raise _Miss(f"its training history has the wrong shape: {error}") from None
    try:
        with _quiet_library():
            model.load_weights(path)  # a .keras archive: reads model.weights.h5 only
    except Exception as error:  # noqa: BLE001 - any failure means: not our weights
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise _Miss(f"its weights do not fit the architecture ({first_line[:80]})") from None
    if compile_fn is not None:
        compile_fn(model)
    return model, history


def _write(path: Path, model: keras.Model, meta: dict[str, Any]) -> None:
    """Write model and metadata (with the history) as one file, then rename it into place.

    A reader sees the old file or the new one, never half of one, and two writers racing each other
    leave one writer's complete file: the weights and the history travel together.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".keras")
    os.close(handle)
    tmp = Path(tmp_name)
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o666 & ~umask)  # mkstemp makes it private; the cache file is an ordinary file
    try:
        with _quiet_library():
            model.save(tmp)
        with zipfile.ZipFile(tmp, "a") as archive:
            archive.writestr(_META, json.dumps(meta, indent=1))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _store(path: Path, name: str, key: str, model: keras.Model, history: dict[str, list[float]]) -> None:
    meta = {
        "format": CACHE_FORMAT,
        "name": name,
        "key": key,
        "architecture": _architecture(model),
        "history": history,
        "versions": _versions(),
    }
    _write(path, model, meta)


def cached_model(
    name: str,
    build_fn: Callable[[], keras.Model],
    train_fn: Callable[[], tuple[keras.Model, Any]],
    *,
    key_parts: Any = None,
    compile_fn: Callable[[keras.Model], Any] | None = None,
    what: str | None = None,
    duration: str | None = None,
    verbose: bool = True,
) -> tuple[keras.Model, dict[str, list[float]]]:
    """A trained model and its history: loaded from the cache, or trained now and cached.

    For the chapters that train a model once and reuse it (``load_reference_model`` is this function
    for the reference CNN). Example::

        model, history = cached_model(
            "improved-cnn",
            build_fn=build_improved_cnn,            # () -> the uncompiled architecture
            train_fn=train_improved,                # () -> (trained model, History or dict)
            key_parts={"data": DATA, "fit": FIT},   # anything else the weights depend on
            compile_fn=compile_improved,            # optional: compiles the loaded model
            what="improved CNN", duration="about two minutes",
        )

    - ``name``: the file name's stem (letters, digits, ``-``, ``_``); the file is
      ``cache_dir() / f"{name}-{key}.keras"`` with ``key = model_key(...)`` of the same arguments.
    - ``build_fn()`` builds the architecture from code (use ``functools.partial`` for arguments);
      ``train_fn()`` returns a trained model of exactly that architecture and its history.
    - The key follows the source of ``build_fn``, ``train_fn``, ``compile_fn`` and of everything of
      this package or of the notebook they use (recursively, constants included), ``key_parts`` and
      the library versions: edit any of them and the next call trains again, no version to bump.
    - Loading builds the architecture with ``build_fn`` and reads only weights and plain JSON from
      the file, so no code or configuration is ever deserialized (whatever
      ``keras.config.enable_unsafe_deserialization()`` says). A file that is not an mlc_utils cache
      file, was written for another key or architecture, or holds a malformed history is ignored
      with a printed reason, and the model is trained again.
    - Model and history are written as one file, renamed into place (atomic).
    - If the cache cannot be written (read-only folder, ``MLC_UTILS_CACHE`` pointing at a file...),
      the trained model is still returned, with a ``CacheWarning`` saying where it tried; later calls
      in the same session reuse it instead of training again.

    With ``verbose`` it prints one line on a hit, ``Loaded the trained {what} from the cache.``,
    and on a miss ``No cached model found: training the {what} ({duration})...`` then
    ``Trained and cached.`` (``what`` defaults to ``name``).
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"name: expected letters, digits, '-' or '_' (a file name stem), got {name!r}")
    for argument, fn in (("build_fn", build_fn), ("train_fn", train_fn)):
        if not callable(fn):
            raise TypeError(f"{argument}: expected a function, got {type(fn).__name__}")
    if compile_fn is not None and not callable(compile_fn):
        raise TypeError(f"compile_fn: expected a function or None, got {type(compile_fn).__name__}")
    what = name if what is None else what
    key = model_key(name, build_fn, train_fn, key_parts=key_parts, compile_fn=compile_fn)
    folder = cache_dir()
    path = folder / f"{name}-{key}.keras"
    say = print if verbose else (lambda *args, **kwargs: None)

    if path.exists() or path.is_symlink():
        try:
            model, history = _read(path, name, key, build_fn, compile_fn)
        except _Miss as miss:
            say(f"Ignoring the cached file {path.name}: {miss}.")
        else:
            say(f"Loaded the trained {what} from the cache.")
            return model, history
    if key in _SESSION:
        weights, history = _SESSION[key]
        model = build_fn()
        model.set_weights(weights)
        if compile_fn is not None:
            compile_fn(model)
        say(f"Reusing the {what} trained earlier in this session (it could not be cached).")
        return model, {k: list(v) for k, v in history.items()}

    say(f"No cached model found: training the {what}" + (f" ({duration})..." if duration else "..."),
        flush=True)
    model, history = train_fn()
    history = _check_history(history)
    if _architecture(model) != _architecture(build_fn()):
        raise ValueError(f"train_fn: returned a model whose architecture differs from build_fn()'s")
    try:
        _store(path, name, key, model, history)
    except OSError as error:
        _SESSION[key] = (model.get_weights(), history)
        warnings.warn(
            f"Could not cache the trained {what} in {folder} ({type(error).__name__}: "
            f"{error.strerror or error}). It is returned, and reused for the rest of this session; "
            f"set MLC_UTILS_CACHE to a writable folder to keep it.",
            CacheWarning,
            stacklevel=2,
        )
        say("Trained (not cached).")
    else:
        say(DONE_MESSAGE)
    return model, history


# --------------------------------------------------------------------------------------------------
# The reference CNN in the cache
# --------------------------------------------------------------------------------------------------

_REFERENCE = "reference"


def _reference_ingredients() -> dict[str, Any]:
    return {
        "build_fn": build_reference_cnn,
        "train_fn": train_reference_model,
        "key_parts": {"data": REFERENCE_DATA, "fit": REFERENCE_FIT, "reference_data": reference_data},
        "compile_fn": compile_reference_model,
    }


def cache_key() -> str:
    """The reference CNN's cache key: ``model_key`` of its recipe (16 hex digits).

    It changes whenever anything that determines the trained weights changes: the MultiDigits
    generator's code and constants, the architecture (code and Keras configuration), the fit recipe
    (``REFERENCE_DATA``, ``REFERENCE_FIT``, the code of ``train_reference_model`` and
    ``compile_reference_model``) and the versions of mlc_utils, Python, NumPy, scikit-learn,
    TensorFlow and Keras.
    """
    return model_key(_REFERENCE, **_reference_ingredients())


def cache_reference_model(model: keras.Model, history: Any) -> Path:
    """Store the trained reference CNN ``model`` and its ``history`` (a dict or a Keras History).

    ``model`` must have the architecture of ``build_reference_cnn()``. Model and history are written
    as one ``.keras`` file renamed into place (atomic). Returns the path of the stored file; raises
    ``OSError`` naming the folder if the cache cannot be written.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model: expected a keras.Model, got {type(model).__name__}")
    history = _check_history(history)
    if _architecture(model) != _architecture(build_reference_cnn()):
        raise ValueError(
            f"model: expected the reference CNN of build_reference_cnn(), got a model named {model.name!r} "
            "with another architecture"
        )
    key = cache_key()
    path = cache_dir() / f"{_REFERENCE}-{key}.keras"
    try:
        _store(path, _REFERENCE, key, model, history)
    except OSError as error:
        raise OSError(
            f"could not cache the reference CNN in {path.parent} ({type(error).__name__}: "
            f"{error.strerror or error}); set MLC_UTILS_CACHE to a writable folder"
        ) from error
    return path


def load_reference_model(verbose: bool = True) -> tuple[keras.Model, dict[str, list[float]]]:
    """The trained reference CNN (compiled) and its training history, from the cache or trained now.

    ``cached_model`` for the reference recipe: a hit builds ``build_reference_cnn()`` and loads the
    stored weights into it; a miss trains with ``train_reference_model`` and stores the result. With
    ``verbose`` it prints which happened: on a hit the single line
    ``Loaded the trained reference CNN from the cache.``; on a miss
    ``No cached model found: training the reference CNN (about a minute)...`` then
    ``Trained and cached.``.
    """
    return cached_model(
        _REFERENCE,
        what="reference CNN",
        duration="about a minute",
        verbose=verbose,
        **_reference_ingredients(),
    )
