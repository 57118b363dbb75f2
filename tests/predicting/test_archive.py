"""Archives: config, vocabulary and one weights file; safe extraction; clear refusals."""

import io
import json
import tarfile

import pytest
from allennlp.common.checks import ConfigurationError

from hmtl.predicting.archive import check_run_directory, create_archive, extracted_archive
from tests.predicting.runs import tiny_run


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return tiny_run(tmp_path_factory)


def _members(path):
    with tarfile.open(path) as archive:
        return {member.name for member in archive.getmembers() if member.isfile()}


def test_the_archive_holds_config_vocabulary_and_the_chosen_weights(run, tmp_path):
    assert create_archive(run, tmp_path / "m.tar.gz").name == "best.th"
    members = _members(tmp_path / "m.tar.gz")
    vocabulary = {f"vocabulary/{p.name}" for p in (run / "vocabulary").iterdir()}
    assert members == {"config.json", "best.th"} | vocabulary
    assert create_archive(run, tmp_path / "ner.tar.gz", "ner").name == "best_ner.th"
    assert "best_ner.th" in _members(tmp_path / "ner.tar.gz")
    with extracted_archive(tmp_path / "ner.tar.gz") as directory:
        assert (directory / "best_ner.th").read_bytes() == (run / "best_ner.th").read_bytes()
        assert json.loads((directory / "config.json").read_text()) == json.loads(
            (run / "config.json").read_text())
    assert not directory.exists()  # removed after use
    assert not (tmp_path / "m.tar.gz.partial").exists()


def _tar(path, files):
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def test_members_escaping_the_directory_are_refused(tmp_path):
    _tar(tmp_path / "evil.tar.gz", {"../outside.txt": b"x", "config.json": b"{}"})
    with pytest.raises(ConfigurationError, match="cannot extract the archive"):
        with extracted_archive(tmp_path / "evil.tar.gz"):
            pass
    assert not (tmp_path / "outside.txt").exists()


def test_not_an_archive_and_an_incomplete_archive(tmp_path):
    (tmp_path / "plain.txt").write_text("hello")
    with pytest.raises(ConfigurationError, match="is not a model archive"):
        with extracted_archive(tmp_path / "plain.txt"):
            pass
    _tar(tmp_path / "partial.tar.gz", {"config.json": b"{}"})
    with pytest.raises(ConfigurationError, match="vocabulary/non_padded_namespaces.txt is missing"):
        with extracted_archive(tmp_path / "partial.tar.gz"):
            pass
    with pytest.raises(ConfigurationError, match="config.json is missing"):
        check_run_directory(tmp_path)
