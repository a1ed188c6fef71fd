"""The plugin boundaries of .importlinter, checked by import-linter on every run."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(cwd, env=None):
    """`lint-imports` as the venv installs it; (exit code, its report)."""
    result = subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", ".importlinter"],
                            cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout + result.stderr


def test_the_import_contracts_are_kept():
    code, report = lint_imports(ROOT)
    assert code == 0, report
    assert "0 broken" in report


def python_only(folder, names):
    return [n for n in names if not (Path(folder, n).is_dir() or n.endswith(".py"))
            or n in ("__pycache__", "node_modules")]


def test_a_wrong_import_breaks_the_contracts(tmp_path):
    # a copy of the code, so the scratch modules never touch the work tree
    for package in ("core", "plugins"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=python_only)
    shutil.copy(ROOT / ".importlinter", tmp_path)
    (tmp_path / "core" / "scratch.py").write_text("import plugins.fundraising\n")
    (tmp_path / "plugins" / "gmail" / "scratch.py").write_text(
        "from plugins.smtp import plugin\nfrom plugins.fundraising import records\n")
    (tmp_path / "plugins" / "digest" / "scratch.py").write_text("import plugins.spark.plugin\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    code, report = lint_imports(tmp_path, env)
    assert code != 0, report
    for contract in ("The core imports no plugin",
                     "A plugin imports another plugin only through its public modules",
                     "Gmail and Spark never import SMTP",
                     "The digest imports none of SMTP, Spark, Gmail"):
        assert f"{contract} BROKEN" in report, report
    assert "plugins.gmail.scratch -> plugins.fundraising.records" in report
