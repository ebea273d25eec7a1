"""Resolving who a mention refers to: names, surnames, pronouns and role descriptions.

No coreference package works offline for English here (coreferee's model and the neural ones
download at run time), so these are PressLens's own rules; see :mod:`presslens.coref.rules`.
"""

from presslens.coref.rules import SpeakerResolver, mention_span

__all__ = ["SpeakerResolver", "mention_span"]
