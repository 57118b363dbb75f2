"""The embedding file check fails early, naming the missing file and how to get it."""

import pytest
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError

from hmtl.modules.embedding_files import check_embedding_files
from hmtl.testing.embedding_files import glove_vectors, write_bert, write_elmo, write_glove


def model_config(glove: str, options: str, weights: str) -> dict:
    return {
        "type": "ner",
        "text_field_embedder": {
            "token_embedders": {
                "tokens": {"type": "embedding", "pretrained_file": glove, "embedding_dim": 3},
                "elmo": {
                    "type": "elmo_token_embedder",
                    "options_file": options,
                    "weight_file": weights,
                },
            }
        },
    }


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, str]:
    directory = tmp_path_factory.mktemp("files")
    glove = write_glove(directory / "glove.txt", glove_vectors(["a"], 3))
    options, weights = write_elmo(directory / "elmo")
    write_glove(directory / "glove.zip", glove_vectors(["a"], 3), "zip")
    return {
        "dir": str(directory),
        "glove": str(glove),
        "options": str(options),
        "weights": str(weights),
    }


def test_existing_files_pass_as_dict_or_params(files):
    config = model_config(files["glove"], files["options"], files["weights"])
    check_embedding_files(config)
    check_embedding_files(Params(config))


def test_relative_paths_are_taken_from_the_base_directory(files):
    check_embedding_files(
        model_config("glove.txt", "elmo/elmo_options.json", "elmo/elmo_weights.hdf5"),
        base_dir=files["dir"],
    )
    with pytest.raises(ConfigurationError, match="glove.txt does not exist"):
        check_embedding_files(
            model_config("glove.txt", files["options"], files["weights"]), base_dir="/nonexistent"
        )


@pytest.mark.parametrize("which", ["glove", "options", "weights"])
def test_a_missing_file_is_named_with_the_setup_script(files, which):
    paths = {k: files[k] for k in ("glove", "options", "weights")}
    paths[which] = "./data/missing/" + which + ".file"
    with pytest.raises(ConfigurationError) as error:
        check_embedding_files(model_config(paths["glove"], paths["options"], paths["weights"]))
    message = str(error.value)
    assert f"./data/missing/{which}.file does not exist" in message
    assert "script/data_setup.sh" in message
    key = {"glove": "pretrained_file", "options": "options_file", "weights": "weight_file"}
    assert key[which] in message


def test_archive_member_syntax_checks_the_archive(files):
    member = f"({files['dir']}/glove.zip)#glove.txt"
    check_embedding_files(model_config(member, files["options"], files["weights"]))
    with pytest.raises(ConfigurationError, match="missing.zip"):
        check_embedding_files(
            model_config("(missing.zip)#glove.txt", files["options"], files["weights"])
        )


def test_urls_and_download_defaults_are_refused(files):
    with pytest.raises(ConfigurationError, match="URL .* nothing can be downloaded"):
        check_embedding_files(
            model_config("https://example.org/glove.txt", files["options"], files["weights"])
        )
    config = model_config(files["glove"], files["options"], files["weights"])
    del config["text_field_embedder"]["token_embedders"]["elmo"]["weight_file"]
    with pytest.raises(ConfigurationError, match="needs a local weight_file"):
        check_embedding_files(config)


def test_transformer_model_name_must_be_a_local_model_directory(tmp_path):
    def config(name: str) -> dict:
        return {
            "text_field_embedder": {
                "token_embedders": {
                    "tokens": {"type": "pretrained_transformer_mismatched", "model_name": name}
                }
            }
        }

    with pytest.raises(ConfigurationError, match="'bert-base-cased' is not a local transformer"):
        check_embedding_files(config("bert-base-cased"))
    check_embedding_files(config(str(write_bert(tmp_path / "bert", ["word"]))))
