"""The README's examples, run against the live server in VOLTASIS_BASE_URL: every ```python block,
in order, in one namespace, with VOLTASIS_API_KEY set to a new organization's admin key (the
convention is written at the top of the README)."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import unittest
from pathlib import Path
from typing import Any, Dict, List
from unittest import mock

from .live import BASE_URL, SERVER_NEEDED, new_organization_key

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks(text: str) -> List[str]:
    return re.findall(r"^```python\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)


@unittest.skipUnless(BASE_URL, SERVER_NEEDED)
class ReadmeTest(unittest.TestCase):
    def test_every_python_block_runs(self) -> None:
        blocks = python_blocks(README.read_text(encoding="utf-8"))
        self.assertGreaterEqual(len(blocks), 15, "the README's examples were not found")
        env = {"VOLTASIS_API_KEY": new_organization_key("readme")["secret"], "VOLTASIS_BASE_URL": str(BASE_URL)}
        namespace: Dict[str, Any] = {"__name__": "__readme__"}
        output = io.StringIO()
        with mock.patch.dict(os.environ, env), contextlib.redirect_stdout(output), kept_logging():
            for number, block in enumerate(blocks, 1):
                try:
                    exec(compile(block, f"README.md python block {number}", "exec"), namespace)
                except Exception as error:  # later blocks build on this one: stop here
                    first_line = block.strip().splitlines()[0]
                    self.fail(f"README python block {number} ({first_line}) raised {error!r}")
        printed = output.getvalue()
        for expected in (
            "Signed in as Ada Lovelace in Analytical Engines",
            "10.0 hours on the project",
            "404 NOT_FOUND No project with id prj_01JD6V7W9Q3E4R5T6Y7Z8H9K0P req_",
            "title is invalid",
            "tag.created billable-later",
        ):
            self.assertIn(expected, printed)


@contextlib.contextmanager
def kept_logging():
    """The README configures logging as an application would; the test run keeps its own."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), logging.getLogger("voltasis").level
    try:
        yield
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        logging.getLogger("voltasis").setLevel(level)
