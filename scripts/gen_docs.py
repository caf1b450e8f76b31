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
    :mod:`matrixkit.hookspecs`;
``api NAME [MEMBER ...]``
    one public name of :mod:`matrixkit` (listed in ``matrixkit.__all__``): its signature and docstring, the
    fields of an attrs class with their documentation, and the members named after it, each with its
    signature and docstring. Plain Markdown, so the reference reads the same in the repository and on the site.

``tests/test_docs.py`` fails when a committed page differs from what this script generates.
"""

from __future__ import annotations

import argparse
import inspect
import json
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


# -- the Python API ------------------------------------------------------------------------------------


def public_names() -> list[str]:
    """The public API: ``matrixkit.__all__`` without dunder names (``__version__`` is described by hand)."""
    import matrixkit

    return [name for name in matrixkit.__all__ if not name.startswith("__")]


def _annotation(annotation: Any) -> str:
    if annotation is inspect.Parameter.empty:
        return ""
    return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)


def _signature(name: str, function: Any, *, drop_first: bool = False) -> str:
    """``name(a: int, *, b: str = 'x') -> bool``, annotations as written in the source."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return f"{name}(...)"
    parts: list[str] = []
    params = list(signature.parameters.values())[1 if drop_first else 0 :]
    star_done = False
    for index, param in enumerate(params):
        if param.kind is param.KEYWORD_ONLY and not star_done:
            parts.append("*")
            star_done = True
        text = param.name
        if param.kind is param.VAR_POSITIONAL:
            text, star_done = "*" + text, True
        elif param.kind is param.VAR_KEYWORD:
            text = "**" + text
        if param.annotation is not inspect.Parameter.empty:
            text += f": {_annotation(param.annotation)}"
        if param.default is not inspect.Parameter.empty:
            annotated = param.annotation is not inspect.Parameter.empty
            text += f" = {param.default!r}" if annotated else f"={param.default!r}"
        parts.append(text)
        following = params[index + 1] if index + 1 < len(params) else None
        if param.kind is param.POSITIONAL_ONLY and (following is None or following.kind is not param.POSITIONAL_ONLY):
            parts.append("/")
    returns = _annotation(signature.return_annotation)
    tail = f" -> {returns}" if returns else ""
    flat = f"{name}({', '.join(parts)}){tail}"
    if len(flat) <= 88 or not parts:
        return flat
    return f"{name}(\n" + "".join(f"    {part},\n" for part in parts) + f"){tail}"


def docstring_to_markdown(doc: str) -> str:
    """A docstring as Markdown: Sphinx roles as code, ``::`` literal blocks as fenced code, field lists
    (``:param x:``, ``:returns:``, ``:raises E:``) as lists."""
    lines = inspect.cleandoc(doc).splitlines()
    out: list[str] = []
    fields: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        field = re.match(r":(param|returns?|raises?)\s*([\w.]*)\s*:\s*(.*)", line)
        if field:
            kind, what, text = field.groups()
            i += 1
            while i < len(lines) and lines[i].startswith(" ") and lines[i].strip():
                text += " " + lines[i].strip()
                i += 1
            label = {"param": f"`{what}`", "returns": "returns", "return": "returns"}.get(kind, f"raises `{what}`")
            fields.append(f"- {label}: {rst_to_markdown(text)}")
            continue
        if line.rstrip().endswith("::"):
            intro = line.rstrip()[:-2].rstrip()
            if intro:
                out.append(rst_to_markdown(intro) + ":")
            i += 1
            block: list[str] = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith(" ")):
                block.append(lines[i])
                i += 1
            while block and not block[-1].strip():
                block.pop()
            out += ["", "```python", textwrap.dedent("\n".join(block)).strip("\n"), "```", ""]
            continue
        out.append(rst_to_markdown(line) if not line.startswith(" ") else rst_to_markdown(line.strip()))
        i += 1
    text = "\n".join(out).strip()
    text = re.sub(r"\n{3,}", "\n\n", text)
    if fields:
        text += "\n\n" + "\n".join(fields)
    return text


def _fields_table(cls: type) -> list[str]:
    import attrs

    if not attrs.has(cls):
        return []
    # The annotations as written in the source: attrs.resolve_types (which cattrs calls) replaces field.type.
    written: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        written.update(vars(klass).get("__annotations__", {}))
    rows = []
    for field in attrs.fields(cls):
        if field.name.startswith("_") or not field.init:
            continue
        kind = _annotation(written.get(field.name, field.type)) if field.type is not None else ""
        doc = _cell(rst_to_markdown(str(field.metadata.get("doc", ""))))
        rows.append(f"| `{field.name}` | `{_cell(kind)}` | {doc} |")
    return ["| Field | Type | Meaning |", "|---|---|---|", *rows, ""] if rows else []


def _member(owner: type, name: str) -> list[str]:
    raw = inspect.getattr_static(owner, name, None)
    if raw is None:
        raise KeyError(f"{owner.__name__} has no member {name!r}")
    label = f"{owner.__name__}.{name}"
    if isinstance(raw, property) or type(raw).__name__ == "cached_property":
        getter = raw.fget if isinstance(raw, property) else raw.func
        returns = _annotation(inspect.signature(getter).return_annotation)
        head, doc = f"{label}: {returns}" if returns else label, getter.__doc__
        kind = "property"
    elif isinstance(raw, classmethod | staticmethod):
        head = _signature(label, raw.__func__, drop_first=isinstance(raw, classmethod))
        doc, kind = raw.__func__.__doc__, "classmethod" if isinstance(raw, classmethod) else "staticmethod"
    elif callable(raw):
        head, doc, kind = _signature(label, raw, drop_first=True), raw.__doc__, "method"
    else:
        head, doc, kind = f"{label} = {raw!r}", None, "attribute"
    out = [f"#### `{label}`", "", f"*{kind}*", "", "```python", head, "```", ""]
    if doc:
        out += [docstring_to_markdown(doc), ""]
    return out


def api_section(argument: str) -> str:
    """One public name of matrixkit: signature, docstring, attrs fields, and the members named."""
    import matrixkit

    name, *members = argument.split()
    if name not in public_names():
        raise KeyError(f"{name!r} is not in matrixkit.__all__ (public names: {', '.join(public_names())})")
    obj = getattr(matrixkit, name)
    out = [f"### `matrixkit.{name}`", ""]
    if inspect.isclass(obj):
        bases = [b.__name__ for b in obj.__bases__ if b is not object]
        if getattr(obj, "_is_protocol", False):
            head = f"class {name}({', '.join(b for b in bases if b != 'Generic') or 'Protocol'})"
        elif issubclass(obj, BaseException) or obj.__init__ is object.__init__:
            head = f"class {name}" + (f"({', '.join(bases)})" if bases else "")
        else:
            head = "class " + _signature(name, obj)
        doc = obj.__doc__ if "__doc__" in vars(obj) else None
    elif inspect.isfunction(obj):
        head, doc = _signature(name, obj), obj.__doc__
    elif isinstance(obj, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in obj.items()):
        # A table of meanings: its keys and values as a table.
        rows = [f"| `{key}` | {_cell(value)} |" for key, value in obj.items()]
        out += ["```python", f"{name}: dict[str, str]", "```", "", "| Key | Value |", "|---|---|", *rows, ""]
        return "\n".join(out)
    elif isinstance(obj, tuple) and all(isinstance(item, str) for item in obj):
        # A tuple of names, written as ruff formats it (double quotes, one a line when long).
        items = [json.dumps(item) for item in obj]
        flat = f"{name}: tuple[str, ...] = ({', '.join(items)})"
        lines = "".join(f"    {item},\n" for item in items)
        head = flat if len(flat) <= 88 else f"{name}: tuple[str, ...] = (\n{lines})"
        doc = None
    elif not callable(obj):  # any other constant: its value
        head, doc = f"{name}: {type(obj).__name__} = {obj!r}", None
    else:  # an instance, such as the hookimpl marker: its type and what calling it takes
        kind = type(obj)
        where = f"{kind.__module__.split('.')[0]}.{kind.__name__}"
        head = f"{name}: {where}"
        if callable(obj):
            head += "\n" + _signature(name, kind.__call__, drop_first=True)
        doc = f"An instance of `{where}`; its documentation is {kind.__module__.split('.')[0]}'s."
    out += ["```python", head.replace(" -> None", "") if inspect.isclass(obj) else head, "```", ""]
    if doc:
        out += [docstring_to_markdown(doc), ""]
    if inspect.isclass(obj):
        out += _fields_table(obj)
        for member in members or _documented_members(obj):
            out += _member(obj, member)
    return "\n".join(out)


def _documented_members(cls: type) -> list[str]:
    """The public methods and properties a class defines itself, with a docstring, in source order (attrs fields
    are in the fields table)."""
    import attrs

    fields = {f.name for f in attrs.fields(cls)} if attrs.has(cls) else set()
    found = []
    for name, raw in vars(cls).items():
        if name.startswith("_") or name in fields:
            continue
        function = raw.__func__ if isinstance(raw, classmethod | staticmethod) else raw
        function = function.fget if isinstance(function, property) else getattr(function, "func", function)
        if callable(function) and getattr(function, "__doc__", None):
            found.append(name)
    return found


# -- pages ---------------------------------------------------------------------------------------------

GENERATORS: dict[str, Callable[[str], str]] = {
    "fields": fields_section,
    "cli": cli_section,
    "hook": hook_section,
    "api": api_section,
}


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
