"""A tiny stand-in for the hierarchical model, and a run directory holding it, for the tests.

It has what the probe relies on: ``layer_outputs(text)`` returning the layers bottom to top
(embedder, then two stacked encoders with a shortcut connection) and the mask; a dropout, so that
the tests can see the probe switch it off; and a loss, so that it can be trained for a few steps.
"""

# No `from __future__ import annotations`: AllenNLP reads the constructor annotations.

import json
from pathlib import Path

import torch
from allennlp.common import Params
from allennlp.data import Instance, Token, Vocabulary
from allennlp.data.batch import Batch
from allennlp.data.fields import LabelField, TextField
from allennlp.data.token_indexers import SingleIdTokenIndexer
from allennlp.models import Model
from allennlp.models.model import remove_weights_related_keys_from_params
from allennlp.modules import TextFieldEmbedder
from allennlp.modules.seq2seq_encoders import LstmSeq2SeqEncoder
from allennlp.nn import util

WORDS = ["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta"]


@Model.register("probing_tiny", exist_ok=True)
class TinyHierarchy(Model):
    def __init__(self, vocab: Vocabulary, text_field_embedder: TextFieldEmbedder,
                 hidden_dim: int = 3) -> None:
        super().__init__(vocab)
        self.text_field_embedder = text_field_embedder
        base = text_field_embedder.get_output_dim()
        self.encoder_ner = LstmSeq2SeqEncoder(base, hidden_dim, bidirectional=True)
        self.encoder_emd = LstmSeq2SeqEncoder(base + 2 * hidden_dim, hidden_dim, bidirectional=True)
        self.dropout = torch.nn.Dropout(0.5)
        self.output = torch.nn.Linear(2 * hidden_dim, 2)
        self.calls: list[tuple[bool, bool]] = []  # (training, grad enabled) at each call

    def layer_outputs(self, text):
        self.calls.append((self.training, torch.is_grad_enabled()))
        mask = util.get_text_field_mask(text)
        base = self.dropout(self.text_field_embedder(text))
        ner = self.encoder_ner(base, mask)
        emd = self.encoder_emd(torch.cat([base, ner], dim=-1), mask)
        return {"text_field_embedder": base, "encoder_ner": ner, "encoder_emd": emd}, mask

    def forward(self, tokens, label=None):
        outputs, mask = self.layer_outputs(tokens)
        logits = self.output(util.masked_mean(outputs["encoder_emd"], mask.unsqueeze(-1), 1))
        result = {"logits": logits}
        if label is not None:
            result["loss"] = torch.nn.functional.cross_entropy(logits, label)
        return result


def tiny_config(task: str = "ner", pretrained_file: str | None = None) -> dict:
    embedding = {"type": "embedding", "embedding_dim": 4, "vocab_namespace": "tokens"}
    if pretrained_file is not None:
        embedding["pretrained_file"] = pretrained_file
    return {
        f"task_{task}": {
            "task_description": {"task_name": task},
            "data_params": {
                "dataset_reader": {
                    "type": "whatever_reader",
                    "token_indexers": {"tokens": {"type": "single_id", "lowercase_tokens": True}},
                }
            },
        },
        "model": {
            "type": "probing_tiny",
            "text_field_embedder": {"token_embedders": {"tokens": embedding}},
            "hidden_dim": 3,
        },
    }


def build_tiny(config: dict) -> tuple[TinyHierarchy, Vocabulary]:
    """The model of ``config`` (built without any pretrained file) over the words of WORDS."""
    characters = sorted({c for word in WORDS for c in word})
    vocab = Vocabulary(tokens_to_add={"tokens": WORDS, "token_characters": characters})
    params = Params(json.loads(json.dumps(config["model"])))
    remove_weights_related_keys_from_params(params)
    return Model.from_params(vocab=vocab, params=params), vocab


def train_a_few_steps(model: TinyHierarchy, vocab: Vocabulary, steps: int = 5) -> list[float]:
    """Teach it whether 'alpha' is in a sentence: a few Adam steps, losses returned."""
    indexers = {"tokens": SingleIdTokenIndexer(lowercase_tokens=True)}
    sentences = [["alpha", "beta"], ["gamma", "delta", "eps"], ["zeta", "alpha"], ["eta"]]
    instances = [
        Instance({
            "tokens": TextField([Token(w) for w in words], indexers),
            "label": LabelField(int("alpha" in words), skip_indexing=True),
        })
        for words in sentences
    ]
    batch = Batch(instances)
    batch.index_instances(vocab)
    tensors = batch.as_tensor_dict()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    model.train()
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = model(**tensors)["loss"]
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def write_run_dir(path: Path, task: str = "ner", train_steps: int = 5,
                  pretrained_file: str | None = None, config: dict | None = None) -> TinyHierarchy:
    """A run directory as ``hmtl train`` writes it: config.json, vocabulary/, best_<task>.th."""
    torch.manual_seed(0)
    config = config or tiny_config(task, pretrained_file)
    model, vocab = build_tiny(config)
    if train_steps:
        train_a_few_steps(model, vocab, train_steps)
    path.mkdir(parents=True, exist_ok=True)
    (path / "config.json").write_text(json.dumps(config, indent=2))
    vocab.save_to_files(str(path / "vocabulary"))
    torch.save(model.state_dict(), path / f"best_{task}.th")
    return model
