#!/usr/bin/env python3
"""Writes the two similarity ops of inference/neighbours.ts into models/ops/:

- similarity-topk.onnx: the k best rows of `queries @ matrix.T + bias` (Gemm, then TopK along
  each query's row), for blocks of many queries. Inputs: queries [q, dim], matrix [rows, dim],
  bias [1, rows], k [1] int64; outputs: scores [q, k] and rows [q, k] (int64), best first.
- similarity-q8.onnx: `queries @ matrix` in integers (MatMulInteger), for a few queries scanning
  an 8-bit copy of the matrix (inference/quantized.ts). Inputs: queries [q, dim] uint8 (the
  query's codes + 128), matrix [dim, rows] int8 (transposed, so ONNX Runtime's u8 × s8 kernel
  reads it in order); output: products [q, rows] int32. The app turns each product into bounds
  on the row's score and re-ranks the rows that may be among the best exactly. A zero-point
  input would take the 128 off in the graph but makes the kernel 2.5 times slower here; the
  app subtracts 128 · (the row's code sum) instead.

A bias is 0 for a row that may be returned and -inf for one left out (a search restricted to a
split file, source or topic).
"""

from pathlib import Path

import onnx
from onnx import TensorProto, helper

ops = Path(__file__).resolve().parents[1] / "ops"
V = helper.make_tensor_value_info
FLOAT = TensorProto.FLOAT


def save(graph: onnx.GraphProto, out: Path) -> None:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="ooc-workbench")
    model.ir_version = 8
    onnx.checker.check_model(model)
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(out))
    print(f"wrote {out}")


save(
    helper.make_graph(
        [
            helper.make_node("Gemm", ["queries", "matrix"], ["products"], transB=1),
            helper.make_node("Add", ["products", "bias"], ["similarities"]),
            helper.make_node("TopK", ["similarities", "k"], ["scores", "rows"], axis=1, largest=1, sorted=1),
        ],
        "similarity_topk",
        [V("queries", FLOAT, ["q", "dim"]), V("matrix", FLOAT, ["rows", "dim"]), V("bias", FLOAT, [1, "rows"]), V("k", TensorProto.INT64, [1])],
        [V("scores", FLOAT, ["q", "k"]), V("rows", TensorProto.INT64, ["q", "k"])],
    ),
    ops / "similarity-topk.onnx",
)

save(
    helper.make_graph(
        [helper.make_node("MatMulInteger", ["queries", "matrix"], ["products"])],
        "similarity_q8",
        [V("queries", TensorProto.UINT8, ["q", "dim"]), V("matrix", TensorProto.INT8, ["dim", "rows"])],
        [V("products", TensorProto.INT32, ["q", "rows"])],
    ),
    ops / "similarity-q8.onnx",
)
