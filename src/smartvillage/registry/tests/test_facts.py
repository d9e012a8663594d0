"""The facts catalogue is data; its column facts must exist on the models, and added facts work."""

import pytest
from django.db import models

from smartvillage.core.errors import DomainError
from smartvillage.registry import facts
from smartvillage.registry.models import Household, Person, mask_identity


@pytest.mark.parametrize(("level", "model"), [("household", Household), ("person", Person)])
def test_every_column_fact_has_a_boolean_field(level, model):
    for fact in facts.column_facts(level):
        field = model._meta.get_field(fact.key)
        assert isinstance(field, models.BooleanField), fact.key


def test_no_model_fact_field_is_missing_from_the_catalogue():
    known = set(facts.catalogue())
    for model in (Household, Person):
        for field in model._meta.concrete_fields:
            if isinstance(field, models.BooleanField) and field.name != "birth_year_only":
                assert field.name in known, field.name


def test_headers_fold_case_and_diacritics():
    assert facts.fold("ĐTTM") == "dttm"
    assert facts.fold("  Điện thoại  Thông minh ") == "dien thoai thong minh"


def test_a_province_adds_a_fact_without_code_change(settings, tmp_path):
    (tmp_path / "quang-tri.yaml").write_text(
        "facts:\n  - {key: uses_e_market, level: household, type: bool, storage: column, label_vi: Dùng chợ điện tử}\n",
        encoding="utf-8",
    )
    settings.SMARTVILLAGE_FACTS_DIRS = [str(tmp_path)]
    facts.catalogue.cache_clear()
    try:
        fact = facts.get_fact("uses_e_market")
        # Added facts always go to the JSON column: a column needs a migration.
        assert fact.storage == "extra" and fact.lookup == "extra__uses_e_market"
    finally:
        facts.catalogue.cache_clear()


def test_a_broken_facts_file_names_the_file_and_fact(settings, tmp_path):
    (tmp_path / "bad.yaml").write_text(
        "facts:\n  - {key: x, level: village, type: bool, label_vi: X}\n", encoding="utf-8"
    )
    settings.SMARTVILLAGE_FACTS_DIRS = [str(tmp_path)]
    facts.catalogue.cache_clear()
    try:
        with pytest.raises(DomainError) as info:
            facts.catalogue()
        assert "bad.yaml" in str(info.value) and "level" in str(info.value)
    finally:
        facts.catalogue.cache_clear()


def test_identity_numbers_are_masked():
    assert mask_identity("001203004567") == "001*******67"
    assert mask_identity("") == ""
