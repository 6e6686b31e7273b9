"""What every surface shares, without gradio, FastAPI or argparse: the server's settings
(``config``), the model catalog and pool, the limits, uploads and links, the operations
(``workbench``), output formatting, and ``errors`` — the one table of what each error means.
"""

from .config import PAGE_MAX_CHARS, AppConfig, load_api_keys
from .errors import AccessDenied, InputTooLarge, Outcome, RateLimited, UsageError, describe
from .uploads import read_text_file
from .workbench import Workbench

__all__ = [
    "PAGE_MAX_CHARS",
    "AccessDenied",
    "AppConfig",
    "InputTooLarge",
    "Outcome",
    "RateLimited",
    "UsageError",
    "Workbench",
    "describe",
    "load_api_keys",
    "read_text_file",
]
