"""Every validation rule, proven with a real broken YAML file under tests/fixtures/packs/broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.loader import ContentError, check_packs, load_library

BROKEN = Path(__file__).parents[1] / "fixtures" / "packs" / "broken"


def issues_of(case: str) -> list[str]:
    library, issues = check_packs(BROKEN / case)
    assert library is None, "a pack with errors must never load"
    return [str(issue) for issue in issues]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing_field", "en/pack.yaml: entry 'no-summary': field 'summary': missing"),
        ("duplicate_id", "en/pack.yaml: entry 'twin': field 'id': duplicate id, already used in "),
        (
            "duplicate_alias",
            "en/pack.yaml: entry 'second': field 'aliases': 'alias of first' is already a name "
            "of entry 'first'",
        ),
        (
            "unknown_related",
            "en/pack.yaml: entry 'lonely': field 'related': no entry with id 'nowhere'",
        ),
        ("empty_summary", "en/pack.yaml: entry 'hollow': field 'summary': must be non-empty text"),
        ("bad_url", "en/pack.yaml: entry 'linky': field 'sources[0].url': bad URL"),
        ("duplicate_key", "en/pack.yaml: entry 'twice': field 'body': written twice (line 8)"),
        ("unknown_field", "en/pack.yaml: entry 'typo': field 'alias': unknown field"),
        ("bad_category", "en/pack.yaml: entry 'sorted': field 'category': unknown category 'misc'"),
        ("bad_syntax", "en/pack.yaml: not valid YAML: line"),
        (
            "bad_questions",
            "en/pack.yaml: entry 'asky': field 'questions': must be a list of non-empty texts",
        ),
    ],
)
def test_each_broken_pack_names_file_entry_and_field(case: str, expected: str) -> None:
    found = issues_of(case)
    assert any(expected in line for line in found), found
    assert all(
        line.startswith("broken/") or line.startswith("en/") or "/en/" in line for line in found
    )


def test_duplicate_id_names_both_files() -> None:
    (line,) = [i for i in issues_of("duplicate_id") if "duplicate id" in i]
    assert "other.yaml" in line and "pack.yaml" in line


def test_one_bad_entry_keeps_the_whole_pack_out() -> None:
    # missing_field holds a valid entry next to the broken one: neither may load.
    with pytest.raises(ContentError) as caught:
        load_library(BROKEN / "missing_field")
    assert len(caught.value.issues) == 1


def test_all_problems_are_reported_not_just_the_first(tmp_path: Path) -> None:
    pack = tmp_path / "en"
    pack.mkdir()
    for case in ("bad_url", "empty_summary", "unknown_related"):
        (pack / f"{case}.yaml").write_text((BROKEN / case / "en" / "pack.yaml").read_text())
    _, issues = check_packs(tmp_path)
    assert {i.entry for i in issues} == {"linky", "hollow", "lonely"}


def test_a_language_folder_can_be_checked_alone(fixture_library) -> None:
    good = Path(__file__).parents[1] / "fixtures" / "packs" / "good"
    library, issues = check_packs(good / "en")
    assert issues == []
    assert library is not None and set(library.packs["en"].entries) == set(
        fixture_library.packs["en"].entries
    )


def test_missing_folder_and_empty_folder(tmp_path: Path) -> None:
    assert "no such folder" in str(check_packs(tmp_path / "nope")[1][0])
    (tmp_path / "en").mkdir()
    assert "no entries" in str(check_packs(tmp_path)[1][0])


def test_yaml_tags_are_not_executed(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "evil.yaml").write_text(
        "entries: !!python/object/apply:os.system ['true']\n"
    )
    _, issues = check_packs(tmp_path)
    assert "not valid YAML" in str(issues[0])


def test_the_built_in_library_is_valid_and_large_enough(library) -> None:
    entries = library.packs["en"].entries
    assert len(entries) >= 45
    for entry in entries.values():
        assert entry.sources and all(s.url.startswith("https://") for s in entry.sources)
        assert entry.summary and entry.body
