"""The README's quick example runs and prints what the README says it prints."""

import contextlib
import io
import re

from tests.tfrun import REPO_ROOT


def _first_python_block(text: str) -> str:
    return re.search(r"```python\n(.*?)```", text, re.S).group(1)


def test_readme_quick_example_prints_what_it_claims():
    block = _first_python_block((REPO_ROOT / "README.md").read_text())
    claimed = [c.strip() for c in re.findall(r"#\s*(.+)$", block, re.M)]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, "README.md", "exec"), {})
    printed = " ".join(out.getvalue().split())
    assert printed == " ".join(" ".join(claimed).split())


def test_readme_test_command_is_what_ci_runs():
    readme = (REPO_ROOT / "README.md").read_text()
    assert "<!-- test-command -->" in readme and "<!-- /test-command -->" in readme
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert "test-command" in ci  # .ci/run extracts the command between these markers
