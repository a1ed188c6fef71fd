"""Request and response bodies of the backup routes, and the backup policy."""
import functools
import zoneinfo
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StrictBool, StrictInt

from core.openapi import Body
from plugins.backups.store import ID_REGEX

Kind = Literal["manual", "scheduled", "safety"]
BackupId = Annotated[str, Field(pattern=ID_REGEX, description="e.g. 20261126T113800Z-ab12cd")]
ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM")]


@functools.cache
def known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


def check_zone(name: str) -> str:
    # Membership, not ZoneInfo(name): a name never becomes a file path.
    if name not in known_zones():
        raise ValueError(f"unknown time zone '{name}' (use an IANA name like Europe/Paris)")
    return name


TimeZone = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(check_zone)]


def must_be_true(value: bool) -> bool:
    if value is not True:
        raise ValueError("must be true to restore")
    return value


class BackupPolicy(BaseModel):
    enabled: bool = True
    time: ClockTime = "02:00"
    timezone: TimeZone = "UTC"
    keep_last: int = Field(14, ge=1, le=1000, description="scheduled backups kept")


class BackupPolicyPatch(Body):
    """Omitted fields keep their value; null is refused."""

    enabled: StrictBool = None
    time: ClockTime = None
    timezone: TimeZone = None
    keep_last: StrictInt = Field(None, ge=1, le=1000)


class BackupCreate(Body):
    """Nothing to send: an empty body is fine."""


class Backup(BaseModel):
    id: str
    created_at: str
    created_by: int | None
    kind: Kind
    sha256: str
    size: int
    tables: dict[str, int] = Field(description="live rows per table at the snapshot")


class BackupList(BaseModel):
    backups: list[Backup]


class Verification(BaseModel):
    id: str
    ok: bool
    checksum_ok: bool
    integrity: str = Field(description="'ok' or what PRAGMA integrity_check found")
    sha256: str | None
    actual_sha256: str | None
    size: int | None
    actual_size: int | None


class RestorePreviewBody(Body):
    backup_id: BackupId


class RestoreBody(Body):
    backup_id: BackupId
    confirm: Annotated[StrictBool, AfterValidator(must_be_true)]


class TableCounts(BaseModel):
    added: int
    changed: int
    archived: int = Field(description="live rows a restore archives (tables with deleted_at)")
    removed: int = Field(0, description="rows a restore deletes (tables replaced wholesale: "
                                        "logs, list memberships, Gmail accounts)")
    unchanged: int


class RestorePreview(BaseModel):
    backup_id: str
    tables: dict[str, TableCounts]


class RestoreResult(RestorePreview):
    safety_backup_id: str


class DrillTable(BaseModel):
    backup: int | None = Field(description="live rows the backup noted when it was taken")
    restored: int | None = Field(description="live rows found in the restored scratch copy")
    live: int | None = Field(description="live rows in the database now, for comparison")


class Drill(BaseModel):
    id: int
    at: str
    backup_id: str
    ok: bool
    checksum_ok: bool
    integrity: str | None
    tables: dict[str, DrillTable]
    error: str | None
    seconds: float | None


class Offsite(BaseModel):
    configured: bool
    folder: str | None
    keep: int
    last_ok_at: str | None
    last_ok_backup_id: str | None
    last_error: str | None
    last_error_at: str | None


class DrillList(BaseModel):
    drills: list[Drill]
    offsite: Offsite
