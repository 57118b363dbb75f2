"""A deterministic synthetic corpus in the original data layouts, for the demo and for tests.

Real OntoNotes, ACE 2005 and CoNLL-2003 are licensed and cannot be shipped, yet the demo has to
train the full four-task model end to end. This module writes small stories (a cast of people,
an organisation, places and things, mentioned by name, description and pronoun across sentences)
from the templates of `hmtl.data.demo_vocabulary`, in exactly the file formats and directory
layout the original configs read, with every quirk of the real files present at least
occasionally. Everything is drawn from `random.Random` streams seeded by `seed`, so a seed gives
byte-identical files.
"""

from __future__ import annotations

import functools
import itertools
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from hmtl.data import demo_vocabulary as vocab

SPLITS = ("train", "dev", "test")
MIN_DOCUMENTS = 20
README_MARKER = "hmtl synthetic demo corpus"
_CORPUS_DIRS = ("conll-2012", "conll-2012_single_file", "ace2005", "ace2005_single_file",
                "conll2003")
_ONTONOTES_SPLIT_DIRS = {"train": "train", "dev": "development", "test": "test"}
_CONLL2003_FILES = {"train": "train.txt", "dev": "valid.txt", "test": "test.txt"}
# genre -> (weight, [(source directory, file prefix)]); `pt` is added separately.
_GENRES = {
    "nw": (0.30, (("wsj", "wsj"), ("xinhua", "chtb"))),
    "bn": (0.20, (("cnn", "cnn"), ("abc", "abc"))),
    "bc": (0.15, (("cnn", "cnn"), ("msnbc", "msnbc"))),
    "wb": (0.15, (("eng", "eng"),)),
    "mz": (0.10, (("sinorama", "ectb"),)),
    "tc": (0.10, (("ch", "ch"),)),
}
_PT_SOURCE = ("nt", "nt")
_ACE_SOURCES = ("AFP_ENG", "APW_ENG", "NYT_ENG", "XIN_ENG", "CNN_CF", "CNNHL_ENG")
# Probabilities of (name, nominal, pronoun) for mentions after the first, per ACE type.
_FORM_WEIGHTS = {
    "PER": (0.35, 0.20, 0.45), "ORG": (0.45, 0.35, 0.20), "GPE": (0.80, 0.15, 0.05),
    "FAC": (0.60, 0.30, 0.10), "LOC": (0.60, 0.30, 0.10), "VEH": (0.0, 0.75, 0.25),
    "WEA": (0.0, 0.75, 0.25),
}
_AGREEMENT = {"is": "are", "was": "were", "has": "have"}


@dataclass
class _Entity:
    ace_type: str
    pronoun_class: str
    name: tuple[str, ...] = ()
    short_name: tuple[str, ...] = ()
    first_nominal: tuple[str, ...] = ()
    nominal: tuple[str, ...] = ()
    occupation: str = ""


@dataclass
class _Sentence:
    words: list[str] = field(default_factory=list)
    pos: list[str] = field(default_factory=list)
    names: list[tuple[int, int, str]] = field(default_factory=list)  # OntoNotes NE spans
    heads: list[tuple[int, int, str]] = field(default_factory=list)  # ACE heads, by role
    extents: list[tuple[int, int, str]] = field(default_factory=list)  # coreference, by role
    relations: list[tuple[tuple[int, int], tuple[int, int], str]] = field(default_factory=list)
    speaker: str = "-"


@dataclass
class _Document:
    sentences: list[_Sentence]
    cluster_ids: dict[str, int]  # role -> coreference cluster id


def write_demo_corpus(out_dir: Path, seed: int = 13, num_documents: int = 300) -> dict[str, Path]:
    """Write the demo corpus under `out_dir` and return the paths the configs read.

    `num_documents` documents per corpus (OntoNotes, ACE, CoNLL-2003) are split 80/10/10 into
    train/dev/test. Keys of the result: `conll2012_<split>` (directories for `ner_ontonotes`),
    `conll2012_single_file_<split>` (`coref`), `ace2005_<split>` (directories for `mention_ace`
    and `relation_ace`), `ace2005_single_file_<split>` (`coref_ace`), `conll2003_<split>`
    (`ner_conll2003`) and `readme`. Refuses (`ValueError`) to write into a non-empty directory
    that it did not create, and replaces its own earlier output.
    """
    if num_documents < MIN_DOCUMENTS:
        raise ValueError(f"num_documents must be at least {MIN_DOCUMENTS}, got {num_documents}")
    out_dir = Path(out_dir)
    _prepare_output_directory(out_dir)
    sizes = _split_sizes(num_documents)
    paths: dict[str, Path] = {}
    source_counters: dict[tuple[str, str], int] = {}
    ace_numbers = itertools.count(1)
    for split_index, split in enumerate(SPLITS):
        paths.update(_write_ontonotes(out_dir, split, sizes[split],
                                      random.Random(seed * 1009 + split_index), source_counters))
        paths.update(_write_ace(out_dir, split, sizes[split],
                                random.Random(seed * 2003 + split_index), ace_numbers))
        paths[f"conll2003_{split}"] = _write_conll2003(
            out_dir, split, sizes[split], random.Random(seed * 3001 + split_index))
    paths["readme"] = _write_readme(out_dir, seed, num_documents, sizes)
    return paths


def _prepare_output_directory(out_dir: Path) -> None:
    readme = out_dir / "README.txt"
    if out_dir.exists():
        if not out_dir.is_dir():
            raise ValueError(f"{out_dir} exists and is not a directory")
        ours = readme.is_file() and readme.read_text(encoding="utf-8").startswith(README_MARKER)
        if any(out_dir.iterdir()) and not ours:
            raise ValueError(f"refusing to write the demo corpus into {out_dir}: the directory is "
                             "not empty and was not written by the demo corpus generator")
        for name in _CORPUS_DIRS:
            if (out_dir / name).exists():
                shutil.rmtree(out_dir / name)
    out_dir.mkdir(parents=True, exist_ok=True)


def _split_sizes(num_documents: int) -> dict[str, int]:
    held = round(num_documents * 0.1)
    return {"train": num_documents - 2 * held, "dev": held, "test": held}


# ---------------------------------------------------------------------------------------------
# Stories: a cast, then sentences rendered from templates.


def _make_cast(rng: random.Random, split: str) -> dict[str, _Entity]:
    cast: dict[str, _Entity] = {}
    last_names = rng.sample(vocab.held_out(vocab.LAST_NAMES, split), 2)
    occupations = rng.sample(vocab.OCCUPATIONS, 2)
    for role, last, occupation in zip("pq", last_names, occupations):
        gender = rng.choice(("male", "female"))
        firsts = vocab.MALE_FIRST_NAMES if gender == "male" else vocab.FEMALE_FIRST_NAMES
        first = rng.choice(vocab.held_out(firsts, split))
        cast[role] = _Entity("PER", gender, (first, last), (last,), (), ("the", occupation),
                             occupation)
    org_name, org_kind = rng.choice(vocab.held_out(vocab.ORGANISATIONS, split))
    org = tuple(org_name.split())
    cast["o"] = _Entity("ORG", "they" if rng.random() < 0.25 else "it", org, org, (),
                        ("the", org_kind))
    department = rng.choice(vocab.DEPARTMENTS)
    cast["d"] = _Entity("ORG", "it", (), (), ("the", department, "division"),
                        ("the", "division"))
    city, country = rng.choice(vocab.held_out(vocab.CITIES, split))
    cast["c"] = _Entity("GPE", "it", tuple(city.split()), tuple(city.split()), (),
                        ("the", "city"))
    cast["n"] = _Entity("GPE", "it", tuple(country.split()), tuple(country.split()), (),
                        ("the", "country"))
    for role, ace_type, names in (("f", "FAC", vocab.FACILITIES), ("l", "LOC", vocab.LOCATIONS)):
        name, kind = rng.choice(vocab.held_out(names, split))
        cast[role] = _Entity(ace_type, "it", tuple(name.split()), tuple(name.split()), (),
                             ("the", kind))
    for role, ace_type, nouns in (("v", "VEH", vocab.VEHICLES), ("w", "WEA", vocab.WEAPONS)):
        noun = rng.choice(nouns)
        cast[role] = _Entity(ace_type, "it", (), (), ("a", noun), ("the", noun))
    return cast


@functools.cache
def _template_roles(template: vocab.Template) -> frozenset[str]:
    roles = set()
    for token in template.text.split():
        if token.startswith("{") and token[1].islower():
            roles.add(token[1:-1].split(".")[0])
        elif token.startswith("<"):
            roles.add(token[1:])
    return frozenset(roles)


class _StoryWriter:
    """Renders the sentences of one document, tracking who was mentioned where."""

    def __init__(self, rng: random.Random, split: str) -> None:
        self.rng = rng
        self.cast = _make_cast(rng, split)
        self.mentioned: set[str] = set()
        self.named: set[str] = set()  # the first name mention gives the full name
        self.introduced: set[str] = set()  # people whose occupation was said, so "the nurse" works
        self.previous: set[str] = set()
        self.current: set[str] = set()
        self.open_brackets: list[tuple[str, int, bool]] = []

    def story(self, num_sentences: int, headline: bool, conll2003: bool) -> list[_Sentence]:
        pool = [t for t in vocab.TEMPLATES if not t.headline and (t.conll2003 or not conll2003)]
        sentences = []
        if headline:
            sentences.append(self.render(self.rng.choice(
                [t for t in vocab.TEMPLATES if t.headline])))
        while len(sentences) < num_sentences:
            weights = [1 + 2 * len(_template_roles(t) & self.mentioned) for t in pool]
            template = self.rng.choices(pool, weights)[0]
            pool.remove(template)
            sentences.append(self.render(template))
        return sentences

    def render(self, template: vocab.Template) -> _Sentence:
        sentence = _Sentence()
        self.current = set()
        used_values: dict[str, list[str]] = {}
        literal_positions: list[int] = []
        for token in template.text.split():
            if token.startswith("{") and token[1].isupper():
                self._add_value(sentence, token[1:-1], used_values)
            elif token.startswith("{"):
                self._add_slot(sentence, token[1:-1])
            elif token.startswith("<"):
                self.open_brackets.append((token[1:], len(sentence.words), False))
            elif token.endswith(">") and len(token) > 1:
                self._close_bracket(sentence, token[:-1], literal_positions)
            else:
                literal_positions.append(len(sentence.words))
                sentence.words.append(token)
                sentence.pos.append(vocab.POS_TAGS[token])
        self._finish(sentence, template)
        self.previous = self.current
        return sentence

    def _add_value(self, sentence: _Sentence, kind: str, used: dict[str, list[str]]) -> None:
        ne_type, phrases = vocab.VALUES[kind]
        phrase = self.rng.choice([p for p in phrases if p not in used.setdefault(kind, [])])
        used[kind].append(phrase)
        start = len(sentence.words)
        for word in phrase.split():
            sentence.words.append(word)
            if kind == "NORP":
                sentence.pos.append("JJ")
            elif any(ch.isdigit() for ch in word):
                sentence.pos.append("CD")
            else:
                sentence.pos.append(vocab.VALUE_POS_TAGS[word])
        sentence.names.append((start, len(sentence.words) - 1, ne_type))

    def _add_slot(self, sentence: _Sentence, slot: str) -> None:
        role, _, variant = slot.partition(".")
        entity = self.cast[role]
        if variant == "occ":
            sentence.words.append(entity.occupation)
            sentence.pos.append("NN")
            self.introduced.add(role)
            return
        form = self._choose_form(role, variant)
        start = len(sentence.words)
        subject, objective, possessive = vocab.PRONOUNS[entity.pronoun_class]
        if form == "pronoun":
            pronoun = {"obj": objective, "poss": possessive}.get(variant, subject)
            sentence.words.append(pronoun)
            sentence.pos.append("PRP$" if variant == "poss" else "PRP")
            head = extent = (start, start)
        else:
            if form == "name":
                full = role not in self.named or self.rng.random() < 0.2
                words = entity.name if full else entity.short_name
                self.named.add(role)
                tags = ["NNP"] * len(words)
                sentence.names.append((start, start + len(words) - 1,
                                       vocab.ONTONOTES_TYPES[entity.ace_type]))
            else:
                words = entity.nominal if role in self.mentioned else entity.first_nominal
                tags = ["DT"] + ["NN"] * (len(words) - 1)
            sentence.words.extend(words)
            sentence.pos.extend(tags)
            end = len(sentence.words) - 1
            extent = (start, end)
            head = extent if form == "name" else (end, end)
            if variant == "poss":
                sentence.words.append("'s")
                sentence.pos.append("POS")
        sentence.heads.append((*head, role))
        sentence.extents.append((*extent, role))
        self._note_mention(role)

    def _choose_form(self, role: str, variant: str) -> str:
        entity = self.cast[role]
        in_bracket = any(r == role for r, _, _ in self.open_brackets)
        if variant == "name" or in_bracket:
            return "name"
        if role not in self.mentioned:
            return "name" if entity.name else "nominal"
        clear = self._pronoun_is_clear(role)
        if role in self.current and (clear or variant == "poss"):
            return "pronoun"  # "Smith sold his truck", not "Smith sold Smith 's truck"
        name_w, nominal_w, pronoun_w = _FORM_WEIGHTS[entity.ace_type]
        if role == "d":
            name_w, nominal_w, pronoun_w = 0.0, 0.8, 0.2
        if entity.occupation and role not in self.introduced:
            nominal_w = 0.0
        if not clear:
            pronoun_w = 0.0
        return self.rng.choices(("name", "nominal", "pronoun"), (name_w, nominal_w, pronoun_w))[0]

    def _pronoun_is_clear(self, role: str) -> bool:
        """A pronoun only for an entity just mentioned, with no rival of the same pronoun."""
        recent = self.previous | self.current
        if role not in recent:
            return False
        pronoun_class = self.cast[role].pronoun_class
        return not any(self.cast[r].pronoun_class == pronoun_class for r in recent - {role})

    def _note_mention(self, role: str) -> None:
        self.mentioned.add(role)
        self.current.add(role)
        self.open_brackets = [(r, s, has or r == role) for r, s, has in self.open_brackets]

    def _close_bracket(self, sentence: _Sentence, role: str, literal_positions: list[int]) -> None:
        opened = next(i for i in range(len(self.open_brackets) - 1, -1, -1)
                      if self.open_brackets[i][0] == role)
        _, start, has_slot = self.open_brackets.pop(opened)
        end = len(sentence.words) - 1
        sentence.extents.append((start, end, role))
        if not has_slot:
            head = max(p for p in literal_positions if start <= p <= end)
            sentence.heads.append((head, head, role))
        self._note_mention(role)

    def _finish(self, sentence: _Sentence, template: vocab.Template) -> None:
        words = sentence.words
        for i, word in enumerate(words[:-1]):
            if word == "a" and words[i + 1][0].lower() in "aeiou":
                words[i] = "an"
            if word == "they" and words[i + 1] in _AGREEMENT:
                words[i + 1] = _AGREEMENT[words[i + 1]]
                sentence.pos[i + 1] = "VBP" if words[i + 1] != "were" else "VBD"
        if words[0][0].islower():
            words[0] = words[0][0].upper() + words[0][1:]
        sentence.heads.sort()
        sentence.extents.sort(key=lambda e: (e[0], -e[1]))
        for arg1, arg2, relation in template.relations:
            sentence.relations.append((self._first_head(sentence, arg1),
                                       self._first_head(sentence, arg2), relation))

    @staticmethod
    def _first_head(sentence: _Sentence, role: str) -> tuple[int, int]:
        return next((s, e) for s, e, r in sentence.heads if r == role)


def _document(rng: random.Random, split: str, headlines: bool = True,
              conll2003: bool = False) -> _Document:
    """One story of 3 to 8 sentences; it opens with a headline (no final period) now and then."""
    writer = _StoryWriter(rng, split)
    headline = headlines and rng.random() < 0.3
    sentences = writer.story(rng.randint(3, 8), headline, conll2003)
    roles = sorted(writer.mentioned)
    ids = rng.sample(range(1, 10 * len(roles) + 10), len(roles))
    return _Document(sentences, dict(zip(roles, ids)))


# ---------------------------------------------------------------------------------------------
# Cells shared by the column formats.


def _span_cells(length: int, spans: list[tuple[int, int, str]], single: str) -> list[str]:
    """Bracket cells: `(T*` … `*)`, and `single` (e.g. `({}*)`) for a one-token span."""
    cells = ["*"] * length
    for start, end, label in spans:
        if start == end:
            cells[start] = single.format(label)
        else:
            cells[start] = f"({label}*"
            cells[end] = "*)"
    return cells


def _coref_cells(length: int, mentions: list[tuple[int, int, int]]) -> list[str]:
    marks: list[list[str]] = [[] for _ in range(length)]
    for start, end, cluster in mentions:
        if start == end:
            marks[start].append(f"({cluster})")
        else:
            marks[start].append(f"({cluster}")
            marks[end].append(f"{cluster})")
    return ["|".join(m) if m else "-" for m in marks]


def _align(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["   ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]


# ---------------------------------------------------------------------------------------------
# OntoNotes / CoNLL-2012.


def _ontonotes_files(rng: random.Random, size: int) -> list[tuple[str, int]]:
    """(genre, number of parts) per file: a few pt files, two-part bc files now and then."""
    files = [("pt", 1)] * max(1, round(size * 0.04))
    count = len(files)
    genres = list(_GENRES)
    weights = [_GENRES[g][0] for g in genres]
    while count < size:
        genre = rng.choices(genres, weights)[0]
        parts = 2 if genre == "bc" and size - count >= 2 and rng.random() < 0.5 else 1
        files.append((genre, parts))
        count += parts
    return files


def _write_ontonotes(out_dir: Path, split: str, size: int, rng: random.Random,
                     counters: dict[tuple[str, str], int]) -> dict[str, Path]:
    root = out_dir / "conll-2012" / "v4" / "data" / _ONTONOTES_SPLIT_DIRS[split]
    files: dict[Path, str] = {}
    for genre, parts in _ontonotes_files(rng, size):
        source, prefix = _PT_SOURCE if genre == "pt" else rng.choice(_GENRES[genre][1])
        number = counters.get((genre, source), 0) + 1
        counters[(genre, source)] = number
        doc_id = f"{genre}/{source}/{number // 100:02d}/{prefix}_{number:04d}"
        text = []
        for part in range(parts):
            document = _document(rng, split, headlines=genre in ("nw", "bn"))
            text.append(_conll2012_document(document, doc_id, part, genre, rng))
        path = root / "data" / "english" / "annotations" / f"{doc_id}.v4_gold_conll"
        files[path] = "".join(text)
    single = out_dir / "conll-2012_single_file" / f"{split}.english.v4_gold_conll"
    _write_files(files, single)
    return {f"conll2012_{split}": root, f"conll2012_single_file_{split}": single}


def _conll2012_document(document: _Document, doc_id: str, part: int, genre: str,
                        rng: random.Random) -> str:
    counts: dict[str, int] = {}
    for sentence in document.sentences:
        for _, _, role in sentence.extents:
            counts[role] = counts.get(role, 0) + 1
    lines = [f"#begin document ({doc_id}); part {part:03d}"]
    for index, sentence in enumerate(document.sentences):
        if genre == "tc" and sentence.words[-1] == "." and rng.random() < 0.5:
            sentence.words[-1] = "/."
        speaker = f"Speaker#{index % 2 + 1}" if genre in ("bc", "tc") else "-"
        coref = [(s, e, document.cluster_ids[r]) for s, e, r in sentence.extents
                 if counts[r] > 1]
        lines.extend(_conll2012_rows(sentence, doc_id, part, genre, speaker, coref))
        lines.append("")
    lines.append("#end document")
    return "\n".join(lines) + "\n"


def _conll2012_rows(sentence: _Sentence, doc_id: str, part: int, genre: str, speaker: str,
                    coref: list[tuple[int, int, int]]) -> list[str]:
    words = sentence.words
    n = len(words)
    parse = ["*"] * n
    parse[0] = "(TOP(S*"
    parse[-1] = parse[-1] + "))" if n > 1 else "(TOP(S*))"
    verb = next((i for i, w in enumerate(words) if w in vocab.VERB_LEMMAS), None)
    lemma = ["-"] * n
    frameset = ["-"] * n
    srl: list[list[str]] = []
    if verb is not None:
        lemma[verb] = vocab.VERB_LEMMAS[words[verb]]
        frameset[verb] = "01"
        arguments = [(verb, verb, "V")] + ([(0, verb - 1, "ARG0")] if verb > 0 else [])
        srl.append(_span_cells(n, arguments, "({}*)"))
    names = [] if genre == "pt" else sentence.names
    ne = _span_cells(n, names, "({})")
    coref_cells = _coref_cells(n, coref)
    rows = []
    for i, word in enumerate(words):
        rows.append([doc_id, str(part), str(i), word, sentence.pos[i], parse[i], lemma[i],
                     frameset[i], "-", speaker, ne[i], *(column[i] for column in srl),
                     coref_cells[i]])
    return _align(rows)


# ---------------------------------------------------------------------------------------------
# ACE 2005 like_conll.


def _write_ace(out_dir: Path, split: str, size: int, rng: random.Random,
               numbers: Iterator[int]) -> dict[str, Path]:
    root = out_dir / "ace2005" / split
    files: dict[Path, str] = {}
    for number in itertools.islice(numbers, size):
        doc_id = (f"{rng.choice(_ACE_SOURCES)}_2003{rng.randint(1, 12):02d}"
                  f"{rng.randint(1, 28):02d}.{number:04d}")
        files[root / f"{doc_id}.like_conll"] = _ace_document(_document(rng, split), doc_id)
    single = out_dir / "ace2005_single_file" / f"{split}_rahman.gold_conll"
    _write_files(files, single)
    return {f"ace2005_{split}": root, f"ace2005_single_file_{split}": single}


def _ace_document(document: _Document, doc_id: str) -> str:
    lines = [f"#begin document ({doc_id}); part 000"]
    for sentence in document.sentences:
        n = len(sentence.words)
        mentions = _span_cells(n, [(s, e, vocab.ROLE_TYPES[r]) for s, e, r in sentence.heads],
                               "({}*)")
        frames = [_span_cells(n, [(*arg1, f"ARG1_{relation}"), (*arg2, f"ARG2_{relation}")],
                              "({}*)")
                  for arg1, arg2, relation in sentence.relations]
        coref = _coref_cells(n, [(s, e, document.cluster_ids[r]) for s, e, r in sentence.heads])
        rows = [[str(i), word, mentions[i], *(frame[i] for frame in frames), coref[i]]
                for i, word in enumerate(sentence.words)]
        lines.extend(_align(rows))
        lines.append("")
    lines.append("#end document")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# CoNLL-2003.


def _chunk(pos: str) -> str:
    if pos.startswith("VB") or pos == "MD":
        return "I-VP"
    if pos == "IN":
        return "I-PP"
    if pos in (",", ".", "CC", "#"):
        return "O"
    return "I-NP"


def _iob1(length: int, names: list[tuple[int, int, str]]) -> list[str]:
    """IOB1: `I-` throughout, `B-` only where an entity directly follows one of its type."""
    tags = ["O"] * length
    for start, end, ne_type in sorted(names):
        label = vocab.CONLL2003_TYPES.get(ne_type)
        if label is None:
            continue
        follows_same = start > 0 and tags[start - 1] != "O" and tags[start - 1][2:] == label
        for i in range(start, end + 1):
            tags[i] = f"I-{label}"
        if follows_same:
            tags[start] = f"B-{label}"
    return tags


def _write_conll2003(out_dir: Path, split: str, size: int, rng: random.Random) -> Path:
    lines = []
    for _ in range(size):
        lines.extend(["-DOCSTART- -X- -X- O", ""])
        for sentence in _document(rng, split, conll2003=True).sentences:
            tags = _iob1(len(sentence.words), sentence.names)
            lines.extend(f"{w} {p} {_chunk(p)} {t}"
                         for w, p, t in zip(sentence.words, sentence.pos, tags))
            lines.append("")
    path = out_dir / "conll2003" / _CONLL2003_FILES[split]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# Files.


def _write_files(files: dict[Path, str], single_file: Path) -> None:
    """Write one file per document, and their concatenation in path order."""
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    single_file.parent.mkdir(parents=True, exist_ok=True)
    single_file.write_text("".join(files[p] for p in sorted(files)), encoding="utf-8")


def _write_readme(out_dir: Path, seed: int, num_documents: int, sizes: dict[str, int]) -> Path:
    path = out_dir / "README.txt"
    split_sizes = ", ".join(f"{split} {sizes[split]}" for split in SPLITS)
    path.write_text(
        f"{README_MARKER} (seed {seed}, {num_documents} documents per corpus)\n"
        "\n"
        "SYNTHETIC DATA. Nothing here comes from OntoNotes, ACE 2005 or CoNLL-2003: the sentences\n"
        "are generated from the templates and word lists of hmtl/data/demo_vocabulary.py by\n"
        "hmtl/data/demo_corpus.py (`hmtl make-demo-data --out DIR --seed N`). The same seed gives\n"
        "byte-identical files. Documents are small stories about a cast of people, an\n"
        "organisation, places and things, mentioned by name, description and pronoun across\n"
        "sentences; the last fifth of every name list appears only in dev and test.\n"
        "\n"
        f"Documents per corpus: {split_sizes}.\n"
        "\n"
        "conll-2012/v4/data/{train,development,test}/  CoNLL-2012 *gold_conll files by genre\n"
        "    (ner_ontonotes; the pt genre has no named entities and must be excluded)\n"
        "conll-2012_single_file/{train,dev,test}.english.v4_gold_conll  the same documents\n"
        "    (coref)\n"
        "ace2005/{train,dev,test}/*.like_conll  ACE-style mention heads, relations, coreference\n"
        "    (mention_ace, relation_ace)\n"
        "ace2005_single_file/{train,dev,test}_rahman.gold_conll  the same documents (coref_ace)\n"
        "conll2003/{train,valid,test}.txt  CoNLL-2003 columns, IOB1 tags (ner_conll2003)\n",
        encoding="utf-8",
    )
    return path
