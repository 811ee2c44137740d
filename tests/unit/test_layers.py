"""The folders are the layers of the flow: imports point down only (the contracts in pyproject.toml)."""

from __future__ import annotations

import os
import subprocess
import sys

from ..conftest import ROOT


def test_imports_follow_the_layers():
    lint_imports = os.path.join(os.path.dirname(sys.executable), "lint-imports")
    result = subprocess.run([lint_imports], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


def test_no_module_is_over_400_lines():
    long = {
        str(path.relative_to(ROOT)): n
        for path in (ROOT / "qa").rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert not long, long
