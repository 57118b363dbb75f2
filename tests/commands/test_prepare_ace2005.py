"""`hmtl prepare-ace2005`: arguments, files written, summary, and one-line errors."""

import argparse
from pathlib import Path

import pytest

from hmtl.commands import prepare_ace2005

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ace2005"
RELEASE = FIXTURES / "LDC2006T06"


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="hmtl")
    prepare_ace2005.add_subparser(parser.add_subparsers())
    args = parser.parse_args(["prepare-ace2005", *argv])
    return args.func(args)


def test_subcommand_is_discovered_by_hmtl():
    from hmtl.commands.main import build_parser

    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    assert subparsers.choices["prepare-ace2005"].get_default("func") is prepare_ace2005.run


def test_converts_every_split_and_prints_the_summary(tmp_path, capsys):
    out = tmp_path / "ace2005"
    code = _run("--ace-dir", str(RELEASE), "--splits-dir", str(FIXTURES / "split"),
                "--out", str(out), "--no-progress")
    assert code == 0
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "dev/CNN_CF_20030101.0002.like_conll",
        "single_file_dev_rahman.gold_conll",
        "single_file_test_rahman.gold_conll",
        "single_file_train_rahman.gold_conll",
        "test/APW_ENG_20030101.0001.like_conll",
        "train/APW_ENG_20030101.0001.like_conll",
        "train/CNN_CF_20030101.0002.like_conll",
    ]
    printed = capsys.readouterr().out
    assert f"== dev: {out / 'dev'}/*.like_conll, {out / 'single_file_dev_rahman.gold_conll'}" \
        in printed
    # train has the two documents: 7 sentences, 42 tokens (see tests/data/ace2005/test_convert.py)
    assert "  documents: 2\n  sentences: 7\n  tokens: 42\n" in printed
    assert "relation mentions whose arguments lie in different sentences: not converted: 1" \
        in printed


def test_explicit_split_files_and_options(tmp_path, capsys):
    code = _run("--ace-dir", str(RELEASE / "data" / "English"), "--dev",
                str(FIXTURES / "split" / "dev"), "--out", str(tmp_path), "--no-token-split",
                "--no-progress")
    assert code == 0
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == [
        "single_file_dev_rahman.gold_conll"
    ]
    assert "extended to the whole token: 1" in capsys.readouterr().out


def test_bad_input_is_one_line_on_stderr(tmp_path, capsys):
    bad = tmp_path / "train.txt"
    bad.write_text("APW_ENG_20030101.0001\nMISSING_DOC\n")
    code = _run("--ace-dir", str(RELEASE), "--train", str(bad), "--out", str(tmp_path / "o"))
    assert code == 1
    error = capsys.readouterr().err
    assert error.startswith(f"hmtl prepare-ace2005: error: {bad}, line 2: 1 of 2 document ids")
    assert "MISSING_DOC (line 2)" in error


def test_a_second_run_needs_overwrite(tmp_path, capsys):
    argv = ("--ace-dir", str(RELEASE), "--test", str(FIXTURES / "split" / "test"),
            "--out", str(tmp_path), "--no-progress")
    assert _run(*argv) == 0
    assert _run(*argv) == 1
    assert "pass --overwrite" in capsys.readouterr().err
    assert _run(*argv, "--overwrite") == 0


def test_no_split_given_is_a_usage_error(tmp_path, capsys):
    assert _run("--ace-dir", str(RELEASE), "--out", str(tmp_path)) == 2
    assert "give --splits-dir or at least one of --train" in capsys.readouterr().err


def test_help_says_where_the_split_lists_are_and_documents_the_options(capsys):
    with pytest.raises(SystemExit):
        _run("--help")
    help_text = capsys.readouterr().out
    assert "github.com/tticoin/LSTM-ER/tree/master/data/ace2005/split" in help_text
    for flag in ("--splits-dir", "--version", "--text-elements", "--no-token-split", "--overwrite"):
        assert flag in help_text


def test_single_file_path_option(tmp_path, capsys):
    argv = ("--ace-dir", str(RELEASE), "--dev", str(FIXTURES / "split" / "dev"),
            "--out", str(tmp_path / "ace2005"), "--no-progress")
    assert _run(*argv, "--single-file", "../ace2005_single_file/{split}_rahman.gold_conll") == 0
    assert (tmp_path / "ace2005_single_file" / "dev_rahman.gold_conll").is_file()
    assert _run(*argv, "--single-file", "all.gold_conll") == 2
    assert "--single-file must contain {split}" in capsys.readouterr().err
