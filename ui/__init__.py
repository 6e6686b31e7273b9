"""tarjama's interfaces: the ``tarjama`` command (``ui.cli``) and the web UI (``ui.app``).

Importing this package is light: it imports neither gradio nor a model.
"""
