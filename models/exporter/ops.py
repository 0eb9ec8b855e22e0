#!/usr/bin/env python3
"""Writes the two similarity ops of inference/neighbours.ts into models/ops/:

- similarity.onnx: `queries @ matrix.T + bias` (Gemm), for a few queries; the app keeps each
  query's best k in JavaScript, one in-order pass over its row of the output. Inputs: queries
  [q, dim], matrix [rows, dim], bias [1, rows]; output: similarities [q, rows].
- similarity-topk.onnx: the k best rows of `matrix @ queries + bias` (MatMul, then TopK), for
  blocks of many queries. Inputs: matrix [rows, dim], queries [dim, q], k [1] int64, bias
  [rows, 1]; outputs: scores [k, q] and rows [k, q] (int64), best first.

A bias is 0 for a row that may be returned and -inf for one left out (a search restricted to a
split file, source or topic).
"""

from pathlib import Path

import onnx
from onnx import TensorProto, helper

ops = Path(__file__).resolve().parents[1] / "ops"


def save(graph: onnx.GraphProto, out: Path) -> None:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="ooc-workbench")
    model.ir_version = 8
    onnx.checker.check_model(model)
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(out))
    print(f"wrote {out}")


out = ops / "similarity.onnx"
graph = helper.make_graph(
    [
        helper.make_node("Gemm", ["queries", "matrix"], ["products"], transB=1),
        helper.make_node("Add", ["products", "bias"], ["similarities"]),
    ],
    "similarity",
    [
        helper.make_tensor_value_info("queries", TensorProto.FLOAT, ["q", "dim"]),
        helper.make_tensor_value_info("matrix", TensorProto.FLOAT, ["rows", "dim"]),
        helper.make_tensor_value_info("bias", TensorProto.FLOAT, [1, "rows"]),
    ],
    [helper.make_tensor_value_info("similarities", TensorProto.FLOAT, ["q", "rows"])],
)
save(graph, out)

out = ops / "similarity-topk.onnx"
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
save(graph, out)
