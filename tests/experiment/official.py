"""Test helpers: CoNLL-2012 files shaped like real ones, and the official scores computed
without the project's scorer.

``write_realistic_conll2012`` writes named documents (``#begin document (nw/wsj/00/wsj_0001);
part 000``), a document in two parts, a part longer than a 256-token window with clusters that
span all of it, singletons, gold mentions wider than 3 tokens (the tiny run's
``max_span_width``), a varying number of SRL columns, and space-aligned cells.

``coref_scores`` and ``span_f1`` follow the published definitions directly (MUC, B-cubed and
CEAF-e summed over documents as the reference scorer v8.01 sums them; conlleval's exact typed
span match), for files whose clusters partition their mentions. They read the files with their
own few lines of parsing, not with the project's readers.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from scipy.optimize import linear_sum_assignment

# words, named entities (type, start, end inclusive), mentions (cluster, start, end inclusive),
# number of SRL columns
_T1 = ("Maria Lopez , the chief engineer of Acme Corp , visited Paris .".split(),
       [("PERSON", 0, 1), ("ORG", 7, 8), ("GPE", 11, 11)],
       [(1, 0, 1), (1, 3, 8), (2, 7, 8), (3, 11, 11)], 1)
_T2 = ("She met Omar Khan in Paris on Monday .".split(),
       [("PERSON", 2, 3), ("GPE", 5, 5), ("DATE", 7, 7)],
       [(1, 0, 0), (4, 2, 3), (3, 5, 5)], 2)
_T3 = ("He works for Acme Corp .".split(), [("ORG", 3, 4)], [(4, 0, 0), (2, 3, 4)], 0)
_T4 = ("The weather was fine .".split(), [], [("singleton", 0, 1)], 0)

#: The documents: header id, part, sentence templates.
DOCUMENTS = (
    ("nw/wsj/00/wsj_0001", "000", [_T1, _T2, _T3, _T4] * 10),  # 330 tokens
    ("nw/wsj/00/wsj_0001", "001", [_T2, _T3, _T4]),
    ("bc/cnn/00/cnn_0002", "000", [_T1, _T4, _T2]),
)


def _brackets(spans: list[tuple[str, int, int]], length: int) -> list[str]:
    cells = ["*"] * length
    for label, start, end in spans:
        if start == end:
            cells[start] = f"({label})"
        else:
            cells[start] = f"({label}*"
            cells[end] = "*)"
    return cells


def _coref(mentions: list[tuple[int, int, int]], length: int) -> list[str]:
    marks: list[list[str]] = [[] for _ in range(length)]
    for cluster, start, end in sorted(mentions, key=lambda m: (m[1], -m[2])):
        if start == end:
            marks[start].append(f"({cluster})")
        else:
            marks[start].append(f"({cluster}")
    for cluster, start, end in sorted(mentions, key=lambda m: (-m[1], m[2])):
        if start != end:
            marks[end].append(f"{cluster})")
    return ["|".join(cell) if cell else "-" for cell in marks]


def write_realistic_conll2012(path: Path) -> Path:
    """Write the documents of ``DOCUMENTS``; returns ``path``."""
    lines = []
    singleton = 100
    for doc_id, part, sentences in DOCUMENTS:
        lines.append(f"#begin document ({doc_id}); part {part}")
        for words, entities, mentions, predicates in sentences:
            numbered = []
            for cluster, start, end in mentions:
                if cluster == "singleton":
                    singleton += 1
                    cluster = singleton
                numbered.append((cluster, start, end))
            names = _brackets(entities, len(words))
            chains = _coref(numbered, len(words))
            for index, word in enumerate(words):
                srl = ["(V*)" if index == column + 1 else "*" for column in range(predicates)]
                cells = [doc_id, str(int(part)), str(index), word, "NNP", "*", "-", "-", "-",
                         "Speaker#1", names[index], *srl, chains[index]]
                lines.append("   ".join(cells))
            lines.append("")
        lines.append("#end document")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------- reading

def read_documents(path: Path) -> dict[str, list[list[list[str]]]]:
    """Document name (the rest of the ``#begin document`` line) -> sentences of cell rows."""
    documents: dict[str, list[list[list[str]]]] = {}
    name = None
    sentence: list[list[str]] = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith("#begin document "):
            name = line[len("#begin document "):]
            documents[name] = []
        elif line.startswith("#end document"):
            if sentence:
                documents[name].append(sentence)
            sentence, name = [], None
        elif not line.strip():
            if sentence:
                documents[name].append(sentence)
            sentence = []
        else:
            sentence.append(line.split())
    return documents


def clusters(sentences: list[list[list[str]]]) -> list[frozenset[tuple[int, int]]]:
    """The clusters of a document's last column, in document token offsets."""
    found: dict[str, set[tuple[int, int]]] = {}
    opened: dict[str, list[int]] = {}
    token = 0
    for sentence in sentences:
        for row in sentence:
            cell = row[-1]
            for mark in ([] if cell == "-" else cell.split("|")):
                number = mark.strip("()")
                if mark.startswith("(") and mark.endswith(")"):
                    found.setdefault(number, set()).add((token, token))
                elif mark.startswith("("):
                    opened.setdefault(number, []).append(token)
                else:
                    found.setdefault(number, set()).add((opened[number].pop(), token))
            token += 1
    return [frozenset(cluster) for cluster in found.values()]


def named_entities(sentences: list[list[list[str]]], column: int = 10) -> set[tuple]:
    """(sentence, type, start, end) of every bracketed span of ``column``."""
    spans = set()
    for number, sentence in enumerate(sentences):
        start, label = None, None
        for index, row in enumerate(sentence):
            cell = row[column]
            if cell.startswith("("):
                label, start = cell.strip("(*)"), index
            if cell.endswith(")"):
                spans.add((number, label, start, index))
    return spans


# ---------------------------------------------------------------------------- scores

def _muc(key, response):
    where = {m: i for i, cluster in enumerate(response) for m in cluster}
    numerator = sum(len(c) - len({where.get(m, ("alone", m)) for m in c}) for c in key)
    return numerator, sum(len(c) - 1 for c in key)


def _b3(key, response):
    where = {m: cluster for cluster in response for m in cluster}
    numerator = sum(len(c & where.get(m, frozenset())) / len(c) for c in key for m in c)
    return numerator, sum(len(c) for c in key)


def _ceafe(key, response):
    if not key or not response:
        return 0.0, len(key), len(response)
    similarity = [[-2 * len(k & r) / (len(k) + len(r)) for r in response] for k in key]
    rows, columns = linear_sum_assignment(similarity)
    best = -sum(similarity[i][j] for i, j in zip(rows, columns))
    return best, len(key), len(response)


def coref_scores(key_path: Path, response_path: Path) -> dict[str, float]:
    """``{muc,b3,ceafe}_{precision,recall,f1}`` and ``coref_f1`` as the reference scorer sums
    them over the key's documents (an absent response document has no mentions)."""
    key_documents = read_documents(key_path)
    response_documents = read_documents(response_path)
    totals = Counter()
    for name, sentences in key_documents.items():
        key = clusters(sentences)
        response = clusters(response_documents.get(name, []))
        for metric, (first, second) in (("muc", (key, response)), ("b3", (key, response))):
            function = _muc if metric == "muc" else _b3
            r_num, r_den = function(first, second)
            p_num, p_den = function(second, first)
            totals.update({(metric, "rn"): r_num, (metric, "rd"): r_den,
                           (metric, "pn"): p_num, (metric, "pd"): p_den})
        best, key_count, response_count = _ceafe(key, response)
        totals.update({("ceafe", "rn"): best, ("ceafe", "rd"): key_count,
                       ("ceafe", "pn"): best, ("ceafe", "pd"): response_count})
    scores = {}
    for metric in ("muc", "b3", "ceafe"):
        recall = totals[metric, "rn"] / totals[metric, "rd"] if totals[metric, "rd"] else 0.0
        precision = totals[metric, "pn"] / totals[metric, "pd"] if totals[metric, "pd"] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores.update({f"{metric}_precision": precision, f"{metric}_recall": recall,
                       f"{metric}_f1": f1})
    scores["coref_f1"] = sum(scores[f"{m}_f1"] for m in ("muc", "b3", "ceafe")) / 3
    return scores


def span_f1(key_path: Path, response_path: Path, column: int = 10) -> float:
    """conlleval's overall F1: typed spans matched exactly, counted over every sentence."""
    key_documents = read_documents(key_path)
    response_documents = read_documents(response_path)
    correct = gold = predicted = 0
    for name, sentences in key_documents.items():
        key = named_entities(sentences, column)
        response = named_entities(response_documents.get(name, []), column)
        correct += len(key & response)
        gold += len(key)
        predicted += len(response)
    precision = correct / predicted if predicted else 0.0
    recall = correct / gold if gold else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0
