#!/bin/sh
# common/motd.sh: writes a message of the day (into the state directory, not /etc).
set -eu
mkdir -p "$S3US_STATE_DIR/demo"
printf 'Welcome to %s, fetched from %s\n' "$S3US_INSTANCE_ID" "$S3US_PART_SOURCE" \
  > "$S3US_STATE_DIR/demo/motd"
echo "motd.sh wrote motd" >> "$S3US_STATE_DIR/demo/trail.log"
