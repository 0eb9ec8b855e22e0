"""CLIP (OpenAI layout) in plain PyTorch, written for a clean ONNX export.

Parameter names follow OpenAI's checkpoints (`visual.conv1.weight`,
`transformer.resblocks.0.attn.in_proj_weight`, ...), so a real ViT-B/32 state dict loads
as is; `hf_to_openai` renames a Hugging Face `CLIPModel` state dict into this layout.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass(frozen=True)
class ClipConfig:
    image_size: int
    patch_size: int
    vision_width: int
    vision_layers: int
    vision_heads: int
    embed_dim: int
    context_length: int
    vocab_size: int
    text_width: int
    text_layers: int
    text_heads: int

    def as_dict(self) -> dict:
        return asdict(self)


PRESETS = {
    # The committed test fixture: CLIP's shape at a size that runs in milliseconds.
    "tiny": ClipConfig(32, 8, 64, 2, 4, 32, 77, 1000, 64, 2, 4),
    # OpenAI ViT-B/32: 4.4 GFLOP per image.
    "vit-b-32": ClipConfig(224, 32, 768, 12, 12, 512, 77, 49408, 512, 12, 8),
}


class QuickGELU(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(1.702 * x)


class Attention(nn.Module):
    """nn.MultiheadAttention's parameters, computed with plain ops (exports cleanly)."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.heads = heads
        self.in_proj_weight = nn.Parameter(torch.empty(3 * width, width))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * width))
        self.out_proj = nn.Linear(width, width)
        self.frozen: list[tuple[torch.Tensor, torch.Tensor]] | None = None

    def freeze(self) -> None:
        """Cuts in_proj into q, k and v weights once, so an exported graph holds three constants rather than slicing at run time."""
        width = self.out_proj.in_features
        w, b = self.in_proj_weight.detach(), self.in_proj_bias.detach()
        self.frozen = [(w[i * width : (i + 1) * width].clone(), b[i * width : (i + 1) * width].clone()) for i in range(3)]

    def forward(self, queries: torch.Tensor, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        """Attention of `queries` (B, Q, W) over `x` (B, L, W); q, k and v as three products, no split."""
        batch, length, width = x.shape
        head_dim = width // self.heads
        w, b = self.in_proj_weight, self.in_proj_bias
        (qw, qb), (kw, kb), (vw, vb) = self.frozen or [(w[i * width : (i + 1) * width], b[i * width : (i + 1) * width]) for i in range(3)]

        def heads(t: torch.Tensor) -> torch.Tensor:
            return t.reshape(batch, -1, self.heads, head_dim).transpose(1, 2)

        q, k, v = heads(F.linear(queries, qw, qb)), heads(F.linear(x, kw, kb)), heads(F.linear(x, vw, vb))
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(head_dim)
        if mask is not None:
            scores = scores + mask
        out = (scores.softmax(-1) @ v).transpose(1, 2).reshape(batch, -1, width)
        return self.out_proj(out)


class Block(nn.Module):
    def __init__(self, width: int, heads: int):
        super().__init__()
        self.ln_1 = nn.LayerNorm(width)
        self.attn = Attention(width, heads)
        self.ln_2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential()
        self.mlp.add_module("c_fc", nn.Linear(width, 4 * width))
        self.mlp.add_module("gelu", QuickGELU())
        self.mlp.add_module("c_proj", nn.Linear(4 * width, width))

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None, keep: torch.Tensor | None = None) -> torch.Tensor:
        """Every token's output, or (with `keep`, one token index per row) only those tokens' (B, 1, W)."""
        h = self.ln_1(x)
        if keep is not None:
            rows = torch.arange(x.shape[0])
            x, queries = x[rows, keep].unsqueeze(1), h[rows, keep].unsqueeze(1)
            mask = None if mask is None else mask[keep][:, None, None, :]
        else:
            queries = h
        x = x + self.attn(queries, h, mask)
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, width: int, layers: int, heads: int):
        super().__init__()
        self.resblocks = nn.ModuleList([Block(width, heads) for _ in range(layers)])

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None, keep: torch.Tensor | None = None) -> torch.Tensor:
        """With `keep`, the last block computes only the pooled token of each row: (B, W)."""
        for block in self.resblocks[:-1]:
            x = block(x, mask)
        x = self.resblocks[-1](x, mask, keep)
        return x if keep is None else x[:, 0]


class VisionTransformer(nn.Module):
    def __init__(self, c: ClipConfig):
        super().__init__()
        grid = c.image_size // c.patch_size
        self.conv1 = nn.Conv2d(3, c.vision_width, c.patch_size, c.patch_size, bias=False)
        self.class_embedding = nn.Parameter(torch.empty(c.vision_width))
        self.positional_embedding = nn.Parameter(torch.empty(grid * grid + 1, c.vision_width))
        self.ln_pre = nn.LayerNorm(c.vision_width)
        self.transformer = Transformer(c.vision_width, c.vision_layers, c.vision_heads)
        self.ln_post = nn.LayerNorm(c.vision_width)
        self.proj = nn.Parameter(torch.empty(c.vision_width, c.embed_dim))

    def forward(self, pixels: torch.Tensor, pooled_only: bool = True) -> torch.Tensor:
        x = self.conv1(pixels).flatten(2).transpose(1, 2)
        cls = self.class_embedding.expand(x.shape[0], 1, -1)
        x = self.ln_pre(torch.cat([cls, x], 1) + self.positional_embedding)
        if pooled_only:  # the same result, without the last block's work on the other tokens
            x = self.transformer(x, keep=torch.zeros(x.shape[0], dtype=torch.long))
        else:
            x = self.transformer(x)[:, 0]
        return self.ln_post(x) @ self.proj


class Clip(nn.Module):
    def __init__(self, c: ClipConfig):
        super().__init__()
        self.config = c
        self.visual = VisionTransformer(c)
        self.token_embedding = nn.Embedding(c.vocab_size, c.text_width)
        self.positional_embedding = nn.Parameter(torch.empty(c.context_length, c.text_width))
        self.transformer = Transformer(c.text_width, c.text_layers, c.text_heads)
        self.ln_final = nn.LayerNorm(c.text_width)
        self.text_projection = nn.Parameter(torch.empty(c.text_width, c.embed_dim))
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))
        causal = torch.full((c.context_length, c.context_length), float("-inf")).triu(1)
        self.register_buffer("causal_mask", causal, persistent=False)

    def encode_image(self, pixels: torch.Tensor, pooled_only: bool = True) -> torch.Tensor:
        """`pooled_only=False` runs every token through every block: the plain reference."""
        return self.visual(pixels, pooled_only)

    def encode_text(self, ids: torch.Tensor, pooled_only: bool = True) -> torch.Tensor:
        x = self.token_embedding(ids) + self.positional_embedding
        # The end-of-text token has the highest id in CLIP's vocabulary: pool there.
        eot = ids.argmax(-1)
        if pooled_only:
            x = self.transformer(x, self.causal_mask, keep=eot)
        else:
            x = self.transformer(x, self.causal_mask)[torch.arange(x.shape[0]), eot]
        return self.ln_final(x) @ self.text_projection

    def randomize(self, seed: int) -> "Clip":
        """Weights drawn like OpenAI's initialisation, from a fixed seed."""
        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for name, p in self.named_parameters():
                if name.endswith("logit_scale"):
                    continue
                if p.ndim == 1 and ("ln_" in name or ".ln" in name):
                    p.fill_(1.0 if name.endswith("weight") else 0.0)
                elif name.endswith("bias"):
                    p.zero_()
                else:
                    std = p.shape[-1] ** -0.5 if p.ndim > 1 else 0.02
                    p.copy_(torch.randn(p.shape, generator=g) * std)
        return self


class ImageEncoder(nn.Module):
    def __init__(self, clip: Clip):
        super().__init__()
        self.clip = clip

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        return self.clip.encode_image(pixel_values)


class TextEncoder(nn.Module):
    def __init__(self, clip: Clip):
        super().__init__()
        self.clip = clip

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        return self.clip.encode_text(input_ids)


def config_from_state_dict(sd: dict) -> ClipConfig:
    """Read the architecture off an OpenAI-layout state dict, as OpenAI's build_model does."""
    vision_width = sd["visual.conv1.weight"].shape[0]
    patch = sd["visual.conv1.weight"].shape[-1]
    grid = round((sd["visual.positional_embedding"].shape[0] - 1) ** 0.5)
    vision_layers = len({k.split(".")[3] for k in sd if k.startswith("visual.transformer.resblocks.")})
    text_width = sd["ln_final.weight"].shape[0]
    text_layers = len({k.split(".")[2] for k in sd if k.startswith("transformer.resblocks.")})
    return ClipConfig(
        image_size=patch * grid,
        patch_size=patch,
        vision_width=vision_width,
        vision_layers=vision_layers,
        vision_heads=vision_width // 64,
        embed_dim=sd["text_projection"].shape[1],
        context_length=sd["positional_embedding"].shape[0],
        vocab_size=sd["token_embedding.weight"].shape[0],
        text_width=text_width,
        text_layers=text_layers,
        text_heads=text_width // 64,
    )


_HF_BLOCK = {
    "layer_norm1": "ln_1",
    "layer_norm2": "ln_2",
    "mlp.fc1": "mlp.c_fc",
    "mlp.fc2": "mlp.c_proj",
    "self_attn.out_proj": "attn.out_proj",
}


def hf_to_openai(hf: dict) -> dict:
    """Rename a Hugging Face CLIPModel state dict (openai/clip-vit-base-patch32) to OpenAI's layout."""
    out: dict = {}
    towers = {"vision_model.encoder.layers.": "visual.transformer.resblocks.", "text_model.encoder.layers.": "transformer.resblocks."}
    qkv: dict = {}
    for key, value in hf.items():
        if key.endswith("position_ids"):
            continue
        for hf_prefix, oa_prefix in towers.items():
            if key.startswith(hf_prefix):
                index, rest = key[len(hf_prefix):].split(".", 1)
                if rest.startswith("self_attn.") and rest.split(".")[1] in ("q_proj", "k_proj", "v_proj"):
                    part, kind = rest.split(".")[1:3]
                    qkv.setdefault((oa_prefix + index, kind), {})[part] = value
                else:
                    module, kind = rest.rsplit(".", 1)
                    out[f"{oa_prefix}{index}.{_HF_BLOCK[module]}.{kind}"] = value
                break
        else:
            simple = {
                "vision_model.embeddings.patch_embedding.weight": ("visual.conv1.weight", False),
                "vision_model.embeddings.class_embedding": ("visual.class_embedding", False),
                "vision_model.embeddings.position_embedding.weight": ("visual.positional_embedding", False),
                "vision_model.pre_layrnorm.weight": ("visual.ln_pre.weight", False),
                "vision_model.pre_layrnorm.bias": ("visual.ln_pre.bias", False),
                "vision_model.post_layernorm.weight": ("visual.ln_post.weight", False),
                "vision_model.post_layernorm.bias": ("visual.ln_post.bias", False),
                "visual_projection.weight": ("visual.proj", True),
                "text_model.embeddings.token_embedding.weight": ("token_embedding.weight", False),
                "text_model.embeddings.position_embedding.weight": ("positional_embedding", False),
                "text_model.final_layer_norm.weight": ("ln_final.weight", False),
                "text_model.final_layer_norm.bias": ("ln_final.bias", False),
                "text_projection.weight": ("text_projection", True),
                "logit_scale": ("logit_scale", False),
            }
            if key not in simple:
                raise KeyError(f"unexpected Hugging Face CLIP weight: {key}")
            name, transpose = simple[key]
            out[name] = value.t().contiguous() if transpose else value
    for (prefix, kind), parts in qkv.items():
        out[f"{prefix}.attn.in_proj_{kind}"] = torch.cat([parts["q_proj"], parts["k_proj"], parts["v_proj"]], 0)
    return out
