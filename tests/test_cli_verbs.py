"""The verb table (``symcount/cli/verbs.py``) keeps its promises.

Each test names every verb (or module) that breaks a rule, so adding a verb
tells you all you forgot at once: a module that imports and offers
``add_arguments`` and ``run``, the four document formats, ``--standalone``, a
JSON schema with a version, and an example in ``docs/json.md``.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from symcount.cli import verbs
from symcount.cli.main import build_parser, main, verb_in
from symcount.cli.options import format_of, has_option
from symcount.cli.verbs import DOCUMENT_FORMATS, VERBS

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / "symcount" / "cli"
JSON_DOC = ROOT / "docs" / "json.md"
#: The modules every verb may import; a verb module is any other module of the table.
SHARED = {"symcount.cli.argtypes", "symcount.cli.options", "symcount.cli.output", "symcount.cli.verbs",
          "symcount.cli.blocks"}
VERB_MODULES = {verb.module for verb in VERBS.values()}
#: Optional extras a function may import when asked for (matplotlib for ``compare --plot``).
OPTIONAL_EXTRAS = {"matplotlib", "matplotlib.pyplot"}


def sub_parsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("the parser has no sub-commands")


def full_parser() -> dict[str, argparse.ArgumentParser]:
    return sub_parsers(build_parser())


def run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    code = main(argv)
    out, err = capsys.readouterr()
    verdict = json.loads(out).get("correct") if argv[0] == "check" and "json" in argv and out else True
    assert code == (0 if verdict is not False else 1), err  # check exits 1 for a wrong answer
    return out


def imports_of(path: Path) -> list[tuple[str, bool]]:
    """(module, at module level) for each import of a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, id(node) in top))
    return found


# ------------------------------------------------------------------------------------ the table


def test_every_verb_module_imports_and_offers_its_functions() -> None:
    broken = []
    for verb in VERBS.values():
        try:
            module = verbs.load(verb)
        except ImportError as err:
            broken.append(f"{verb.name}: {verb.module} does not import ({err})")
            continue
        missing = [name for name in ("add_arguments", "run") if not callable(getattr(module, name, None))]
        if missing:
            broken.append(f"{verb.name}: {verb.module} lacks {', '.join(missing)}")
    assert not broken, "\n".join(broken)


def test_the_parser_and_the_table_name_the_same_verbs() -> None:
    in_parser = set(full_parser())
    in_table = set(VERBS)
    assert not in_parser - in_table, f"in the parser but not in the verb table: {sorted(in_parser - in_table)}"
    assert not in_table - in_parser, f"in the verb table but not in the parser: {sorted(in_table - in_parser)}"


def test_every_document_verb_offers_every_document_format() -> None:
    parsers = full_parser()
    missing = [f"{verb.name}: --format {fmt}" for verb in VERBS.values() if verb.document
               for fmt in DOCUMENT_FORMATS if fmt not in verb.formats or fmt not in format_of(parsers[verb.name])]
    assert not missing, "document verbs without a format:\n" + "\n".join(missing)


def test_the_parser_offers_the_formats_the_table_says() -> None:
    parsers = full_parser()
    wrong = [f"{verb.name}: table {verb.formats}, parser {format_of(parsers[verb.name])}"
             for verb in VERBS.values() if format_of(parsers[verb.name]) != verb.formats]
    assert not wrong, "\n".join(wrong)


def test_non_document_verbs_are_said_so() -> None:
    assert not VERBS["layers"].document
    assert not VERBS["describe"].document  # it prints symcount's own language, which the other verbs read
    assert not VERBS["render"].document  # its output is the Markdown file it renders
    assert sorted(verb.name for verb in VERBS.values() if not verb.document) == ["describe", "layers", "render"]


def test_every_verb_that_writes_latex_offers_standalone_or_says_why_not() -> None:
    parsers = full_parser()
    wrong = []
    for verb in VERBS.values():
        flag = has_option(parsers[verb.name], "--standalone")
        if flag != verb.standalone:
            wrong.append(f"{verb.name}: table says standalone={verb.standalone}, parser {'has' if flag else 'lacks'} it")
        if "latex" in verb.formats and not verb.standalone and not verb.no_standalone:
            wrong.append(f"{verb.name}: writes LaTeX without --standalone and without a reason (no_standalone)")
    assert not wrong, "\n".join(wrong)


# ------------------------------------------------------------------------------------ imports


def test_verb_modules_import_shared_modules_only() -> None:
    """The shared modules never import a verb module; a verb module never imports main or
    another verb module; no function-level import except an optional extra."""
    wrong = []
    for path in sorted(CLI.glob("*.py")):
        name = f"symcount.cli.{path.stem}"
        for module, top in imports_of(path):
            if not top and module not in OPTIONAL_EXTRAS:
                wrong.append(f"{name}: function-level import of {module}")
            if name in SHARED and (module in VERB_MODULES or module == "symcount.cli.main"):
                wrong.append(f"{name} (shared) imports {module}")
            if name in VERB_MODULES and module.startswith("symcount.cli.") and module not in SHARED:
                wrong.append(f"{name} (a verb) imports {module}")
    assert not wrong, "\n".join(wrong)


def test_every_cli_module_is_shared_main_or_a_verb() -> None:
    modules = {f"symcount.cli.{p.stem}" for p in CLI.glob("*.py")} - {"symcount.cli.__init__"}
    assert modules - SHARED - VERB_MODULES == {"symcount.cli.main"}


def test_count_loads_no_teaching_or_render_module_it_does_not_need() -> None:
    code = ("import sys; from symcount.cli.main import main; "
            "main(['count', 'conv2d(C_in=3, C_out=8, k=3)']); "
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('symcount.'))), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
                          check=True)
    loaded = set(done.stderr.split())
    extra = {m for m in loaded if m.startswith(("symcount.teaching.", "symcount.render.", "symcount.cli."))} - {
        "symcount.engine.count", "symcount.render.table", "symcount.render.numbers",
        # the table's cell writers: the one escaper and sympy's printer (sympy has loaded it already)
        "symcount.render.escape", "symcount.render.latex",
        # the mixin a Count prints through (it loads the format registry only when asked)
        "symcount.render.printable",
        "symcount.cli.count", "symcount.cli.main", *SHARED}
    assert not extra, f"symcount count imported {sorted(extra)}"
    # the readers of model code and of configs come when such a source does
    readers = {"symcount.frameworks.code_reader", "symcount.frameworks.torch_forward", "symcount.frameworks.hf_config",
               "symcount.frameworks.python_code", "symcount.frameworks.keras_code"}
    assert not loaded & readers, f"symcount count of a description imported {sorted(loaded & readers)}"


@pytest.mark.parametrize(("argv", "verb"), [
    (["count", "x"], "count"), (["--version"], None), (["-h", "derive"], "derive"), ([], None)])
def test_the_verb_of_a_command_line(argv: list[str], verb: str | None) -> None:
    assert verb_in(argv) == verb


def test_an_unknown_verb_is_argparse_s_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["frobnicate"])
    assert exit_.value.code == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err


# ------------------------------------------------------------------------------------ formats


@pytest.mark.parametrize("verb", ["memory", "compute"])
def test_latex_standalone_is_an_alias_of_standalone(capsys: pytest.CaptureFixture[str], verb: str) -> None:
    source = str(ROOT / "derivations" / "zoo" / "llm" / "gpt2.sc") + "#gpt2_small"
    alias = run(capsys, [verb, source, "--format", "latex-standalone"])
    flag = run(capsys, [verb, source, "--format", "latex", "--standalone"])
    assert alias == flag and alias.startswith(r"\documentclass")
    assert not run(capsys, [verb, source, "--format", "latex"]).startswith(r"\documentclass")


def test_exam_text_is_the_exam_s_text(capsys: pytest.CaptureFixture[str]) -> None:
    template = str(ROOT / "derivations" / "exams" / "batchnorm.sc")
    out = run(capsys, ["exam", template, "--variants", "2", "--format", "text"])
    assert out.startswith("Batch normalisation (Keras)\n") and "   answer: " in out
    assert run(capsys, ["exam", template, "--variants", "2", "--format", "latex", "--standalone"]) == \
        run(capsys, ["exam", template, "--variants", "2", "--format", "latex"])


def test_exam_json_goes_to_a_file_in_the_output_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    template = str(ROOT / "derivations" / "exams" / "batchnorm.sc")
    out = run(capsys, ["exam", template, "--variants", "3", "--format", "json", "-o", str(tmp_path)])
    assert out == f"wrote {tmp_path / 'batchnorm.json'}\n"
    data = json.loads((tmp_path / "batchnorm.json").read_text(encoding="utf-8"))
    assert data["schema"] == "symcount/exam" and [v["number"] for v in data["variants"]] == [1, 2, 3]


# ------------------------------------------------------------------------------------ JSON


EXAMPLE = re.compile(r"```console\n\$ symcount (.+?)\n```\n\n```json\n(.*?)\n```", re.S)


def doc_examples() -> list[tuple[str, str]]:
    return EXAMPLE.findall(JSON_DOC.read_text(encoding="utf-8"))


def test_every_document_verb_has_a_documented_schema() -> None:
    documented = {json.loads(body)["schema"] for _, body in doc_examples()}
    missing = [verb.name for verb in VERBS.values() if verb.document and f"symcount/{verb.name}" not in documented]
    assert not missing, f"no example in docs/json.md for: {missing}"


@pytest.mark.parametrize(("command", "expected"), doc_examples(), ids=[c.split()[0] for c, _ in doc_examples()])
def test_the_documented_json_is_what_the_command_writes(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                                        command: str, expected: str) -> None:
    monkeypatch.chdir(ROOT)
    data = json.loads(run(capsys, shlex.split(command)))
    assert data == json.loads(expected)
    assert data["schema"] == f"symcount/{shlex.split(command)[0]}" and type(data["version"]) is int
    heading = f"## `{data['schema']}` (version {data['version']})"
    assert heading in JSON_DOC.read_text(encoding="utf-8")


def no_floats(value: object) -> list[object]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in no_floats(v)]
    if isinstance(value, list):
        return [f for v in value for f in no_floats(v)]
    return []


@pytest.mark.parametrize("argv", [
    ["compare", "conv2d(C_in=C, C_out=C, k=5)", "conv2d(C_in=C, C_out=C, k=3)", "--sweep", "C=1..8:1"],
    ["check", "conv2d(bias=b)", "--answer", "k*C_in*(C_out + b)"],
    ["derive", "lstm(C_in=C, H=H)", "--bias", "both"],
    ["memory", str(ROOT / "derivations" / "zoo" / "llm" / "llama.sc") + "#llama3_2_1b", "--dtype", "int4",
     "--kv-cache", "1024"],
    ["compute", str(ROOT / "derivations" / "zoo" / "llm" / "gpt2.sc") + "#gpt2_small", "--set", "L=1024"],
])
def test_json_numbers_are_exact(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    data = json.loads(run(capsys, [*argv, "--format", "json"]))
    assert not no_floats(data)
    assert data["schema"] == f"symcount/{argv[0]}" and data["version"] == 1


def test_every_verb_module_names_its_schema_version() -> None:
    missing = [verb.name for verb in VERBS.values() if verb.document
               and type(getattr(importlib.import_module(verb.module), "SCHEMA_VERSION", None)) is not int]
    assert not missing, f"verb modules without SCHEMA_VERSION: {missing}"
