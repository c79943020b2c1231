"""Level codes and their order come from data_contracts/vocabularies.yaml alone."""

from __future__ import annotations

from cadre_analytics import schema, vocab
from cadre_analytics.params import SCENARIO_ORDINAL_ATTRIBUTES, load_quota_rules


def test_ordered_scales_are_the_ranked_vocabularies():
    assert vocab.ORDINAL_ATTRIBUTES == (
        "education",
        "political_theory",
        "state_management",
        "foreign_language",
    )
    assert SCENARIO_ORDINAL_ATTRIBUTES == vocab.ORDINAL_ATTRIBUTES
    # specialist_1 ranks with master (4), specialist_2 with doctor (5), as the file says.
    ranks = vocab.ranks("education")
    assert (ranks["master"], ranks["specialist_1"], ranks["doctor"], ranks["specialist_2"]) == (
        4,
        4,
        5,
        5,
    )


def test_schema_names_are_the_vocabulary_codes():
    assert schema.EDUCATION is vocab.EDUCATION
    assert schema.STAFF_TYPE == ("cadre", "civil_servant", "public_employee", "contract")
    assert schema.UNIT_LEVEL == ("district", "commune")


def test_quota_scales_follow_the_vocabulary_ranks():
    for name, scale in load_quota_rules().scales.items():
        ranks = [vocab.ranks(name)[level] for level in scale.order]
        assert ranks == sorted(set(ranks)), name
