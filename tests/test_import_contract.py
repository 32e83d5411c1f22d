"""The core is reachable without the UI: importing any brokering module never loads
streamlit (harlequin's import contract)."""

import pkgutil
import subprocess
import sys

import brokering


def _modules() -> list[str]:
    names = ["brokering"]
    for info in pkgutil.walk_packages(brokering.__path__, "brokering."):
        if info.name != "brokering.__main__":
            names.append(info.name)
    return names


def test_every_brokering_module_imports_without_streamlit() -> None:
    code = (
        "import importlib, sys\n"
        f"for m in {_modules()!r}:\n"
        "    importlib.import_module(m)\n"
        "assert 'streamlit' not in sys.modules, 'streamlit was imported'\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_module_list_is_not_empty() -> None:
    assert "brokering.importing.validate" in _modules()
