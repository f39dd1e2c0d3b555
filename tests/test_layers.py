"""Each stage imports only from the stages below it: corpus <- index <- assistant <- ui; evals on top."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ORDER = ("corpus", "index", "assistant", "ui", "evals")
# The command line is the entry point of every stage (`plans serve`, `plans eval`): it may reach up, because
# nothing imports it.
ENTRY = REPO / "assistant" / "cli.py"


def _imported_modules(path: Path) -> set[str]:
    """The modules a module imports, at its top or inside its functions."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        out |= set(names)
    return out


def _imported_stages(path: Path) -> set[str]:
    """The stages a module imports."""
    return {name.split(".")[0] for name in _imported_modules(path)} & set(ORDER)


def test_no_stage_imports_a_stage_above_it() -> None:
    wrong: list[str] = []
    for rank, stage in enumerate(ORDER):
        allowed = set(ORDER[:rank + 1])
        for path in sorted((REPO / stage).rglob("*.py")):
            if path == ENTRY:
                continue
            above = _imported_stages(path) - allowed
            if above:
                wrong.append(f"{path.relative_to(REPO)} imports {sorted(above)}")
    assert not wrong, "\n".join(wrong)


def test_nothing_imports_the_command_line() -> None:
    importers = [str(path.relative_to(REPO)) for stage in ORDER for path in sorted((REPO / stage).rglob("*.py"))
                 if "assistant.cli" in _imported_modules(path)]
    assert not importers


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f() -> None:\n    from assistant.settings import Settings\n", encoding="utf-8")
    assert _imported_stages(module) == {"assistant"}
