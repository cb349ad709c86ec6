"""Theme discovery (BERTopic on e5 embeddings, small-wave fallback, guided mode, draft codebook,
seed stability)."""

from .clustering import ClusterParams, warmup
from .core import DiscoveryResult, Topic, discover_themes, prepare
from .stability import Stability, compare_runs

__all__ = ["discover_themes", "DiscoveryResult", "Topic", "ClusterParams", "prepare", "warmup", "Stability",
           "compare_runs"]
