"""scikit-learn's LogisticRegression (defaults: lbfgs, C=1, 100 iterations) on the features our
logreg head sees: [image, caption, image*caption, |image-caption|], standardised with the
training rows' mean and spread. Reads the files bench/probes/head-data-probe.ts wrote; prints
one JSON line: seconds (standardising and fitting), val accuracy, iterations.

StandardScaler does what `standardise` does, but its fit makes full-size temporaries: at 906 k
rows × 2,048 float64 features (14.8 GB) that is more memory than this machine has.

    /usr/bin/python3 heads_baseline.py <dir>     (Debian's python3-sklearn)
"""

import json
import os
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression


def features(images: np.ndarray, texts: np.ndarray, image_rows: np.ndarray, text_rows: np.ndarray) -> np.ndarray:
    """float64 from the start, in blocks: lbfgs would copy float32 input to float64 anyway."""
    n, dim = len(image_rows), images.shape[1]
    x = np.empty((n, 4 * dim), dtype=np.float64)
    for start in range(0, n, 65536):
        end = min(n, start + 65536)
        i = images[image_rows[start:end]]
        t = texts[text_rows[start:end]]
        x[start:end, :dim] = i
        x[start:end, dim : 2 * dim] = t
        x[start:end, 2 * dim : 3 * dim] = i * t
        x[start:end, 3 * dim :] = np.abs(i - t)
    return x


def standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """In place, a block of rows at a time; returns the mean and the inverse spread used."""
    total = np.zeros(x.shape[1])
    squares = np.zeros(x.shape[1])
    for start in range(0, len(x), 65536):
        block = x[start : start + 65536]
        total += block.sum(axis=0)
        squares += np.einsum("ij,ij->j", block, block)
    mean = total / len(x)
    spread = np.sqrt(np.maximum(squares / len(x) - mean * mean, 0))
    inverse = np.where(spread > 1e-10, 1 / np.where(spread > 1e-10, spread, 1), 1)
    for start in range(0, len(x), 65536):
        block = x[start : start + 65536]
        block -= mean
        block *= inverse
    return mean, inverse


def main(folder: str) -> None:
    meta = json.load(open(os.path.join(folder, "meta.json")))
    dim = meta["dim"]
    images = np.fromfile(os.path.join(folder, "images.f32"), dtype=np.float32).reshape(-1, dim)
    texts = np.fromfile(os.path.join(folder, "texts.f32"), dtype=np.float32).reshape(-1, dim)

    def rows(subset: str):
        read = lambda suffix, dtype: np.fromfile(os.path.join(folder, f"{subset}-{suffix}"), dtype=dtype)
        return features(images, texts, read("image.i32", np.int32), read("text.i32", np.int32)), read("label.u8", np.uint8)

    x_train, y_train = rows("train")
    x_val, y_val = rows("val")
    del images, texts
    started = time.perf_counter()
    mean, inverse = standardise(x_train)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = LogisticRegression().fit(x_train, y_train)
    seconds = time.perf_counter() - started
    x_val -= mean
    x_val *= inverse
    accuracy = float((model.predict(x_val) == y_val).mean())
    print(json.dumps({"seconds": seconds, "valAccuracy": accuracy, "iterations": int(model.n_iter_[0]), "sklearn": sklearn.__version__}))


if __name__ == "__main__":
    main(sys.argv[1])
