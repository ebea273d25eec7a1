"""The weights of PressLens's accurate technique tagger, as package data: ``persuasion-accurate-v1.safetensors``,
``persuasion-accurate-v1-member2.safetensors`` and the sidecar ``persuasion-accurate-v1.json``, read by
``presslens.persuasion.accurate`` through ``importlib.resources``. See ``MODEL_CARD-accurate.md``."""

__version__ = "1.0.0"
