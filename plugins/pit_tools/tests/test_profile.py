"""The PIT partnership profile (``matrixkit pit-profile``): tools found from the records, overall levels, errors,
and every format read back with an independent reader; pictures kept under ``artifacts/pit_tools/``."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytest.importorskip(
    "matrixkit_exporters", reason="the profile extra is not installed (maturity-matrixkit-pit-tools[profile])"
)

import docx
import pypdf
from matrixkit_pit_tools import command
from matrixkit_pit_tools.profile import TOOLS, build_profile, describe, tool_of
from PIL import Image

from matrixkit.api import workshop_report
from matrixkit.cli import Context, main
from matrixkit.errors import MatrixkitError
from matrixkit.registry import Registry

HERE = Path(__file__).parent
DATA = HERE / "data" / "profile"
ROOT = HERE.parents[2]
TOOL_A = ROOT / "examples" / "pit-a-workshop" / "round-1" / "workshop.toml"
RECORDS = [TOOL_A, DATA / "tool-b.toml", DATA / "tool-c.toml", DATA / "tool-d.toml"]
ARTIFACTS = ROOT / "artifacts" / "pit_tools"


@pytest.fixture(scope="module")
def registry() -> Registry:
    from matrixkit_exporters import plugin as exporters
    from matrixkit_pit_tools import pcn, tool_a, tool_b, tool_c, tool_d

    return Registry.for_plugins(tool_a, tool_b, tool_c, tool_d, pcn, command, exporters)


def run(argv: list[str], registry: Registry) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, context=Context(registry=registry, stdout=out, stderr=err))
    return status, out.getvalue(), err.getvalue()


def reports(registry: Registry, paths: list[Path]) -> list[tuple[str, object]]:
    return [(str(p), workshop_report(p, registry=registry)) for p in paths]


def test_each_record_is_placed_by_its_tool_and_its_overall_level_is_the_median_agreed(registry: Registry) -> None:
    profile = build_profile(reports(registry, RECORDS))  # type: ignore[arg-type]
    assert list(profile.tools) == ["A", "B", "C", "D"]
    a = profile.tools["A"]
    agreed = [lv.score if lv else None for lv in a.agreed]
    assert agreed == [d.agreed.score if d.agreed else None for d in a.report.decisions]
    scores = sorted(s for s in agreed if s is not None)
    assert a.overall is not None and a.overall.score == scores[(len(scores) - 1) // 2]  # the lower median
    assert sum(a.counts()) == len(scores)
    b = profile.tools["B"]
    assert b.agreed[8] is None  # monitoring and evaluation: nothing agreed
    assert [t.place for t in TOOLS] == ["centre", "left", "base", "right"]


def test_variants_count_as_their_tool(registry: Registry) -> None:
    for ident, letter in [("pit-a-single-agency", "A"), ("pit-a-pcn-phm", "A"), ("pit-c-single-agency", "C")]:
        tool = tool_of(registry.instrument(ident))
        assert tool is not None and tool.letter == letter


def test_a_record_of_another_instrument_or_a_second_record_of_a_tool_is_refused(registry: Registry) -> None:
    b = reports(registry, [DATA / "tool-b.toml"])
    with pytest.raises(MatrixkitError, match=r"a second record of Tool B .* one record per tool"):
        build_profile(b + b)  # type: ignore[arg-type]
    with pytest.raises(MatrixkitError, match="at least one PIT tool"):
        build_profile([])


def test_the_text_alternative_names_every_tool_and_domain(registry: Registry) -> None:
    profile = build_profile(reports(registry, [DATA / "tool-b.toml", DATA / "tool-d.toml"]))  # type: ignore[arg-type]
    text = describe(profile)
    assert "Tool A (Place-based planning, at the centre of the triangle): not assessed." in text
    assert "Tool B (The civic–community seam" in text and "Monitoring and evaluation: no agreed level" in text
    assert "Tool C" in text and "Tool D" in text


def alt_texts(node: object) -> list[str]:
    """Every /Alt of the PDF's structure tree (the text alternatives of its figures)."""
    found: list[str] = []
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, dict):
        if "/Alt" in node:
            found.append(str(node["/Alt"]))
        kids = node.get("/K")
        if kids is not None:
            found += alt_texts(kids)
    elif isinstance(node, list):
        for kid in node:
            found += alt_texts(kid)
    return found


def _pages(pdf: Path, prefix: Path) -> list[Path]:
    found = shutil.which("pdftoppm")
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("pdftoppm is not installed; CI installs it with .ci/system-deps.sh")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    for old in prefix.parent.glob(f"{prefix.name}-*.png"):
        old.unlink()
    subprocess.run([found, "-png", "-r", "100", str(pdf), str(prefix)], check=True, capture_output=True, timeout=120)
    return sorted(prefix.parent.glob(f"{prefix.name}-*.png"))


def test_pdf_profile(registry: Registry, tmp_path: Path) -> None:
    target = tmp_path / "profile.pdf"
    status, out, err = run(["pit-profile", *map(str, RECORDS), "-o", str(target)], registry)
    assert (status, out) == (0, ""), err
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
    for expected in ["PIT partnership profile", "Tool A", "Tool D", "12 March 2025", "Each tool", "Leadership"]:
        assert expected in text, expected
    for page in reader.pages:
        assert float(page.mediabox.width) > float(page.mediabox.height)  # A4 landscape
    alternatives = " ".join(alt_texts(reader.trailer["/Root"]["/StructTreeRoot"]))
    assert "The Population Intervention Triangle, shaded by the levels" in alternatives  # the picture's alt text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert _pages(target, ARTIFACTS / "profile-pdf")


@pytest.mark.parametrize("fmt", ["png", "svg", "html", "docx"])
def test_other_formats(fmt: str, registry: Registry, tmp_path: Path) -> None:
    target = tmp_path / f"profile.{fmt}"
    status, _, err = run(["pit-profile", str(TOOL_A), str(DATA / "tool-c.toml"), "-o", str(target)], registry)
    assert status == 0, err
    data = target.read_bytes()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if fmt == "png":
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "PNG" and image.width >= 1000 and image.height >= 900
        (ARTIFACTS / "profile.png").write_bytes(data)
    elif fmt == "svg":
        root = ET.fromstring(data)
        assert root.get("role") == "img" and "Tool C" in (root.get("aria-label") or "")
        assert "Tool B (The civic–community seam: strengthen community action): not assessed" in root.get(
            "aria-label", ""
        )
    elif fmt == "html":
        parser = _Tags()
        parser.feed(data.decode("utf-8"))
        assert parser.tags.count("h1") == 1 and "script" not in parser.tags and "svg" in parser.tags
        assert "PIT partnership profile" in data.decode("utf-8")
    else:
        document = docx.Document(io.BytesIO(data))
        assert document.paragraphs[0].style is not None and document.paragraphs[0].style.name == "Heading 1"
        (picture,) = document.inline_shapes
        assert (picture._inline.docPr.get("descr") or "").startswith("The Population Intervention Triangle")
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert b"<w:hyperlink" not in archive.read("word/document.xml")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "profile.xlsx"], "the profile is written as .pdf, .html, .docx, .svg, .png; '.xlsx' is none of them"),
        (["-o", "profile"], "no extension is none of them"),
        ([], "give -o FILE"),
        (["--format", "pdf", "-o", "profile.png"], "--format pdf writes .pdf files, not .png"),
    ],
)
def test_an_output_no_format_writes_is_an_error_and_nothing_is_written(
    args: list[str], message: str, registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    status, out, err = run(["pit-profile", str(TOOL_A), *args], registry)
    assert status == 1 and out == ""
    assert message in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_a_record_of_another_instrument_names_the_file(registry: Registry, tmp_path: Path) -> None:
    record = tmp_path / "other.toml"
    source = (DATA / "tool-b.toml").read_text(encoding="utf-8")
    # The same record, read against the single-agency variant of Tool B: still Tool B, so accepted.
    record.write_text(source.replace('instrument = "pit-b"', 'instrument = "pit-b-single-agency"'), encoding="utf-8")
    shutil.copy(DATA / "tool-b-table-1.csv", tmp_path / "tool-b-table-1.csv")
    status, _, err = run(["pit-profile", str(record), "-o", str(tmp_path / "p.svg")], registry)
    assert status == 0, err
    status, _, err = run(
        ["pit-profile", str(DATA / "tool-b.toml"), str(record), "-o", str(tmp_path / "q.svg")], registry
    )
    assert status == 1 and "a second record of Tool B" in err and str(record) in err
    assert not (tmp_path / "q.svg").exists()


def test_without_the_profile_extra_the_command_says_what_to_install(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "typst" else real(name, *a))
    status, _, err = run(["pit-profile", str(TOOL_A), "-o", str(tmp_path / "p.pdf")], registry)
    assert status == 1
    assert "install maturity-matrixkit-pit-tools[profile] (missing: typst)" in err
    assert list(tmp_path.iterdir()) == []


def test_a_binary_profile_is_never_printed_on_a_terminal(registry: Registry) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out, err = Terminal(), io.StringIO()
    status = main(
        ["pit-profile", str(TOOL_A), "--format", "pdf"], context=Context(registry=registry, stdout=out, stderr=err)
    )
    assert status == 1 and out.getvalue() == ""
    assert "format 'pdf' is binary: write it to a file with -o FILE" in err.getvalue()
