"""tarjama's interfaces: one service core (``ui.service``: no gradio, FastAPI or argparse)
under three thin front ends: the ``tarjama`` command (``ui.cli``), the Gradio page
(``ui.web``) and the HTTP API (``ui.http``).

Importing this package is light: it imports neither gradio nor a model.
"""
