"""The Gradio page: layout (``app``), look (``theme``), streamed runs, rendering, downloads and
gradio's named endpoints. Importing the package is light; ``app`` imports gradio."""
