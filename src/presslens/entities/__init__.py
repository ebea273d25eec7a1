"""Named entities clustered within an article: one entity per referent, with a canonical name."""

from presslens.entities.cluster import EntityIndex, cluster_entities

__all__ = ["EntityIndex", "cluster_entities"]
