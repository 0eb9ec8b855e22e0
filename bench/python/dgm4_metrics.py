"""DGM4's twelve metrics with scikit-learn and numpy, computed as the DGM4 authors' test.py and
tools/multilabel_metrics.py compute them, on generated samples and predictions. Writes one JSON
file: the samples (truth and prediction, in the workbench's words), the metrics, and the seconds
the metrics took. The workbench's test compares its own metrics with a committed output of this
script (test/fixtures/dgm4-metrics-reference.json); `npm run bench -- dgm4` runs it at 60,000
samples beside the workbench.

    /usr/bin/python3 dgm4_metrics.py <samples> <seed> <out.json>     (Debian's python3-sklearn)
"""

import json
import sys
import time

import numpy as np
from scipy.interpolate import interp1d
from scipy.optimize import brentq
from sklearn.metrics import average_precision_score, precision_recall_fscore_support, roc_auc_score, roc_curve

CLASSES = ["orig", "face_swap", "face_attribute", "text_swap", "text_attribute", "face_swap&text_swap", "face_swap&text_attribute", "face_attribute&text_swap", "face_attribute&text_attribute"]
ORDER = ["face_swap", "face_attribute", "text_swap", "text_attribute"]


def generate(n, seed):
    rng = np.random.default_rng(seed)
    samples = []
    for _ in range(n):
        cls = CLASSES[rng.integers(len(CLASSES))]
        bits = [int(c in cls.split("&")) for c in ORDER]
        words = int(rng.integers(8, 20))
        box = None
        if bits[0] or bits[1]:
            x1, y1 = rng.integers(0, 150, 2)
            box = [int(x1), int(y1), int(x1 + rng.integers(20, 100)), int(y1 + rng.integers(20, 100))]
        text_pos = sorted(rng.choice(words, size=int(rng.integers(1, 4)), replace=False).tolist()) if (bits[2] or bits[3]) else []
        fake = int(cls != "orig")
        probability = float(np.clip(0.5 + (0.25 if fake else -0.25) + rng.normal(0, 0.25), 0, 1))
        class_probs = [float(1 / (1 + np.exp(-((1.2 if b else -1.2) + rng.normal(0, 1.0))))) for b in bits]
        r = rng.random()
        if box is not None and r < 0.8:
            j = rng.normal(0, 8, 4)
            pred_box = [float(box[0] + j[0]), float(box[1] + j[1]), float(box[2] + j[2]), float(box[3] + j[3])]
        elif box is None and r < 0.7:
            pred_box = [0, 0, 0, 0]
        else:
            x1, y1 = rng.uniform(0, 150, 2)
            pred_box = [float(x1), float(y1), float(x1 + 50), float(y1 + 50)]
        flags = [float(np.clip((0.8 if w in text_pos else 0.15) + rng.normal(0, 0.25), 0, 1)) for w in range(words)]
        samples.append({"fakeCls": cls, "classes": sum(b << k for k, b in enumerate(bits)), "box": box, "textPos": text_pos, "words": words,
                        "pred": {"probability": probability, "classProbabilities": class_probs, "box": pred_box, "words": flags}})
    return samples


def iou(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def metrics(samples):
    y_true = np.array([int(s["classes"] != 0) for s in samples])
    y_pred = np.array([s["pred"]["probability"] for s in samples])
    auc = roc_auc_score(y_true, y_pred)
    fpr, tpr, _ = roc_curve(y_true, y_pred, pos_label=1)
    eer = brentq(lambda x: 1.0 - x - interp1d(fpr, tpr)(x), 0.0, 1.0)
    acc = float(np.mean((y_pred > 0.5).astype(int) == y_true))

    targets = np.array([[(s["classes"] >> k) & 1 for k in range(4)] for s in samples])
    scores = np.array([s["pred"]["classProbabilities"] for s in samples])
    aps = []
    for k in range(4):  # the DGM4 meter: precision at each positive, scores descending
        order = np.argsort(-scores[:, k], kind="stable")
        hits = targets[order, k]
        aps.append(float(np.sum(np.cumsum(hits)[hits == 1] / (np.nonzero(hits)[0] + 1)) / hits.sum()))
    sk_aps = [average_precision_score(targets[:, k], scores[:, k]) for k in range(4)]
    predicted = (scores >= 0.5).astype(int)
    nc, np_, ng = (targets * predicted).sum(0).astype(float), predicted.sum(0).astype(float), targets.sum(0).astype(float)
    np_[np_ == 0] = 1
    op, or_ = nc.sum() / np_.sum(), nc.sum() / ng.sum()
    cp, cr = float(np.mean(nc / np_)), float(np.mean(nc / ng))
    f1 = [precision_recall_fscore_support(targets[:, k], predicted[:, k], average="binary", zero_division=0)[2] for k in range(4)]

    ious = []
    for s in samples:
        p, t = s["pred"]["box"], s["box"]
        no_pred = p is None or all(abs(v) < 1e-4 for v in p)
        ious.append((1.0 if no_pred else 0.0) if t is None else (0.0 if no_pred else iou(p, t)))
    ious = np.array(ious)

    word_true = np.concatenate([[int(w in s["textPos"]) for w in range(s["words"])] for s in samples])
    word_pred = np.concatenate([[int(v >= 0.5) for v in s["pred"]["words"]] for s in samples])
    tp, tr, tf, _ = precision_recall_fscore_support(word_true, word_pred, average="binary")
    return {
        "binary": {"auc": auc, "eer": eer, "acc": acc},
        "multiLabel": {"map": float(np.mean(aps)), "cp": cp, "cr": cr, "cf1": 2 * cp * cr / (cp + cr), "op": op, "or": or_, "of1": 2 * op * or_ / (op + or_), "f1": f1},
        "image": {"iouMean": float(ious.mean()), "iou50": float(np.mean(ious > 0.5)), "iou75": float(np.mean(ious > 0.75))},
        "text": {"precision": tp, "recall": tr, "f1": tf},
        "sklearnAp": sk_aps,
    }


def main():
    n, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    samples = generate(n, seed)
    started = time.perf_counter()
    result = metrics(samples)
    seconds = time.perf_counter() - started
    with open(out, "w") as f:
        json.dump({"samples": samples, "metrics": result, "seconds": seconds}, f)


main()
