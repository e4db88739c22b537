"""``micrograd-lr graph``: parse an expression, print value and gradients, write the picture."""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import pytest

from micrograd_lr import cli
from micrograd_lr.commands import graph

SVG = "{http://www.w3.org/2000/svg}"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


def run(argv: Sequence[str]) -> int:
    """Run the command as ``micrograd-lr`` would (through cli.main once it lists the command)."""
    if "graph" in cli.COMMANDS:
        return cli.main(list(argv))
    parser = argparse.ArgumentParser(prog="micrograd-lr")
    sub = parser.add_subparsers(dest="command", required=True)
    graph.register(sub)
    args = parser.parse_args(list(argv))
    try:
        return int(args.func(args) or 0)
    except (ValueError, TypeError, OSError, ArithmeticError) as exc:
        print(f"micrograd-lr {args.command}: error: {exc}", file=sys.stderr)
        return 2


def svg_texts(path: Path) -> list[str]:
    root = ET.fromstring(path.read_bytes())
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


@needs_dot
def test_the_text_example(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "graph.svg"
    code = run(["graph", "3*(a + b*c)", "--set", "a=5", "b=3", "c=2", "-o", str(out)])
    assert code == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "3*(a + b*c) = 33"
    assert "  da = 3" in printed and "  db = 6" in printed and "  dc = 9" in printed
    assert printed[-1] == f"wrote {out}"
    got = svg_texts(out)
    assert "3*(a + b*c)" in got  # the title
    for label, grad in [("da", "3"), ("db", "6"), ("dc", "9")]:
        assert got[got.index(label) + 1] == grad
    assert "33" in got


@needs_dot
def test_no_grad_draws_a_forward_picture(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "f.svg"
    assert run(["graph", "sigmoid(w*x + b)", "--set", "w=0.5", "x=2", "b=-1", "-o", str(out), "--no-grad"]) == 0
    got = svg_texts(out)
    assert "w" in got and "x" in got and "b" in got and "0.5" in got
    assert not any(t in got for t in ("dw", "dx", "db", "grad"))
    assert not any(t.startswith("#") for t in got)
    assert "  dw = 0.5\n  dx = 0.125\n  db = 0.25" in capsys.readouterr().out  # gradients still printed


@needs_dot
@pytest.mark.parametrize("name, magic", [("g.png", b"\x89PNG"), ("g.pdf", b"%PDF"), ("g.dot", b"digraph")])
def test_format_from_the_file_name(tmp_path: Path, name: str, magic: bytes) -> None:
    out = tmp_path / name
    assert run(["graph", "a*b", "--set", "a=2", "b=3", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(magic)


def test_dot_format_needs_no_graphviz(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    out = tmp_path / "g.txt"
    assert run(["graph", "a*b", "--set", "a=2", "b=3", "-o", str(out), "--format", "dot"]) == 0
    assert out.read_text(encoding="utf-8").startswith("digraph")


def test_default_output_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(["graph", "a + 1", "--set", "a=1", "--format", "dot"]) == 0
    assert (tmp_path / "graph.dot").exists()


def test_missing_dot_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    out = tmp_path / "g.svg"
    assert run(["graph", "a*b", "--set", "a=2", "b=3", "-o", str(out)]) == 2
    captured = capsys.readouterr()
    assert "a*b = 6" in captured.out
    assert "Install Graphviz" in captured.err and "--format dot" in captured.err
    assert not out.exists()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["graph", "__import__('os').system('touch PWNED')", "-o", "x.svg"], "line 1, column 1"),
        (["graph", "a.b", "--set", "a=1", "-o", "x.svg"], "attribute access"),
        (["graph", "a + b", "--set", "a=1", "-o", "x.svg"], "no value given for b"),
        (["graph", "a", "--set", "a=1", "z=2", "-o", "x.svg"], "does not use: z"),
        (["graph", "a", "--set", "a:1", "-o", "x.svg"], "NAME=VALUE"),
        (["graph", "a", "--set", "a=one", "-o", "x.svg"], "must be a number"),
        (["graph", "a", "--set", "a=1", "a=2", "-o", "x.svg"], "twice"),
        (["graph", "a", "--set", "a=1", "-o", "x.svg", "--format", "png"], "does not match"),
        (["graph", "log(a)", "--set", "a=0", "-o", "x.svg"], "log"),
        (["graph", "(" * 500 + "a" + ")" * 500, "--set", "a=1", "-o", "x.svg"], "nested too deeply"),
    ],
)
def test_errors_are_clear_and_write_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("micrograd-lr graph: error: ")
    assert message in err
    assert list(tmp_path.iterdir()) == []


def test_parse_assignments() -> None:
    assert graph.parse_assignments(["a=5", " b = -1.5e3"]) == {"a": 5.0, "b": -1500.0}
    assert graph.parse_assignments([]) == {}


@needs_dot
@pytest.mark.skipif("graph" not in cli.COMMANDS, reason="the graph command is not listed in cli.COMMANDS yet")
def test_the_installed_command(tmp_path: Path) -> None:
    out = tmp_path / "g.svg"
    done = subprocess.run(
        [sys.executable, "-m", "micrograd_lr", "graph", "3*(a + b*c)", "--set", "a=5", "b=3", "c=2", "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "3*(a + b*c) = 33" in done.stdout
    assert out.exists()


# ------------------------------------------------------------------ as people type it


@pytest.mark.parametrize(
    "argv",
    [
        ["graph", "--set", "a=5", "b=3", "c=2", "3*(a + b*c)"],  # the expression after the values
        ["graph", "3*(a + b*c)", "--set", "a=5", "--set", "b=3", "--set", "c=2"],  # --set repeated
        ["graph", "--set", "a=5", "b=3", "--set", "c=2", "--", "3*(a + b*c)"],
        ["graph", "--set", "a=5", "b=3", "c=2", "--expression=3*(a + b*c)"],
    ],
)
def test_the_expression_and_the_values_in_any_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    out = tmp_path / "g.dot"
    assert run([argv[0], "-o", str(out), *argv[1:]]) == 0, capsys.readouterr().err
    text = capsys.readouterr().out
    assert "3*(a + b*c) = 33" in text and "da = 3" in text and "db = 6" in text and "dc = 9" in text
    assert out.read_text(encoding="utf-8").startswith("digraph")


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["graph", "-a*b", "--set", "a=2", "b=3"], "-a*b = -6"),
        (["graph", "--set", "a=2", "b=3", "-a*b"], "-a*b = -6"),
        (["graph", "-a", "--set", "a=2"], "-a = -2"),
        (["graph", "-(a + b)", "--set", "a=2", "b=3"], "-(a + b) = -5"),
    ],
)
def test_an_expression_may_start_with_a_minus_sign(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], line: str
) -> None:
    assert run([*argv, "-o", str(tmp_path / "g.dot")]) == 0, capsys.readouterr().err
    assert line in capsys.readouterr().out


def test_names_are_normalised_in_the_expression_and_in_set_alike(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["graph", "\ufb01+1", "--set", "\ufb01=3", "-o", str(tmp_path / "g.dot")]) == 0
    out = capsys.readouterr().out
    assert "= 4" in out and "dfi = 1" in out


def test_a_flat_sum_of_many_terms_draws(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = "+".join(f"x{i}" for i in range(150))
    values = [f"x{i}=1" for i in range(150)]
    assert run(["graph", source, "--set", *values, "--max-nodes", "400", "-o", str(tmp_path / "g.dot")]) == 0
    assert f"{source} = 150" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["graph", "a + b", "--set", "a=1", "b=nan"], "--set b: the value must be a finite number, got 'nan'"),
        (["graph", "a + b", "--set", "a=1", "b=-inf"], "--set b"),
        (["graph", "a**1000.0000001", "--set", "a=1"], "exponent 1000.0000001 is too large (at most 1000"),
        (["graph", "a^2", "--set", "a=1"], "for a power write **"),
        (["graph", "--set", "a=1"], "give the expression to draw"),
        (["graph", "a", "b", "--set", "a=1"], "unrecognized arguments"),
        (["graph", "a", "--set", "a=1", "a*2"], "give one expression, got 2"),
        (["graph", "a", "--set", "a=1", "-o", "g.jpg"], "the extension .jpg is not a format"),
        (["graph", "a", "--set", "a=1", "-o", "g.txt"], "the extension .txt is not a format"),
        (["graph", "a", "--set", "a=1", "-o", "graph"], "-o graph: no extension"),
        (["graph", "a", "--set", "a=1", "-o", "g.html", "--format", "svg"], "does not match"),
    ],
)
def test_more_errors_are_clear_and_write_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) if message == "unrecognized arguments" else _no_exit():
        assert run(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err, err
    assert list(tmp_path.iterdir()) == []


class _no_exit:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_the_html_extension_writes_the_step_through_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "page.html"
    assert run(["graph", "a*b", "--set", "a=2", "b=3", "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html") and "<svg" not in page[:200]


def test_dash_writes_the_picture_to_standard_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(["graph", "a*b", "--set", "a=2", "b=3", "-o", "-", "--format", "dot"]) == 0
    captured = capfdbinary.readouterr()
    assert captured.out.startswith(b"digraph") and b"a*b = 6" not in captured.out
    assert b"a*b = 6" in captured.err  # the report goes to stderr, out of the picture's way
    assert list(tmp_path.iterdir()) == []  # no file named "-"


def test_a_dot_that_fails_gives_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = tmp_path / "bin" / "dot"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'Error: something broke in the layout' >&2\nexit 3\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake.parent))
    out = tmp_path / "g.svg"
    assert run(["graph", "a*b", "--set", "a=2", "b=3", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Graphviz's dot failed (exit status 3): Error: something broke in the layout" in err
    assert "Traceback" not in err and not out.exists()


# ------------------------------------------------------------------ names, title, legend, parameters


def dot_text(tmp_path: Path, *options: str, expression: str = "3*(a + b*c)") -> str:
    out = tmp_path / "g.dot"
    assert run(["graph", expression, "--set", "a=5", "b=3", "c=2", "-o", str(out), *options]) == 0
    return out.read_text(encoding="utf-8")


def test_intermediate_boxes_are_named_from_their_sub_expression(tmp_path: Path) -> None:
    src = dot_text(tmp_path)
    for name in ("b*c", "a + b*c", "3*(a + b*c)"):
        assert f"<B>{name}</B>" in src, name
    assert '<TD ALIGN="LEFT">&#160;</TD>' not in src  # no blank box head


def test_long_sub_expressions_are_shortened_visibly(tmp_path: Path) -> None:
    from micrograd_lr.expr import LABEL_LENGTH, shorten

    long = "a*b*c + a*b*c + a*b*c + a*b*c + a*b*c"
    src = dot_text(tmp_path, expression=f"tanh({long}) + a")
    heads = re.findall(r"<B>(.*?)</B>", src)
    assert any("…" in h for h in heads)
    assert all(len(h) <= LABEL_LENGTH for h in heads)
    assert shorten("a*b*c*a*b*c", 9) == "a*b*…*b*c" and shorten("a  +\n b") == "a + b"


def test_a_number_in_the_expression_is_a_constant_and_a_name_never(tmp_path: Path) -> None:
    src = dot_text(tmp_path, expression="2*a + b*c")
    assert src.count(">const<") == 1  # the 2
    assert src.count(">da<") == src.count(">db<") == src.count(">dc<") == 1


@needs_dot
def test_title_legend_and_params(tmp_path: Path) -> None:
    from micrograd_lr import viz

    out = tmp_path / "g.svg"
    assert run(["graph", "3*(a + b*c)", "--set", "a=5", "b=3", "c=2", "-o", str(out)]) == 0
    got = [t.strip() for t in svg_texts(out)]
    assert "3*(a + b*c)" in got and viz.LEGEND_NUMBERS in got and "input" in got
    assert "parameter" not in got  # no naming rule: b is an input
    assert (
        run(
            [
                "graph",
                "3*(a + b*c)",
                "--set",
                "a=5",
                "b=3",
                "c=2",
                "-o",
                str(out),
                "--title",
                "my J",
                "--no-legend",
                "--params",
                "a,c",
            ]
        )
        == 0
    )
    got = [t.strip() for t in svg_texts(out)]
    assert "my J" in got and viz.LEGEND_NUMBERS not in got and "input" not in got
    src = dot_text(tmp_path, "--params", "a,c")
    for name, kind in (("a", "parameter"), ("c", "parameter"), ("b", "input")):
        label = re.search(rf"BGCOLOR=\"(#\w+)\"[^>]*><TR><TD[^>]*><B>{name}</B>", src)
        assert label is not None and label.group(1) == viz.STYLE[kind]["bg"], (name, kind)
    assert run(["graph", "a*b", "--set", "a=1", "b=2", "-o", str(out), "--params", "w"]) == 2


def test_quiet_prints_nothing_but_what_steps_asks_for(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "g.dot"
    assert cli.main(["graph", "3*(a + b*c)", "--set", "a=5", "b=3", "c=2", "-o", str(out_file), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    assert out_file.read_text(encoding="utf-8").startswith("digraph")
    assert cli.main(["graph", "3*(a + b*c)", "--set", "a=5", "b=3", "c=2", "--steps", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "db += d(b*c) · ∂(b*c)/∂b = 3 · 2 = 6" in out  # the trace that --steps asks for
    assert out.startswith("Start:") and "gradients (∂value/∂name" not in out  # and not the report
