#!/bin/sh
# nested/tail.sh: runs last.
echo "tail.sh" >> "$S3US_STATE_DIR/demo/trail.log"
