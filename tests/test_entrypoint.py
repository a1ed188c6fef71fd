"""docker_entrypoint.sh: secret files become SMTP_* and SPARK_*, the operator's environment
wins, and no secret reaches a command line.

The script runs under `sh` with PATH holding only a stub `crm` and recording wrappers of
common tools (cat, env, tr, ...): a wrapper logs its argv, which is its /proc/<pid>/cmdline,
then runs the real tool; any other program would not be found and the run would fail. So
every process the script starts is seen. The stub reports its argv, its environment and the
command lines of itself and its parent.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ENTRYPOINT = Path(__file__).resolve().parents[1] / "docker_entrypoint.sh"
SH = shutil.which("sh")
PASSWORD = "pa ss'w\"rd $HOME `id` \\n -e *"
API_KEY = "sk-spark key $PATH"

STUB = """#!{python}
import json
import os
import sys
from pathlib import Path


def cmdline(pid):
    return Path(f"/proc/{{pid}}/cmdline").read_bytes().decode(errors="replace").split("\\0")


env = {{k: v for k, v in os.environ.items() if k.startswith(("SMTP_", "SPARK_"))}}
password = env.pop("SMTP_PASSWORD", None)
if password is not None:
    Path(os.environ["STUB_PASSWORD_FILE"]).write_text(password)
print(json.dumps({{
    "argv": sys.argv[1:],
    "env": env,
    "password_set": password is not None,
    "password_length": len(password or ""),
    "ppid": os.getppid(),
    "umask": os.umask(0o022),
    "cmdlines": [cmdline("self"), cmdline(os.getppid())],
}}))
"""


WRAPPER = """#!{sh}
printf '%s\\n' "$0 $*" >>"$SPY_LOG"
exec {real} "$@"
"""
WRAPPED_TOOLS = ("cat", "env", "printenv", "tr", "sed", "awk", "head", "tail", "cut", "xargs",
                 "sh")


@pytest.fixture
def run_entrypoint(tmp_path):
    """Run the script with CRM_SECRETS_DIR=tmp_path/secrets; returns (report, password).

    The report gains `spied`: the command lines of the wrapped tools the script ran.
    """
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stub = bin_dir / "crm"
    stub.write_text(STUB.format(python=sys.executable))
    stub.chmod(0o755)
    for tool in WRAPPED_TOOLS:
        if real := shutil.which(tool):
            (bin_dir / tool).write_text(WRAPPER.format(sh=SH, real=real))
            (bin_dir / tool).chmod(0o755)
    password_file = tmp_path / "password-seen-by-crm"
    spy_log = tmp_path / "spied-command-lines"

    def run(*args, **operator_env):
        env = {"PATH": str(bin_dir), "CRM_SECRETS_DIR": str(tmp_path / "secrets"),
               "STUB_PASSWORD_FILE": str(password_file), "SPY_LOG": str(spy_log),
               **operator_env}
        result = subprocess.run([SH, str(ENTRYPOINT), *args], env=env, capture_output=True,
                                text=True, timeout=10)
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        report["spied"] = spy_log.read_text().splitlines() if spy_log.exists() else []
        password = password_file.read_text() if password_file.exists() else None
        return report, password

    return run


def write_files(folder: Path, values: dict):
    folder.mkdir(parents=True, exist_ok=True)
    for name, value in values.items():
        (folder / name).write_text(value)
        (folder / name).chmod(0o600)


SMTP_FILES = {"host": "smtp.example.org\n", "port": "465", "from": "CRM <crm@example.org>",
              "username": "crm@example.org", "password": PASSWORD, "security": "tls\n"}


def assert_no_secret_on_command_lines(report, *secrets):
    for secret in secrets:
        assert not any(secret in arg for arg in report["argv"])
        for line in report["cmdlines"]:
            assert not any(secret in arg for arg in line), line
        for line in report["spied"]:
            assert secret not in line, line


def test_secret_files_become_variables(tmp_path, run_entrypoint):
    write_files(tmp_path / "secrets" / "smtp", SMTP_FILES)
    write_files(tmp_path / "secrets" / "spark", {"base_url": "http://spark.local:8000/v1",
                                                 "model": "llama-3.1-8b", "api_key": API_KEY})

    report, password = run_entrypoint("--no-scheduler")

    assert report["argv"] == ["serve", "--no-scheduler"]
    assert report["env"] == {
        "SMTP_HOST": "smtp.example.org", "SMTP_PORT": "465", "SMTP_FROM": "CRM <crm@example.org>",
        "SMTP_USERNAME": "crm@example.org", "SMTP_SECURITY": "tls",
        "SPARK_BASE_URL": "http://spark.local:8000/v1", "SPARK_MODEL": "llama-3.1-8b",
        "SPARK_API_KEY": API_KEY,
    }
    assert report["password_set"] and report["password_length"] == len(PASSWORD)
    assert password == PASSWORD
    # `exec`: the shell the test started became crm; no wrapper process sits between them.
    assert report["ppid"] == os.getpid()
    assert_no_secret_on_command_lines(report, PASSWORD, API_KEY)


def test_operator_environment_wins_over_files(tmp_path, run_entrypoint):
    write_files(tmp_path / "secrets" / "smtp", SMTP_FILES)

    report, password = run_entrypoint(SMTP_HOST="relay.internal", SMTP_PASSWORD="from-operator")

    assert report["env"]["SMTP_HOST"] == "relay.internal"
    assert report["env"]["SMTP_PORT"] == "465"
    assert password == "from-operator"
    assert_no_secret_on_command_lines(report, PASSWORD, "from-operator")


def test_missing_or_empty_files_leave_variables_unset(tmp_path, run_entrypoint):
    write_files(tmp_path / "secrets" / "smtp", {"host": "smtp.example.org", "port": ""})

    report, password = run_entrypoint()

    assert report["env"] == {"SMTP_HOST": "smtp.example.org"}
    assert not report["password_set"] and password is None


def test_an_empty_operator_variable_counts_as_unset(tmp_path, run_entrypoint):
    write_files(tmp_path / "secrets" / "smtp", {"port": "2525"})

    report, _ = run_entrypoint(SMTP_PORT="")

    assert report["env"] == {"SMTP_PORT": "2525"}


def test_no_secrets_folder_still_starts_the_server(run_entrypoint):
    report, password = run_entrypoint()

    assert report["argv"] == ["serve"]
    assert report["env"] == {} and password is None


def test_crm_starts_with_an_owner_only_umask(run_entrypoint):
    """The database, its WAL and SHM and the backups are created 0600 by the image."""
    report, _ = run_entrypoint()
    assert report["umask"] == 0o077
