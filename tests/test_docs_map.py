"""docs/architecture.md matches the tree: every module it should name is named, nothing named is gone.

The module map names the direct children of `streams/`, `streams/core/`, `streams/runtime/` and
`streams/runtime/agents/`, and the packages of `streams/stages/`; a new module there without a line
in the map fails here, and so does a line about a module that no longer exists.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
# Folders whose every module and subpackage the map lists, by the name it gives them.
LISTED = {
    "streams": "",
    "streams/core": "",
    "streams/runtime": "",
    "streams/runtime/agents": "agents/",
    "streams/stages": "",
}


def _module_map() -> str:
    text = DOC.read_text("utf-8")
    match = re.search(r"## The module map\s+```\n(.*?)```", text, re.S)
    assert match, "docs/architecture.md has no module map block"
    return match.group(1)


def _names(folder: Path, prefix: str) -> set[str]:
    names = {prefix + p.name for p in folder.glob("*.py") if p.name != "__init__.py"}
    names |= {
        prefix + p.name + "/"
        for p in folder.iterdir()
        if (p / "__init__.py").exists() and _relative(p) not in LISTED  # listed module by module
    }
    return names


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name


def _entries(block: str) -> set[str]:
    """Every `name.py` or `name/` the map's left column gives, split at commas."""
    found: set[str] = set()
    for line in block.splitlines():
        left = re.split(r"\s{2,}", line.strip(), maxsplit=1)[0]
        found |= {part.strip() for part in left.split(",") if part.strip()}
    return found


def test_every_module_is_on_the_map() -> None:
    entries = _entries(_module_map())
    missing = sorted(
        f"{folder}/{name.removeprefix(prefix)}"
        for folder, prefix in LISTED.items()
        for name in _names(ROOT / folder, prefix)
        if name not in entries and name.removeprefix(prefix) not in entries
    )
    assert not missing, f"modules missing from docs/architecture.md: {missing}"


def test_everything_on_the_map_exists() -> None:
    block = _module_map()
    stack: list[tuple[int, Path]] = []
    gone: list[str] = []
    for line in block.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        while stack and stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1] if stack else ROOT
        left = re.split(r"\s{2,}", line.strip(), maxsplit=1)[0]
        for entry in (part.strip() for part in left.split(",")):
            if not (entry.endswith(".py") or entry.endswith("/")):
                continue
            path = parent / entry.rstrip("/")
            if not path.exists():
                gone.append(str(path.relative_to(ROOT)))
            if entry.endswith("/"):
                stack.append((indent, path))
    assert not gone, f"docs/architecture.md names what the tree does not have: {gone}"


def test_the_map_reader_catches_a_module_left_out(tmp_path: Path) -> None:
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    (folder / "kept.py").write_text("")
    (folder / "new.py").write_text("")
    assert _names(folder, "") - _entries("kept.py       what it does\n") == {"new.py"}
