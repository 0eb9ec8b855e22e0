"""Gradient-weighted attention relevance (Chefer, Gur & Wolf 2021) for CLIP, as an ONNX graph.

For each attention layer, R <- R + mean_heads(clamp(dS/dA * A, min=0)) @ R, starting from the
identity, where S is the image-caption cosine similarity and A the attention probabilities. The
image map is the CLS row over the patches; the caption's is the end-of-text row over the tokens.

The backward pass is traced with functorch.make_fx into plain aten ops, the three backward
kernels without an ONNX symbolic are decomposed, and the few low-level ops left are rewritten to
public torch calls before torch.onnx.export (torch 1.13; see shared/spikes/chefer-onnx). The
graph takes one image and one caption (batch 1) and holds the weights as constants.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from functorch import make_fx
from torch._decomp import get_decompositions

from clip_model import Attention, Block, Clip

aten = torch.ops.aten


def attend(attn: Attention, x: torch.Tensor, mask: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
    """The attention block's output and its probabilities (B, heads, T, T)."""
    batch, length, width = x.shape
    head_dim = width // attn.heads
    w, b = attn.in_proj_weight, attn.in_proj_bias
    q, k, v = (F.linear(x, w[i * width : (i + 1) * width], b[i * width : (i + 1) * width]).reshape(batch, length, attn.heads, head_dim).transpose(1, 2) for i in range(3))
    scores = (q @ k.transpose(-1, -2)) / math.sqrt(head_dim)
    if mask is not None:
        scores = scores + mask
    probs = scores.softmax(-1)
    out = (probs @ v).transpose(1, 2).reshape(batch, length, width)
    return attn.out_proj(out), probs


def run_blocks(blocks: list[Block], x: torch.Tensor, mask: torch.Tensor | None) -> tuple[torch.Tensor, list[torch.Tensor]]:
    probs = []
    for block in blocks:
        y, p = attend(block.attn, block.ln_1(x), mask)
        x = x + y
        x = x + block.mlp(block.ln_2(x))
        probs.append(p)
    return x, probs


def rollout(probs: list[torch.Tensor], grads: tuple[torch.Tensor, ...]) -> torch.Tensor:
    tokens = probs[0].shape[-1]
    r = torch.eye(tokens, dtype=probs[0].dtype).unsqueeze(0).expand(probs[0].shape[0], tokens, tokens)
    for a, g in zip(probs, grads):
        r = r + (g * a).clamp(min=0).mean(1) @ r
    return r


def relevance(model: Clip, pixels: torch.Tensor, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(score, image relevance over the patches (B, patches), caption relevance over the tokens (B, context))."""
    v = model.visual
    x = v.conv1(pixels).flatten(2).transpose(1, 2)
    x = v.ln_pre(torch.cat([v.class_embedding.expand(x.shape[0], 1, -1), x], 1) + v.positional_embedding)
    x, image_probs = run_blocks(list(v.transformer.resblocks), x, None)
    image = v.ln_post(x[:, 0]) @ v.proj

    eot = ids.argmax(-1)
    t = model.token_embedding(ids) + model.positional_embedding
    t, text_probs = run_blocks(list(model.transformer.resblocks), t, model.causal_mask)
    text = model.ln_final(t[torch.arange(t.shape[0]), eot]) @ model.text_projection

    score = F.cosine_similarity(image, text, dim=-1).sum()
    grads = torch.autograd.grad(score, image_probs + text_probs)
    image_r = rollout(image_probs, grads[: len(image_probs)])[:, 0, 1:]
    text_r = rollout(text_probs, grads[len(image_probs) :])[torch.arange(t.shape[0]), eot]
    return score.detach().reshape(1), image_r.detach(), text_r.detach()


# Low-level ops left after tracing, rewritten to calls the 1.13 ONNX exporter knows.
def _reshape(x, size, *_):
    return torch.reshape(x, size)


def _pad_back(g, sizes, dim, start, end):
    dim = dim % len(sizes)
    parts = []
    if start > 0:
        s = list(sizes)
        s[dim] = start
        parts.append(torch.zeros(s, dtype=g.dtype))
    parts.append(g)
    if end < sizes[dim]:
        s = list(sizes)
        s[dim] = sizes[dim] - end
        parts.append(torch.zeros(s, dtype=g.dtype))
    return parts[0] if len(parts) == 1 else torch.cat(parts, dim)


def _select_backward(g, sizes, dim, index):
    dim = dim % len(sizes)
    index = index % sizes[dim]
    return _pad_back(g.unsqueeze(dim), sizes, dim, index, index + 1)


def _slice_backward(g, sizes, dim, start, end, step):
    assert step == 1, "strided slices are not expected in CLIP"
    dim = dim % len(sizes)
    return _pad_back(g, sizes, dim, start, min(end, sizes[dim]))


def _native_layer_norm(x, shape, w, b, eps):
    dims = [-(i + 1) for i in range(len(shape))]
    mean = x.mean(dims, keepdim=True)
    rstd = torch.rsqrt(((x - mean) ** 2).mean(dims, keepdim=True) + eps)
    return (x - mean) * rstd * w + b, mean, rstd


REWRITES = {
    aten._softmax.default: lambda x, dim, half: torch.softmax(x, dim),
    aten.convolution.default: lambda x, w, b, stride, padding, dilation, transposed, op, groups: F.conv2d(x, w, b, stride, padding, dilation, groups),
    aten.native_layer_norm.default: _native_layer_norm,
    aten._reshape_alias.default: _reshape,
    aten._unsafe_view.default: _reshape,
    aten.view.default: _reshape,
    torch.ops.prims.convert_element_type.default: lambda x, dtype: x.to(dtype),
    aten.select_backward.default: _select_backward,
    aten.slice_backward.default: _slice_backward,
    aten.eye.default: lambda n, dtype=None, **_: torch.eye(n, dtype=dtype),
    aten.arange.default: lambda *a, dtype=None, **_: torch.arange(*a, dtype=dtype) if dtype else torch.arange(*a),
    aten.arange.start: lambda *a, dtype=None, **_: torch.arange(*a, dtype=dtype) if dtype else torch.arange(*a),
    aten.ones_like.default: lambda x, dtype=None, **_: torch.ones_like(x, dtype=dtype),
    aten.zeros_like.default: lambda x, dtype=None, **_: torch.zeros_like(x, dtype=dtype),
    aten.clone.default: lambda x, **_: x.clone(),
    aten.new_zeros.default: lambda x, size, dtype=None, **_: torch.zeros(size, dtype=dtype or x.dtype),
    aten.full.default: lambda size, v, dtype=None, **_: torch.full(size, v, dtype=dtype),
}


class _Traced(torch.nn.Module):
    def __init__(self, graph: torch.nn.Module):
        super().__init__()
        self.graph = graph

    def forward(self, pixel_values: torch.Tensor, input_ids: torch.Tensor):
        return self.graph(pixel_values, input_ids)


def export_relevance(model: Clip, pixels: torch.Tensor, ids: torch.Tensor, path: str, opset: int) -> None:
    decompositions = get_decompositions([aten._softmax_backward_data, aten.native_layer_norm_backward, aten.sigmoid_backward])
    graph = make_fx(lambda p, i: relevance(model, p, i), decomposition_table=decompositions)(pixels[:1], ids[:1])
    for node in graph.graph.nodes:
        if node.op == "call_function" and node.target in REWRITES:
            node.target = REWRITES[node.target]
    graph.recompile()
    torch.onnx.export(
        _Traced(graph), (pixels[:1], ids[:1]), path, opset_version=opset,
        input_names=["pixel_values", "input_ids"], output_names=["score", "image_relevance", "text_relevance"],
    )
