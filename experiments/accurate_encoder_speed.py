"""What the larger encoder costs when tagging: all-mpnet-base-v2 with LoRA against the shipped MiniLM taggers, on
the same news articles, one core (as an analysis worker runs) (issue 13, section 3).

Needs the accurate extra and an all-mpnet-base-v2 model file from
``presslens train techniques --accurate --encoder all-mpnet-base-v2 --lora 16 --members 1 --out FILE``.
Usage:  HF_HUB_OFFLINE=1 python experiments/accurate_encoder_speed.py --model FILE [--data ../shared/data] [--n 20]

Each tagger is loaded as ``analyze`` loads it (``load_accurate``: ONNX Runtime, the export built untimed first; the
LoRA adapters are merged into the encoder before the export), warmed up on two articles, then times
``AccurateTagger.scores`` (word pieces, the encoder, decoding) on the first ``--n`` PolNeAR training articles (the
texts of ``benchmarks/bench_speed.py``). Prints wall and CPU seconds an article and the export's size.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before ONNX Runtime and torch start: one core, as a worker


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="an all-mpnet-base-v2 LoRA model file")
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--n", type=int, default=20)
    args = ap.parse_args()

    import torch

    from presslens.persuasion.accurate import load_accurate
    from presslens.persuasion.data import lines_of

    torch.set_num_threads(1)
    files = sorted(Path(args.data, "quotes/polnear/train/text").glob("*.txt"))[: args.n + 2]
    if len(files) < 3:
        sys.exit(f"no PolNeAR texts under {args.data}/quotes/polnear: pass --data")
    texts = [f.read_text(encoding="utf-8") for f in files]
    words = sum(len(t.split()) for t in texts[2:]) / len(texts[2:])
    taggers = {
        "MiniLM, first member, int8 (the default)": dict(path=None, members=1, int8=True),
        "MiniLM, first member, fp32": dict(path=None, members=1),
        "MiniLM, both members, fp32 (--accurate)": dict(path=None),
        "all-mpnet-base-v2 LoRA, fp32": dict(path=args.model),
    }
    for name, kwargs in taggers.items():
        tagger = load_accurate(**kwargs)
        for text in texts[:2]:
            tagger.scores(text, lines_of(text))
        wall, cpu, spans = time.time(), time.process_time(), 0
        for text in texts[2:]:
            spans += len(tagger.scores(text, lines_of(text))[0])
        wall, cpu = time.time() - wall, time.process_time() - cpu
        scorer = getattr(tagger.scorer, "session", None)
        export = getattr(scorer, "path", None)
        size = Path(export).stat().st_size if export and Path(export).exists() else None
        n = len(texts) - 2
        result = {
            "tagger": name,
            "articles": n,
            "words_per_article": round(words),
            "wall_s_per_article": round(wall / n, 3),
            "cpu_s_per_article": round(cpu / n, 3),
            "spans": spans,
            "backend": "onnx" if tagger.scorer is not None else "torch",
            "export_mb": round(size / 1e6, 1) if size else None,
        }
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
