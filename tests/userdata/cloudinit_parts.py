#!/usr/bin/python3
"""Print what cloud-init's UserDataProcessor makes of every user-data file in DIR.

Usage: /usr/bin/python3 cloudinit_parts.py DIR

Output: one JSON document {file: {"parts": [{content_type, filename, payload_b64,
launch_index}]} | {"error": "..."}}. Runs offline: include types are not fetched but
attached in place like any other part (INCLUDE_TYPES emptied), which is what our Parse()
returns for them. Writes nothing outside a temporary directory.
"""
import base64
import json
import os
import re
import sys
import tempfile

from cloudinit import helpers, user_data, util


def payload_bytes(part):
    payload = util.fully_decoded_payload(part)
    if payload is None:
        return b""
    if isinstance(payload, str):
        return payload.encode("utf-8", "surrogateescape")
    return payload


def launch_index(part):
    values = part.get_all("Launch-Index") or []
    if values and re.fullmatch(r"-?[0-9]+", str(values[-1])):
        return str(values[-1])
    return None


def parts_of(processor, blob):
    msg = processor.process(blob)
    out = []
    for part in msg.walk():
        if part.get_content_maintype() == "multipart":
            continue
        out.append({
            "content_type": part.get_content_type(),
            "filename": part.get_filename(),
            "payload_b64": base64.b64encode(payload_bytes(part)).decode("ascii"),
            "launch_index": launch_index(part),
        })
    return out


def main():
    directory = sys.argv[1]
    user_data.INCLUDE_TYPES = []
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        paths = helpers.Paths({"cloud_dir": tmp, "run_dir": os.path.join(tmp, "run")})
        processor = user_data.UserDataProcessor(paths)
        for name in sorted(os.listdir(directory)):
            path = os.path.join(directory, name)
            if not os.path.isfile(path) or name.startswith("."):
                continue
            with open(path, "rb") as f:
                blob = f.read()
            try:
                result[name] = {"parts": parts_of(processor, blob)}
            except Exception as e:  # cloud-init raises on bad user data
                result[name] = {"error": "%s: %s" % (type(e).__name__, e)}
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
