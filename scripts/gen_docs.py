#!/usr/bin/env python3
"""Generate the reference sections of the documentation from the code, or check that they are current.

    python scripts/gen_docs.py            # rewrite every generated section in docs/
    python scripts/gen_docs.py --check    # exit 1 naming each page whose generated sections are stale

A generated section sits between two markers, each on a line of its own at the start of the line, in a
Markdown page; everything outside the markers is written by hand and left alone::

    <!-- BEGIN generated: fields Level -->
    (replaced by the generator)
    <!-- END generated -->

Kinds of section:

``fields MODEL``
    a table of the keys of one table of the instrument file format (``Instrument``, ``Level``, ``Domain``,
    ``VariantFile``, ...), from the JSON Schema that :func:`matrixkit.schema.instrument_schema` builds from the
    attrs models' field documentation;
``cli``
    every ``matrixkit`` command of the installed plugins, from the command line's own argparse parsers;
``hook NAME``
    the signature, description, parameters and return of one hook, from the docstrings in
    :mod:`matrixkit.hookspecs`.

``tests/test_docs.py`` fails when a committed page differs from what this script generates.
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

SECTION = re.compile(
    r"^(?P<begin><!-- BEGIN generated: (?P<spec>[^>]*?) -->\n)(?P<body>.*?)^(?P<end><!-- END generated -->)",
    re.DOTALL | re.MULTILINE,
)


# -- helpers ------------------------------------------------------------------------------------------


def rst_to_markdown(text: str) -> str:
    """Sphinx roles and double back-quotes of docstrings as Markdown code spans."""
    role = r":(?:class|func|meth|attr|data|mod|exc|obj):"
    text = re.sub(role + r"`~([\w.]+)`", lambda m: f"`{m[1].rsplit('.', 1)[-1]}`", text)
    text = re.sub(role + r"`([^`]+)`", r"`\1`", text)
    return re.sub(r"``([^`]+)``", r"`\1`", text)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


# -- fields of the instrument format ----------------------------------------------------------------


def _schema_type(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    from matrixkit.model import KEY_PATTERN

    if "const" in schema:
        return f"`{schema['const']}`"
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"table ([{name}](#{name.lower()}))"
    if "anyOf" in schema:
        options = [o for o in schema["anyOf"] if o.get("type") != "null"]
        kinds = [_schema_type(o, defs) for o in options]
        return " or ".join(k for k in kinds if k)
    kind = schema.get("type")
    if kind == "string":
        if schema.get("pattern") == KEY_PATTERN:
            return "key"
        if "pattern" in schema:
            return "colour `#rrggbb`"
        return "text"
    if kind == "integer":
        return "whole number"
    if kind == "array":
        items = schema.get("items", {})
        if "$ref" in items:
            name = items["$ref"].rsplit("/", 1)[-1]
            return f"array of tables ([{name}](#{name.lower()}))"
        inner = _schema_type(items, defs)
        return f"list of {inner}s" if inner in ("text", "key") else f"list of {inner}"
    if kind == "object":
        inner = _schema_type(schema.get("additionalProperties", {}), defs)
        if inner.startswith("table ("):
            inner = inner.removeprefix("table ")
            return f"table of key = {inner}"
        return f"table of key = {inner}"
    return ""


def _default(model: type | None, name: str) -> str:
    import attrs

    if model is None or not attrs.has(model):
        return ""
    field = attrs.fields_dict(model).get(name)
    if field is None or field.default is attrs.NOTHING:
        return ""
    default = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        return "empty"
    if default is None:
        return "none"
    if default == "" or default == ():
        return "empty"
    return f"`{default!r}`".replace("'", '"')


def fields_section(name: str) -> str:
    """A table of the keys of one model of the instrument file format."""
    from matrixkit import format as fmt
    from matrixkit import model
    from matrixkit.schema import instrument_schema

    defs = instrument_schema()["$defs"]
    if name not in defs:
        raise KeyError(f"no model {name!r} in the instrument schema (known: {', '.join(sorted(defs))})")
    schema = defs[name]
    classes = {"InstrumentFile": model.Instrument, "VariantFile": fmt.VariantSpec}
    cls = classes.get(name) or getattr(model, name, None) or getattr(fmt, name, None)
    required = set(schema.get("required", ()))
    lines = ["| Key | Type | Required / default | Meaning |", "|---|---|---|---|"]
    for key, prop in schema["properties"].items():
        need = "**required**" if key in required else (_default(cls, key) or "optional")
        lines.append(
            f"| `{key}` | {_schema_type(prop, defs)} | {need} | {_cell(rst_to_markdown(prop.get('description', '')))} |"
        )
    return "\n".join(lines) + "\n"


# -- the command line --------------------------------------------------------------------------------


def _registry() -> Any:
    from matrixkit.config import Config
    from matrixkit.registry import PluginHost, Registry

    return Registry(PluginHost(config=Config()))


def _usage(parser: argparse.ArgumentParser) -> str:
    formatter = argparse.HelpFormatter(prog=parser.prog, width=100, max_help_position=40)
    formatter.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups, prefix="")
    return formatter.format_help().strip()


def _argument_rows(parser: argparse.ArgumentParser) -> Iterator[str]:
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction) or action.help == argparse.SUPPRESS:
            continue
        if action.option_strings:
            metavar = ""
            if action.nargs != 0:
                metavar = " " + (action.metavar if isinstance(action.metavar, str) else action.dest.upper())
            name = ", ".join(f"`{o}{metavar}`" for o in action.option_strings)
        else:
            name = f"`{action.metavar if isinstance(action.metavar, str) else action.dest}`"
        help_text = (action.help or "") % {"default": action.default, "prog": parser.prog}
        extra = []
        if action.choices is not None and not isinstance(action.choices, dict):
            extra.append("one of " + ", ".join(f"`{c}`" for c in action.choices))
        if (
            action.option_strings
            and action.nargs != 0
            and action.default not in (None, False, "", [], argparse.SUPPRESS)
        ):
            extra.append(f"default `{action.default}`")
        if not action.option_strings and action.nargs in ("+", "*"):
            extra.append("one or more" if action.nargs == "+" else "any number")
        meaning = help_text + (f" ({'; '.join(extra)})" if extra else "")
        yield f"| {name} | {_cell(meaning)} |"


def cli_section(_: str = "") -> str:
    """Every command: what it does, who provides it, its usage and its arguments."""
    from matrixkit.cli import build_parser

    registry = _registry()
    parser = build_parser(registry)
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    out = []
    for name, named in sorted(registry.commands.items()):
        sub = subparsers.choices[name]
        info = named.plugin
        provider = (
            "matrixkit (built in)"
            if info.builtin
            else f"plugin `{info.name}` (distribution `{info.distribution}`)"
            if info.distribution
            else f"plugin `{info.name}`"
        )
        command = named.obj
        description = (command.description or command.help).strip()
        out += [f"### `matrixkit {name}`", "", f"*Provided by {provider}.*", ""]
        out += [description if description.endswith(".") else description[:1].upper() + description[1:] + ".", ""]
        out += ["```text", _usage(sub), "```", ""]
        rows = list(_argument_rows(sub))
        if rows:
            out += ["| Argument | Meaning |", "|---|---|", *rows, ""]
    return "\n".join(out)


# -- hooks ---------------------------------------------------------------------------------------------


def hook_names() -> list[str]:
    """Names of every hook specification in :mod:`matrixkit.hookspecs`."""
    from matrixkit import hookspecs

    return sorted(
        name
        for name, obj in vars(hookspecs).items()
        if name.startswith("matrixkit_") and callable(obj) and hasattr(obj, "matrixkit_spec")
    )


def parse_hook_docstring(doc: str) -> dict[str, Any]:
    """Split a hookspec docstring into summary, parameters, return, description paragraphs and example."""
    doc = inspect.cleandoc(doc)
    example = ""
    if "Example::" in doc:
        doc, example = doc.split("Example::", 1)
        example = textwrap.dedent(example).strip("\n")
    params: dict[str, str] = {}
    returns = ""
    body: list[str] = []
    last = ""
    for block in re.split(r"\n\s*\n", doc.strip()):
        lines = block.splitlines()
        if not lines or not lines[0].startswith((":param ", ":returns:", ":return:")):
            body.append(" ".join(line.strip() for line in lines))
            continue
        for line in lines:
            if found := re.match(r":param (\w+):\s*(.*)", line):
                params[found[1]] = found[2]
                last = found[1]
            elif found := re.match(r":returns?:\s*(.*)", line):
                returns = found[1]
                last = ":returns:"
            elif last == ":returns:":
                returns += " " + line.strip()
            elif last:
                params[last] += " " + line.strip()
    return {
        "summary": body[0] if body else "",
        "description": body[1:],
        "params": params,
        "returns": returns,
        "example": example,
    }


def hook_section(name: str) -> str:
    """Signature, description, parameters and return of one hook."""
    from matrixkit import hookspecs

    if name not in hook_names():
        raise KeyError(f"no hook {name!r} in matrixkit.hookspecs (hooks: {', '.join(hook_names())})")
    function = getattr(hookspecs, name)
    parts = parse_hook_docstring(function.__doc__ or "")
    signature = inspect.signature(function)
    params = ", ".join(f"{p.name}: {p.annotation}" for p in signature.parameters.values())
    spec_options = function.matrixkit_spec
    out = ["```text", f"{name}({params}) -> {signature.return_annotation}", "```", ""]
    out += [rst_to_markdown(parts["summary"]), ""]
    if spec_options.get("firstresult"):
        out += ["The first non-`None` result is used (`firstresult`).", ""]
    out += ["**Parameters**", ""]
    for param in signature.parameters:
        out.append(f"- `{param}`: {rst_to_markdown(parts['params'].get(param, ''))}")
    out += ["", f"**Returns**: {rst_to_markdown(parts['returns'])}", ""]
    for paragraph in parts["description"]:
        out += [rst_to_markdown(paragraph), ""]
    return "\n".join(out)


# -- pages ---------------------------------------------------------------------------------------------

GENERATORS: dict[str, Callable[[str], str]] = {"fields": fields_section, "cli": cli_section, "hook": hook_section}


def render(spec: str) -> str:
    kind, _, argument = spec.strip().partition(" ")
    if kind not in GENERATORS:
        raise KeyError(f"unknown generated section {kind!r} (known: {', '.join(GENERATORS)})")
    return GENERATORS[kind](argument.strip())


def regenerate(text: str) -> str:
    """The page with every generated section replaced by its current content."""
    return SECTION.sub(lambda m: m["begin"] + "\n" + render(m["spec"]).rstrip("\n") + "\n\n" + m["end"], text)


def sections(text: str) -> list[str]:
    """The specifications of the generated sections of a page, in order."""
    return [m["spec"].strip() for m in SECTION.finditer(text)]


def pages() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if SECTION.search(p.read_text(encoding="utf-8")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="report stale pages instead of rewriting them")
    args = parser.parse_args(argv)
    stale = []
    for page in pages():
        text = page.read_text(encoding="utf-8")
        new = regenerate(text)
        if new != text:
            stale.append(page)
            if not args.check:
                page.write_text(new, encoding="utf-8")
    for page in stale:
        verb = "is stale" if args.check else "regenerated"
        print(f"{page.relative_to(ROOT)} {verb}")
    if args.check and stale:
        print("run: python scripts/gen_docs.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
