"""Images per second of chapter 13's input pipelines, side by side in one run: MultiDigits arrays in
memory, PNG files decoded in parallel (cached and not), TFRecord shards streamed with interleave, and
the improved CNN's training step as the consumer they feed.

Run: .venv/bin/python bench/bench_pipeline.py [n_images]
Each pipeline is iterated alone (no model) for two epochs; the figure is the best of the two epochs
after the first (a cached pipeline's first epoch decodes, so it is shown separately). Compare the
rows with each other, not with another machine's.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from mlc_utils.data import DIGIT_NAMES, make_multidigits
from mlc_utils.files import files_dataset, shards_dataset, write_image_folder, write_shards
from mlc_utils.models import build_improved_cnn
from mlc_utils.training import compile_improved_cnn, tf


def rates(dataset, epochs: int = 3) -> list[float]:
    out = []
    for _ in range(epochs):
        start, n = time.perf_counter(), 0
        for images, _ in dataset:
            n += len(images)
        out.append(n / (time.perf_counter() - start))
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    X, Y = make_multidigits(n, seed=13)
    with tempfile.TemporaryDirectory() as folder:
        paths = write_image_folder(folder, X, Y, DIGIT_NAMES)
        files = sorted(str(p) for p in paths["images"].glob("*.png"))
        (Path(folder) / "shards").mkdir()
        shards = write_shards(Path(folder) / "shards", files, Y, n_shards=8)
        arrays = (tf.data.Dataset.from_tensor_slices((X, Y.astype("float32"))).shuffle(n, seed=0)
                  .batch(64).prefetch(tf.data.AUTOTUNE))
        measured = {
            "arrays in memory": rates(arrays),
            "PNG files, cached": rates(files_dataset(files, Y)),
            "PNG files, not cached": rates(files_dataset(files, Y, cache=False)),
            "TFRecord shards, streamed": rates(shards_dataset(shards, len(DIGIT_NAMES))),
        }
        model = compile_improved_cnn(build_improved_cnn(), n)
        pipeline = files_dataset(files, Y)
        model.fit(pipeline, epochs=1, shuffle=False, verbose=0)  # warm-up: tracing, fills the cache
        start = time.perf_counter()
        model.fit(pipeline, epochs=1, shuffle=False, verbose=0)  # decoded images from the cache
        model_rate = n / (time.perf_counter() - start)
    print(f"input pipelines alone, {n:,} images of 32x32x3, batches of 64 (images/s):")
    for name, values in measured.items():
        print(f"  {name:27} first epoch {values[0]:9,.0f}, then {max(values[1:]):9,.0f}")
    print(f"  {'improved CNN, training':27} {model_rate:21,.0f}  "
          "(cached files, after a warm-up epoch)")


if __name__ == "__main__":
    main()
