#!/usr/bin/env python3
"""Writes models/ops/similarity-topk.onnx: the k best rows of `matrix @ queries + bias`.

The app runs nearest-neighbour scans through ONNX Runtime's MatMul (multi-threaded, SIMD) and
TopK instead of a JavaScript loop. Inputs: matrix [rows, dim] float32, queries [dim, q]
float32, k [1] int64, bias [rows, 1] float32 (0 for a row that may be returned, -inf for one
left out: a search restricted to a split file, source or topic); outputs: scores [k, q] and
rows [k, q] (int64), best first.
"""

from pathlib import Path

import onnx
from onnx import TensorProto, helper

out = Path(__file__).resolve().parents[1] / "ops" / "similarity-topk.onnx"
graph = helper.make_graph(
    [
        helper.make_node("MatMul", ["matrix", "queries"], ["similarities"]),
        helper.make_node("Add", ["similarities", "bias"], ["biased"]),
        helper.make_node("TopK", ["biased", "k"], ["scores", "rows"], axis=0, largest=1, sorted=1),
    ],
    "similarity_topk",
    [
        helper.make_tensor_value_info("matrix", TensorProto.FLOAT, ["rows", "dim"]),
        helper.make_tensor_value_info("queries", TensorProto.FLOAT, ["dim", "q"]),
        helper.make_tensor_value_info("k", TensorProto.INT64, [1]),
        helper.make_tensor_value_info("bias", TensorProto.FLOAT, ["rows", 1]),
    ],
    [
        helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["k", "q"]),
        helper.make_tensor_value_info("rows", TensorProto.INT64, ["k", "q"]),
    ],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="ooc-workbench")
model.ir_version = 8
onnx.checker.check_model(model)
out.parent.mkdir(parents=True, exist_ok=True)
onnx.save(model, str(out))
print(f"wrote {out}")
