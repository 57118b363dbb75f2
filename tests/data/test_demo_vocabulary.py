"""The templates only use words, roles and value kinds that the vocabulary defines."""

from __future__ import annotations

import re

from hmtl.data import demo_vocabulary as vocab

RELATION_TYPES = {"ORG-AFF", "PHYS", "ART", "PER-SOC", "PART-WHOLE", "GEN-AFF"}


def _slots(template: vocab.Template) -> list[str]:
    return re.findall(r"\{([^}]*)\}", template.text)


def test_every_plain_word_has_a_part_of_speech():
    for template in vocab.TEMPLATES:
        for token in template.text.split():
            if token[0] in "{<" or (token.endswith(">") and len(token) > 1):
                continue
            assert token in vocab.POS_TAGS, (token, template.text)


def test_slots_name_known_roles_variants_and_value_kinds():
    for template in vocab.TEMPLATES:
        for slot in _slots(template):
            if slot[0].isupper():
                assert slot in vocab.VALUES, template.text
            else:
                role, _, variant = slot.partition(".")
                assert role in vocab.ROLE_TYPES and variant in ("", "obj", "poss", "name", "occ")
                if variant == "occ":
                    assert vocab.ROLE_TYPES[role] == "PER"
                if variant == "name":  # vehicles, weapons and divisions have no names
                    assert role in "pqocnfl", template.text
        # Inside its own brackets an entity is named, so only people get brackets.
        assert all(vocab.ROLE_TYPES[r] == "PER" for r in re.findall(r"<(\w)", template.text))


def test_relations_join_roles_of_their_template_with_ace_types():
    seen = set()
    for template in vocab.TEMPLATES:
        roles = {s.split(".")[0] for s in _slots(template) if s[0].islower()}
        roles |= set(re.findall(r"<(\w)", template.text))
        for arg1, arg2, relation in template.relations:
            assert {arg1, arg2} <= roles and arg1 != arg2, template.text
            assert relation in RELATION_TYPES
            seen.add(relation)
    assert seen == RELATION_TYPES
    assert any(not t.relations for t in vocab.TEMPLATES)
    assert any(len(t.relations) >= 2 for t in vocab.TEMPLATES)


def test_brackets_are_balanced():
    for template in vocab.TEMPLATES:
        opened = re.findall(r"(?:^| )<(\w)", template.text)
        closed = re.findall(r"(\w)>(?: |$)", template.text)
        assert opened == closed, template.text


def test_headlines_have_no_final_period_and_sentences_do():
    for template in vocab.TEMPLATES:
        assert template.text.endswith(" .") != template.headline, template.text


def test_held_out_keeps_the_last_fifth_out_of_training():
    items = tuple(range(10))
    # 10 items: the last 10 // 5 = 2 are for dev and test only.
    assert vocab.held_out(items, "train") == tuple(range(8))
    assert vocab.held_out(items, "dev") == items == vocab.held_out(items, "test")


def test_word_lists_have_no_duplicates():
    for words in (vocab.MALE_FIRST_NAMES, vocab.FEMALE_FIRST_NAMES, vocab.LAST_NAMES,
                  vocab.OCCUPATIONS, vocab.ORGANISATIONS, vocab.CITIES, vocab.FACILITIES,
                  vocab.LOCATIONS, vocab.VEHICLES, vocab.WEAPONS):
        assert len(set(words)) == len(words)
