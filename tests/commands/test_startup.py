"""Start-up: ``hmtl --help``, every ``hmtl COMMAND --help`` and ``hmtl score-coref`` import
neither torch nor AllenNLP (nor the other heavy libraries), so they start at once; the commands
that build components still register them. Checked on ``sys.modules`` in a fresh interpreter
rather than by timing (``bench/startup_speed.py`` measures the times)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hmtl.commands.main import build_parser

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "metrics"
HEAVY = ("torch", "allennlp", "transformers", "spacy", "numpy", "scipy", "sklearn",
         "matplotlib", "tensorboardX", "fairscale")

# runs the command in-process, then prints the heavy modules that were imported
PROBE = """
import json, sys
from hmtl.commands.main import main
try:
    code = main(json.loads(sys.argv[1]))
except SystemExit as stop:
    code = stop.code
print(json.dumps({"code": code, "heavy": sorted(
    name for name in json.loads(sys.argv[2]) if name in sys.modules)}))
"""


def run_command(argv: list[str]) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv), json.dumps(HEAVY)],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    outcome["stderr"] = result.stderr
    return outcome


def subcommands() -> list[str]:
    parser = build_parser()
    return sorted(next(a for a in parser._actions if a.dest == "command").choices)


def test_importing_hmtl_imports_nothing_heavy():
    code = ("import json, sys, hmtl; "
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300, check=True)
    assert json.loads(result.stdout) == []


def test_hmtl_help_imports_nothing_heavy():
    result = run_command(["--help"])
    assert (result["code"], result["heavy"]) == (0, [])


@pytest.mark.parametrize("command", subcommands())
def test_every_command_help_imports_nothing_heavy(command):
    result = run_command([command, "--help"])
    assert (result["code"], result["heavy"]) == (0, [])


def test_score_coref_is_pure_python():
    key, response = FIXTURES / "two_documents.key", FIXTURES / "two_documents.response"
    result = run_command(["score-coref", str(key), str(response), "--json"])
    assert (result["code"], result["heavy"]) == (0, [])


def test_there_are_commands_to_check():
    assert {"train", "score-coref", "probe", "predict", "demo"} <= set(subcommands())


def test_constants_spelt_out_for_a_quick_help_equal_their_sources():
    from hmtl.commands import archive, prepare_ace2005, probe, train
    from hmtl.data.ace2005 import convert
    from hmtl.experiment import weights
    from hmtl.probing import encoder, prober
    from hmtl.training import distributed

    assert train.DISTRIBUTED_BACKENDS == distributed.BACKENDS
    assert archive.BEST == weights.BEST
    assert prepare_ace2005.ORIGINAL_SINGLE_FILE == convert.ORIGINAL_SINGLE_FILE
    assert probe.POOLINGS == encoder.POOLINGS
    assert probe.SENTEVAL_SEED == prober.SENTEVAL_SEED


def test_register_components_registers_every_original_name():
    import hmtl

    hmtl.register_components()
    from allennlp.data import DatasetReader
    from allennlp.models import Model
    from allennlp.training.learning_rate_schedulers import LearningRateScheduler
    from allennlp.training.metrics import Metric

    from hmtl.modules.heads.head import Head

    assert {"ner_ontonotes", "ner_conll2003", "coref", "mention_ace", "relation_ace",
            "coref_ace"} <= set(DatasetReader.list_available())
    assert {"hierarchical", "ner", "relation", "coref_custom", "ner_emd", "emd_relation",
            "emd_coref", "ner_emd_relation", "ner_emd_coref", "hmtl"} <= set(
        Model.list_available())
    assert {"crf_tagger", "relation", "coreference"} <= set(Head.list_available())
    assert {"conll_coref_scores", "relation_f1", "distributed_span_f1",
            "distributed_categorical_accuracy"} <= set(Metric.list_available())
    assert "reduce_on_plateau" in LearningRateScheduler.list_available()


def test_a_building_command_registers_the_components_itself(tmp_path):
    """check-data in a fresh interpreter: its config names the project's readers and model."""
    config = ROOT / "configs" / "demo.json"
    missing = tmp_path / "missing"
    result = run_command(["check-data", str(config), "-o",
                          json.dumps({"task_ner.data_params.train_data_path": str(missing)})])
    # the data is not there, so it ends with an error about it, not about an unknown type
    assert result["code"] == 1 and "allennlp" in result["heavy"]
    assert str(missing) in result["stderr"] + result.get("stdout", "")
    assert "not a registered name" not in result["stderr"]
