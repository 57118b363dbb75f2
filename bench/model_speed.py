"""Forward+backward time per instance and peak memory of the hierarchical model, on CPU.

Compares, at the original HMTL sizes (BiLSTM encoders NER/EMD 2x64, RE 3x64, CR 1x200; coref
feed-forwards 2x150, max_span_width 8, spans_per_word 0.4, max_antecedents 70):

* each task alone as our ``HierarchicalModel`` (original type names ``ner``, ``relation``,
  ``coref_custom``) against the single-task models of ``allennlp-models`` (its ``CrfTagger`` and
  ``CoreferenceResolver``) with the same embedder and layer sizes;
* the full model (``hmtl``: NER -> EMD -> {RE, CR}) doing all four tasks on one text, every
  shared layer computed once, against the sum of the single-task models it replaces.

The base embedder is a 1124-d word embedding plus the original 64-filter character CNN: the
original's 1188 input size, with the 1024-d ELMo replaced by a plain embedding (pretrained ELMo
is not available offline; its cost would be the same in every model compared).

allennlp-models is not a dependency of the project. Install it for the comparison only::

    .venv/bin/python -m pip install --no-deps --target /tmp/am allennlp-models==2.10.1
    PYTHONPATH=/tmp/am OMP_NUM_THREADS=1 .venv/bin/python bench/model_speed.py

Without it the comparison columns are skipped with a message.
"""

import argparse
import copy
import ctypes
import gc
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402
from allennlp.common import Params  # noqa: E402
from allennlp.data import Vocabulary  # noqa: E402
from allennlp.data.token_indexers import SingleIdTokenIndexer, TokenCharactersIndexer  # noqa: E402
from allennlp.models import Model  # noqa: E402
from allennlp.modules import FeedForward, Seq2SeqEncoder  # noqa: E402
from allennlp.nn import Activation  # noqa: E402
from allennlp.nn.util import get_text_field_mask  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hmtl.models import HierarchicalModel  # noqa: E402
from hmtl.models.original import build_text_field_embedder  # noqa: E402
from hmtl.testing.instances import (  # noqa: E402
    as_batch,
    coref_instance,
    relation_instance,
    tagging_instance,
)
from hmtl.testing.vocabulary import add_original_labels  # noqa: E402

WORDS = [f"w{i}" for i in range(500)]
NER_TYPES = ["PERSON", "GPE", "ORG"]
EMD_TYPES = ["PER", "GPE", "ORG"]
RELATION_TYPES = ["ORG-AFF", "PHYS", "ART", "PER-SOC", "PART-WHOLE", "GEN-AFF"]
INDEXERS = {
    "tokens": SingleIdTokenIndexer(),
    "token_characters": TokenCharactersIndexer(min_padding_length=3),
}
EMBEDDER = {
    "token_embedders": {
        "tokens": {"type": "embedding", "embedding_dim": 1124},
        "token_characters": {
            "type": "character_encoding",
            "embedding": {"embedding_dim": 16},
            "encoder": {
                "type": "cnn",
                "embedding_dim": 16,
                "num_filters": 64,
                "ngram_filter_sizes": [3],
            },
            "dropout": 0.1,
        },
    }
}
BASE, UPPER = 1188, 1316
#: The task name inside each single-task model (emd.json runs EMD as the ``ner`` model).
SINGLE_TASK = {"ner": "ner", "emd": "ner", "relation": "relation", "coref": "coref"}
SPAN_WIDTH, FEATURES = 8, 20


def lstm(input_size: int, hidden: int, layers: int) -> dict:
    return {
        "type": "lstm",
        "bidirectional": True,
        "input_size": input_size,
        "hidden_size": hidden,
        "num_layers": layers,
        "dropout": 0.2 if layers > 1 else 0.0,
    }


def tagger(namespace: str) -> dict:
    return {
        "label_namespace": namespace,
        "label_encoding": "BIOUL",
        "constrain_crf_decoding": True,
        "dropout": 0.2,
    }


def feedforward(input_dim: int) -> dict:
    return {
        "input_dim": input_dim,
        "num_layers": 2,
        "hidden_dims": 150,
        "activations": "relu",
        "dropout": 0.3,
    }


def coref_tagger(input_dim: int) -> dict:
    span = 2 * 400 + FEATURES + input_dim
    return {
        "mention_feedforward": feedforward(span),
        "antecedent_feedforward": feedforward(3 * span + FEATURES),
        "lexical_dropout": 0.5,
        "feature_size": FEATURES,
        "max_span_width": SPAN_WIDTH,
        "spans_per_word": 0.4,
        "max_antecedents": 70,
    }


def original_blocks() -> dict[str, dict]:
    """Model blocks in the original configs' form, one per model benchmarked."""
    ner = {"encoder": lstm(BASE, 64, 2), "tagger": tagger("ontonotes_ner_labels")}
    emd_alone = {"encoder": lstm(BASE, 64, 2), "tagger": tagger("ace_mention_labels")}
    relation = {"encoder": lstm(BASE, 64, 3), "tagger": {"d": 64, "l": 64, "n_classes": 6}}
    coref = {"encoder": lstm(BASE, 200, 1), "tagger": coref_tagger(BASE)}
    upper = {
        "emd": {"encoder": lstm(UPPER, 64, 2), "tagger": tagger("ace_mention_labels")},
        "relation": {"encoder": lstm(UPPER, 64, 3), "tagger": {"d": 64, "l": 64}},
        "coref": {"encoder": lstm(UPPER, 200, 1), "tagger": coref_tagger(UPPER)},
    }
    return {
        "ner": {"type": "ner", "ner": ner},
        "emd": {"type": "ner", "ner": emd_alone},
        "relation": {"type": "relation", "relation": relation},
        "coref": {"type": "coref_custom", "coref": coref},
        "hmtl": {"type": "hmtl", "ner": ner, **upper},
    }


def make_vocab() -> Vocabulary:
    vocab = Vocabulary()
    vocab.add_tokens_to_namespace(WORDS, "tokens")
    vocab.add_tokens_to_namespace(sorted(set("".join(WORDS))), "token_characters")
    add_original_labels(vocab, NER_TYPES, EMD_TYPES, RELATION_TYPES)
    return vocab


def build_ours(vocab: Vocabulary, name: str) -> HierarchicalModel:
    block = {"text_field_embedder": copy.deepcopy(EMBEDDER), **original_blocks()[name]}
    return Model.from_params(vocab=vocab, params=Params(copy.deepcopy(block)))


def allennlp_models_available() -> bool:
    """Import allennlp-models' two models, keeping the project's registered names.

    Both packages register some of the same names (e.g. the ``coref`` reader); importing
    allennlp-models would fail on them. The registry is made tolerant for the import, then
    the project's own entries are put back.
    """
    from allennlp.common import Registrable

    saved = {base: dict(entries) for base, entries in Registrable._registry.items()}
    register = Registrable.register.__func__

    def tolerant(cls, name, constructor=None, exist_ok=False):
        return register(cls, name, constructor, exist_ok=True)

    Registrable.register = classmethod(tolerant)
    try:
        import allennlp_models.coref.models.coref  # noqa: F401
        import allennlp_models.tagging.models.crf_tagger  # noqa: F401
    except ImportError:
        return False
    finally:
        Registrable.register = classmethod(register)
        for base, entries in saved.items():
            Registrable._registry[base].update(entries)
    return True


def build_theirs(vocab: Vocabulary, name: str) -> Model:
    """allennlp-models' single-task model of the same sizes as ours."""
    from allennlp_models.coref.models.coref import CoreferenceResolver
    from allennlp_models.tagging.models.crf_tagger import CrfTagger

    embedder = build_text_field_embedder(vocab, EMBEDDER)
    if name in ("ner", "emd"):
        namespace = "ontonotes_ner_labels" if name == "ner" else "ace_mention_labels"
        return CrfTagger(
            vocab,
            embedder,
            Seq2SeqEncoder.from_params(Params(lstm(BASE, 64, 2))),
            label_namespace=namespace,
            label_encoding="BIOUL",
            constrain_crf_decoding=True,
            dropout=0.2,
        )
    span = 2 * 400 + FEATURES + BASE

    def ff(input_dim: int) -> FeedForward:
        return FeedForward(input_dim, 2, 150, Activation.by_name("relu")(), 0.3)

    return CoreferenceResolver(
        vocab,
        embedder,
        Seq2SeqEncoder.from_params(Params(lstm(BASE, 200, 1))),
        ff(span),
        ff(3 * span + FEATURES),
        feature_size=FEATURES,
        max_span_width=SPAN_WIDTH,
        spans_per_word=0.4,
        max_antecedents=70,
        lexical_dropout=0.5,
    )


# ------------------------------------------------------------------------------------- data


def random_tags(length: int, types: list[str], rng: random.Random) -> list[str]:
    """Legal BIOUL tags: unit spans and two-token spans between O runs."""
    tags: list[str] = []
    while len(tags) < length:
        kind = rng.choice(types)
        roll = rng.random()
        if roll < 0.15:
            tags.append(f"U-{kind}")
        elif roll < 0.25 and len(tags) + 2 <= length:
            tags += [f"B-{kind}", f"L-{kind}"]
        else:
            tags.append("O")
    return tags


def random_relations(length: int, count: int, rng: random.Random) -> list[tuple[int, int, str]]:
    pairs = set()
    while len(pairs) < min(count, length * (length - 1)):
        arg1, arg2 = rng.sample(range(length), 2)
        pairs.add((arg1, arg2, rng.choice(RELATION_TYPES)))
    return sorted(pairs)


def random_clusters(length: int, rng: random.Random) -> list[list[tuple[int, int]]]:
    """About one mention per 10 tokens, in clusters of 3 non-overlapping spans of width 1-2."""
    starts = sorted(rng.sample(range(0, length - 1, 3), max(3, length // 10) // 3 * 3))
    spans = [(start, start + rng.randint(0, 1)) for start in starts]
    rng.shuffle(spans)
    return [sorted(spans[i : i + 3]) for i in range(0, len(spans), 3)]


def words(length: int, rng: random.Random) -> list[str]:
    return [rng.choice(WORDS) for _ in range(length)]


def tagging_batch(vocab, namespace, types, sentences, length, rng) -> dict:
    instances = [
        tagging_instance(words(length, rng), random_tags(length, types, rng), namespace, INDEXERS)
        for _ in range(sentences)
    ]
    return as_batch(instances, vocab)


def relation_batch(vocab, sentences, length, rng) -> dict:
    instances = [
        relation_instance(words(length, rng), random_relations(length, 2, rng), indexers=INDEXERS)
        for _ in range(sentences)
    ]
    return as_batch(instances, vocab)


def document_batches(vocab: Vocabulary, length: int, rng: random.Random) -> dict[str, dict]:
    """One document of ``length`` tokens with gold for all four tasks (batch of one)."""
    text = words(length, rng)
    coref = coref_instance(text, random_clusters(length, rng), SPAN_WIDTH, INDEXERS)
    ner = tagging_instance(
        text, random_tags(length, NER_TYPES, rng), "ontonotes_ner_labels", INDEXERS
    )
    emd = tagging_instance(
        text, random_tags(length, EMD_TYPES, rng), "ace_mention_labels", INDEXERS
    )
    relation = relation_instance(
        text, random_relations(length, length // 25, rng), indexers=INDEXERS
    )
    return {
        "ner": as_batch([ner], vocab),
        "emd": as_batch([emd], vocab),
        "relation": as_batch([relation], vocab),
        "coref": as_batch([coref], vocab),
    }


# -------------------------------------------------------------------------------- measuring


def _status(field: str) -> int:
    """A /proc/self/status memory field in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _release_free_memory() -> None:
    """Give freed heap memory back to the OS, so that the next peak counts what a step needs."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass


def measure_group(
    steps: dict[str, Callable[[], torch.Tensor]], repeats: int
) -> dict[str, tuple[float, float]]:
    """Median CPU seconds of each step (forward + backward) and its peak extra memory in MiB.

    The steps of a group run interleaved, round by round, so that whatever else the machine
    does slows every compared step alike; time is this process's CPU time (one thread), which
    varies much less than wall time on a shared machine. The memory is the growth of the
    resident set over one more step, from a trimmed heap (glibc malloc_trim) with the kernel's
    peak RSS counter reset (/proc/self/clear_refs).
    """
    for step in steps.values():
        step().backward()  # warm-up
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            start = time.process_time()
            step().backward()
            times[name].append(time.process_time() - start)
    results = {}
    for name, step in steps.items():
        # memory last, a step of its own: from a trimmed heap that step faults pages back in
        _release_free_memory()
        baseline = _status("VmRSS")
        peak_known = _reset_peak()
        step().backward()
        peak = (_status("VmHWM") - baseline) / 2**20 if peak_known else float("nan")
        results[name] = (statistics.median(times[name]), peak)
    return results


def tagger_step(model: Model, batch: dict, task: str | None) -> Callable[[], torch.Tensor]:
    def step() -> torch.Tensor:
        model.zero_grad(set_to_none=True)
        if task is None:
            return model(**batch)["loss"]
        return model(task_name=task, **batch)["loss"]

    return step


def all_tasks_step(model: HierarchicalModel, batches: dict[str, dict]) -> Callable:
    """All four losses on one text: embedding and every encoder computed once."""
    text = batches["coref"]["text"]
    gold = {
        "ner": {"tags": batches["ner"]["tags"]},
        "emd": {"tags": batches["emd"]["tags"]},
        "relation": {"relations": batches["relation"]["relations"]},
        "coref": {
            "spans": batches["coref"]["spans"],
            "span_labels": batches["coref"]["span_labels"],
        },
    }

    def step() -> torch.Tensor:
        model.zero_grad(set_to_none=True)
        mask = get_text_field_mask(text)
        base = model.text_field_embedder(text)
        cache: dict = {}
        loss = torch.zeros(())
        for task, fields in gold.items():
            encoder_input, encoded = model.encoders(task, base, mask, cache)
            loss = loss + model.heads[task](encoder_input, encoded, mask, **fields)["loss"]
        return loss

    return step


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[100, 500, 1000],
        help="document lengths for coreference alone",
    )
    parser.add_argument(
        "--full-sizes",
        type=int,
        nargs="+",
        default=[100, 500],
        help="text lengths for the full model (its relation head scores all "
        "token pairs of the text: quadratic)",
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--sentence-length", type=int, default=25)
    parser.add_argument("--tagger-batch", type=int, default=32)
    parser.add_argument("--relation-batch", type=int, default=4)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    rng = random.Random(0)
    vocab = make_vocab()
    compare = allennlp_models_available()
    if not compare:
        print(
            "allennlp_models is not importable: comparison skipped (see the module docstring "
            "to install it for the benchmark only)\n"
        )
    ours = {name: build_ours(vocab, name).train() for name in original_blocks()}
    theirs = {}
    if compare:
        theirs = {name: build_theirs(vocab, name).train() for name in ("ner", "emd", "coref")}

    results: list[dict[str, Any]] = []

    def report(label: str, instances: int, mine: tuple, other: tuple | None) -> None:
        row = {"case": label, "ours_ms": 1000 * mine[0] / instances, "ours_peak_mib": mine[1]}
        line = f"{label:<44}{row['ours_ms']:>10.1f}{mine[1]:>10.0f}"
        if other is not None:
            row.update(theirs_ms=1000 * other[0] / instances, theirs_peak_mib=other[1])
            row["ratio"] = mine[0] / other[0]
            line += f"{row['theirs_ms']:>10.1f}{other[1]:>10.0f}{row['ratio']:>8.2f}"
        results.append(row)
        print(line, flush=True)

    header = f"{'forward+backward CPU time per instance':<44}{'ours ms':>10}{'peak MiB':>10}"
    header += f"{'ref ms':>10}{'peak MiB':>10}{'ratio':>8}"
    print(header)

    length, count = args.sentence_length, args.tagger_batch
    ner_batch = tagging_batch(vocab, "ontonotes_ner_labels", NER_TYPES, count, length, rng)
    emd_batch = tagging_batch(vocab, "ace_mention_labels", EMD_TYPES, count, length, rng)
    steps = {
        "ner": tagger_step(ours["ner"], ner_batch, "ner"),
        "emd": tagger_step(ours["hmtl"], emd_batch, "emd"),
        "relation": tagger_step(
            ours["relation"], relation_batch(vocab, args.relation_batch, length, rng), "relation"
        ),
    }
    if compare:
        steps["their ner"] = tagger_step(theirs["ner"], ner_batch, None)
        steps["their emd"] = tagger_step(theirs["emd"], emd_batch, None)
    measured = measure_group(steps, args.repeats)
    report(
        f"NER tagger, {count} x {length} tokens", count, measured["ner"], measured.get("their ner")
    )
    report(
        f"EMD on NER (hmtl, task emd), {count} x {length}",
        count,
        measured["emd"],
        measured.get("their emd"),
    )
    report(
        f"relation alone, {args.relation_batch} x {length} tokens",
        args.relation_batch,
        measured["relation"],
        None,
    )

    for size in args.sizes:
        batches = document_batches(vocab, size, rng)
        # allennlp-models' coreference model needs the metadata (gold clusters) with gold
        steps = {"coref": tagger_step(ours["coref"], batches["coref"], "coref")}
        if compare:
            steps["their coref"] = tagger_step(theirs["coref"], batches["coref"], None)
        if size in args.full_sizes:
            steps["full"] = all_tasks_step(ours["hmtl"], batches)
            for task in ("ner", "emd", "relation"):
                steps[task] = tagger_step(ours[task], batches[task], SINGLE_TASK[task])
            if compare:
                for task in ("ner", "emd"):
                    steps[f"their {task}"] = tagger_step(theirs[task], batches[task], None)
        measured = measure_group(steps, args.repeats)
        report(
            f"coreference alone, document of {size}",
            1,
            measured["coref"],
            measured.get("their coref"),
        )
        if size not in args.full_sizes:
            continue
        singles = [measured[task] for task in ("ner", "emd", "relation", "coref")]
        report(
            f"hmtl, 4 tasks on {size} tokens vs our 4 singles",
            1,
            measured["full"],
            (sum(t for t, _ in singles), max(m for _, m in singles)),
        )
        if compare:
            # allennlp-models has no relation model: our single-task one stands in
            others = [measured[f"their {t}"] for t in ("ner", "emd", "coref")] + [singles[2]]
            report(
                f"hmtl, 4 tasks on {size} tokens vs a-m singles",
                1,
                measured["full"],
                (sum(t for t, _ in others), max(m for _, m in others)),
            )

    print(
        "\nref = the allennlp-models model (a-m), or the sum of single-task models; "
        "ratio = ours / ref (below 1: ours faster). 'vs singles' rows compare the full "
        "model doing all four tasks with the summed time (and largest peak) of the single-task "
        "models it replaces; a-m has no relation model, our single-task one stands in."
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
