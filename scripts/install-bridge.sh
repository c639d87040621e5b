#!/bin/sh
# Installs the s3-user-script cloud-init bridge system-wide: copies the part-handler module to
# <cloud_dir>/handlers/s3_user_script.py, where cloud-init loads it on every user-data run (no
# change to user data needed). Idempotent: an identical installed copy is left alone.
set -eu

usage() {
  cat <<'EOF'
usage: install-bridge.sh [--cloud-dir DIR] [--source FILE]
  --cloud-dir DIR  cloud-init's cloud_dir (default /var/lib/cloud);
                   installs DIR/handlers/s3_user_script.py
  --source FILE    the module to install (default: ../handlers/cloudinit/s3_user_script.py
                   from this script, else /usr/share/s3-user-script/cloudinit/)
EOF
}

here=$(cd "$(dirname "$0")" && pwd)
cloud_dir=/var/lib/cloud
source_file=$here/../handlers/cloudinit/s3_user_script.py
for candidate in "$source_file" /usr/share/s3-user-script/cloudinit/s3_user_script.py; do
  if [ -f "$candidate" ]; then
    source_file=$candidate
    break
  fi
done

while [ $# -gt 0 ]; do
  case $1 in
    --cloud-dir) [ $# -ge 2 ] || { usage >&2; exit 2; }; cloud_dir=$2; shift 2 ;;
    --cloud-dir=*) cloud_dir=${1#*=}; shift ;;
    --source) [ $# -ge 2 ] || { usage >&2; exit 2; }; source_file=$2; shift 2 ;;
    --source=*) source_file=${1#*=}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install-bridge.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

if [ ! -f "$source_file" ]; then
  echo "install-bridge.sh: module not found: $source_file" >&2
  exit 1
fi
case $cloud_dir in
  /*) ;;
  *) echo "install-bridge.sh: --cloud-dir must be an absolute path" >&2; exit 2 ;;
esac

handlers_dir=$cloud_dir/handlers
target=$handlers_dir/s3_user_script.py
# The Debian package installs the handler as a link to its own copy: nothing to do there.
packaged=/usr/share/s3-user-script/cloudinit/s3_user_script.py
if [ -L "$target" ] && [ "$(readlink "$target")" = "$packaged" ] && [ -f "$packaged" ]; then
  echo "install-bridge.sh: $target is installed by the s3-user-script package"
  exit 0
fi
mkdir -p "$handlers_dir"

if [ -f "$target" ] && cmp -s "$source_file" "$target"; then
  chmod 0644 "$target"
  echo "install-bridge.sh: $target is up to date"
  exit 0
fi

tmp=$(mktemp "$handlers_dir/.s3_user_script.XXXXXX")
trap 'rm -f "$tmp"' EXIT
cp "$source_file" "$tmp"
chmod 0644 "$tmp"
mv -f "$tmp" "$target"
trap - EXIT
# A stale bytecode cache would be rebuilt anyway (mtime check); drop it for clarity.
rm -f "$handlers_dir"/__pycache__/s3_user_script.*.pyc
echo "install-bridge.sh: installed $target"
