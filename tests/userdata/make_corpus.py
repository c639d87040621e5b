#!/usr/bin/python3
"""Writes the differential corpus tests/data/userdata/ (deterministic; re-run to refresh).

Usage: /usr/bin/python3 tests/userdata/make_corpus.py [OUTDIR]
Each file is one user-data blob; tests/userdata/cloudinit_parts.py and our Parse() must
agree on it, except where differential_test.cc lists a deliberate difference.
"""
import base64
import gzip
import os
import struct
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "data", "userdata")


def gz(data):
    return gzip.compress(data, mtime=0)


def elf():
    ident = b"\x7fELF\x02\x01\x01" + b"\x00" * 9
    header = ident + struct.pack("<HHIQQQIHHHHHH", 2, 0x3E, 1, 0x401000, 64, 0, 0, 64, 56, 0,
                                 64, 0, 0)
    return header + b"\x00" * 192


def mime(parts, boundary="XX", nl="\n", top_headers="", preamble="", epilogue=""):
    """parts: list of (headers list, body str) or raw str nested bodies."""
    out = ("Content-Type: multipart/mixed; boundary=\"%s\"%sMIME-Version: 1.0%s%s%s" %
           (boundary, nl, nl, top_headers, nl))
    out += preamble
    for headers, body in parts:
        out += "--%s%s" % (boundary, nl)
        for h in headers:
            out += h + nl
        out += nl + body + nl
    out += "--%s--%s%s" % (boundary, nl, epilogue)
    return out.encode("utf-8")


SCRIPT = "#!/bin/sh\necho hello\n"
CONFIG = "#cloud-config\npackages: [curl]\n"

CASES = {
    "plain-shell-lf": b"#!/bin/bash\necho hi\n",
    "plain-shell-crlf": b"#!/bin/sh\r\necho hi\r\n",
    "plain-cloud-config": CONFIG.encode(),
    "plain-cloud-config-leading-space": b"\n  \t#Cloud-Config\nruncmd: [ls]\n",
    "plain-include": b"#include\nhttps://example.com/a\n# c\n  https://example.com/b  \n",
    "plain-include-once": b"#include-once\nhttps://example.com/a\n",
    "plain-s3-include": b"#s3-include\ns3://bucket/key.sh\n",
    "plain-boothook": b"#cloud-boothook\n#!/bin/sh\necho boot\n",
    "plain-part-handler": b"#part-handler\ndef list_types():\n    return []\n",
    "plain-jinja": b"## template: jinja\n#cloud-config\nhostname: {{ v1.local_hostname }}\n",
    "plain-jsonp": b'#cloud-config-jsonp\n[{"op": "add", "path": "/a", "value": 1}]\n',
    "plain-unknown-text": b"hello world\nnot a script\n",
    "plain-base64-as-imds": base64.b64encode(SCRIPT.encode()),
    "plain-empty": b"",
    "plain-nonutf8-binary": bytes(range(256)) * 2,
    "plain-elf": elf(),
    "plain-per-boot-prefix": b"text/x-shellscript-per-boot\necho odd\n",
    "gzip-script": gz(SCRIPT.encode()),
    "gzip-mime": gz(mime([(["Content-Type: text/x-shellscript"], SCRIPT)])),
    "gzip-trailing-garbage": gz(SCRIPT.encode()) + b"junk",
    "gzip-truncated": gz(SCRIPT.encode() * 20)[:-12],
    "gzip-zero-padded": gz(SCRIPT.encode()) + b"\x00\x00\x00",
    "gzip-multimember": gz(b"#!/bin/sh\necho a\n") + gz(b"echo b\n"),
    "archive-yaml": b"""#cloud-config-archive
- type: text/x-shellscript
  content: |
    #!/bin/sh
    echo from archive
  filename: arch.sh
- content: "#cloud-config\\nruncmd: [ls]\\n"
  launch-index: 2
- "#!/bin/sh\\necho string entry\\n"
- type: text/x-s3-include
  content: "s3://b/k"
  filename: "  spaced.txt  "
- content: "plain text becomes cloud-config"
- type: application/x-custom
  content: "custom payload"
  X-S3us-Origin: "top"
""",
    "archive-json": b'#cloud-config-archive\n[{"type": "text/cloud-config", "content": "a: 1\\n"},'
                    b' {"content": "#!/bin/sh\\necho json\\n", "filename": "j.sh"}]\n',
    "archive-binary": b"#cloud-config-archive\n- content: !!binary |\n    " +
                      base64.b64encode(b"#!/bin/sh\necho bin\n") + b"\n- content: !!binary " +
                      base64.b64encode(b"\x00\x01\x02\xff") + b"\n",
    "archive-bad-yaml": b"#cloud-config-archive\n- [unclosed\n",
    "archive-not-list": b"#cloud-config-archive\ntype: text/x-shellscript\n",
    "archive-s3-include-untyped": b"#cloud-config-archive\n- content: \"#s3-include\\ns3://b/k\\n\"\n",
    "archive-empty": b"#cloud-config-archive\n",
    "mime-basic-lf": mime([(["Content-Type: text/cloud-config"], CONFIG),
                           (["Content-Type: text/x-shellscript"], SCRIPT)]),
    "mime-basic-crlf": mime([(["Content-Type: text/cloud-config; charset=\"us-ascii\""],
                              CONFIG.replace("\n", "\r\n")),
                             (["Content-Type: text/x-shellscript"],
                              SCRIPT.replace("\n", "\r\n"))], nl="\r\n"),
    "mime-cr-only": mime([(["Content-Type: text/x-shellscript"], "#!/bin/sh\recho cr\r")],
                         nl="\r"),
    "mime-nested": mime([
        (["Content-Type: multipart/alternative; boundary=YY"],
         "--YY\nContent-Type: text/plain\n\n#!/bin/sh\necho inner1\n--YY\n"
         "Content-Type: text/cloud-config\n\nruncmd: [a]\n--YY--\n"),
        (["Content-Type: text/x-shellscript"], "#!/bin/sh\necho outer\n")]),
    "mime-base64-part": mime([(["Content-Type: text/x-shellscript",
                                "Content-Transfer-Encoding: base64"],
                               base64.encodebytes(SCRIPT.encode() * 8).decode())]),
    "mime-qp-part": mime([(["Content-Type: text/x-shellscript",
                            "Content-Transfer-Encoding: quoted-printable"],
                           "#!/bin/sh\necho a=3Db  \necho long=\n line\necho =E2=82=AC =ZZ =\n")]),
    "mime-gzip-part": mime([(["Content-Type: application/x-gzip",
                              "Content-Transfer-Encoding: base64",
                              "Content-Disposition: attachment; filename=\"z.sh\"",
                              "Launch-Index: 3"],
                             base64.b64encode(gz(SCRIPT.encode())).decode())]),
    "mime-gzip-part-config": mime([(["Content-Type: application/gzip",
                                     "Content-Transfer-Encoding: base64"],
                                    base64.b64encode(gz(CONFIG.encode())).decode())]),
    "mime-gzip-empty-part": mime([(["Content-Type: application/gzip"], "")]),
    "mime-bad-gzip-part": mime([(["Content-Type: application/gzip",
                                  "Content-Transfer-Encoding: base64"],
                                 base64.b64encode(b"not gzip at all").decode())]),
    "mime-odd-filenames": mime([
        (["Content-Type: text/x-shellscript",
          "Content-Disposition: attachment; filename=\"semi;colon.sh\""], SCRIPT),
        (["Content-Type: text/x-shellscript",
          "Content-Disposition: attachment; filename*=utf-8''%C3%A9t%C3%A9.sh"], SCRIPT),
        (["Content-Type: text/cloud-config; name=\"by-name.yaml\""], CONFIG),
        (["Content-Type: text/plain; name=\"lost.txt\""], SCRIPT),
        (["Content-Type: text/x-shellscript",
          "Content-Disposition: attachment; filename=\"  padded.sh \""], SCRIPT),
        (["Content-Type: text/x-shellscript",
          "Content-Disposition: attachment; filename=\"\""], SCRIPT),
        (["Content-Type: text/x-shellscript",
          "Content-Disposition: attachment; filename=\"a\\\"q.sh\""], SCRIPT),
    ]),
    "mime-unknown-types": mime([(["Content-Type: application/x-foo"], "foo\n"),
                                (["Content-Type: text/x-whatever"], "#!/bin/sh\n"),
                                (["Content-Type: bogus"], "#cloud-config\na: 1\n")]),
    "mime-no-content-type-part": mime([([], CONFIG), (["X-Other: 1"], SCRIPT)]),
    "mime-shellscript-retyped": mime([(["Content-Type: text/x-shellscript"], CONFIG),
                                      (["Content-Type: text/x-shellscript"], "echo no shebang\n")]),
    "mime-launch-index": mime([
        (["Content-Type: text/cloud-config", "Launch-Index: 1"], CONFIG),
        (["Content-Type: text/cloud-config"], "#cloud-config\nlaunch-index: 4\n"),
        (["Content-Type: text/x-shellscript", "Launch-Index:  +07 "], SCRIPT),
        (["Content-Type: text/x-shellscript", "Launch-Index: abc"], SCRIPT)]),
    "mime-missing-close": mime([(["Content-Type: text/x-shellscript"], SCRIPT)])[:-len("--XX--\n")],
    "mime-inner-missing-close": (
        b"Content-Type: multipart/mixed; boundary=XX\nMIME-Version: 1.0\n\n--XX\n"
        b"Content-Type: multipart/mixed; boundary=YY\n\n--YY\nContent-Type: text/plain\n\n"
        b"#!/bin/sh\necho inner\n--XX\nContent-Type: text/cloud-config\n\nruncmd: [b]\n--XX--\n"),
    "mime-boundary-mid-line": mime([(["Content-Type: text/x-shellscript"],
                                     "#!/bin/sh\necho abc --XX def\n  --XX\n--XXnot\n")],
                                   preamble="This is a preamble\n--XXX\n",
                                   epilogue="epilogue --XX\n--XX\ntext\n"),
    "mime-duplicate-boundary": (
        b"Content-Type: multipart/mixed; boundary=XX\nMIME-Version: 1.0\n\n--XX\n--XX  \n"
        b"Content-Type: text/x-shellscript\n\n#!/bin/sh\necho dup\n--XX\n--XX--\n"
        b"Content-Type: text/cloud-config\n\nafter: close\n"),
    "mime-s3-include-explicit": mime([(["Content-Type: text/x-s3-include"],
                                       "s3://bucket/a.sh sha256=" + "ab" * 32 + "\n")]),
    "mime-s3-include-as-plain": mime([(["Content-Type: text/plain"], "#s3-include\ns3://b/k\n")]),
    "mime-8bit-utf8": mime([(["Content-Type: text/x-shellscript; charset=utf-8",
                              "Content-Transfer-Encoding: 8bit"],
                             "#!/bin/sh\necho caf\u00e9 \u20ac\n")]),
    "mime-invalid-utf8": mime([(["Content-Type: text/x-shellscript"], SCRIPT)]).replace(
        b"hello", b"h\xffllo"),
    "mime-no-boundary-param": b"Content-Type: multipart/mixed\nMIME-Version: 1.0\n\n--XX\n\n#!/bin/sh\n",
    "mime-single-part": b"MIME-Version: 1.0\nContent-Type: text/x-shellscript\n\n#!/bin/sh\necho one\n",
    "mime-header-folding": (
        b"Content-Type: multipart/mixed;\n boundary=\"==Fold==\"\nMIME-Version: 1.0\n\n"
        b"--==Fold==\nContent-Type:\n\ttext/x-shellscript;\n charset=us-ascii\n"
        b"Content-Disposition: attachment;\n\tfilename=\"folded.sh\"\n\n#!/bin/sh\necho f\n"
        b"--==Fold==--\n"),
    "mime-elf-octet": mime([(["Content-Type: application/octet-stream",
                              "Content-Transfer-Encoding: base64"],
                             base64.encodebytes(elf()).decode())]),
    "mime-archive-part": mime([(["Content-Type: text/cloud-config-archive"],
                                "- type: text/x-shellscript\n  content: \"#!/bin/sh\\n\"\n"
                                "- \"#cloud-config\\na: 2\\n\"\n"),
                               (["Content-Type: text/x-shellscript"], SCRIPT)]),
    "mime-base64-sloppy": mime([
        (["Content-Type: text/plain", "Content-Transfer-Encoding: base64"],
         base64.b64encode(b"#!/bin/sh\necho pad\n").decode().rstrip("=")),
        (["Content-Type: text/plain", "Content-Transfer-Encoding: base64"],
         "IyEv YmluL3No\n*CmVj aG8g\n"),
        (["Content-Type: text/plain", "Content-Transfer-Encoding: base64"], "aGVsbG8=aGk="),
        (["Content-Type: text/plain", "Content-Transfer-Encoding: base64"], "abcde")]),
    "mime-version-late": b"#!/bin/sh\n" + b"#" * 5000 + b"\nMIME-Version: 1.0\n",
    "mime-deep-nesting": (b"MIME-Version: 1.0\n" + b"".join(
        b"Content-Type: multipart/mixed; boundary=B%d\n\n--B%d\n" % (i, i) for i in range(10)) +
        b"Content-Type: text/x-shellscript\n\n#!/bin/sh\necho deep\n" +
        b"".join(b"--B%d--\n" % i for i in reversed(range(10)))),
    "mime-include-part": mime([(["Content-Type: text/x-include-url"],
                                "https://example.com/x\n"),
                               ([], "#include-once\nhttps://example.com/y\n")]),
    "mime-cte-variants": mime([
        (["Content-Type: text/plain", "Content-Transfer-Encoding: BASE64"],
         base64.b64encode(b"#!/bin/sh\necho upper\n").decode()),
        (["Content-Type: text/plain", "Content-Transfer-Encoding: base64 "],
         base64.b64encode(b"#!/bin/sh\necho space\n").decode()),
        (["Content-Type: text/x-shellscript", "Content-Transfer-Encoding: 7bit"], SCRIPT)]),
    "mime-from-line": (b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n--XX\n"
                       b"Content-Type: text/x-shellscript\nFrom nobody\n\n#!/bin/sh\n--XX--\n"),
    "mime-x-s3us-headers": mime([(["Content-Type: text/x-shellscript",
                                   "X-S3us-Origin: s3://b/k", "X-Ignored: 1"], SCRIPT)]),
    # Found by tests/userdata/hostile_differential.py. An unencoded part is a str to the email
    # package, typed by its raw-unicode-escape: a no-break space before "#!" is a Latin-1
    # byte there, not whitespace, so cloud-init leaves the part text/plain (base64: retyped).
    "mime-nbsp-before-marker": mime([
        (["Content-Type: text/plain"], "\u00a0#!/bin/sh\necho nbsp\n"),
        (["Content-Type: text/plain"], "\u2003#cloud-config\na: 1\n"),
        (["Content-Type: text/plain", "Content-Transfer-Encoding: base64"],
         base64.b64encode("\u00a0#!/bin/sh\necho b64\n".encode()).decode())]),
    # RFC 2231 values with non-ASCII characters sent as they are (not %-encoded): Python
    # takes each character as one byte, so UTF-8 "\u00e9" decodes to U+FFFD.
    "mime-rfc2231-raw-utf8": mime([
        (["Content-Type: text/x-shellscript",
          "Content-Disposition: attachment; filename*=utf-8''caf\u00e9%C3%A9.sh"], SCRIPT),
        (["Content-Type: text/x-shellscript",
          "Content-Disposition: attachment; filename*=iso-8859-1''d\u00e9j\u00e0.sh"], SCRIPT),
        (["Content-Type: text/x-shellscript",
          "Content-Disposition: attachment; filename*0*=utf-8''a%C3%A9; filename*1=\u00e9.sh"],
         SCRIPT)]),
    # The first Launch-Index header is the one cloud-init's filter reads: "1.5" (no int)
    # keeps the part from every instance, whatever follows.
    "mime-launch-index-first": mime([
        (["Content-Type: text/x-shellscript", "Launch-Index: 1.5", "Launch-Index: 4"], SCRIPT),
        (["Content-Type: text/x-shellscript", "Launch-Index: 3", "Launch-Index: x"], SCRIPT),
        (["Content-Type: text/cloud-config", "Launch-Index: "], CONFIG)]),
    # A last line without ':' is an error to PyYAML: no launch-index then.
    "plain-cloud-config-key-without-colon": b"#cloud-config\nlaunch-index: 2\necho hi\n",
    # PyYAML fails on a tab where a token may start (libyaml reads past it): cloud-init sees
    # no launch-index, and runs the part on every instance; so do we.
    "plain-cloud-config-launch-index-tab": b"#cloud-config\nlaunch-index: 2\t\n",
    # A tab in a whole-line comment is never at a token's start: launch-index 2 for both.
    "plain-cloud-config-launch-index-comment-tab":
        b"#cloud-config\n  #\tnote\nlaunch-index: 2\n",
    # PyYAML's reader refuses a control character: no launch-index.
    "plain-cloud-config-launch-index-control": b"#cloud-config\nlaunch-index: 2\nx: \x7f\n",
    # PyYAML reads the raw-unicode-escape of an unencoded part: U+00E9 is byte 0xe9, not
    # UTF-8, so no launch-index in part 1; U+20AC is ASCII there, so 3 in part 2.
    "mime-launch-index-unencoded": mime([
        (["Content-Type: text/cloud-config"], "#cloud-config\nlaunch-index: 2\nx: caf\u00e9\n"),
        (["Content-Type: text/cloud-config", "Content-Transfer-Encoding: 8bit"],
         "#cloud-config\nlaunch-index: 3\nx: \u20ac\n")]),
    # The value is what PyYAML's SafeLoader (YAML 1.1) makes of it, then int(): 0b11 is 3,
    # 'on' quoted is a str int() refuses; the last of two keys is the one read.
    "plain-cloud-config-launch-index-yaml11": b"#cloud-config\nlaunch-index: 0b11\n",
    "plain-cloud-config-launch-index-quoted-on": b"#cloud-config\nlaunch-index: 'on'\n",
    "plain-cloud-config-launch-index-last": b"#cloud-config\nlaunch-index: 2\nlaunch-index: 1\n",
    # type_from_starts_with lowers the payload first: U+212A KELVIN SIGN is 'k' then, so this
    # is a boothook; an unencoded MIME part is typed by its raw-unicode-escape ("\u212a"),
    # the base64 one by its text.
    "plain-boothook-kelvin": "#cloud-boothoo\u212a\necho hi\n".encode(),
    "mime-boothook-kelvin": mime([
        (["Content-Type: text/plain"], "#cloud-boothoo\u212a\necho a\n"),
        (["Content-Type: text/plain", "Content-Transfer-Encoding: base64"],
         base64.b64encode("#CLOUD-BOOTHOO\u212a\necho b\n".encode()).decode())]),
    # PyYAML decodes escapes in a double-quoted key: "launch\x2dindex" is launch-index.
    "plain-cloud-config-launch-index-escaped-key":
        b'#cloud-config\n"launch\\x2dindex": 2\n',
    # PyYAML fails on a quoted scalar the text ends inside (yaml-cpp reads one a line break
    # ends), on an escape it does not know (\' in double quotes), on a second document:
    # no launch-index.
    "plain-cloud-config-launch-index-unterminated": b'#cloud-config\nlaunch-index: 2\nx: "a\n',
    "plain-cloud-config-launch-index-unknown-escape":
        b'#cloud-config\nlaunch-index: 2\nx: "it\\\'s"\n',
    "plain-cloud-config-launch-index-second-document":
        b"#cloud-config\nlaunch-index: 2\n---\na: 1\n",
    # A last line without a value indicator (the ':' of a URL is none): PyYAML fails.
    "plain-cloud-config-launch-index-url-line":
        b"#cloud-config\nlaunch-index: 2\ns3://bkt/k.sh\n",
    # Tabs in quoted scalars and in a trailing comment are read: launch-index 2.
    "plain-cloud-config-launch-index-tab-quoted":
        b"#cloud-config\nlaunch-index: 2 # a\tb\nx: 'a\tb'\ny: \"c\n\td\"\n",
    # Text content of a type that is not text/* is held as a str: its bytes are the
    # raw-unicode-escape (\xe9 one byte), not UTF-8.
    "archive-non-text-str":
        "#cloud-config-archive\n- type: application/x-foo\n  content: \"caf\u00e9 \\xe9\"\n"
        .encode(),
    # cloud-init re-types the first part (a fresh header without name=) and keeps the second
    # (#s3-include is not in its table): names part-001 and b.sh.
    "mime-retyped-name": mime([
        (["Content-Type: text/x-shellscript; name=a.sh"], CONFIG),
        (["Content-Type: text/x-shellscript; name=b.sh"], "#s3-include\ns3://bkt/k.sh\n")]),
    # Include entries of an archive: cloud-init attaches them as parts and fetches nothing.
    "archive-include-entries":
        b"#cloud-config-archive\n- \"#include\\nhttp://example.invalid/a.sh\"\n"
        b"- {type: text/x-include-once-url, content: \"http://example.invalid/b.sh\\n\"}\n",
    # An archive entry typed text/plain whose first line is #s3-include: cloud-init keeps
    # text/plain and hands it to the bridge's handler, which takes it.
    "archive-s3-include-plain":
        b"#cloud-config-archive\n- {type: text/plain, content: \"#s3-include\\ns3://b/k\\n\"}\n",
    # The YAML escapes \_ and \N are U+00A0 and U+0085 (UTF-8); a leading U+00A0 is a blank
    # to the first-line typing.
    "archive-yaml-escapes":
        b'#cloud-config-archive\n- type: text/x-shellscript\n  content: "#!/bin/sh\\necho [\\_] '
        b'[\\N] [\\L] [\\xe9]\\n"\n- "\\_#!/bin/sh\\necho nbsp-lead\\n"\n',
    # An unencoded MIME archive is loaded from the raw-unicode-escape of its text: U+00E9 is
    # one byte that is not UTF-8 and PyYAML loads nothing; the euro sign is the text \u20ac.
    "mime-archive-unencoded-latin1": mime([(["Content-Type: text/plain"],
                                            "#cloud-config-archive\n- \"#!/bin/sh\\necho ran\"\n"
                                            "- \"#cloud-config\\nbootcmd: [echo caf\u00e9]\"")]),
    "mime-archive-unencoded-euro": mime([(["Content-Type: text/plain"],
                                          "#cloud-config-archive\n- |\n  #!/bin/sh\n"
                                          "  echo \u20ac\n- \"#!/bin/sh\\necho \u20ac\"")]),
    # An entry's other keys become headers. A Content-Transfer-Encoding key is the only one
    # of a MIMEBase (a type whose maintype is not written "text") and decodes its content;
    # MIMEText has its own first, which wins. Compared as str(value).lower(), not stripped.
    "archive-cte-mimebase-base64":
        b"#cloud-config-archive\n- {type: TEXT/X-SHELLSCRIPT, Content-Transfer-Encoding: base64,"
        b" content: IyEvYmluL3NoCmVjaG8gaGkK}\n"
        b"- {type: application/octet-stream, content-transfer-encoding: Base64,"
        b" content: IyEvYmluL3NoCmVjaG8gaGkK}\n",
    "archive-cte-mimebase-qp":
        b"#cloud-config-archive\n- {type: Text/x-shellscript, Content-Transfer-Encoding:"
        b" quoted-printable, content: \"#!/bin/sh\\necho =41hi=\\n ok\\n\"}\n",
    "archive-cte-not-applied":
        b"#cloud-config-archive\n- {type: text/x-shellscript, Content-Transfer-Encoding: base64,"
        b" content: IyEvYmluL3NoCmVjaG8gaGkK}\n"
        b"- {type: TEXT/X-SHELLSCRIPT, Content-Transfer-Encoding: \" base64\","
        b" content: IyEvYmluL3NoCmVjaG8gaGkK}\n"
        b"- {type: TEXT/X-SHELLSCRIPT, Content-Transfer-Encoding: 8bit, content: \"#!/bin/sh\"}\n",
    # No blank line between the multipart's headers and its first boundary: Python reads the
    # boundary line as the body's first line, mimetic finds no part.
    "mime-no-blank-line-before-boundary":
        b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n--XX\n"
        b"Content-Type: text/x-shellscript\n\n#!/bin/sh\necho hi\n--XX--\n",
    # A 4 KiB first part whose next boundary line straddles mimetic's 4093-byte read block:
    # mimetic keeps the line break before it, which once made the blob "ambiguous".
    "mime-part-at-read-block-edge": mime([(["Content-Type: text/x-shellscript"],
                                           "#!/bin/sh\n" + "#" * 4079),
                                          (["Content-Type: text/x-shellscript"], SCRIPT)]),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in CASES.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print("wrote %d files to %s" % (len(CASES), os.path.normpath(OUT)))


if __name__ == "__main__":
    main()
