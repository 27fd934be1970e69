"""The examples, run against the live server in VOLTASIS_BASE_URL: every ```python block of the
README, and of docs/sdks.md (whose other languages' blocks the other SDKs' suites run), in order,
in one namespace per file, with VOLTASIS_API_KEY set to a new organization's admin key (the
convention is written at the top of both files)."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import unittest
from pathlib import Path
from typing import Any, Dict, List, Sequence
from unittest import mock

from .live import BASE_URL, SERVER_NEEDED, new_organization_key

README = Path(__file__).resolve().parent.parent / "README.md"
DOCS = Path(__file__).resolve().parents[3] / "docs" / "sdks.md"


def python_blocks(text: str) -> List[str]:
    return re.findall(r"^```python\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)


@unittest.skipUnless(BASE_URL, SERVER_NEEDED)
class ReadmeTest(unittest.TestCase):
    def test_every_python_block_of_the_readme_runs(self) -> None:
        printed = self.run_blocks(README, minimum=15)
        for expected in (
            "Signed in as Ada Lovelace in Analytical Engines",
            "10.0 hours on the project",
            "404 NOT_FOUND No project with id prj_01JD6V7W9Q3E4R5T6Y7Z8H9K0P req_",
            "title is invalid",
            "tag.created billable-later",
            "project.created Streamed",
            "tag.created while-away",
        ):
            self.assertIn(expected, printed)

    def test_every_python_block_of_docs_sdks_md_runs(self) -> None:
        printed = self.run_blocks(DOCS, minimum=8)
        for expected in ("404 NOT_FOUND", "test True", "project.created", "tag.created"):
            self.assertIn(expected, printed)

    def run_blocks(self, path: Path, minimum: int) -> str:
        """Runs the file's blocks in order in one namespace; what they printed."""
        blocks: Sequence[str] = python_blocks(path.read_text(encoding="utf-8"))
        self.assertGreaterEqual(len(blocks), minimum, f"the examples of {path.name} were not found")
        env = {"VOLTASIS_API_KEY": new_organization_key("examples")["secret"], "VOLTASIS_BASE_URL": str(BASE_URL)}
        namespace: Dict[str, Any] = {"__name__": "__examples__"}
        output = io.StringIO()
        with mock.patch.dict(os.environ, env), contextlib.redirect_stdout(output), kept_logging():
            for number, block in enumerate(blocks, 1):
                try:
                    exec(compile(block, f"{path.name} python block {number}", "exec"), namespace)
                except Exception as error:  # later blocks build on this one: stop here
                    first_line = block.strip().splitlines()[0]
                    self.fail(f"{path.name} python block {number} ({first_line}) raised {error!r}")
        return output.getvalue()


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
