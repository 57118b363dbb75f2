"""Reading speed and memory of the format parsers and dataset readers, on generated corpora.

For each format it generates, in a temporary directory, a corpus of about `--tokens` tokens (1.1M
by default: the size of OntoNotes' English training set) laid out as the real one:

* OntoNotes: ~2,800 `*_gold_conll` files under `data/english/annotations/<genre>/...`, 1 to 3
  document parts each, 0 to 3 SRL columns, named entities and nested coreference (`ner_ontonotes`),
  and the same documents concatenated into one file (`coref`, max_span_width 8);
* CoNLL-2003: one four-column file with `-DOCSTART-` documents (`ner_conll2003`);
* ACE like_conll: ~2,000 files of one document, 0 to 3 relation frames per sentence
  (`mention_ace`, `relation_ace`), and one single file with `#begin/#end document` (`coref_ace`).

Then, each in a fresh process so that memory figures do not mix, it measures tokens per second
of the parser alone (documents and sentences with their parsed annotations) and of the reader
(`DatasetReader.read`, instances with the default `single_id` + `characters` indexers), and the
process's peak memory above what it held after its imports. Instances are consumed and dropped,
as a data loader does; `--check-growth` repeats the reader runs on a quarter of the corpus to show
that the peak does not grow with corpus size.

    OMP_NUM_THREADS=1 .venv/bin/python bench/reader_speed.py [--tokens N] [--check-growth]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
NE_TYPES = ["PERSON", "ORG", "GPE", "DATE", "CARDINAL", "NORP", "MONEY", "LOC"]
ACE_TYPES = ["PER", "ORG", "GPE", "FAC", "LOC", "WEA", "VEH"]
RELATIONS = ["ORG-AFF", "PHYS", "ART", "PER-SOC", "PART-WHOLE", "GEN-AFF"]
GENRES = ["bc", "bn", "mz", "nw", "tc", "wb"]
WORDS = ("the of and to in a is that for it as was with be by on not he I this are or his from at "
         "which but have an they you were her she there one all we their has been would will "
         "said /. # - * ( Acme Oslo engineers government president market company").split()

# --------------------------------------------------------------------------------- generation


def _sentence_length(rng: random.Random) -> int:
    return rng.randint(4, 36)


def _bracket_column(rng: random.Random, length: int, labels: list[str], density: float,
                    star_in_single: bool) -> list[str]:
    cells = ["*"] * length
    index = 0
    while index < length:
        if rng.random() < density:
            width = min(rng.choice([1, 1, 2, 3]), length - index)
            label = rng.choice(labels)
            if width == 1:
                cells[index] = f"({label}*)" if star_in_single else f"({label})"
            else:
                cells[index], cells[index + width - 1] = f"({label}*", "*)"
            index += width + 1
        else:
            index += 1
    return cells


def _coref_column(rng: random.Random, length: int, clusters: int) -> list[str]:
    """Non-crossing mentions, some nested, several marks per cell."""
    marks: list[list[str]] = [[] for _ in range(length)]
    for _ in range(rng.randint(0, max(1, length // 6))):
        start = rng.randrange(length)
        end = min(length - 1, start + rng.choice([0, 0, 1, 2, 4, 10]))
        cluster = rng.randrange(clusters)
        if start == end:
            marks[start].append(f"({cluster})")
        else:
            marks[start].append(f"({cluster}")
            marks[end].insert(0, f"{cluster})")
    return ["|".join(m) if m else "-" for m in marks]


def _relation_frames(rng: random.Random, length: int) -> list[list[str]]:
    frames = []
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3]) if length >= 4 else 0):
        kind = rng.choice(RELATIONS)
        first, second = sorted(rng.sample(range(length), 2))
        cells = ["*"] * length
        roles = ["ARG1", "ARG2"] if rng.random() < 0.5 else ["ARG2", "ARG1"]
        cells[first], cells[second] = f"({roles[0]}_{kind}*)", f"({roles[1]}_{kind}*)"
        frames.append(cells)
    return frames


def _conll2012_document(rng: random.Random, doc_id: str, part: int, tokens: int) -> list[str]:
    lines = [f"#begin document ({doc_id}); part {part:03d}"]
    written = 0
    while written < tokens:
        length = _sentence_length(rng)
        srl = rng.randint(0, 3)
        ne = _bracket_column(rng, length, NE_TYPES, 0.12, star_in_single=False)
        coref = _coref_column(rng, length, 30)
        srl_columns = [_bracket_column(rng, length, ["ARG0", "ARG1", "V"], 0.2, False)
                       for _ in range(srl)]
        for index in range(length):
            row = [doc_id, str(part), str(index), rng.choice(WORDS), "NN",
                   "(TOP(S*" if index == 0 else "*", "-", "-", "-", "Speaker#1", ne[index]]
            row += [column[index] for column in srl_columns] + [coref[index]]
            lines.append("   ".join(row))
        lines.append("")
        written += length
    lines.append("#end document")
    return lines


def generate_ontonotes(root: Path, tokens: int, rng: random.Random) -> tuple[Path, Path]:
    directory = root / "conll-2012" / "v4" / "data" / "train" / "data" / "english" / "annotations"
    single = root / "train.english.v4_gold_conll"
    per_file = 400
    with open(single, "w", encoding="utf-8") as everything:
        for number in range(max(1, tokens // per_file)):
            genre = GENRES[number % len(GENRES)]
            doc_id = f"{genre}/src/{number // 100:02d}/src_{number:04d}"
            path = directory / f"{doc_id}.v4_gold_conll"
            path.parent.mkdir(parents=True, exist_ok=True)
            parts = rng.randint(1, 3)
            lines = []
            for part in range(parts):
                lines += _conll2012_document(rng, doc_id, part, per_file // parts)
            text = "\n".join(lines) + "\n"
            path.write_text(text, encoding="utf-8")
            everything.write(text)
    return root / "conll-2012" / "v4" / "data" / "train", single


def generate_conll2003(root: Path, tokens: int, rng: random.Random) -> Path:
    path = root / "eng.train"
    written = 0
    with open(path, "w", encoding="utf-8") as handle:
        while written < tokens:
            handle.write("-DOCSTART- -X- -X- O\n\n")
            for _ in range(rng.randint(5, 30)):
                length = _sentence_length(rng)
                tags = ["O"] * length
                for label, start, end in _spans(rng, length, ["PER", "ORG", "LOC", "MISC"]):
                    for index in range(start, end + 1):
                        tags[index] = "I-" + label
                handle.write("".join(f"{rng.choice(WORDS)} NN I-NP {tag}\n" for tag in tags))
                handle.write("\n")
                written += length
    return path


def _spans(rng: random.Random, length: int, labels: list[str]) -> list[tuple[str, int, int]]:
    spans, index = [], 0
    while index < length:
        if rng.random() < 0.12:
            end = min(length - 1, index + rng.choice([0, 0, 1, 2]))
            spans.append((rng.choice(labels), index, end))
            index = end + 2
        else:
            index += 1
    return spans


def _ace_document(rng: random.Random, doc_id: str, tokens: int) -> list[str]:
    lines = [f"#begin document ({doc_id})"]
    written = 0
    while written < tokens:
        length = _sentence_length(rng)
        mentions = _bracket_column(rng, length, ACE_TYPES, 0.15, star_in_single=True)
        frames = _relation_frames(rng, length)
        coref = _coref_column(rng, length, 20)
        for index in range(length):
            row = [str(index), rng.choice(WORDS), mentions[index]]
            row += [frame[index] for frame in frames] + [coref[index]]
            lines.append("\t".join(row))
        lines.append("")
        written += length
    lines.append("#end document")
    return lines


def generate_ace(root: Path, tokens: int, rng: random.Random) -> tuple[Path, Path]:
    directory = root / "ace2005" / "train"
    directory.mkdir(parents=True)
    single = root / "ace2005" / "single_file_train_rahman.gold_conll"
    per_file = 550
    with open(single, "w", encoding="utf-8") as everything:
        for number in range(max(1, tokens // per_file)):
            text = "\n".join(_ace_document(rng, f"doc_{number:04d}", per_file)) + "\n"
            (directory / f"doc_{number:04d}.sgm.like_conll").write_text(text, encoding="utf-8")
            everything.write(text)
    return directory, single


def generate(root: Path, tokens: int) -> dict[str, str]:
    rng = random.Random(13)
    (root / "full").mkdir(parents=True)
    ontonotes, conll_single = generate_ontonotes(root / "full", tokens, rng)
    conll2003 = generate_conll2003(root / "full", tokens, rng)
    ace, ace_single = generate_ace(root / "full", tokens, rng)
    return {"ner_ontonotes": str(ontonotes), "coref": str(conll_single),
            "ner_conll2003": str(conll2003), "mention_ace": str(ace), "relation_ace": str(ace),
            "coref_ace": str(ace_single)}


# --------------------------------------------------------------------------------- measuring

def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def measure(name: str, paths: list[str]) -> list[dict[str, float]]:
    """Run in a child process: for each path (a quarter-size corpus first, when checking
    growth), parse it, then read its instances; the peak is the process's maximum resident
    memory so far, above its level after imports, so a later, larger corpus can only raise it."""
    from allennlp.common import Params
    from allennlp.data import DatasetReader

    import hmtl  # noqa: F401  (registers the readers)
    from hmtl.data.formats.ace_like_conll import read_ace
    from hmtl.data.formats.conll2003 import read_conll2003
    from hmtl.data.formats.conll2012 import read_conll2012
    from hmtl.data.formats.paths import find_data_files

    block: dict = {"type": name, "token_indexers": {
        "tokens": {"type": "single_id", "lowercase_tokens": True},
        "token_characters": {"type": "characters", "min_padding_length": 3}}}
    if name in ("coref", "coref_ace"):
        block["max_span_width"] = 8
    reader = DatasetReader.from_params(Params(block))
    field = "text" if name in ("relation_ace", "coref", "coref_ace") else "tokens"
    baseline = _max_rss_mb()
    results = []
    for path in paths:
        parse_tokens = 0
        start = time.perf_counter()
        if name == "ner_conll2003":
            for sentence in read_conll2003(path):
                parse_tokens += len(sentence.rows)
        else:
            parser = read_conll2012 if name in ("ner_ontonotes", "coref") else read_ace
            suffix = "gold_conll" if parser is read_conll2012 else "like_conll"
            for file in find_data_files(path, suffix):
                for document in parser(file):
                    parse_tokens += sum(len(s.rows) for s in document.sentences)
        parse_seconds = time.perf_counter() - start
        tokens = units = 0
        start = time.perf_counter()
        for instance in reader.read(path):
            tokens += len(instance[field].tokens)
            units += 1
        read_seconds = time.perf_counter() - start
        assert tokens == parse_tokens, (tokens, parse_tokens)
        results.append({"tokens": tokens, "units": units, "parse_seconds": parse_seconds,
                        "read_seconds": read_seconds, "peak_mb": _max_rss_mb() - baseline})
    return results


def run_child(name: str, paths: list[str]) -> list[dict[str, float]]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", name, *paths], capture_output=True, text=True,
        check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tokens", type=int, default=1_100_000)
    parser.add_argument("--check-growth", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], args.child[1:])))
        return

    with tempfile.TemporaryDirectory(prefix="hmtl-reader-bench-") as temp:
        start = time.perf_counter()
        paths = generate(Path(temp) / "big", args.tokens)
        print(f"generated ~{args.tokens:,} tokens per format in "
              f"{time.perf_counter() - start:.0f} s under {temp}")
        small = generate(Path(temp) / "small", args.tokens // 4) if args.check_growth else {}
        header = (f"{'reader':<14} {'tokens':>9} {'units':>7} {'parse tok/s':>12} "
                  f"{'read tok/s':>11} {'parse s':>8} {'read s':>7} {'peak MB':>8}")
        if small:
            header += f" {'peak MB @1/4':>13}"
        print(header)
        for name, path in paths.items():
            *quarter, full = run_child(name, ([small[name]] if small else []) + [path])
            line = (f"{name:<14} {full['tokens']:>9,} {full['units']:>7,} "
                    f"{full['tokens'] / full['parse_seconds']:>12,.0f} "
                    f"{full['tokens'] / full['read_seconds']:>11,.0f} "
                    f"{full['parse_seconds']:>8.1f} {full['read_seconds']:>7.1f} "
                    f"{full['peak_mb']:>8.0f}")
            if quarter:
                line += f" {quarter[0]['peak_mb']:>13.0f}"
            print(line, flush=True)
        print("units: sentences (tagging readers) or documents (coref readers); parse: the "
              "format parser alone; read: DatasetReader.read, instances included; peak MB: the "
              "process's peak resident memory above its level after imports (@1/4: after "
              "reading a quarter-size corpus first)")


if __name__ == "__main__":
    main()
