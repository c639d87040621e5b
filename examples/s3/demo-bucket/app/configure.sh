#!/bin/sh
# app/configure.sh: writes the application's config file (under the state directory).
set -eu
mkdir -p "$S3US_STATE_DIR/demo"
cat > "$S3US_STATE_DIR/demo/app.env" <<CONF
APP_PORT=8080
APP_INSTANCE=$S3US_INSTANCE_ID
CONF
echo "configure.sh wrote app.env" >> "$S3US_STATE_DIR/demo/trail.log"
