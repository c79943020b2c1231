"""The domain's codes and their order, read from ``data_contracts/vocabularies.yaml``.

That file is the one place that lists each vocabulary's canonical codes (gender, staff type,
qualification levels...), their spellings and, for qualification scales, their ``rank``. Ingest
reads the spellings; every other module takes the codes and the order from here, so adding a
level is an edit of that file, not of Python.
"""

from __future__ import annotations

from functools import cache

from cadre_analytics.params.paths import DEFAULT_CONTRACTS_DIR
from cadre_analytics.params.yaml_io import load_yaml

VOCABULARIES_FILE = DEFAULT_CONTRACTS_DIR / "vocabularies.yaml"


@cache
def _vocabularies() -> dict[str, dict]:
    doc = load_yaml(VOCABULARIES_FILE)
    return {str(name): dict(entries) for name, entries in doc["vocabularies"].items()}


def names() -> tuple[str, ...]:
    """The vocabularies; a staff column of the same name holds that vocabulary's codes."""
    return tuple(_vocabularies())


def codes(vocabulary: str) -> tuple[str, ...]:
    """The canonical codes of one vocabulary, in the order the file lists them."""
    return tuple(str(code) for code in _vocabularies()[vocabulary])


def ranks(vocabulary: str) -> dict[str, int]:
    """Code -> rank for a qualification scale (codes of equal rank are equivalent levels)."""
    entries = _vocabularies()[vocabulary]
    return {str(code): int(entry["rank"]) for code, entry in entries.items() if "rank" in entry}


def ranked_vocabularies() -> tuple[str, ...]:
    """The ordered qualification scales: the vocabularies whose codes carry a rank."""
    return tuple(name for name in _vocabularies() if ranks(name))


GENDER = codes("gender")
STAFF_TYPE = codes("staff_type")
LEADERSHIP = codes("leadership")
EDUCATION = codes("education")
POLITICAL_THEORY = codes("political_theory")
STATE_MANAGEMENT = codes("state_management")
FOREIGN_LANGUAGE = codes("foreign_language")
TRAINING_TOPIC = codes("training_topic")
UNIT_LEVEL = codes("unit_level")
# The staff attributes measured on an ordered scale (education, political theory, ...): the
# attributes a course raises and a quota's "at least" condition compares.
ORDINAL_ATTRIBUTES = ranked_vocabularies()
