"""Theme discovery (BERTopic on e5 embeddings, small-wave fallback, guided mode, draft codebook)."""

from .clustering import ClusterParams, warmup
from .core import DiscoveryResult, Topic, discover_themes, prepare

__all__ = ["discover_themes", "DiscoveryResult", "Topic", "ClusterParams", "prepare", "warmup"]
