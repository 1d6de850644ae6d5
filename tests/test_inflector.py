"""forge's own English inflector, word by word."""

import pytest

from fastapi_forge.inflector import is_singular, pluralize, singularize

# (singular, plural): each plural singularises to its singular, each singular pluralises
# to its plural, and each form is recognised for what it is.
PAIRS = [
    ("order", "orders"),
    ("category", "categories"),
    ("company", "companies"),
    ("day", "days"),
    ("key", "keys"),
    ("person", "people"),
    ("child", "children"),
    ("man", "men"),
    ("woman", "women"),
    ("mouse", "mice"),
    ("tooth", "teeth"),
    ("status", "statuses"),
    ("address", "addresses"),
    ("class", "classes"),
    ("process", "processes"),
    ("bus", "buses"),
    ("box", "boxes"),
    ("tax", "taxes"),
    ("index", "indexes"),
    ("match", "matches"),
    ("branch", "branches"),
    ("dish", "dishes"),
    ("quiz", "quizzes"),
    ("buzz", "buzzes"),
    ("size", "sizes"),
    ("house", "houses"),
    ("warehouse", "warehouses"),
    ("course", "courses"),
    ("cause", "causes"),
    ("clause", "clauses"),
    ("purchase", "purchases"),
    ("response", "responses"),
    ("database", "databases"),
    ("phase", "phases"),
    ("case", "cases"),
    ("release", "releases"),
    ("license", "licenses"),
    ("use", "uses"),
    ("excuse", "excuses"),
    ("type", "types"),
    ("file", "files"),
    ("price", "prices"),
    ("device", "devices"),
    ("invoice", "invoices"),
    ("service", "services"),
    ("archive", "archives"),
    ("drive", "drives"),
    ("objective", "objectives"),
    ("cache", "caches"),
    ("niche", "niches"),
    ("alias", "aliases"),
    ("canvas", "canvases"),
    ("bias", "biases"),
    ("gas", "gases"),
    ("lens", "lenses"),
    ("iris", "irises"),
    ("analysis", "analyses"),
    ("crisis", "crises"),
    ("thesis", "theses"),
    ("diagnosis", "diagnoses"),
    ("axis", "axes"),
    ("matrix", "matrices"),
    ("vertex", "vertices"),
    ("criterion", "criteria"),
    ("phenomenon", "phenomena"),
    ("curriculum", "curricula"),
    ("cactus", "cacti"),
    ("fungus", "fungi"),
    ("radius", "radii"),
    ("alumnus", "alumni"),
    # issue 10: the old inflector got these wrong
    ("campus", "campuses"),
    ("virus", "viruses"),
    ("bonus", "bonuses"),
    ("cafe", "cafes"),
    ("cookie", "cookies"),
    ("movie", "movies"),
    ("zombie", "zombies"),
    ("tie", "ties"),
    ("pie", "pies"),
    ("leaf", "leaves"),
    ("wolf", "wolves"),
    ("knife", "knives"),
    ("life", "lives"),
    ("shelf", "shelves"),
    ("roof", "roofs"),
    ("chef", "chefs"),
    ("proof", "proofs"),
    ("safe", "safes"),
    ("giraffe", "giraffes"),
    ("hero", "heroes"),
    ("potato", "potatoes"),
    ("photo", "photos"),
    ("video", "videos"),
    ("demo", "demos"),
    ("shoe", "shoes"),
    ("toe", "toes"),
    ("canoe", "canoes"),
    ("menu", "menus"),
    ("guru", "gurus"),
    ("sku", "skus"),
    ("cpu", "cpus"),
    ("faq", "faqs"),
    ("api", "apis"),
    ("kpi", "kpis"),
    ("taxi", "taxis"),
    ("emoji", "emojis"),
    ("id", "ids"),
    ("client", "clients"),
    ("story", "stories"),
    ("entry", "entries"),
    ("utility", "utilities"),
    ("metric", "metrics"),
    ("idea", "ideas"),
    ("schema", "schemas"),
    ("formula", "formulas"),
    ("area", "areas"),
    ("logging", "loggings"),
    ("return", "returns"),
    ("yield", "yields"),
    ("pass", "passes"),
    ("import", "imports"),
]
UNCOUNTABLE = [
    "news",
    "series",
    "species",
    "sheep",
    "fish",
    "deer",
    "equipment",
    "information",
    "software",
    "hardware",
    "firmware",
    "middleware",
    "media",
    "metadata",
    "data",
    "feedback",
    "staff",
    "analytics",
    "research",
]


@pytest.mark.parametrize(("singular", "plural"), PAIRS)
def test_pairs(singular: str, plural: str) -> None:
    assert pluralize(singular) == plural
    assert singularize(plural) == singular
    assert singularize(singular) == singular
    assert is_singular(singular)
    assert not is_singular(plural) or plural == singular


@pytest.mark.parametrize("word", UNCOUNTABLE)
def test_uncountable_words_are_their_own_plural(word: str) -> None:
    assert pluralize(word) == word
    assert singularize(word) == word


def test_bases_is_read_as_the_plural_of_base() -> None:
    """Ambiguous (base or basis): software means knowledge bases more often than bases."""
    assert singularize("bases") == "base"
    assert pluralize("basis") == "bases"
