"""CLIP's byte-level BPE: a reference encoder, a small trainer, and tokenizer.json output.

The encoder follows OpenAI's simple_tokenizer (byte-to-unicode table, the word regex, merges
by rank, `</w>` on the last symbol of a word) with the normalisation that Hugging Face's
tokenizer.json for CLIP declares (NFC, whitespace runs to one space, lower case). The app
tokenizes with a maintained library from tokenizer.json; the test fixture's reference ids
come from here, so the two are checked against each other.
"""

from __future__ import annotations

import collections
import unicodedata

import regex

SOT = "<|startoftext|>"
EOT = "<|endoftext|>"
WORD_PATTERN = r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""
_WORDS = regex.compile(WORD_PATTERN, regex.IGNORECASE)


def bytes_to_unicode() -> dict[int, str]:
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    codes = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            codes.append(256 + extra)
            extra += 1
    return dict(zip(printable, map(chr, codes)))


BYTE_CHARS = bytes_to_unicode()


def normalize(text: str) -> str:
    return regex.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).lower()


def words(text: str) -> list[str]:
    """Pre-tokenized words, each as byte-level characters."""
    return ["".join(BYTE_CHARS[b] for b in w.encode("utf-8")) for w in _WORDS.findall(normalize(text))]


def base_vocab() -> list[str]:
    chars = list(BYTE_CHARS.values())
    return chars + [c + "</w>" for c in chars]


def train_merges(texts: list[str], count: int) -> list[tuple[str, str]]:
    """Greedy BPE: merge the most frequent adjacent pair, ties broken by the pair itself."""
    freq = collections.Counter(w for t in texts for w in words(t))
    vocab = {tuple(w[:-1]) + (w[-1] + "</w>",): n for w, n in freq.items()}
    merges: list[tuple[str, str]] = []
    while len(merges) < count:
        pairs: collections.Counter = collections.Counter()
        for symbols, n in vocab.items():
            for pair in zip(symbols, symbols[1:]):
                pairs[pair] += n
        if not pairs:
            break
        best = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        merges.append(best)
        joined = best[0] + best[1]
        merged = {}
        for symbols, n in vocab.items():
            out, i = [], 0
            while i < len(symbols):
                if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == best:
                    out.append(joined)
                    i += 2
                else:
                    out.append(symbols[i])
                    i += 1
            merged[tuple(out)] = merged.get(tuple(out), 0) + n
        vocab = merged
    return merges


class BpeEncoder:
    def __init__(self, merges: list[tuple[str, str]]):
        self.ranks = {m: i for i, m in enumerate(merges)}
        tokens = base_vocab() + ["".join(m) for m in merges] + [SOT, EOT]
        self.encoder = {t: i for i, t in enumerate(tokens)}
        self.sot = self.encoder[SOT]
        self.eot = self.encoder[EOT]

    def bpe(self, word: str) -> list[str]:
        symbols = list(word[:-1]) + [word[-1] + "</w>"]
        while len(symbols) > 1:
            pairs = [(self.ranks.get(p, float("inf")), i) for i, p in enumerate(zip(symbols, symbols[1:]))]
            rank, i = min(pairs)
            if rank == float("inf"):
                break
            symbols[i:i + 2] = [symbols[i] + symbols[i + 1]]
        return symbols

    def encode(self, text: str) -> list[int]:
        return [self.encoder[s] for w in words(text) for s in self.bpe(w)]

    def context(self, text: str, length: int) -> list[int]:
        """[SOT] + tokens + [EOT], cut to `length` with EOT kept last, padded with 0."""
        ids = [self.sot] + self.encode(text)[: length - 2] + [self.eot]
        return ids + [0] * (length - len(ids))

    def tokenizer_json(self, merges: list[tuple[str, str]]) -> dict:
        special = lambda content, i: {  # noqa: E731
            "id": i, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
            "normalized": True, "special": True,
        }
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [special(SOT, self.sot), special(EOT, self.eot)],
            "normalizer": {"type": "Sequence", "normalizers": [
                {"type": "NFC"},
                {"type": "Replace", "pattern": {"Regex": r"\s+"}, "content": " "},
                {"type": "Lowercase"},
            ]},
            "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": WORD_PATTERN}, "behavior": "Removed", "invert": True},
                {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
            ]},
            "post_processor": {"type": "RobertaProcessing", "sep": [EOT, self.eot], "cls": [SOT, self.sot],
                               "trim_offsets": False, "add_prefix_space": False},
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            "model": {"type": "BPE", "dropout": None, "unk_token": EOT, "continuing_subword_prefix": "",
                      "end_of_word_suffix": "</w>", "fuse_unk": False, "byte_fallback": False,
                      "vocab": self.encoder, "merges": [f"{a} {b}" for a, b in merges]},
        }


def encoder_from_tokenizer_json(doc: dict) -> BpeEncoder:
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in doc["model"]["merges"]]
    return BpeEncoder(merges)
