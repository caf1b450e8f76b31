"""The commands collate, score, assess, report, compare and rules, run in-process with no plugin installed."""

from __future__ import annotations

import io
import json
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from matrixkit.assess import AssessmentAborted, run_assessment
from matrixkit.cli import Context, main
from matrixkit.format import read_instrument as load_instrument
from matrixkit.model import Instrument
from matrixkit.registry import Registry

DATA = Path(__file__).parent / "data"
KEYS = load_instrument(DATA / "digital-maturity.toml").domain_keys
HEADER = "participant,sector,table," + ",".join(KEYS)

TABLE_1 = f"""{HEADER}
Ana,civic,1,1,2,2,3,1,2,2,3,1,2,2,0
Ben,civic,1,2,2,3,3,1,2,2,3,2,2,2,1
Cal,vcse,1,0,1,1,2,0,1,,2,1,1,2,0
Dee,health,1,3,3,3,4,2,3,3,4,3,3,3,2
"""
TABLE_2 = f"""{HEADER}
Eve,vcse,2,0,1,1,2,0,1,1,2,1,1,1,0
Fay,health,2,3,4,3,4,2,3,4,4,3,3,3,2
Gus,civic,2,2,2,2,3,1,2,2,3,2,2,2,1
Hal,vcse,2,1,1,1,1,0,1,1,2,0,1,,0
"""

Cli = Callable[..., "object"]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t1.csv").write_text(TABLE_1, encoding="utf-8")
    (tmp_path / "t2.csv").write_text(TABLE_2, encoding="utf-8")


def test_collate_writes_the_contract_json(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("collate", "digital-maturity", "t1.csv", "t2.csv")
    assert result.status == 0, result.err
    data = json.loads(result.out)
    assert data["instrument"]["id"] == "digital-maturity"
    assert data["instrument"]["version"] == "2.1"
    assert data["rule"] == "median"
    assert data["responses"] == 8
    assert "by" not in data
    first = data["domains"][0]
    assert [d["key"] for d in data["domains"]] == list(KEYS)
    assert first["title"] == "Governance"
    assert first["counts"] == {
        "absent": 2,
        "initial": 2,
        "repeatable": 2,
        "defined": 2,
        "managed": 0,
        "optimising": 0,
    }
    assert (first["answered"], first["missing"]) == (8, 0)
    assert first["suggested"] == 1  # the lower median: sorted 0 0 1 1 2 2 3 3, the 4th → score 1
    assert 0 <= first["agreement"] <= 1
    assert isinstance(first["flags"], list)
    assert "by" not in first
    business = data["domains"][KEYS.index("procurement")]
    assert business["missing"] == 1


def test_collate_by_sector_and_small_group_warnings(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("collate", "digital-maturity", "t1.csv", "t2.csv", "--by", "sector")
    assert result.status == 0
    data = json.loads(result.out)
    assert data["by"] == "sector"
    assert data["groups"] == {"civic": 3, "health": 2, "vcse": 3}
    vcse = data["domains"][0]["by"]["vcse"]
    assert set(vcse) >= {"counts", "answered", "suggested", "agreement"}
    assert vcse["counts"]["absent"] == 2
    assert 0 <= data["domains"][0]["between_share"] <= 1
    assert "group 'health' (sector) has 2 people" in result.err
    assert "'civic'" not in result.err


def test_pooling_table_collations_equals_collating_everything(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("collate", "digital-maturity", "t1.csv", "--by", "sector", "-o", "c1.json").status == 0
    assert cli("collate", "digital-maturity", "t2.csv", "--by", "sector", "-o", "c2.json").status == 0
    pooled = json.loads(cli("collate", "digital-maturity", "c1.json", "c2.json", "--by", "sector").out)
    direct = json.loads(cli("collate", "digital-maturity", "t1.csv", "t2.csv", "--by", "sector").out)
    pooled.pop("sources"), direct.pop("sources")
    assert pooled == direct
    mixed = json.loads(cli("collate", "digital-maturity", "c1.json", "t2.csv").out)
    direct_unsplit = json.loads(cli("collate", "digital-maturity", "t1.csv", "t2.csv").out)
    assert mixed["domains"] == direct_unsplit["domains"]


def test_pooling_another_version_is_an_error(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("collate", "digital-maturity", "t1.csv", "-o", "c1.json").status == 0
    data = json.loads((tmp_path / "c1.json").read_text())
    data["instrument"]["version"] = "1.0"
    (tmp_path / "old.json").write_text(json.dumps(data))
    result = cli("collate", "digital-maturity", "old.json", "t2.csv", "-o", "out.json")
    assert result.status == 1
    assert "collates version 1.0 of digital-maturity, not version 2.1" in result.err
    assert not (tmp_path / "out.json").exists()


def test_bad_input_exits_1_lists_problems_and_writes_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = TABLE_2.replace("Hal,vcse,2,1", "Hal,vcse,2,9").replace("Gus,civic,2,2,2", "Gus,civic,2,2,lots")
    (tmp_path / "bad.csv").write_text(bad + "Ana,civic,2" + ",1" * 12 + "\n")
    (tmp_path / "out.json").write_text("previous")
    result = cli("collate", "digital-maturity", "t1.csv", "bad.csv", "-o", "out.json")
    assert result.status == 1
    assert result.out == ""
    assert "Traceback" not in result.err
    hint = "    hint: write a level's score, name or descriptor, or say what the answer means in a mapping file (--map)"
    assert result.err.splitlines() == [
        "matrixkit: error: 3 problems:",
        "  bad.csv:4: column \"data-quality\": 'lots' is not a level of digital-maturity "
        "(0–5 or absent/initial/repeatable/defined/managed/optimising)",
        hint,
        "  bad.csv:5: column \"governance\": '9' is not a level of digital-maturity "
        "(0–5 or absent/initial/repeatable/defined/managed/optimising)",
        hint,
        "  bad.csv:6: participant 'Ana' is given twice (also t1.csv:2)",
        "    hint: keep one of the responses, or read with --duplicates latest or first; if they are two people, "
        "tell them apart (e.g. add their organisation to the name)",
    ]
    assert (tmp_path / "out.json").read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "out.json", "t1.csv", "t2.csv"]


def test_problems_are_grouped_counted_and_capped(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    same = "".join(f"P{i},civic,1" + ",x" * 12 + "\n" for i in range(10))
    (tmp_path / "x.csv").write_text(HEADER + "\n" + same)
    result = cli("collate", "digital-maturity", "x.csv")
    assert result.status == 1
    lines = result.err.splitlines()
    assert lines[0] == "matrixkit: error: 120 problems:"
    assert "'x' is not a level of digital-maturity" in lines[1] and "120 cells in 12 columns (lines 2–11)" in lines[1]
    distinct = "".join(f"P{i},civic,1,x{i}" + ",1" * 11 + "\n" for i in range(60))
    (tmp_path / "y.csv").write_text(HEADER + "\n" + distinct)
    lines = cli("collate", "digital-maturity", "y.csv").err.splitlines()
    assert lines[0] == "matrixkit: error: 60 problems:"
    assert len([line for line in lines if line.startswith("  y.csv:")]) == 50
    assert lines[-1] == "  ... and 10 more (10 problems)"


def test_collate_other_formats_and_unknown_names(cli) -> None:  # type: ignore[no-untyped-def]
    text = cli("collate", "digital-maturity", "t1.csv", "t2.csv", "--format", "text", "--by", "table")
    assert text.status == 0
    assert "Collation sheet: Digital maturity self-assessment" in text.out
    assert "By table:" in text.out
    as_toml = tomllib.loads(cli("collate", "digital-maturity", "t1.csv", "-f", "toml").out)
    assert as_toml["responses"] == 4
    unknown_rule = cli("collate", "digital-maturity", "t1.csv", "--rule", "average")
    assert unknown_rule.status == 1
    assert "unknown consensus rule 'average' (known: cautious, median, median-high, median-if-agreed, mode)" in (
        unknown_rule.err
    )
    assert cli("collate", "digital-maturity", "t1.csv", "--rule", "mode").status == 0
    assert cli("collate", "no-such-tool", "t1.csv").status == 1
    assert cli("collate", "digital-maturity", "t1.csv", "--discuss-below", "2").status == 1
    assert "no such file" in cli("collate", "digital-maturity", "nope.csv").err


def test_score_prints_a_record_sheet(cli) -> None:  # type: ignore[no-untyped-def]
    several = cli("score", "digital-maturity", "t1.csv")
    assert several.status == 1
    assert "holds 4 responses; choose one with --participant" in several.err
    text = cli("score", "digital-maturity", "t1.csv", "--participant", "cal")
    assert text.status == 0, text.err
    assert "Participant: Cal (sector: vcse, table: 1)" in text.out
    data = json.loads(cli("score", "digital-maturity", "t1.csv", "-p", "Cal", "-f", "json").out)
    assert data["participant"] == "Cal"
    assert data["domains"][6] == {
        "key": "procurement",
        "title": "Procurement",
        "group": data["domains"][6]["group"],
        "level": None,
        "score": None,
    }
    assert data["overall"]["answered"] == 11
    assert data["overall"]["median"] == 1
    assert set(data["groups"]) == {"foundations", "delivery"}
    assert cli("score", "digital-maturity", "t1.csv", "-p", "Zed").status == 1


def test_assess_refuses_without_a_terminal(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("assess", "digital-maturity", "-o", "me.toml")
    assert result.status == 1
    assert "standard input is not a terminal" in result.err
    assert not (tmp_path / "me.toml").exists()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_assess_in_a_terminal_writes_a_response(registry: Registry, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    # Name; first domain: a wrong answer, then "Initial"; second: comment then skip; back to the second and
    # choose 3; then 2 for every other domain; at the summary revisit domain 12, choose 5, and save.
    # Organisation and table are asked for (sector is given): left out.
    script = ["Zoë", "", "", "great", "initial", "c", "Unsure here", "s", "b", "3", *["2"] * 10, "12", "5", "y"]
    out, err = io.StringIO(), io.StringIO()
    ctx = Context(registry=registry, stdout=out, stderr=err, stdin=_Terminal("\n".join(script) + "\n"))
    status = main(["assess", "digital-maturity", "-o", "me.toml", "--set", "sector=vcse"], context=ctx)
    assert status == 0, err.getvalue()
    assert "'great' is not a level of digital-maturity" in out.getvalue()
    saved = tomllib.loads((tmp_path / "me.toml").read_text())
    assert saved["participant"] == "Zoë"
    assert saved["attributes"] == {"sector": "vcse"}
    assert saved["comments"] == {"data-quality": "Unsure here"}
    assert saved["choices"]["governance"] == "initial"
    assert saved["choices"]["data-quality"] == "defined"
    assert saved["choices"]["equity"] == "optimising"
    record = json.loads(cli("score", "digital-maturity", "me.toml", "-f", "json").out)
    assert record["overall"]["answered"] == 12


class _Scripted:
    width = 80

    def __init__(self, answers: list[str]) -> None:
        self.answers = iter(answers)
        self.said: list[str] = []

    def ask(self, prompt: str) -> str:
        self.said.append(prompt)
        try:
            return next(self.answers)
        except StopIteration:
            raise EOFError from None

    def say(self, text: str) -> None:
        self.said.append(text)


def test_assessment_can_be_abandoned(tmp_path: Path) -> None:
    instrument = load_instrument(DATA / "digital-maturity.toml")
    with pytest.raises(AssessmentAborted, match="abandoned"):
        run_assessment(instrument, _Scripted(["1", "q"]), participant="x")
    with pytest.raises(AssessmentAborted, match="input ended"):
        run_assessment(instrument, _Scripted([]), participant="x")


def test_assessment_asks_for_attributes_and_returns_to_the_review(tmp_path: Path) -> None:
    instrument = load_instrument(DATA / "digital-maturity.toml")
    dialogue = _Scripted(["vcse", "", *["2"] * 12, "3", "4", "y"])
    response = run_assessment(instrument, dialogue, participant="x", ask=["sector", "table"])
    assert response.attributes == {"sector": "vcse"}
    assert response.choices["staff-skills"] == 4 and response.choices["funding"] == 2
    reviews = [line for line in dialogue.said if line.startswith("Save?")]
    assert len(reviews) == 2  # after changing domain 3 the review came back, not domain 4


def _record(tmp_path: Path, name: str, inputs: list[str], agreed: str = "initial", version: str = "2.1") -> Path:
    path = tmp_path / name
    path.write_text(
        f'format = 1\ninstrument = "digital-maturity"\nversion = "{version}"\ntitle = "{name}"\ndate = 2025-03-14\n'
        f'inputs = {json.dumps(inputs)}\nby = "sector"\n\n'
        f'[domains.governance]\nagreed = "{agreed}"\npriority = 1\npriorities = "A joint board"\n\n'
        '[[domains.governance.actions]]\nwhat = "Draft terms of reference"\nwho = "DPH"\nwhen = 2025-06-30\n'
        'measure = "Adopted"\n',
        encoding="utf-8",
    )
    return path


def test_report_renders_a_workshop_record(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _record(tmp_path, "round-1.toml", ["t1.csv", "t2.csv"])
    text = cli("report", "round-1.toml")
    assert text.status == 0, text.err
    assert "Priority 1: Governance" in text.out
    assert "Draft terms of reference" in text.out
    assert cli("report", "round-1.toml", "--format", "json", "-o", "r.json").status == 0
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["decisions"][0]["agreed"] == 1
    assert data["collation"]["responses"] == 8
    assert [part["title"] for part in data["inputs"]] == ["T1", "T2"]
    _record(tmp_path, "older.toml", ["t1.csv"], version="2.0")
    older = cli("report", "older.toml")
    assert older.status == 0
    assert "the workshop used version 2.0 of digital-maturity; version 2.1 is installed" in older.err
    broken = _record(tmp_path, "broken.toml", ["t1.csv", "missing.csv"], agreed="superb")
    result = cli("report", str(broken))
    assert result.status == 1
    assert "domains.governance.agreed: 'superb' is not a level" in result.err


def test_compare_rounds(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "later.csv").write_text(TABLE_2.replace(",0\n", ",2\n").replace("vcse,2,0", "vcse,2,2"))
    assert cli("collate", "digital-maturity", "t1.csv", "t2.csv", "-o", "before.json").status == 0
    assert cli("collate", "digital-maturity", "later.csv", "-o", "after.json").status == 0
    text = cli("compare", "before.json", "after.json")
    assert text.status == 0, text.err
    assert "Comparison: Digital maturity self-assessment" in text.out
    data = json.loads(cli("compare", "before.json", "after.json", "--format", "json").out)
    governance = data["domains"][0]
    assert governance["suggested"] == {"before": 1, "after": 2}
    assert governance["level_change"] == 1
    equity = data["domains"][-1]
    assert equity["counts"]["after"]["repeatable"] == 3
    _record(tmp_path, "r1.toml", ["t1.csv", "t2.csv"], agreed="initial")
    _record(tmp_path, "r2.toml", ["later.csv"], agreed="defined")
    records = json.loads(cli("compare", "r1.toml", "r2.toml", "-f", "json").out)
    assert records["domains"][0]["shown"] == {"before": 1, "before_kind": "agreed", "after": 3, "after_kind": "agreed"}
    assert records["domains"][0]["level_change"] == 2


def test_compare_warns_when_the_version_differs(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("collate", "digital-maturity", "t1.csv", "-o", "now.json").status == 0
    data = json.loads((tmp_path / "now.json").read_text())
    data["instrument"]["version"] = "1.9"
    data["instrument"].pop("fingerprint")
    (tmp_path / "old.json").write_text(json.dumps(data))
    result = cli("compare", "old.json", "now.json")
    assert result.status == 0, result.err
    assert "different versions of digital-maturity (1.9 and 2.1)" in result.err
    assert "neither a collation" in cli("compare", "t1.csv", "now.json").err


def test_rules_lists_the_consensus_rules(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("rules")
    assert result.status == 0
    lines = result.out.splitlines()
    assert lines[0].startswith("median ")
    assert len(lines) == 5
    records = json.loads(cli("rules", "--json").out)
    assert [r["name"] for r in records if r["default"]] == ["median"]
    assert all(r["plugin"].startswith("builtin") for r in records)


def test_a_plugin_rule_is_used_and_listed(tmp_path: Path) -> None:
    from matrixkit import hookimpl
    from tests.conftest import GenericToolsPlugin

    class Highest:
        name = "highest"
        description = "the highest level anyone chose"

        def suggest(self, tally, instrument: Instrument) -> int | None:  # type: ignore[no-untyped-def]
            answered = [i for i, n in enumerate(tally.counts) if n]
            return answered[-1] if answered else None

    class RulePlugin:
        __name__ = "rule-plugin"

        @hookimpl
        def matrixkit_register_rules(self, register):  # type: ignore[no-untyped-def]
            register.rule(Highest())

    out, err = io.StringIO(), io.StringIO()
    ctx = Context(registry=Registry.for_plugins(GenericToolsPlugin(), RulePlugin()), stdout=out, stderr=err)
    assert main(["collate", "digital-maturity", "t1.csv", "--rule", "highest"], context=ctx) == 0
    assert json.loads(out.getvalue())["domains"][0]["suggested"] == 3
