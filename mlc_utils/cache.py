"""The trained-model cache: a model trained once is loaded, not trained again, by later chapters.

``load_reference_model()`` and ``load_improved_cnn()`` return chapter 4's and chapter 10's CNNs;
``cached_model(name, build_fn, train_fn, ...)`` does the same for any model a chapter trains.
Only weights and plain JSON are stored; loading builds the architecture from code. The key
(``model_key``) covers the whole source of every module of this package that the recipe imports,
so no ingredient can be missed. Importing this module imports TensorFlow/Keras.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import inspect
import json
import os
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

from ._tensorflow import keras, quiet_keras, tf  # imports TensorFlow without its start-up log lines
from .models import build_improved_cnn, build_reference_cnn, resolve_policy
from .training import (
    IMPROVED_FIT,
    REFERENCE_DATA,
    REFERENCE_FIT,
    compile_improved_cnn,
    compile_reference_model,
    reference_data,
    train_improved_cnn,
    train_reference_model,
)

__all__ = [
    "cache_dir",
    "cached_model",
    "model_key",
    "CacheWarning",
    "cache_key",
    "cache_reference_model",
    "load_reference_model",
    "improved_cache_key",
    "load_improved_cnn",
]

#: Layout of a cache file (part of every key): a ``.keras`` archive plus an ``mlc_utils.json`` entry.
CACHE_FORMAT = 2
_META = "mlc_utils.json"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")
# Models trained in this session that could not be written to the cache: a second call reuses them.
_SESSION: dict[str, tuple[list[np.ndarray], dict[str, list[float]]]] = {}


class CacheWarning(UserWarning):
    """A trained model could not be written to the cache (it is still returned)."""


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


# --- The key ---------------------------------------------------------------------------------------
# Obviously complete rather than clever: a function of this package stands for the whole source of its
# module and of every package module that module imports (read from the source, imports inside
# functions included), so an edit anywhere the recipe can reach (the data generator, an architecture,
# a constant, a helper) changes the key. Code defined in a notebook (``__main__``) has no module
# file to read: it contributes its own source and, recursively, every global name it uses.

_PACKAGE = __name__.rpartition(".")[0]
_PACKAGE_DIR = Path(__file__).resolve().parent


def _package_modules() -> dict[str, Path]:
    """Every module of this package: ``{"mlc_utils": .../__init__.py, "mlc_utils.data": ..., ...}``."""
    files = {_PACKAGE: _PACKAGE_DIR / "__init__.py"}
    files.update({f"{_PACKAGE}.{path.stem}": path for path in sorted(_PACKAGE_DIR.glob("*.py"))
                  if path.stem != "__init__"})
    return files


def _module_source(module: str) -> str:
    return _package_modules()[module].read_text(encoding="utf-8")


def _imports_of(module: str) -> set[str]:
    """The package modules that ``module``'s source imports, anywhere in the file."""
    known = _package_modules()
    package = module if module == _PACKAGE else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(_module_source(module))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from .data import x, from . import labels
                base = package.rsplit(".", node.level - 1)[0]
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}  # from . import labels
    return found & known.keys()


def _closure(modules: set[str]) -> set[str]:
    """``modules``, the package's ``__init__`` (every import runs it) and all they import, recursively."""
    todo, done = set(modules) | {_PACKAGE}, set()
    while todo:
        module = todo.pop()
        done.add(module)
        todo |= _imports_of(module) - done
    return done


# Each module's digest is read once per session, so the key describes the code this session runs.
_DIGESTS: dict[str, str] = {}


def _module_digest(module: str) -> str:
    if module not in _DIGESTS:
        _DIGESTS[module] = hashlib.sha256(_module_source(module).encode("utf-8")).hexdigest()
    return _DIGESTS[module]


_CONSTANT_TYPES = (bool, int, float, str, bytes, tuple, list, dict, frozenset, np.ndarray, np.generic)


def _module_constants(module: str) -> Any:
    """The values of ``module``'s constants as this session holds them (an edit made at run time)."""
    namespace = vars(sys.modules[module]) if module in sys.modules else {}
    constants = {name: value for name, value in namespace.items()
                 if not name.startswith("__") and isinstance(value, _CONSTANT_TYPES)}
    return _fingerprint(constants, {}, set())


def _in_package(module: str) -> bool:
    return module == _PACKAGE or module.startswith(_PACKAGE + ".")


def _code_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


def _fingerprint(obj: Any, seen: dict[int, str], modules: set[str]) -> Any:
    """A JSON-able digest of ``obj``; adds to ``modules`` every package module ``obj`` uses.

    Values (numbers, strings, containers, arrays) contribute themselves; a function, class or module
    of this package its name, and its module joins ``modules`` (whose sources the key covers); code
    of a notebook its source and what it uses, recursively; anything else (NumPy, Keras, ...) its
    qualified name, its behaviour being covered by the library versions in the key.
    """
    if obj is None or isinstance(obj, (bool, int, float, complex, str, bytes)):
        return repr(obj)
    if isinstance(obj, (np.generic, np.ndarray)):
        array = np.ascontiguousarray(obj)
        digest = hashlib.sha256(array.tobytes()).hexdigest()
        return f"array {array.dtype.str} {array.shape} {digest}"
    if isinstance(obj, (list, tuple)):
        return [type(obj).__name__, [_fingerprint(v, seen, modules) for v in obj]]
    if isinstance(obj, (set, frozenset)):
        return ["set", sorted(json.dumps(_fingerprint(v, seen, modules), sort_keys=True) for v in obj)]
    if isinstance(obj, dict):
        return ["dict", sorted([repr(k), _fingerprint(v, seen, modules)] for k, v in obj.items())]
    if isinstance(obj, functools.partial):
        return ["partial", _fingerprint(obj.func, seen, modules), _fingerprint(obj.args, seen, modules),
                _fingerprint(obj.keywords, seen, modules)]
    if isinstance(obj, types.MethodType):
        return ["method", _fingerprint(obj.__func__, seen, modules)]
    if isinstance(obj, types.ModuleType):
        if _in_package(obj.__name__):
            modules.add(obj.__name__)
        return f"module {obj.__name__}"
    module = getattr(obj, "__module__", None) or ""
    name = f"{module or '?'}.{getattr(obj, '__qualname__', type(obj).__qualname__)}"
    if callable(obj) and _in_package(module):
        modules.add(module)
        return f"package {name}"
    wrapped = getattr(obj, "__wrapped__", None)  # functools.lru_cache, functools.wraps
    if wrapped is not None and callable(obj) and not isinstance(obj, type):
        return ["wrapped", _fingerprint(wrapped, seen, modules)]
    if not (callable(obj) and module == "__main__"):
        return f"object {name}"
    if id(obj) in seen:
        return f"see {name}"
    seen[id(obj)] = name
    code = getattr(obj, "__code__", None)
    try:
        source = hashlib.sha256(textwrap.dedent(inspect.getsource(obj)).encode()).hexdigest()
    except (OSError, TypeError):  # no source file (exec'd code): the compiled code stands in for it
        source = repr((code.co_code, code.co_consts, code.co_names)) if code else repr(obj)
    parts: dict[str, Any] = {}
    functions = [obj] if isinstance(obj, types.FunctionType) else [
        v for v in vars(obj).values() if isinstance(v, types.FunctionType)
    ]
    for function in functions:
        namespace = function.__globals__
        for used in sorted(_code_names(function.__code__)):
            if used in namespace and used not in parts:
                parts[used] = _fingerprint(namespace[used], seen, modules)
        for default in function.__defaults__ or ():
            parts.setdefault("<defaults>", []).append(_fingerprint(default, seen, modules))
    return ["code", name, source, sorted(parts.items())]


def _versions() -> dict[str, str]:
    import sklearn

    return {
        "mlc_utils": sys.modules[_PACKAGE].__version__,
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

    Covers the cache format, ``name``, the built architecture's Keras configuration, the whole source
    of every module of this package that ``build_fn``, ``train_fn``, ``compile_fn`` or ``key_parts``
    use and of every package module those import (recursively), with the values their constants
    hold in this session, the source of notebook code they
    use, the values in ``key_parts`` (numbers, dicts, arrays, functions) and the versions of
    mlc_utils, Python, NumPy, scikit-learn, TensorFlow and Keras. Nothing has to be bumped by hand.
    """
    seen: dict[int, str] = {}  # each notebook function once, even where several ingredients use it
    modules: set[str] = set()
    code = [_fingerprint(fn, seen, modules) for fn in (build_fn, train_fn, compile_fn)]
    parts = _fingerprint(key_parts, seen, modules)
    payload = {
        "format": CACHE_FORMAT,
        "name": name,
        "architecture": _architecture(build_fn()),
        "code": code,
        "parts": parts,
        "package": {module: [_module_digest(module), _module_constants(module)]
                    for module in sorted(_closure(modules))},
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
        with quiet_keras():
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
        with quiet_keras():
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
            what="improved CNN",
        )

    - ``name``: the file name's stem (letters, digits, ``-``, ``_``); the file is
      ``cache_dir() / f"{name}-{key}.keras"`` with ``key = model_key(...)`` of the same arguments.
    - ``build_fn()`` builds the architecture from code (use ``functools.partial`` for arguments);
      ``train_fn()`` returns a trained model of exactly that architecture and its history.
    - The key (``model_key``) follows the source of every package module that ``build_fn``,
      ``train_fn``, ``compile_fn`` and ``key_parts`` use, with all they import, the notebook code they
      use, the values of ``key_parts`` and the library versions: edit any of them and the next call
      trains again, no version to bump.
    - A hit and a miss return the same thing: a model built by ``build_fn`` holding the trained
      weights, compiled afresh by ``compile_fn`` (uncompiled without one), and the history.
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
        say(f"Reusing the {what} trained earlier in this session (it could not be cached).")
        return _rebuilt(build_fn, weights, compile_fn), {k: list(v) for k, v in history.items()}

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
        say("Trained and cached.")
    # What a later hit returns: the architecture from build_fn, these weights, compiled by compile_fn.
    return _rebuilt(build_fn, model.get_weights(), compile_fn), history


def _rebuilt(build_fn, weights: list[np.ndarray], compile_fn) -> keras.Model:
    model = build_fn()
    model.set_weights(weights)
    if compile_fn is not None:
        compile_fn(model)
    return model


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
    ``No cached model found: training the reference CNN...`` then
    ``Trained and cached.``.
    """
    return cached_model(
        _REFERENCE,
        what="reference CNN",
        verbose=verbose,
        **_reference_ingredients(),
    )


# --------------------------------------------------------------------------------------------------
# The improved CNN of chapter 10 in the cache
# --------------------------------------------------------------------------------------------------

_IMPROVED = "improved-cnn"


def _improved_ingredients(policy: str) -> dict[str, Any]:
    return {
        "build_fn": functools.partial(build_improved_cnn, policy=policy),
        "train_fn": functools.partial(train_improved_cnn, policy),
        "key_parts": {"fit": IMPROVED_FIT, "data": REFERENCE_DATA, "policy": policy},
        "compile_fn": functools.partial(compile_improved_cnn, n_train=REFERENCE_DATA["n_train"]),
    }


def improved_cache_key(policy: str = "float32") -> str:
    """The cache key of the improved CNN trained under ``policy`` (``model_key`` of its recipe)."""
    return model_key(_IMPROVED, **_improved_ingredients(resolve_policy(policy)))


def load_improved_cnn(
    policy: str = "float32", *, verbose: bool = True
) -> tuple[keras.Model, dict[str, list[float]]]:
    """The trained improved CNN (compiled) and its history, from the cache or trained now (then cached).

    ``policy``: the dtype policy it is trained with (float32 by default, see
    ``train_improved_cnn``; None picks ``mixed_precision_policy()``). ``cached_model`` for chapter
    10's recipe: weights only (no code is deserialised), keyed by everything that makes the weights;
    a hit and a miss both return the model compiled by ``compile_improved_cnn``. With ``verbose`` it
    prints which happened.
    """
    policy = resolve_policy(policy)
    if not isinstance(verbose, bool):
        raise TypeError(f"verbose: expected True or False, got {type(verbose).__name__}")
    return cached_model(
        _IMPROVED, what="improved CNN", verbose=verbose,
        **_improved_ingredients(policy),
    )
