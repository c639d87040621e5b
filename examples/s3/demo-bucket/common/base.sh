#!/bin/sh
# common/base.sh: what every instance runs first. A real one would install packages;
# the demo only says so and keeps its files under the run's state directory.
set -eu
echo "base: would run: apt-get install -y nginx jq"
mkdir -p "$S3US_STATE_DIR/demo"
echo "base.sh (part $S3US_PART_INDEX of $S3US_PART_COUNT) on $S3US_INSTANCE_ID in $S3US_REGION" \
  >> "$S3US_STATE_DIR/demo/trail.log"
