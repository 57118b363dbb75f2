"""Word lists and sentence templates of the synthetic demo corpus.

Kept apart from the generator so the corpus's content can be read (and extended) at a glance.
The vocabulary is deliberately small (a few hundred words) so that a model with randomly
initialised embeddings learns it within minutes; each entity type has its own word list, so
types are predictable from the words and their context. The last fifth of every name list is
held out of the training split (see `held_out`), so validation scores also measure how well a
model uses context on words it has never seen.

Template mini-language (tokens separated by single spaces):
- a plain word is copied as is (a literal `a` becomes `an` before a vowel);
- `{r}` is a mention of the document's entity with role `r` (subject form); `{r.obj}` object
  form; `{r.poss}` possessive (`his`, or a name followed by `'s`); `{r.name}` always a name;
  `{r.occ}` the person's occupation (a plain word, not a mention);
- `{KIND}` (upper case) is a value such as a date or an amount, see `VALUES`;
- `<r` … `r>` brackets an extra, enclosing coreference mention of entity `r`, which is how
  nested mentions such as `[[his] colleague]` arise; when the brackets hold no `{r…}` slot, their
  last plain word is the mention's ACE head (`colleague`).
Roles: p, q persons (PER); o organisation and d one of its divisions (ORG); c city and n its
country (GPE); f facility (FAC); l location (LOC); v vehicle (VEH); w weapon (WEA).
"""

from __future__ import annotations

from typing import NamedTuple


class Template(NamedTuple):
    """One sentence pattern and the ACE relations (role of ARG1, role of ARG2, type) it states."""

    text: str
    relations: tuple[tuple[str, str, str], ...] = ()
    headline: bool = False
    conll2003: bool = True


def held_out(items: tuple, split: str) -> tuple:
    """The entries a split may draw from: training never sees the last fifth of a list."""
    if split == "train":
        return items[: len(items) - len(items) // 5]
    return items


# Roles and their ACE types.
ROLE_TYPES = {
    "p": "PER", "q": "PER", "o": "ORG", "d": "ORG", "c": "GPE", "n": "GPE",
    "f": "FAC", "l": "LOC", "v": "VEH", "w": "WEA",
}
ONTONOTES_TYPES = {"PER": "PERSON", "ORG": "ORG", "GPE": "GPE", "FAC": "FAC", "LOC": "LOC"}
CONLL2003_TYPES = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "FAC": "LOC", "LOC": "LOC",
                   "NORP": "MISC"}

MALE_FIRST_NAMES = (
    "John", "David", "Michael", "Ahmed", "Carlos", "Hiroshi", "Pierre", "Ivan", "Samuel", "Omar",
    "Lucas", "Daniel", "Jordan", "Peter", "Kofi",
)
FEMALE_FIRST_NAMES = (
    "Maria", "Anna", "Sarah", "Fatima", "Yuki", "Elena", "Grace", "Laura", "Amina", "Sofia",
    "Julia", "Nadia", "Paris", "Clara", "Ines",
)
LAST_NAMES = (
    "Smith", "Garcia", "Muller", "Tanaka", "Dubois", "Okafor", "Rossi", "Kowalski", "Chen",
    "Novak", "Washington", "Silva", "Haddad", "Jensen", "Petrov", "Moreau", "Brown", "Khan",
    "Lopez", "Sato",
)
OCCUPATIONS = (
    "engineer", "lawyer", "doctor", "teacher", "banker", "pilot", "driver", "nurse", "reporter",
    "farmer", "soldier", "manager", "architect", "officer",
)
# (name, kind); the kind is the noun of nominal mentions ("the bank").
ORGANISATIONS = (
    ("Acme Corp", "company"), ("Northwind Bank", "bank"), ("Globex Corporation", "company"),
    ("Orion Airlines", "airline"), ("Vertex Labs", "company"), ("Zenith Motors", "company"),
    ("Reuters", "agency"), ("Interpol", "agency"), ("Fiat", "company"),
    ("Harbor University", "university"), ("Daily Courier", "newspaper"),
    ("Red Cross", "charity"), ("Atlas Mining", "company"), ("Union Bank", "bank"),
    ("Pacific Shipping Group", "company"), ("Lakeside College", "university"),
    ("Evening Post", "newspaper"), ("Nova Energy", "company"), ("Crescent Bank", "bank"),
    ("Summit Health", "company"),
)
DEPARTMENTS = ("research", "sales", "marketing", "security", "finance", "shipping", "legal")
# (city, country); the country is the city's.
CITIES = (
    ("Paris", "France"), ("Lyon", "France"), ("Berlin", "Germany"), ("Munich", "Germany"),
    ("New York", "United States"), ("Chicago", "United States"), ("Tokyo", "Japan"),
    ("Osaka", "Japan"), ("Cairo", "Egypt"), ("Nairobi", "Kenya"), ("Lima", "Peru"),
    ("Madrid", "Spain"), ("Rome", "Italy"), ("Toronto", "Canada"), ("Amman", "Jordan"),
    ("Tbilisi", "Georgia"), ("Buenos Aires", "Argentina"), ("Cape Town", "South Africa"),
    ("Washington", "United States"), ("Milan", "Italy"),
)
FACILITIES = (
    ("Heathrow Airport", "airport"), ("Central Station", "station"),
    ("Olympic Stadium", "stadium"), ("Grand Hotel", "hotel"), ("City Hospital", "hospital"),
    ("Kennedy Airport", "airport"), ("North Bridge", "bridge"), ("Royal Palace", "palace"),
    ("Union Station", "station"), ("Plaza Hotel", "hotel"),
)
LOCATIONS = (
    ("Mount Kenya", "mountain"), ("Lake Victoria", "lake"), ("Danube River", "river"),
    ("Sahara Desert", "desert"), ("Black Forest", "forest"), ("Amazon River", "river"),
    ("Mount Fuji", "mountain"), ("Lake Geneva", "lake"), ("Gobi Desert", "desert"),
    ("Sherwood Forest", "forest"),
)
VEHICLES = ("truck", "helicopter", "jeep", "tank", "boat", "bus", "plane", "ship", "car", "van")
WEAPONS = ("rifle", "pistol", "missile", "knife", "grenade", "bomb", "gun", "sword")

# Value slots: kind -> (OntoNotes type, candidate phrases).
VALUES: dict[str, tuple[str, tuple[str, ...]]] = {
    "YEAR": ("DATE", ("1998", "2001", "2004", "2007", "2010", "2012", "2014", "2016")),
    "MONTH": ("DATE", ("March", "May", "June", "October", "March 2015", "June 2009",
                       "January", "November")),
    "DAY": ("DATE", ("Monday", "Tuesday", "Friday", "May 3", "June 12", "Sunday", "Thursday")),
    "RELDATE": ("DATE", ("last year", "last week", "this month", "yesterday", "last month",
                         "this year")),
    "CARDINAL": ("CARDINAL", ("two", "three", "five", "200", "1,500", "12", "40", "seven")),
    "FEW": ("CARDINAL", ("two", "three", "five", "seven", "12")),
    "POPULATION": ("CARDINAL", ("40 million", "8 million", "120 million", "3 million")),
    "NUM": ("CARDINAL", ("1", "2", "3", "4", "5")),
    "MONEY": ("MONEY", ("$ 5 million", "$ 300", "$ 20,000", "10 million euros", "$ 2 billion",
                        "$ 45")),
    "PERCENT": ("PERCENT", ("10 %", "3.5 %", "20 percent", "7 %", "15 %")),
    "ORDINAL": ("ORDINAL", ("first", "second", "third", "fourth")),
    "NORP": ("NORP", ("French", "German", "American", "Japanese", "Egyptian", "Italian",
                      "Brazilian", "Chinese", "Indian", "Russian")),
}

# Part-of-speech tags of the templates' plain words (names are NNP, values are tagged by shape).
POS_TAGS = {
    **dict.fromkeys(("the", "a", "an", "that", "The", "A", "An"), "DT"),
    **dict.fromkeys(("in", "for", "of", "on", "at", "from", "to", "near", "as", "by"), "IN"),
    **dict.fromkeys(("and",), "CC"),
    **dict.fromkeys(("is", "has", "lies", "joins", "arrives", "meets"), "VBZ"),
    **dict.fromkeys(("are", "have"), "VBP"),
    **dict.fromkeys(("located", "based", "born", "found", "ranked"), "VBN"),
    **dict.fromkeys(("it", "It"), "PRP"),
    **dict.fromkeys((
        "worked", "hired", "joined", "said", "rose", "resigned", "founded", "paid", "lived",
        "arrived", "visited", "met", "stayed", "climbed", "traveled", "owned", "bought", "carried",
        "built", "hid", "sold", "married", "called", "thanked", "cut", "closed", "reported",
        "spoke", "ended", "broke", "told", "was", "were", "had", "held", "did", "wrote",
    ), "VBD"),
    **dict.fromkeys(("comment", "close"), "VB"),
    **dict.fromkeys(("would",), "MD"),
    **dict.fromkeys(("not",), "RB"),
    **dict.fromkeys(("down",), "RP"),
    **dict.fromkeys(("old", "useful", "cold", "chief", "new"), "JJ"),
    **dict.fromkeys((
        "executive", "sales", "years", "friends", "friend", "colleague", "cousin", "city",
        "jobs", "profit", "reporters", "population", "weather", "talks", "trip", "citizen",
        "resident", "office", "people", "officials", "division", "company", "bank", "airline",
        "agency", "university", "newspaper", "charity", "airport", "station", "stadium",
        "hotel", "hospital", "bridge", "palace", "mountain", "lake", "river", "desert",
        "forest", "country", "percent", "time", "deal",
    ), "NN"),
    ",": ",", ".": ".", "/.": ".", "#": "#", "$": "$", "%": "NN", "'s": "POS",
}
# Part-of-speech tags of the words of `VALUES` that are not numbers.
VALUE_POS_TAGS = {
    **dict.fromkeys(("March", "May", "June", "October", "January", "November", "Monday",
                     "Tuesday", "Friday", "Sunday", "Thursday"), "NNP"),
    **dict.fromkeys(("last", "first", "second", "third", "fourth"), "JJ"),
    **dict.fromkeys(("this",), "DT"),
    **dict.fromkeys(("year", "week", "month", "yesterday", "percent", "%"), "NN"),
    **dict.fromkeys(("two", "three", "five", "seven", "million", "billion"), "CD"),
    **dict.fromkeys(("euros",), "NNS"),
    "$": "$",
}
# Lemmas of the verbs that get a predicate-argument (SRL) column in CoNLL-2012 files.
VERB_LEMMAS = {
    "worked": "work", "hired": "hire", "joined": "join", "joins": "join", "resigned": "resign",
    "founded": "found", "paid": "pay", "lived": "live", "arrived": "arrive", "arrives": "arrive",
    "visited": "visit", "met": "meet", "meets": "meet", "stayed": "stay", "climbed": "climb",
    "traveled": "travel", "owned": "own", "bought": "buy", "carried": "carry", "built": "build",
    "hid": "hide", "sold": "sell", "married": "marry", "called": "call", "thanked": "thank",
    "cut": "cut", "closed": "close", "reported": "report", "spoke": "speak", "ended": "end",
    "broke": "break", "told": "tell", "wrote": "write", "held": "hold",
}
PRONOUNS = {  # pronoun class -> (subject, object, possessive)
    "male": ("he", "him", "his"),
    "female": ("she", "her", "her"),
    "it": ("it", "it", "its"),
    "they": ("they", "them", "their"),
}

TEMPLATES = (
    # ORG-AFF: employment and membership.
    Template("{p} worked for {o} .", (("p", "o", "ORG-AFF"),)),
    Template("{o} hired {p.obj} in {MONTH} .", (("p", "o", "ORG-AFF"),)),
    Template("{p} joined {o} {RELDATE} .", (("p", "o", "ORG-AFF"),)),
    Template("{p} , the chief executive of {o} , said sales rose {PERCENT} .",
             (("p", "o", "ORG-AFF"),)),
    Template("{p} resigned from {o} on {DAY} .", (("p", "o", "ORG-AFF"),)),
    Template("{p} founded {o} in {c} in {YEAR} .",
             (("p", "o", "ORG-AFF"), ("o", "c", "GEN-AFF"))),
    Template("{o} paid {p.obj} {MONEY} {RELDATE} .", (("p", "o", "ORG-AFF"),)),
    Template("{p} , a citizen of {n} , worked for {o} .",
             (("p", "n", "GEN-AFF"), ("p", "o", "ORG-AFF"))),
    Template("{d} hired {p.obj} as a {p.occ} .", (("p", "d", "ORG-AFF"),)),
    Template("{p} worked as a {p.occ} at {o} .", (("p", "o", "ORG-AFF"),)),
    Template("{p} joins {o}", (("p", "o", "ORG-AFF"),), headline=True),
    # PHYS: where people are.
    Template("{p} lived in {c} for {FEW} years .", (("p", "c", "PHYS"),)),
    Template("{p} arrived in {c} on {DAY} .", (("p", "c", "PHYS"),)),
    Template("{p} visited {f} in {MONTH} .", (("p", "f", "PHYS"),)),
    Template("{p} and {q} met at {f} in {c} .",
             (("p", "f", "PHYS"), ("q", "f", "PHYS"), ("f", "c", "PART-WHOLE"))),
    Template("{p} climbed {l} {RELDATE} .", (("p", "l", "PHYS"),)),
    Template("{p} traveled to {n} in {v.obj} .", (("p", "n", "PHYS"), ("p", "v", "ART"))),
    Template("{p} , a {NORP} {p.occ} , stayed at {f} .", (("p", "f", "PHYS"),)),
    Template("{p} arrives in {c}", (("p", "c", "PHYS"),), headline=True),
    # ART: owners and makers of things.
    Template("{p} owned {v.obj} .", (("p", "v", "ART"),)),
    Template("{p} bought {v.obj} for {MONEY} .", (("p", "v", "ART"),)),
    Template("{p} carried {w.obj} .", (("p", "w", "ART"),)),
    Template("{o} built {f} in {c} .", (("o", "f", "ART"), ("f", "c", "PART-WHOLE"))),
    Template("{p} hid {w.obj} near {l} .", (("p", "w", "ART"), ("p", "l", "PHYS"))),
    Template("{o} sold {v.obj} to {p.obj} .", (("p", "v", "ART"),)),
    # PER-SOC: family and friends, with nested coreference mentions.
    Template("{p} married {q} in {YEAR} .", (("p", "q", "PER-SOC"),)),
    Template("{p} met <q {p.poss} friend {q} q> at {f} .",
             (("p", "q", "PER-SOC"), ("p", "f", "PHYS"))),
    Template("{q.name} , <q {p.poss} colleague q> , called {p.obj} on {DAY} .",
             (("q", "p", "PER-SOC"),)),
    Template("{q} , a {NORP} {q.occ} , met {p.obj} in {c} .",
             (("q", "c", "PHYS"), ("p", "c", "PHYS"))),
    Template("{p} and {q} are old friends .", (("p", "q", "PER-SOC"),)),
    Template("{p} wrote to <q {p.poss} cousin q> in {c} .",
             (("p", "q", "PER-SOC"), ("q", "c", "PHYS"))),
    # PART-WHOLE: parts of places and organisations.
    Template("{c.name} is a city in {n} .", (("c", "n", "PART-WHOLE"),)),
    Template("{d} of {o} cut {CARDINAL} jobs .", (("d", "o", "PART-WHOLE"),)),
    Template("{f} is located in {c} .", (("f", "c", "PART-WHOLE"),)),
    Template("{l} lies in {n} .", (("l", "n", "PART-WHOLE"),)),
    Template("{o} closed {d.obj} in {MONTH} .", (("d", "o", "PART-WHOLE"),)),
    # GEN-AFF: citizenship, residence, origin.
    Template("{p} is from {c} .", (("p", "c", "GEN-AFF"),)),
    Template("{o} is based in {c} .", (("o", "c", "GEN-AFF"),)),
    Template("{p} was born in {c} in {YEAR} .", (("p", "c", "GEN-AFF"),)),
    Template("{p} , a resident of {c} , did not comment .", (("p", "c", "GEN-AFF"),)),
    Template("{p} , a {p.occ} from {c} , said the talks were useful .",
             (("p", "c", "GEN-AFF"),)),
    # No relation.
    Template("{p} said the talks were useful ."),
    Template("{o} reported a profit of {MONEY} in {YEAR} ."),
    Template("{o} was ranked # {NUM} {RELDATE} .", conll2003=False),
    Template("{RELDATE} , {p} spoke to reporters ."),
    Template("{p} did not comment ."),
    Template("{n} has a population of {POPULATION} ."),
    Template("the weather in {c} was cold on {DAY} ."),
    Template("{v} broke down near {c} ."),
    Template("{w} was found at {f} ."),
    Template("it was {p.poss} {ORDINAL} trip to {c} ."),
    Template("{p} thanked {q.obj} ."),
    Template("the {NORP} {NORP} talks in {c} ended {RELDATE} ."),
    Template("{p} told {q.obj} that {o} would close ."),
    Template("{p} meets {q}", headline=True),
)
