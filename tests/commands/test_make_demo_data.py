"""`hmtl make-demo-data` writes the corpus, honours --seed, and reports bad input in one line."""

from __future__ import annotations

from hmtl.commands.main import main


def test_writes_the_corpus_with_the_given_seed(tmp_path):
    out = tmp_path / "demo"
    assert main(["make-demo-data", "--out", str(out), "--seed", "5", "--num-documents", "20"]) == 0
    readme = (out / "README.txt").read_text()
    assert "seed 5" in readme and "20 documents" in readme
    # 20 documents: 10 % = 2 each for dev and test.
    assert len(list((out / "ace2005" / "dev").glob("*.like_conll"))) == 2
    assert (out / "conll-2012_single_file" / "train.english.v4_gold_conll").is_file()
    assert (out / "conll2003" / "valid.txt").is_file()


def test_same_seed_same_files_through_the_command(tmp_path):
    for name in ("a", "b"):
        assert main(["make-demo-data", "--out", str(tmp_path / name), "--num-documents",
                     "20"]) == 0
    first = (tmp_path / "a" / "conll2003" / "train.txt").read_bytes()
    assert first == (tmp_path / "b" / "conll2003" / "train.txt").read_bytes()


def test_bad_input_is_a_one_line_error(tmp_path, capsys):
    assert main(["make-demo-data", "--out", str(tmp_path / "x"), "--num-documents", "3"]) == 2
    assert "at least 20" in capsys.readouterr().err
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("data")
    assert main(["make-demo-data", "--out", str(tmp_path / "busy")]) == 2
    assert "not empty" in capsys.readouterr().err
