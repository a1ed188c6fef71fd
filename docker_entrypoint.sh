#!/bin/sh
# Start the CRM with the per-field secret files of $CRM_SECRETS_DIR (default /data/secrets)
# exported as SMTP_* and SPARK_*, then `exec crm serve "$@"`.
#
# - A variable the operator set (non-empty) wins over its file; an empty one counts as unset.
# - A missing or empty file leaves its variable unset.
# - Values go from file to variable with the `read` builtin and no process starts before
#   `crm`, so no value ever appears in a command line (/proc/<pid>/cmdline).
set -eu
# The database, its WAL and the backups are the fund's data: owner-only from creation.
umask 077

secrets_dir=${CRM_SECRETS_DIR:-/data/secrets}

# export_from_file FILE VAR: export VAR with the first line of FILE, unless VAR is set.
# VAR is always one of the literal names below, so building code from it with eval is safe.
export_from_file() {
    file=$1
    var=$2
    eval "current=\${$var:-}"
    if [ -n "$current" ] || [ ! -f "$file" ]; then
        return 0
    fi
    if [ ! -r "$file" ]; then
        echo "docker_entrypoint.sh: cannot read $file; $var stays unset" >&2
        return 0
    fi
    value=
    # read fails on a last line without a newline but still sets value.
    IFS= read -r value <"$file" || true
    if [ -n "$value" ]; then
        # Assign, then export: some shells field-split the arguments of `export`.
        eval "$var=\$value; export $var"
    fi
}

export_from_file "$secrets_dir/smtp/host" SMTP_HOST
export_from_file "$secrets_dir/smtp/port" SMTP_PORT
export_from_file "$secrets_dir/smtp/from" SMTP_FROM
export_from_file "$secrets_dir/smtp/username" SMTP_USERNAME
export_from_file "$secrets_dir/smtp/password" SMTP_PASSWORD
export_from_file "$secrets_dir/smtp/security" SMTP_SECURITY
export_from_file "$secrets_dir/spark/base_url" SPARK_BASE_URL
export_from_file "$secrets_dir/spark/model" SPARK_MODEL
export_from_file "$secrets_dir/spark/api_key" SPARK_API_KEY

exec crm serve "$@"
