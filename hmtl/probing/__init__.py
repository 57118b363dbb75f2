"""Probing: how much each layer of a trained model encodes about a sentence (SentEval's tasks).

The paper's second claim is that layers higher in the hierarchy encode richer semantics; this
package measures it with the ten probing tasks of Conneau et al. (2018), through SentEval when it
is installed and through a built-in prober following the same protocol otherwise.
"""
