"""Files only the CRM's own user may read, written so a reader never sees half of one."""
import os
import secrets
from pathlib import Path


def fsync_folder(folder: Path | str):
    """Make a rename in `folder` survive a power cut (the file's own data is synced first)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_owner_only(path: Path | str, data: bytes | str):
    """Write `data` to `path` owner-only (0600) and atomically: a temp file beside it, synced,
    then renamed over it, and the rename synced. The folder must exist."""
    path = Path(path)
    payload = data.encode() if isinstance(data, str) else data
    # a name of its own per writer: two writers of one file never share a temp file
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)  # whatever the umask was
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)
