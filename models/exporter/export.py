#!/usr/bin/env python3
"""Export CLIP's image and text encoders to ONNX for OOC Workbench.

Real weights (any of):
  OpenAI's checkpoint           ViT-B-32.pt (TorchScript archive or plain state dict)
  Hugging Face CLIPModel        pytorch_model.bin or model.safetensors of openai/clip-vit-base-patch32
    python3 models/exporter/export.py --weights ViT-B-32.pt --tokenizer tokenizer.json --out models/clip-vit-b-32

Random weights (tests and honest benchmarks; scores are meaningless):
    python3 models/exporter/export.py --preset tiny --out models/tiny-random-clip --reference
    python3 models/exporter/export.py --preset vit-b-32 --out .bench/models/random-vit-b-32

Writes image.onnx, text.onnx, tokenizer.json and manifest.json (with sha256 of each file);
--reference adds reference.json: fixed inputs and PyTorch's outputs for them, which the app's
tests compare with onnxruntime's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import struct
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from clip_model import PRESETS, Attention, Clip, ImageEncoder, TextEncoder, config_from_state_dict, hf_to_openai  # noqa: E402
from relevance import export_relevance, relevance  # noqa: E402
from clip_tokenizer import BpeEncoder, base_vocab, encoder_from_tokenizer_json, train_merges  # noqa: E402

CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]
OPSET = 17
TOKENIZER_CASES = [
    "Candace Pickens and her son Zachaeus",
    "Korea s president Moon Jae in at the Blue House",
    "",
    "   Tabs\tand\nnewlines   everywhere  ",
    "Zürich café — naïve résumé 東京 Αθήνα 😀 ﬁne",
    "The 2016 election: 12,345 votes (3.5%) & counting...",
    "İSTANBUL ǅemal ß",
    " ".join(["protesters march through the capital demanding reform"] * 20),
]


def read_safetensors(path: Path) -> dict:
    """A safetensors file is an 8-byte header length, a JSON header, then raw little-endian tensors."""
    dtypes = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64}
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        t = torch.frombuffer(bytearray(data[start:end]), dtype=dtypes[info["dtype"]])
        out[name] = t.reshape(info["shape"]).float() if info["dtype"] != "I64" else t.reshape(info["shape"])
    return out


def load_weights(path: Path) -> dict:
    if path.suffix == ".safetensors":
        sd = read_safetensors(path)
    else:
        try:
            sd = torch.jit.load(str(path), map_location="cpu").state_dict()
        except RuntimeError:
            sd = torch.load(str(path), map_location="cpu")
            sd = sd.get("state_dict", sd)
    if any(k.startswith("vision_model.") for k in sd):
        sd = hf_to_openai(sd)
    for extra in ("input_resolution", "context_length", "vocab_size"):
        sd.pop(extra, None)
    return {k: v.float() if v.is_floating_point() else v for k, v in sd.items()}


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def demo_captions() -> list[str]:
    data = Path(__file__).resolve().parents[2] / "resources/demo/dataset/visual_news/origin/data.json"
    return [r["caption"] for r in json.loads(data.read_text(encoding="utf-8"))]


def export(model: torch.nn.Module, example: torch.Tensor, path: Path, input_name: str, output_name: str) -> None:
    tmp = path.with_suffix(".onnx.tmp")
    torch.onnx.export(
        model, (example,), str(tmp), opset_version=OPSET, do_constant_folding=True,
        input_names=[input_name], output_names=[output_name],
        dynamic_axes={input_name: {0: "batch"}, output_name: {0: "batch"}},
    )
    os.replace(tmp, path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = ap.add_mutually_exclusive_group(required=True)
    source.add_argument("--weights", type=Path, help="OpenAI .pt, Hugging Face pytorch_model.bin or model.safetensors")
    source.add_argument("--preset", choices=sorted(PRESETS), help="random weights of this shape")
    ap.add_argument("--tokenizer", type=Path, help="tokenizer.json (Hugging Face CLIP); required with --weights")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--id", help="model id (default: the output folder's name)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reference", action="store_true", help="write reference.json (inputs and PyTorch outputs)")
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    if args.weights:
        if not args.tokenizer:
            ap.error("--tokenizer is required with --weights")
        sd = load_weights(args.weights)
        config = config_from_state_dict(sd)
        model = Clip(config)
        model.load_state_dict(sd, strict=True)
        tokenizer_doc = json.loads(args.tokenizer.read_text(encoding="utf-8"))
        weights = {"kind": "pretrained", "source": args.weights.name, "meaningfulScores": True}
    else:
        config = PRESETS[args.preset]
        model = Clip(config).randomize(args.seed)
        merges = train_merges(demo_captions(), min(config.vocab_size, 1000) - len(base_vocab()) - 2)
        tokenizer_doc = BpeEncoder(merges).tokenizer_json(merges)
        weights = {"kind": "random", "seed": args.seed, "meaningfulScores": False}
    model.eval()
    bpe = encoder_from_tokenizer_json(tokenizer_doc)

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    (out / "tokenizer.json").write_text(json.dumps(tokenizer_doc, ensure_ascii=False), encoding="utf-8")

    g = torch.Generator().manual_seed(args.seed + 1)
    pixels = torch.randn(2, 3, config.image_size, config.image_size, generator=g)
    ids = torch.tensor([bpe.context(t, config.context_length) for t in TOKENIZER_CASES], dtype=torch.int64)
    for module in model.modules():
        if isinstance(module, Attention):
            module.freeze()
    with torch.no_grad():
        export(ImageEncoder(model), pixels, out / "image.onnx", "pixel_values", "image_embeds")
        export(TextEncoder(model), ids[:2], out / "text.onnx", "input_ids", "text_embeds")
    # The relevance graph needs gradients, so it is traced outside no_grad.
    export_relevance(model, pixels, ids, str(out / "relevance.onnx"), OPSET)

    model_id = args.id or out.resolve().name
    manifest = {
        "format": 1,
        "id": model_id,
        "name": f"CLIP {'ViT-B/32' if config == PRESETS['vit-b-32'] else 'ViT'} ({'random weights' if weights['kind'] == 'random' else weights['source']})",
        "family": "clip",
        "weights": weights,
        "config": config.as_dict(),
        "embeddingSize": config.embed_dim,
        "logitScale": float(model.logit_scale.exp()),
        "licence": "MIT (OpenAI CLIP); random weights carry no licence terms" if weights["kind"] == "random" else "MIT (OpenAI CLIP)",
        "image": {
            "file": "image.onnx", "sha256": sha256(out / "image.onnx"),
            "input": {"name": "pixel_values", "type": "float32", "shape": ["batch", 3, config.image_size, config.image_size]},
            "output": {"name": "image_embeds", "type": "float32", "shape": ["batch", config.embed_dim]},
        },
        "text": {
            "file": "text.onnx", "sha256": sha256(out / "text.onnx"),
            "input": {"name": "input_ids", "type": "int64", "shape": ["batch", config.context_length]},
            "output": {"name": "text_embeds", "type": "float32", "shape": ["batch", config.embed_dim]},
        },
        "relevance": {
            "file": "relevance.onnx", "sha256": sha256(out / "relevance.onnx"), "method": "chefer-2021",
            "inputs": [
                {"name": "pixel_values", "type": "float32", "shape": [1, 3, config.image_size, config.image_size]},
                {"name": "input_ids", "type": "int64", "shape": [1, config.context_length]},
            ],
            "outputs": [
                {"name": "score", "type": "float32", "shape": [1]},
                {"name": "image_relevance", "type": "float32", "shape": [1, (config.image_size // config.patch_size) ** 2]},
                {"name": "text_relevance", "type": "float32", "shape": [1, config.context_length]},
            ],
            "patchGrid": config.image_size // config.patch_size,
        },
        "preprocess": {
            "size": config.image_size, "resize": "shortest-side", "interpolation": "bicubic", "crop": "center",
            "mean": CLIP_MEAN, "std": CLIP_STD,
        },
        "tokenizer": {
            "file": "tokenizer.json", "sha256": sha256(out / "tokenizer.json"),
            "contextLength": config.context_length, "startToken": bpe.sot, "endToken": bpe.eot, "padToken": 0,
        },
        "exportedWith": {"torch": torch.__version__, "opset": OPSET},
    }
    if args.reference:
        with torch.no_grad():
            # Every token through every block, unlike the exported graphs: the test then also
            # shows that computing only the pooled token in the last block changes nothing.
            image_embeds = model.encode_image(pixels, pooled_only=False)
            text_embeds = model.encode_text(ids, pooled_only=False)
        reference = {
            "pixel_values": {"shape": list(pixels.shape), "data": pixels.flatten().tolist()},
            "image_embeds": {"shape": list(image_embeds.shape), "data": image_embeds.flatten().tolist()},
            "tokenizer_cases": [{"text": t, "ids": row} for t, row in zip(TOKENIZER_CASES, ids.tolist())],
            "text_embeds": {"shape": list(text_embeds.shape), "data": text_embeds.flatten().tolist()},
        }
        score, image_r, text_r = relevance(model, pixels[:1], ids[:1])
        reference["relevance"] = {"score": score.tolist(), "image_relevance": image_r.flatten().tolist(), "text_relevance": text_r.flatten().tolist()}
        (out / "reference.json").write_text(json.dumps(reference, ensure_ascii=False), encoding="utf-8")
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"exported {model_id} to {out}: image.onnx {os.path.getsize(out / 'image.onnx')} B, text.onnx {os.path.getsize(out / 'text.onnx')} B")


if __name__ == "__main__":
    main()
