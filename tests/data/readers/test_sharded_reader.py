"""Streaming and sharding: multi-process loading, worker slices, base-class arguments."""

import inspect

import pytest
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary
from allennlp.data.data_loaders import MultiProcessDataLoader
from allennlp.data.dataset_readers.dataset_reader import WorkerInfo

from hmtl.data.readers.coreference_ace import CoreferenceAceReader
from hmtl.data.readers.mention_ace import MentionAceReader
from tests.data.readers.conftest import ACE_COREF, ACE_TRAIN, words


def test_read_is_a_generator():
    assert inspect.isgenerator(MentionAceReader().read(ACE_TRAIN))


def test_multi_process_loader_with_one_worker_yields_every_instance():
    loader = MultiProcessDataLoader(MentionAceReader(), ACE_TRAIN, batch_size=3, num_workers=1)
    instances = list(loader.iter_instances())
    assert [words(i)[0] for i in instances] == ["The", "They", "Staff", "They"]
    loader.index_with(Vocabulary.from_instances(instances))
    batches = list(loader)
    assert [len(b["metadata"]) for b in batches] == [3, 1]
    # 4 sentences, the longest has 9 tokens
    assert batches[0]["tokens"]["tokens"]["tokens"].shape == (3, 9)


def test_workers_split_sentences_without_overlap():
    seen = []
    for worker in range(2):
        reader = MentionAceReader()
        reader._set_worker_info(WorkerInfo(num_workers=2, id=worker))
        seen.append([words(i)[0] for i in reader.read(ACE_TRAIN)])
    assert seen == [["The", "Staff"], ["They", "They"]]


def test_document_readers_shard_documents():
    reader = CoreferenceAceReader(max_span_width=2)
    reader._set_worker_info(WorkerInfo(num_workers=2, id=1))
    assert [words(i, "text")[0] for i in reader.read(ACE_COREF)] == ["Mary"]


def test_base_class_arguments():
    assert len(list(MentionAceReader(max_instances=3).read(ACE_TRAIN))) == 3
    MentionAceReader(manual_distributed_sharding=True, manual_multiprocess_sharding=True)
    with pytest.raises(ConfigurationError, match="manual_multiprocess_sharding must be true"):
        MentionAceReader(manual_multiprocess_sharding=False)
    with pytest.raises(ConfigurationError, match="unknown argument.*lazzy"):
        MentionAceReader(lazzy=True)


def test_the_original_lazy_flag_is_accepted_and_streams_anyway():
    # The original configs say "lazy": false; 2.x readers stream whatever it says.
    for lazy in (False, True):
        assert len(list(MentionAceReader(lazy=lazy, max_instances=2).read(ACE_TRAIN))) == 2
