"""The demo corpus: deterministic, in the original layouts, well-formed, and worth learning.

The checks parse the files with small independent parsers written here (not the project's
readers), so a defect in either shows up as a disagreement.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from allennlp.data import DatasetReader

import hmtl
from hmtl.data.demo_corpus import write_demo_corpus
from hmtl.data.formats.coref_column import parse_coref_cell

hmtl.register_components()  # the readers are looked up by their registered names

SPLITS = ("train", "dev", "test")
PRONOUNS = {"he", "she", "it", "they", "him", "her", "them", "his", "its", "their"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict[str, Path]]:
    out = tmp_path_factory.mktemp("demo") / "data"
    return out, write_demo_corpus(out)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def _documents(path: Path) -> list[tuple[str, list[list[list[str]]]]]:
    """(begin line, sentences as lists of split rows) of every document of a file."""
    documents = []
    sentences: list[list[list[str]]] = []
    rows: list[list[str]] = []
    begin = None
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("#begin document"):
            assert begin is None, f"{path}: nested #begin document"
            begin, sentences = line, []
        elif line.startswith("#end document"):
            assert begin is not None and not rows, f"{path}: bad #end document"
            documents.append((begin, sentences))
            begin = None
        elif line.strip():
            rows.append(line.split())
        elif rows:
            sentences.append(rows)
            rows = []
    assert begin is None and not rows, f"{path}: unterminated document"
    return documents


def _spans(cells: list[str]) -> list[tuple[int, int, str]]:
    """Spans of a bracket column (`(T)`, `(T*)`, `(T*` … `*)`); asserts it is balanced."""
    spans, open_start, open_label = [], None, None
    for i, cell in enumerate(cells):
        if cell.startswith("("):
            assert open_start is None, f"nested bracket at token {i}: {cells}"
            label = cell.strip("()*")
            if cell.endswith(")"):
                spans.append((i, i, label))
            else:
                open_start, open_label = i, label
        elif cell == "*)":
            assert open_start is not None, f"closing bracket without opening: {cells}"
            spans.append((open_start, i, open_label))
            open_start = None
        else:
            assert cell == "*", f"unexpected cell {cell!r}"
    assert open_start is None, f"unclosed bracket: {cells}"
    return spans


def _coref(cells: list[str]) -> list[tuple[int, int, int]]:
    """(start, end, cluster) mentions of a coreference column; asserts it is balanced."""
    stacks: dict[int, list[int]] = defaultdict(list)
    mentions = []
    for i, cell in enumerate(cells):
        for mark in parse_coref_cell(cell):
            if mark.opens and mark.closes:
                mentions.append((i, i, mark.cluster_id))
            elif mark.opens:
                stacks[mark.cluster_id].append(i)
            else:
                mentions.append((stacks[mark.cluster_id].pop(), i, mark.cluster_id))
    assert not any(stacks.values()), f"unclosed coreference mention: {cells}"
    return mentions


def _ontonotes_files(root: Path, split_dir: str) -> list[Path]:
    return sorted((root / "conll-2012" / "v4" / "data" / split_dir).rglob("*gold_conll"))


# ---------------------------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes_and_another_seed_differs(corpus, tmp_path):
    out, _ = corpus
    write_demo_corpus(tmp_path / "again")
    assert _files(tmp_path / "again") == _files(out)
    write_demo_corpus(tmp_path / "other", seed=14, num_documents=20)
    other = _files(tmp_path / "other")
    assert other.keys() != _files(out).keys() or other != _files(out)


def test_returned_paths_follow_the_original_data_layout(corpus):
    out, paths = corpus
    expected = {
        "conll2012_train": "conll-2012/v4/data/train",
        "conll2012_dev": "conll-2012/v4/data/development",
        "conll2012_test": "conll-2012/v4/data/test",
        "conll2012_single_file_train": "conll-2012_single_file/train.english.v4_gold_conll",
        "conll2012_single_file_dev": "conll-2012_single_file/dev.english.v4_gold_conll",
        "conll2012_single_file_test": "conll-2012_single_file/test.english.v4_gold_conll",
        "ace2005_train": "ace2005/train", "ace2005_dev": "ace2005/dev",
        "ace2005_test": "ace2005/test",
        "ace2005_single_file_train": "ace2005_single_file/train_rahman.gold_conll",
        "ace2005_single_file_dev": "ace2005_single_file/dev_rahman.gold_conll",
        "ace2005_single_file_test": "ace2005_single_file/test_rahman.gold_conll",
        "conll2003_train": "conll2003/train.txt", "conll2003_dev": "conll2003/valid.txt",
        "conll2003_test": "conll2003/test.txt", "readme": "README.txt",
    }
    assert {k: str(p.relative_to(out)) for k, p in paths.items()} == expected
    assert all(p.exists() for p in paths.values())
    readme = paths["readme"].read_text()
    assert "SYNTHETIC" in readme and "seed 13" in readme and "make-demo-data" in readme


def test_ontonotes_files_sit_under_genre_source_and_name_their_document(corpus):
    out, _ = corpus
    genres = set()
    for split_dir in ("train", "development", "test"):
        files = _ontonotes_files(out, split_dir)
        assert files
        for path in files:
            relative = path.relative_to(out / "conll-2012" / "v4" / "data" / split_dir)
            match = re.fullmatch(
                r"data/english/annotations/(\w+)/(\w+)/(\d\d)/(\w+)_(\d{4})\.v4_gold_conll",
                str(relative))
            assert match, relative
            genres.add(match.group(1))
            assert match.group(3) == f"{int(match.group(5)) // 100:02d}"
            doc_id = str(relative)[len("data/english/annotations/"):-len(".v4_gold_conll")]
            for number, (begin, sentences) in enumerate(_documents(path)):
                assert begin == f"#begin document ({doc_id}); part {number:03d}"
                for rows in sentences:
                    assert all(row[0] == doc_id and row[1] == str(number) for row in rows)
    assert genres == {"nw", "bn", "bc", "wb", "mz", "tc", "pt"}


def test_single_files_are_the_directory_files_concatenated(corpus):
    out, paths = corpus
    for split, split_dir in zip(SPLITS, ("train", "development", "test")):
        files = _ontonotes_files(out, split_dir)
        single = paths[f"conll2012_single_file_{split}"].read_text()
        assert single == "".join(p.read_text() for p in files)
        ace = sorted(paths[f"ace2005_{split}"].glob("*.like_conll"))
        assert paths[f"ace2005_single_file_{split}"].read_text() == "".join(
            p.read_text() for p in ace)
        assert all(len(_documents(p)) == 1 for p in ace)


def test_every_corpus_is_split_240_30_30(corpus):
    # 300 documents: 10 % = 30 for dev and test, the remaining 300 - 2 * 30 = 240 for train.
    _, paths = corpus
    for split, size in zip(SPLITS, (240, 30, 30)):
        assert len(_documents(paths[f"conll2012_single_file_{split}"])) == size
        assert len(_documents(paths[f"ace2005_single_file_{split}"])) == size
        text = paths[f"conll2003_{split}"].read_text()
        assert text.count("-DOCSTART- -X- -X- O\n") == size


def test_conll2012_rows_are_well_formed(corpus):
    _, paths = corpus
    column_counts = Counter()
    for split in SPLITS:
        for _, sentences in _documents(paths[f"conll2012_single_file_{split}"]):
            for rows in sentences:
                width = len(rows[0])
                column_counts[width] += 1
                assert width >= 12 and all(len(row) == width for row in rows)
                assert [row[2] for row in rows] == [str(i) for i in range(len(rows))]
                parse = "".join(row[5] for row in rows)
                assert parse.count("(") == parse.count(")")
                _spans([row[10] for row in rows])
                for column in range(11, width - 1):
                    labels = [label for _, _, label in _spans([row[column] for row in rows])]
                    assert "V" in labels
                _coref([row[-1] for row in rows])
    # No SRL column (12 columns) and one predicate column (13) both occur.
    assert set(column_counts) == {12, 13}


def test_ace_rows_are_well_formed_with_one_relation_per_frame(corpus):
    _, paths = corpus
    for split in SPLITS:
        for _, sentences in _documents(paths[f"ace2005_single_file_{split}"]):
            for rows in sentences:
                width = len(rows[0])
                assert width >= 4 and all(len(row) == width for row in rows)
                assert [row[0] for row in rows] == [str(i) for i in range(len(rows))]
                heads = _spans([row[2] for row in rows])
                for column in range(3, width - 1):
                    frame = _spans([row[column] for row in rows])
                    assert len(frame) == 2, frame
                    (_, _, first), (_, _, second) = sorted(frame, key=lambda s: s[2])
                    assert first.startswith("ARG1_") and second == "ARG2_" + first[5:]
                    # Relation arguments are mention heads.
                    assert {s[:2] for s in frame} <= {h[:2] for h in heads}
                # Every head, and only heads, carries a coreference mark.
                assert sorted(m[:2] for m in _coref([row[-1] for row in rows])) == sorted(
                    h[:2] for h in heads)


def test_conll2003_is_four_columns_in_iob1(corpus):
    _, paths = corpus
    tags = Counter()
    for split in SPLITS:
        previous = "O"
        for line in paths[f"conll2003_{split}"].read_text().split("\n"):
            if not line:
                previous = "O"
                continue
            word, pos, chunk, tag = line.split(" ")
            tags[tag] += 1
            if tag.startswith("B-"):  # IOB1: B- only right after an entity of the same type
                assert previous[2:] == tag[2:], line
            previous = tag
    assert {t[2:] for t in tags if t != "O"} == {"PER", "ORG", "LOC", "MISC"}
    assert any(t.startswith("B-") for t in tags)


def test_pt_files_have_no_named_entities_and_the_other_genres_do(corpus):
    out, _ = corpus
    for split_dir in ("train", "development", "test"):
        counts = Counter()
        for path in _ontonotes_files(out, split_dir):
            genre = path.parts[-4]
            for _, sentences in _documents(path):
                for rows in sentences:
                    counts[genre, "entities"] += len(_spans([row[10] for row in rows]))
                    counts[genre, "tokens"] += len(rows)
        assert counts["pt", "tokens"] > 0 and counts["pt", "entities"] == 0
        assert counts["nw", "entities"] > 0


def test_train_has_every_ace_type_and_relation_type(corpus):
    _, paths = corpus
    types, relations = Counter(), Counter()
    for _, sentences in _documents(paths["ace2005_single_file_train"]):
        for rows in sentences:
            types.update(label for _, _, label in _spans([row[2] for row in rows]))
            for column in range(3, len(rows[0]) - 1):
                relations.update(label[5:] for _, _, label in _spans([r[column] for r in rows])
                                 if label.startswith("ARG1_"))
    assert set(types) == {"PER", "GPE", "ORG", "FAC", "LOC", "WEA", "VEH"}
    assert set(relations) == {"ORG-AFF", "PHYS", "ART", "PER-SOC", "PART-WHOLE", "GEN-AFF"}
    assert min(relations.values()) >= 50


@pytest.mark.parametrize("corpus_name", ["conll2012_single_file", "ace2005_single_file"])
def test_every_split_has_clusters_joining_pronouns_to_names(corpus, corpus_name):
    _, paths = corpus
    word_column = 3 if corpus_name.startswith("conll2012") else 1
    for split in SPLITS:
        chains = 0
        for _, sentences in _documents(paths[f"{corpus_name}_{split}"]):
            words = defaultdict(list)
            for rows in sentences:
                for start, end, cluster in _coref([row[-1] for row in rows]):
                    words[cluster].append(" ".join(r[word_column] for r in rows[start:end + 1]))
            chains += sum(
                1 for mentions in words.values()
                if any(m.lower() in PRONOUNS for m in mentions)
                and any(m[0].isupper() and m.lower() not in PRONOUNS for m in mentions))
        assert chains >= 10, (corpus_name, split, chains)


def test_the_quirks_of_real_files_all_occur(corpus):
    out, paths = corpus
    conll = "".join(paths[f"conll2012_single_file_{s}"].read_text() for s in SPLITS)
    ace = "".join(paths[f"ace2005_single_file_{s}"].read_text() for s in SPLITS)
    conll_rows = [line.split() for line in conll.split("\n") if line and line[0] != "#"]
    ace_rows = [line.split() for line in ace.split("\n") if line and line[0] != "#"]
    # Multi-mark coreference cells such as `(3|(12)`.
    assert any(re.fullmatch(r"\(\d+\|\(\d+\)", row[-1]) for row in conll_rows)
    # One-token and multi-token named entities; words `#` and `/.`.
    assert any(re.fullmatch(r"\([A-Z]+\)", row[10]) for row in conll_rows)
    assert any(row[3] == "#" for row in conll_rows) and any(row[1] == "#" for row in ace_rows)
    assert any(row[3] == "/." for row in conll_rows)
    # A file with two parts.
    assert "; part 001" in conll
    nested = at_end = 0
    for split in SPLITS:
        for _, sentences in _documents(paths[f"conll2012_single_file_{split}"]):
            for rows in sentences:
                mentions = _coref([row[-1] for row in rows])
                nested += any(a != b and a[0] <= b[0] and b[1] <= a[1]
                              for a in mentions for b in mentions)
                at_end += any(e == len(rows) - 1 and s < e
                              for s, e, _ in _spans([row[10] for row in rows]))
    assert nested > 0 and at_end > 0
    # ACE: sentences without relations (4 columns) and with several frames (6 or more).
    widths = Counter()
    for split in SPLITS:
        for _, sentences in _documents(paths[f"ace2005_single_file_{split}"]):
            widths.update(len(rows[0]) for rows in sentences)
    assert widths[4] > 0 and sum(n for w, n in widths.items() if w >= 6) > 0


def test_entity_types_are_learnable_from_words_but_need_context(corpus):
    """A word-identity baseline finds most dev entities, but not all: held-out names exist."""
    out, _ = corpus

    def tokens(split_dir: str) -> list[tuple[str, str]]:
        pairs = []
        for path in _ontonotes_files(out, split_dir):
            if path.parts[-4] == "pt":
                continue
            for _, sentences in _documents(path):
                for rows in sentences:
                    labels = ["O"] * len(rows)
                    for start, end, label in _spans([row[10] for row in rows]):
                        labels[start:end + 1] = [label] * (end - start + 1)
                    pairs.extend((row[3], label) for row, label in zip(rows, labels))
        return pairs

    by_word = defaultdict(Counter)
    for word, label in tokens("train"):
        by_word[word][label] += 1
    dev = [(w, label) for w, label in tokens("development") if label != "O"]
    guessed = sum(1 for w, label in dev
                  if w in by_word and by_word[w].most_common(1)[0][0] == label)
    unseen = sum(1 for w, _ in dev if w not in by_word)
    assert 0.6 < guessed / len(dev) < 0.98
    assert unseen > 0


def test_vocabulary_is_modest(corpus):
    _, paths = corpus
    words = {row.split()[3] for split in SPLITS
             for row in paths[f"conll2012_single_file_{split}"].read_text().split("\n")
             if row and row[0] != "#"}
    assert 200 < len(words) < 600


def test_too_few_documents_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="at least 20"):
        write_demo_corpus(tmp_path / "x", num_documents=19)


def test_refuses_a_foreign_directory_and_replaces_its_own_output(tmp_path):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="not empty"):
        write_demo_corpus(foreign, num_documents=20)
    assert (foreign / "notes.txt").read_text() == "mine"

    own = tmp_path / "own"
    write_demo_corpus(own, num_documents=20)
    stale = own / "ace2005" / "train" / "stale.like_conll"
    stale.write_text("left over")
    write_demo_corpus(own, num_documents=20)
    assert not stale.exists()


# ---------------------------------------------------------------------------------------------
# The project's readers agree with the independent parsing above.

ONTONOTES_TYPES = {"PERSON", "ORG", "GPE", "FAC", "LOC", "NORP", "DATE", "CARDINAL", "MONEY",
                   "PERCENT", "ORDINAL"}
ACE_TYPES = {"PER", "GPE", "ORG", "FAC", "LOC", "WEA", "VEH"}
RELATION_TYPES = {"ORG-AFF", "PHYS", "ART", "PER-SOC", "PART-WHOLE", "GEN-AFF"}


def _read(name: str, path: Path) -> list:
    if name not in DatasetReader.list_available():
        pytest.skip(f"dataset reader {name!r} is not registered yet")
    return list(DatasetReader.by_name(name)().read(str(path)))


def _label_types(instances: list, field: str) -> set[str]:
    return {label[2:] for instance in instances for label in instance[field].labels
            if label != "O"}


def _sentence_count(paths: list[Path]) -> int:
    return sum(len(sentences) for path in paths for _, sentences in _documents(path))


@pytest.mark.parametrize("split, split_dir", list(zip(SPLITS, ("train", "development", "test"))))
def test_ner_ontonotes_reads_every_sentence_outside_pt(corpus, split, split_dir):
    out, paths = corpus
    instances = _read("ner_ontonotes", paths[f"conll2012_{split}"])
    files = [p for p in _ontonotes_files(out, split_dir) if p.parts[-4] != "pt"]
    assert len(instances) == _sentence_count(files)
    if split == "train":
        assert _label_types(instances, "tags") == ONTONOTES_TYPES


@pytest.mark.parametrize("split", SPLITS)
def test_ace_readers_read_every_sentence(corpus, split):
    _, paths = corpus
    sentences = _sentence_count([paths[f"ace2005_single_file_{split}"]])
    mentions = _read("mention_ace", paths[f"ace2005_{split}"])
    relations = _read("relation_ace", paths[f"ace2005_{split}"])
    assert len(mentions) == len(relations) == sentences
    if split == "train":
        assert _label_types(mentions, "tags") == ACE_TYPES
        labels = {label for instance in relations for frame in instance["relations"]
                  for label in frame.labels} - {"*"}
        assert labels == {f"{arg}_{t}" for arg in ("ARG1", "ARG2") for t in RELATION_TYPES}


@pytest.mark.parametrize("split", SPLITS)
def test_ner_conll2003_reads_every_sentence(corpus, split):
    _, paths = corpus
    instances = _read("ner_conll2003", paths[f"conll2003_{split}"])
    text = paths[f"conll2003_{split}"].read_text()
    # Sentences are the blocks of rows that are not -DOCSTART- lines.
    blocks = [b for b in text.split("\n\n") if b.strip() and not b.startswith("-DOCSTART-")]
    assert len(instances) == len(blocks)
    if split == "train":
        assert _label_types(instances, "tags") == {"PER", "ORG", "LOC", "MISC"}


@pytest.mark.parametrize("name, key", [("coref", "conll2012_single_file"),
                                       ("coref_ace", "ace2005_single_file")])
def test_coreference_readers_read_every_document_and_cluster(corpus, name, key):
    _, paths = corpus
    for split in SPLITS:
        instances = _read(name, paths[f"{key}_{split}"])
        documents = _documents(paths[f"{key}_{split}"])
        assert len(instances) == len(documents)
        for instance, (_, sentences) in zip(instances, documents):
            mentions = {}
            offset = 0
            for rows in sentences:
                for start, end, cluster in _coref([row[-1] for row in rows]):
                    mentions[start + offset, end + offset] = cluster
                offset += len(rows)
            clusters = instance["metadata"]["clusters"]
            assert sorted(tuple(m) for c in clusters for m in c) == sorted(mentions)
