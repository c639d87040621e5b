#part-handler
# s3-user-script bridge for cloud-init (written against Debian 12's cloud-init 22.4.2).
#
# Makes cloud-init itself understand `#s3-include` parts: the s3-user-script binary fetches and
# verifies every object (`s3-user-script resolve -`), this module hands each resolved part to
# cloud-init's own registered handler for its content type, as if it had been in the user data.
# It never fetches, signs or verifies anything itself. See README.md beside this file.
#
# Two ways to load it, same file:
#   - system-wide: <cloud_dir>/handlers/s3_user_script.py (scripts/install-bridge.sh);
#   - inside user data as a `#part-handler` part (the first line above), placed BEFORE the
#     include parts: cloud-init only hands a part handler the parts that follow it.

import base64
import email
import email.policy
import inspect
import logging
import os
import shlex
import shutil
import subprocess

from cloudinit import handlers, helpers, util

LOG = logging.getLogger("cloudinit.handlers.s3_user_script")

# handle_part(data, ctype, filename, payload, frequency)
handler_version = 2
# Re-run on every boot, as cloud-init re-processes user data (and re-fetches #include URLs)
# on every boot: cloud-config.txt is rewritten each boot from the parts seen in that boot.
frequency = "always"

S3_INCLUDE_TYPE = "text/x-s3-include"
NOT_MULTIPART_TYPE = "text/x-not-multipart"
PLAIN_TYPE = "text/plain"
S3_INCLUDE_PREFIX = "#s3-include"

DEFAULT_BINARY = "/usr/bin/s3-user-script"
DEFAULT_TIMEOUT_SECONDS = 360  # the binary's own --deadline defaults to 300 s
FAILED_MARKER = "00-s3-user-script-failed"
MIN_INDEX_DIGITS = 3  # part-002.001-b.sh; wider only for an include of more than 999 parts
NAME_MAX = 255  # bytes of a file name: cloud-init writes each part under its name
MAX_ERROR_LINES = 20
MAX_ERROR_LINE_CHARS = 1000

# Per run of cloud-init's handlers (reset by __begin__): the failures seen so far (the marker
# script lists them all).
_failures = []


class S3IncludeError(Exception):
    """An #s3-include part could not be resolved; no part of it was handed to cloud-init."""


def list_types():
    # text/x-not-multipart: a raw (non-MIME) `#s3-include` user-data blob; text/plain: a MIME
    # text/plain part starting `#s3-include` (cloud-init re-types text/plain by its first line
    # only for the prefixes it knows). Both are handled only when the first line says so.
    return [S3_INCLUDE_TYPE, NOT_MULTIPART_TYPE, PLAIN_TYPE]


def handle_part(data, ctype, filename, payload, frequency):  # pylint: disable=W0621
    global _failures
    if ctype == handlers.CONTENT_START:
        _failures = []
        return
    if ctype in handlers.CONTENT_SIGNALS:
        return
    text = _as_text(payload)
    if ctype != S3_INCLUDE_TYPE and (text is None or not _starts_with_s3_include(text)):
        _unhandled_as_cloud_init_does(ctype, payload)
        return
    part_data = _find_walker_part_data(data)
    if text is None:
        _fail(data, part_data, filename, ["the part is not UTF-8 text"])
    document = text if _starts_with_s3_include(text) else S3_INCLUDE_PREFIX + "\n" + text
    resolved = _resolve(data, part_data, filename, document)
    _hand_over(data, part_data, filename, resolved)


def _as_text(payload):
    if isinstance(payload, str):
        return payload
    try:
        return bytes(payload or b"").decode("utf-8")
    except UnicodeDecodeError:
        return None


def _starts_with_s3_include(text):
    # cloud-init's type_from_starts_with rule: leading whitespace stripped, case-insensitive.
    return text.lstrip().lower().startswith(S3_INCLUDE_PREFIX)


def _unhandled_as_cloud_init_does(ctype, payload):
    # What handlers.walker_callback logs when no handler is registered for a type.
    log = getattr(handlers, "LOG", LOG)
    if not payload:
        log.debug("Empty payload of type %s", ctype)
        return
    start = handlers._extract_first_or_bytes(payload, 24)  # pylint: disable=W0212
    details = "'%s...'" % (handlers._escape_string(start))  # pylint: disable=W0212
    if ctype == NOT_MULTIPART_TYPE:
        log.warning("Unhandled non-multipart (%s) userdata: %s", ctype, details)
    else:
        log.warning("Unhandled unknown content-type (%s) userdata: %s", ctype, details)


# --- finding cloud-init's live handler registry ------------------------------------------
#
# cloud-init 22.4 keeps the registry (helpers.ContentHandlers) and the walker's state only in
# locals of Init._do_handlers (stages.py:557-673): `c_handlers`, and the `part_data` dict
# {"handlers", "handlerdir", "data", "frequency", "handlercount", "excluded"} that
# walk_handlers passes to handlers.walk(), which passes it to handlers.walker_callback(data=...)
# and so down to run_part -> our handle_part. The Cloud object we receive (`data`) has no
# reference to either. So we walk our caller frames and take the first local that IS that
# dict: keys present, "handlers" a helpers.ContentHandlers, and "data" the very Cloud object
# we were called with (identity, so the vendor-data run's registry is never confused with the
# user-data one). This depends on no function or variable name, only on the dict's shape,
# which is the documented contract of walker_callback since cloud-init 0.7.
_PART_DATA_KEYS = ("handlers", "handlerdir", "data", "frequency", "excluded")


def _is_part_data(value, cloud):
    return (isinstance(value, dict) and all(k in value for k in _PART_DATA_KEYS) and
            isinstance(value["handlers"], helpers.ContentHandlers) and value["data"] is cloud)


def _find_walker_part_data(cloud):
    if not callable(getattr(handlers, "walker_callback", None)):
        return None
    frame = inspect.currentframe()
    try:
        caller = frame.f_back if frame is not None else None
        while caller is not None:
            for value in list(caller.f_locals.values()):
                if _is_part_data(value, cloud):
                    return value
            caller = caller.f_back
        return None
    finally:
        del frame
        caller = None


# --- running the binary ------------------------------------------------------------------
def _binary():
    configured = os.environ.get("S3_USER_SCRIPT")
    if configured:
        return configured
    if os.access(DEFAULT_BINARY, os.X_OK):
        return DEFAULT_BINARY
    return shutil.which("s3-user-script")


def _timeout():
    try:
        value = float(os.environ.get("S3_USER_SCRIPT_TIMEOUT", DEFAULT_TIMEOUT_SECONDS))
    except ValueError:
        return DEFAULT_TIMEOUT_SECONDS
    return value if value > 0 else DEFAULT_TIMEOUT_SECONDS


def _error_lines(stderr):
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    if len(lines) > MAX_ERROR_LINES:
        lines = lines[:MAX_ERROR_LINES] + ["(%d more lines)" % (len(lines) - MAX_ERROR_LINES)]
    return [ln[:MAX_ERROR_LINE_CHARS] for ln in lines]


def _resolve(cloud, part_data, filename, document):
    """Runs `s3-user-script resolve - --on-instance`; returns [(ctype, filename, payload, headers)]."""
    exe = _binary()
    if not exe:
        _fail(cloud, part_data, filename,
              ["s3-user-script not found (set S3_USER_SCRIPT, install %s or put it on PATH)" %
               DEFAULT_BINARY])
    timeout = _timeout()
    try:
        # --on-instance: at boot IMDS may be slow; wait for it as `run` does.
        proc = subprocess.run([exe, "resolve", "-", "--on-instance"],
                              input=document.encode("utf-8"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                              check=False, close_fds=True)
    except subprocess.TimeoutExpired:
        _fail(cloud, part_data, filename, ["%s resolve timed out after %g s" % (exe, timeout)])
    except OSError as e:
        _fail(cloud, part_data, filename, ["cannot run %s: %s" % (exe, e.strerror or e)])
    errors = _error_lines(proc.stderr)
    if proc.returncode != 0:
        reason = ("%s resolve exited with status %d" % (exe, proc.returncode)
                  if proc.returncode > 0 else "%s resolve was killed by signal %d" %
                  (exe, -proc.returncode))
        _fail(cloud, part_data, filename, [reason] + errors)
    for line in errors:
        LOG.info("s3-user-script: %s", line)
    try:
        return _parse_resolved(proc.stdout)
    except ValueError as e:
        _fail(cloud, part_data, filename, ["unusable output from %s resolve: %s" % (exe, e)])


def _parse_resolved(blob):
    """Parses the binary's MIME document strictly: any defect rejects all of it."""
    if not blob:
        raise ValueError("empty output")
    msg = email.message_from_bytes(blob, policy=email.policy.compat32)
    if _is_empty_document(msg, blob):
        return []  # an include with no lines: nothing to hand over, as for an empty #include
    if not msg.is_multipart() or msg.get_content_type() != "multipart/mixed":
        raise ValueError("not a multipart/mixed document")
    if msg.defects:
        raise ValueError("malformed MIME (%s)" % type(msg.defects[0]).__name__)
    parts = []
    for part in msg.get_payload():
        if part.is_multipart() or part.defects:
            raise ValueError("malformed part %d" % (len(parts) + 1))
        ctype = part.get_content_type()
        name = part.get_filename()
        if not name:
            raise ValueError("part %d has no filename" % (len(parts) + 1))
        if ctype == S3_INCLUDE_TYPE:
            raise ValueError("part %d (%s) is an unexpanded include" % (len(parts) + 1, name))
        if part.get("Content-Transfer-Encoding", "").strip().lower() != "base64":
            raise ValueError("part %d (%s) is not base64" % (len(parts) + 1, name))
        try:
            base64.b64decode("".join(part.get_payload().split()), validate=True)
        except (ValueError, TypeError) as e:
            raise ValueError("part %d (%s) has bad base64: %s" % (len(parts) + 1, name, e))
        payload = util.fully_decoded_payload(part)
        if ctype in (NOT_MULTIPART_TYPE, PLAIN_TYPE) and _starts_with_s3_include(
                _as_text(payload) or ""):
            raise ValueError("part %d (%s) is an unexpanded include" % (len(parts) + 1, name))
        headers = dict(part)  # as handlers.walk builds them
        headers["Content-Type"] = ctype
        parts.append((ctype, name, payload, headers))
    return parts


def _is_empty_document(msg, blob):
    """`resolve` of zero parts: the headers, a blank line and only the close delimiter."""
    boundary = msg.get_boundary()
    if msg.get_content_type() != "multipart/mixed" or not boundary:
        return False
    _, sep, body = blob.partition(b"\n\n")
    return bool(sep) and body == b"--" + boundary.encode("ascii", "replace") + b"--\n"


# --- handing the parts to cloud-init ------------------------------------------------------
def _cut(text, limit):
    """The longest prefix of `text` of at most `limit` UTF-8 bytes."""
    return text.encode("utf-8")[:max(0, limit)].decode("utf-8", "ignore")


def fetched_part_names(include_name, fetched_names):
    """The names fetched parts are handed over under, in document order.

    cloud-init writes parts under util.clean_filename(name) and scripts_user runs the scripts
    folder sorted by name, so the include part's place in that order is its cleaned name.
    "<cleaned include name>.<NNN>-<cleaned fetched name>" sorts right after it (and before
    the next part-NNN), with NNN the 1-based position among this include's parts, zero-padded
    to one width (at least 3 digits) so that sorted order is document order. Each name fits
    NAME_MAX: past it cloud-init cannot write the part, and only logs a warning; the fetched
    name is cut first (NNN keeps names apart), a very long include name too."""
    width = max(MIN_INDEX_DIGITS, len(str(len(fetched_names))))
    prefix = _cut(util.clean_filename(include_name or ""), NAME_MAX - (width + 2) - 16)
    names = []
    for i, name in enumerate(fetched_names, 1):
        head = "%s.%0*d-" % (prefix, width, i)
        tail = util.clean_filename(name or "") or "part"
        names.append(head + _cut(tail, NAME_MAX - len(head.encode("utf-8"))))
    return names


def _hand_over(cloud, part_data, filename, resolved):
    names = fetched_part_names(filename, [name for _, name, _, _ in resolved])
    named = [(ctype, new_name, payload, headers)
             for (ctype, _, payload, headers), new_name in zip(resolved, names)]
    if part_data is None:
        _write_scripts_directly(cloud, filename, named)
    else:
        LOG.debug("%s: handing %d resolved parts to cloud-init's handlers", filename, len(named))
        if not _failures:
            _remove_stale_marker(_scripts_dir(cloud, part_data))
        for ctype, name, payload, headers in named:
            handlers.walker_callback(part_data, name, payload, headers)


def _write_scripts_directly(cloud, filename, named):
    others = sorted({ctype for ctype, _, _, _ in named if ctype != "text/x-shellscript"})
    if others:
        _fail(cloud, None, filename,
              ["cloud-init's handler registry was not found and parts of type %s cannot be "
               "applied without it" % ", ".join(others)])
    scripts = _scripts_dir(cloud, None)
    LOG.warning("%s: cloud-init's handler registry was not found; writing %d fetched scripts "
                "to %s directly", filename, len(named), scripts)
    if not _failures:
        _remove_stale_marker(scripts)
    for _, name, payload, _ in named:
        util.write_file(os.path.join(scripts, name), util.dos2unix(payload), 0o700)


def _scripts_dir(cloud, part_data):
    # The registered shell-script handler knows this run's folder (scripts/ for user data,
    # vendor_scripts/ for vendor data).
    if part_data is not None:
        registry = part_data["handlers"]
        if "text/x-shellscript" in registry:
            folder = getattr(registry["text/x-shellscript"], "script_dir", None)
            if folder:
                return folder
    return cloud.paths.get_ipath_cur("scripts")


def _remove_stale_marker(folder):
    path = os.path.join(folder, FAILED_MARKER)
    if os.path.lexists(path):
        LOG.info("removing %s left by an earlier failed run", path)
        util.del_file(path)


# --- failing loudly ----------------------------------------------------------------------
def _fail(cloud, part_data, filename, lines):
    """Logs an ERROR, writes to the console, installs the marker script, raises."""
    _failures.append("%s: %s" % (filename, lines[0]))
    _failures.extend("  " + ln for ln in lines[1:])
    text = ("s3-user-script cloud-init bridge: #s3-include part %s failed; none of its parts "
            "were applied:\n%s\n" % (filename, "\n".join("  " + ln for ln in lines)))
    util.multi_log(text, console=True, stderr=True, log=LOG, log_level=logging.ERROR)
    try:
        _install_marker(_scripts_dir(cloud, part_data))
    except Exception as e:  # pylint: disable=W0703
        LOG.error("s3-user-script bridge: could not install %s: %s", FAILED_MARKER, e)
    raise S3IncludeError(text.rstrip("\n"))


def _install_marker(folder):
    # scripts_user runs the folder sorted by name: 00-… comes before other scripts, and
    # runparts keeps going after a failure, then fails the module (visible in
    # `cloud-init status` and /var/log/cloud-init.log).
    quoted = " \\\n  ".join(
        shlex.quote(ln) for ln in ["s3-user-script: #s3-include failed during user-data "
                                   "processing; its parts were not applied:"] + _failures)
    script = ("#!/bin/sh\n"
              "# Installed by the s3-user-script cloud-init bridge (s3_user_script.py).\n"
              "printf '%%s\\n' \\\n  %s >&2\nexit 1\n" % quoted)
    util.write_file(os.path.join(folder, FAILED_MARKER), script, 0o700)
