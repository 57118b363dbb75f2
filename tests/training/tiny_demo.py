"""A tiny four-task configuration of the real HierarchicalModel over the demo corpus, shared by
the end-to-end and distributed training tests (dimensions small enough to train in seconds)."""

HIDDEN = 4
WORDS, FILTERS = 6, 3
EMBEDDING = WORDS + FILTERS  # word embedding + character CNN
UPPER = EMBEDDING + 2 * HIDDEN  # base embedding + the lower BiLSTM's output
# No min_padding_length: the trainer sets it to the widest filter (5) from the model config.
INDEXERS = {"tokens": {"type": "single_id", "lowercase_tokens": True},
            "token_characters": {"type": "characters"}}


def _lstm(input_size: int) -> dict:
    return {"type": "lstm", "input_size": input_size, "hidden_size": HIDDEN, "bidirectional": True}


def _task(name: str, reader: str, paths: dict, corpus: str, **options) -> dict:
    metric = "coref_f1" if reader == "coref" else "f1-measure-overall"
    return {
        "task_description": {
            "task_name": name,
            "validation_metric_name": metric,
            "validation_metric_decreases": False,
            "evaluate_on_test": True,
        },
        "data_params": {
            "dataset_reader": {"type": reader, "token_indexers": INDEXERS, **options},
            "train_data_path": str(paths[f"{corpus}_train"]),
            "validation_data_path": str(paths[f"{corpus}_dev"]),
            "test_data_path": str(paths[f"{corpus}_test"]),
            "datasets_for_vocab_creation": ["train"],
        },
    }


def _coref_head() -> dict:
    span = 2 * 2 * HIDDEN + 3 + UPPER  # both ends, width feature, attended encoder input
    return {
        "type": "coreference",
        "mention_feedforward": {"input_dim": span, "num_layers": 1, "hidden_dims": 5,
                                "activations": "relu"},
        "antecedent_feedforward": {"input_dim": 3 * span + 3, "num_layers": 1,
                                   "hidden_dims": 5, "activations": "relu"},
        "feature_size": 3,
        "max_span_width": 3,
        "spans_per_word": 0.4,
        "max_antecedents": 5,
    }


def demo_config(paths: dict) -> dict:
    """The config over the corpus files of ``write_demo_corpus`` (``paths``)."""
    crf = {"type": "crf_tagger", "label_encoding": "BIOUL"}
    return {
        "task_ner": _task("ner", "ner_ontonotes", paths, "conll2012"),
        "task_emd": _task("emd", "mention_ace", paths, "ace2005"),
        "task_relation": _task("relation", "relation_ace", paths, "ace2005"),
        "task_coref": _task("coref", "coref", paths, "conll2012_single_file", max_span_width=3),
        "model": {
            "type": "hierarchical",
            "text_field_embedder": {
                "token_embedders": {
                    "tokens": {"type": "embedding", "embedding_dim": WORDS},
                    "token_characters": {
                        "type": "character_encoding",
                        "embedding": {"embedding_dim": 2, "vocab_namespace": "token_characters"},
                        "encoder": {"type": "cnn", "embedding_dim": 2, "num_filters": FILTERS,
                                    "ngram_filter_sizes": [5]},
                    },
                }
            },
            "tasks": {
                "ner": {"encoder": _lstm(EMBEDDING),
                        "head": {**crf, "label_namespace": "ontonotes_ner_labels"}},
                "emd": {"encoder": _lstm(UPPER), "below": "ner",
                        "head": {**crf, "label_namespace": "ace_mention_labels"}},
                "relation": {"encoder": _lstm(UPPER), "below": "emd",
                             "head": {"type": "relation", "l": 5}},
                "coref": {"encoder": _lstm(UPPER), "below": "emd", "head": _coref_head()},
            },
        },
        "iterators": {
            "iterator": {"type": "basic", "batch_size": 16},
            "iterator_relation": {"type": "bucket", "batch_size": 8,
                                  "sorting_keys": [["text", "num_tokens"]]},
            "iterator_coref": {"type": "bucket", "batch_size": 1,
                               "sorting_keys": [["text", "num_tokens"]], "padding_noise": 0.0},
        },
        "multi_task_trainer": {
            "type": "sampler_multi_task_trainer",
            "sampling_method": "proportional",
            "num_epochs": 2,
            "patience": 10,
            "min_lr": "1e-7",
            "grad_norm": 5.0,
            "grad_clipping": 10.0,
            "sumarry_interval": 5,
            "optimizer": {"type": "adam", "lr": 0.01},
            "scheduler": {"type": "reduce_on_plateau", "mode": "min", "factor": 0.5,
                          "patience": 5, "verbose": True},
        },
    }
