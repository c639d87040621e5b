#!/bin/sh
# Regenerates the binary fixtures of examples/s3 (committed, so the demo needs no tools):
#   demo-bucket/nested/cleanup.sh.gz   a gzip-compressed script (gzip -n: no name, no time)
# Usage: examples/s3/make_fixtures.sh [OUTPUT_DIR]   (default: the directory of this script)
set -eu
out=${1:-$(dirname "$0")}
mkdir -p "$out/demo-bucket/nested"
cat <<'SCRIPT' | gzip -9n > "$out/demo-bucket/nested/cleanup.sh.gz"
#!/bin/sh
# nested/cleanup.sh.gz: stored gzip-compressed in S3; s3-user-script gunzips it.
set -eu
echo "cleanup.sh: would run: apt-get clean"
echo "cleanup.sh (was gzip'd)" >> "$S3US_STATE_DIR/demo/trail.log"
SCRIPT
