#!/bin/sh
# releases/app-1.2.3.sh: a release script whose bytes the user data pins with sha256=.
set -eu
echo "app 1.2.3: would run: install -m 0755 app-1.2.3 /usr/local/bin/app"
mkdir -p "$S3US_STATE_DIR/demo"
echo "1.2.3" > "$S3US_STATE_DIR/demo/app-version"
echo "app-1.2.3.sh" >> "$S3US_STATE_DIR/demo/trail.log"
