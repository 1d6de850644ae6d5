"""English singular and plural of one lower-case word, for feature names.

forge used ``inflection`` (unmaintained since 2020, and wrong for ``campus``, ``cafes``,
``cookies``, ``criteria``, ``virus``, ``leaves``, ``software``). ``inflect`` is maintained
and much better, but importing it takes about a second (its type checks are compiled at
import), longer than a whole ``forge add-feature``. These rules are forge's own: ordered
suffix rules with the exceptions they need, tested word by word in
``tests/test_inflector.py``. A name the rules get wrong is stated with ``--singular`` /
``--plural``.
"""

from __future__ import annotations

__all__ = ["is_uncountable", "pluralize", "singularize"]

# Mass nouns and words whose plural is the word itself; every ``*ware`` word is one too.
_UNCOUNTABLE = frozenset(
    {
        "advice",
        "aircraft",
        "analytics",
        "baggage",
        "bison",
        "cattle",
        "data",
        "deer",
        "dice",
        "equipment",
        "evidence",
        "feedback",
        "fish",
        "furniture",
        "information",
        "knowledge",
        "logistics",
        "luggage",
        "mathematics",
        "media",
        "metadata",
        "moose",
        "money",
        "music",
        "news",
        "personnel",
        "physics",
        "police",
        "research",
        "rice",
        "salmon",
        "series",
        "sheep",
        "species",
        "staff",
        "traffic",
    }
)

# Singular -> plural where no rule applies.
_IRREGULAR = {
    "alumnus": "alumni",
    "analysis": "analyses",
    "axis": "axes",
    "bacterium": "bacteria",
    "cactus": "cacti",
    "child": "children",
    "criterion": "criteria",
    "curriculum": "curricula",
    "datum": "data",
    "foot": "feet",
    "fungus": "fungi",
    "goose": "geese",
    "man": "men",
    "matrix": "matrices",
    "memorandum": "memoranda",
    "mouse": "mice",
    "nucleus": "nuclei",
    "ox": "oxen",
    "person": "people",
    "phenomenon": "phenomena",
    "quiz": "quizzes",
    "radius": "radii",
    "stimulus": "stimuli",
    "syllabus": "syllabi",
    "tooth": "teeth",
    "vertex": "vertices",
    "woman": "women",
    # -f and -fe nouns whose plural is -ves (most others just add s: roofs, chefs, cafes)
    "calf": "calves",
    "elf": "elves",
    "half": "halves",
    "hoof": "hooves",
    "knife": "knives",
    "leaf": "leaves",
    "life": "lives",
    "loaf": "loaves",
    "scarf": "scarves",
    "self": "selves",
    "sheaf": "sheaves",
    "shelf": "shelves",
    "thief": "thieves",
    "wharf": "wharves",
    "wife": "wives",
    "wolf": "wolves",
    # -o nouns with -oes (most others just add s: photos, videos, demos)
    "echo": "echoes",
    "hero": "heroes",
    "potato": "potatoes",
    "tomato": "tomatoes",
    "torpedo": "torpedoes",
    "veto": "vetoes",
}
# Plural -> singular for other plurals one may type.
_IRREGULAR_SINGULAR = {plural: singular for singular, plural in _IRREGULAR.items()} | {
    "appendices": "appendix",
    "bases": "base",
    "crises": "crisis",
    "diagnoses": "diagnosis",
    "hypotheses": "hypothesis",
    "indices": "index",
    "octopi": "octopus",
    "oases": "oasis",
    "parentheses": "parenthesis",
    "synopses": "synopsis",
    "theses": "thesis",
    # -ses plurals of -s singulars the rules below would read as -se
    "aliases": "alias",
    "atlases": "atlas",
    "biases": "bias",
    "canvases": "canvas",
    "gases": "gas",
    "irises": "iris",
    "lenses": "lens",
    "pluses": "plus",
    # plurals of -u words, which the -us rule would read as singular
    "cpus": "cpu",
    "emus": "emu",
    "gpus": "gpu",
    "gurus": "guru",
    "haikus": "haiku",
    "menus": "menu",
    "skus": "sku",
    "sudokus": "sudoku",
    "taxis": "taxi",
    "tofus": "tofu",
    "tutus": "tutu",
}
# Singular words ending in s (beyond -ss, -us, -sis and -xis, which are always singular).
_SINGULAR_S = frozenset(
    {
        "alias",
        "atlas",
        "bias",
        "canvas",
        "chaos",
        "cosmos",
        "ethos",
        "gas",
        "ibis",
        "iris",
        "kudos",
        "lens",
        "metropolis",
        "pelvis",
        "plus",
        "tennis",
        "trellis",
    }
)
# Plurals ending in -ies, -ches, -oes, -uses whose singular keeps the e.
_KEEPS_E = frozenset(
    {
        "abuses",
        "avalanches",
        "bookies",
        "brownies",
        "caches",
        "calories",
        "canoes",
        "cliches",
        "cookies",
        "cuties",
        "excuses",
        "floes",
        "foes",
        "freebies",
        "fuses",
        "genies",
        "goalies",
        "headaches",
        "hippies",
        "hoes",
        "hoodies",
        "horseshoes",
        "lies",
        "magpies",
        "movies",
        "muses",
        "newbies",
        "niches",
        "oboes",
        "pies",
        "pixies",
        "quiches",
        "rookies",
        "ruses",
        "selfies",
        "shoes",
        "smoothies",
        "ties",
        "tiptoes",
        "toes",
        "uses",
        "veggies",
        "woes",
        "zombies",
    }
)
_VOWELS = frozenset("aeiou")


def is_uncountable(word: str) -> bool:
    """Whether ``word`` is its own plural (``news``, ``software``)."""
    return word in _UNCOUNTABLE or word.endswith("ware")


def is_singular(word: str) -> bool:
    """Whether ``word`` (lower case) reads as a singular noun."""
    if is_uncountable(word) or word in _IRREGULAR:
        return True
    if word in _IRREGULAR_SINGULAR:
        return False
    if word in _SINGULAR_S or word.endswith(("ss", "us", "sis", "xis")):
        return True  # class, campus, analysis, axis (but taxis, apis: plurals)
    return not word.endswith("s") or len(word) < 3


def singularize(word: str) -> str:
    """The singular of ``word`` (lower case); a singular word is returned as it is."""
    if is_singular(word):
        return word
    if word in _IRREGULAR_SINGULAR:
        return _IRREGULAR_SINGULAR[word]
    if word in _KEEPS_E:
        return word[:-1]
    stem = word[:-1]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"  # categories, companies (but ties, pies: _KEEPS_E)
    if word.endswith(("ouses", "auses")):
        return stem  # houses, courses, causes, clauses
    if word.endswith(("sses", "shes", "ches", "xes", "zzes", "uses")):
        return word[:-2]  # addresses, dishes, matches, boxes, buzzes, statuses
    if word.endswith("yses"):
        return word[:-3] + "is"  # analyses, paralyses
    if word.endswith("oes"):
        return word[:-2]  # heroes (but shoes, toes: _KEEPS_E)
    return stem  # orders, files, responses, archives, cafes


def pluralize(word: str) -> str:
    """The plural of the singular ``word`` (lower case)."""
    if is_uncountable(word):
        return word
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("sis"):
        return word[:-2] + "es"  # analysis -> analyses, basis -> bases
    if word.endswith(("s", "sh", "ch", "x", "z")):
        return word + "es"  # statuses, dishes, matches, boxes, buzzes
    if word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        return word[:-1] + "ies"  # categories (but days, keys)
    return word + "s"
