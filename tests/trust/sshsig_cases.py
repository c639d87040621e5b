#!/usr/bin/python3
"""Makes SSHSIG verification cases with Debian's real ssh-keygen and records its verdict.

  sshsig_cases.py OUTDIR

Writes OUTDIR/cases.json: a list of {name, message, signature, allowed_signers, principal,
namespace, ssh_keygen_ok}; file fields are paths under OUTDIR. Keys of every supported type
are made with `ssh-keygen -t`, signatures with `ssh-keygen -Y sign`; hostile variants are
derived by editing the signature blob, and `ssh-keygen -Y verify` gives each case's verdict.
RSA signatures that ssh-keygen never makes (rsa-sha2-256, SHA-1 "ssh-rsa") are made with
python3-cryptography over the same signed data.
"""
import base64
import hashlib
import json
import os
import struct
import subprocess
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

NS = "s3-user-script"
PRINCIPAL = "deploy@example.com"
OUT = sys.argv[1]
KEYS = os.path.join(OUT, "keys")
MESSAGE = b"#!/bin/sh\necho signed boot material\n"


def run(*argv, stdin=None):
    return subprocess.run(argv, input=stdin, capture_output=True, check=False)


def write(name, data):
    path = os.path.join(OUT, name)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    return path


def keygen(name, *args):
    path = os.path.join(KEYS, name)
    r = run("ssh-keygen", "-q", "-N", "", "-C", name, "-f", path, *args)
    assert r.returncode == 0, r.stderr
    with open(path + ".pub") as f:
        kind, b64 = f.read().split()[:2]
    return path, f"{kind} {b64}"


def sign(key, message, namespace=NS, hashalg=None):
    msg = write("tmp-msg", message)
    extra = ["-O", f"hashalg={hashalg}"] if hashalg else []
    r = run("ssh-keygen", "-q", "-Y", "sign", "-n", namespace, "-f", key, *extra, msg)
    assert r.returncode == 0, r.stderr
    with open(msg + ".sig") as f:
        text = f.read()
    os.unlink(msg + ".sig")
    return text


def unarmor(text):
    body = text.split("-----BEGIN SSH SIGNATURE-----\n")[1].split("-----END SSH SIGNATURE-----")[0]
    return base64.b64decode("".join(body.split()))


def armor(blob):
    b64 = base64.b64encode(blob).decode()
    lines = [b64[i:i + 70] for i in range(0, len(b64), 70)]
    return "-----BEGIN SSH SIGNATURE-----\n" + "\n".join(lines) + "\n-----END SSH SIGNATURE-----\n"


def sstr(b):
    return struct.pack(">I", len(b)) + b


def fields(blob):
    """SSHSIG blob -> [key, namespace, reserved, hashalg, signature] (byte strings)."""
    assert blob[:6] == b"SSHSIG"
    pos, out = 10, []
    for _ in range(5):
        (n,) = struct.unpack(">I", blob[pos:pos + 4])
        out.append(blob[pos + 4:pos + 4 + n])
        pos += 4 + n
    return out


def assemble(f, version=1):
    return b"SSHSIG" + struct.pack(">I", version) + b"".join(sstr(x) for x in f)


def flip_signature(blob):
    f = fields(blob)
    sig = bytearray(f[4])
    sig[-5] ^= 0x01
    f[4] = bytes(sig)
    return assemble(f)


def signed_data(namespace, hashalg, message):
    h = hashlib.new(hashalg, message).digest()
    return b"SSHSIG" + sstr(namespace.encode()) + sstr(b"") + sstr(hashalg.encode()) + sstr(h)


def rsa_signature(keypath, pub_blob, sigtype, hashalg, digest):
    with open(keypath, "rb") as f:
        priv = serialization.load_ssh_private_key(f.read(), password=None)
    sig = priv.sign(signed_data(NS, hashalg, MESSAGE), padding.PKCS1v15(), digest)
    return armor(assemble([pub_blob, NS.encode(), b"", hashalg.encode(),
                           sstr(sigtype.encode()) + sstr(sig)]))


cases = []


def case(name, signature, allowed, principal=PRINCIPAL, message=MESSAGE):
    i = len(cases)
    files = {
        "message": write(f"{i}.msg", message),
        "signature": write(f"{i}.sig", signature),
        "allowed_signers": write(f"{i}.allowed", allowed),
    }
    with open(files["message"], "rb") as stdin:
        r = subprocess.run(["ssh-keygen", "-Y", "verify", "-f", files["allowed_signers"], "-I",
                            principal, "-n", NS, "-s", files["signature"]],
                           stdin=stdin, capture_output=True, check=False)
    cases.append(dict(name=name, principal=principal, namespace=NS,
                      ssh_keygen_ok=r.returncode == 0, **files))


def main():
    os.makedirs(KEYS, exist_ok=True)
    types = [("ed25519", ["-t", "ed25519"]), ("ecdsa256", ["-t", "ecdsa", "-b", "256"]),
             ("ecdsa384", ["-t", "ecdsa", "-b", "384"]), ("ecdsa521", ["-t", "ecdsa", "-b", "521"]),
             ("rsa2048", ["-t", "rsa", "-b", "2048"]), ("rsa3072", ["-t", "rsa", "-b", "3072"])]
    _, stranger_pub = keygen("stranger", "-t", "ed25519")
    for name, args in types:
        key, pub = keygen(name, *args)
        line = f"{PRINCIPAL} {pub}\n"
        good = sign(key, MESSAGE)
        blob = unarmor(good)
        f = fields(blob)
        case(f"{name} good (sha512)", good, line)
        case(f"{name} good (sha256)", sign(key, MESSAGE, hashalg="sha256"), line)
        case(f"{name} tampered payload", good, line, message=MESSAGE + b"rm -rf /\n")
        case(f"{name} tampered signature", armor(flip_signature(blob)), line)
        case(f"{name} wrong namespace", sign(key, MESSAGE, namespace="git"), line)
        case(f"{name} wrong principal", good, line, principal="other@example.com")
        case(f"{name} expired valid-before", good,
             f'{PRINCIPAL} valid-before="20200101" {pub}\n')
        case(f"{name} not yet valid", good, f'{PRINCIPAL} valid-after="20990101Z" {pub}\n')
        case(f"{name} inside validity window", good,
             f'{PRINCIPAL} valid-after="20200101",valid-before="20990101" {pub}\n')
        case(f"{name} unknown key", good, f"{PRINCIPAL} {stranger_pub}\n")
        case(f"{name} truncated armour", good[:len(good) // 2], line)
        case(f"{name} footer missing", good.replace("-----END SSH SIGNATURE-----", ""), line)
        case(f"{name} hash algorithm sha384", armor(assemble(f[:3] + [b"sha384", f[4]])), line)
        swapped = b"sha256" if f[3] == b"sha512" else b"sha512"
        case(f"{name} hash algorithm swapped", armor(assemble(f[:3] + [swapped, f[4]])), line)
        case(f"{name} namespaces option excludes", good, f'{PRINCIPAL} namespaces="git" {pub}\n')
        case(f"{name} namespaces option pattern", good,
             f'{PRINCIPAL} namespaces="file,s3-*" {pub}\n')
        case(f"{name} wildcard principal", good, f"*@example.com {pub}\n")
        case(f"{name} negated principal", good, f"!{PRINCIPAL},*@example.com {pub}\n")
        case(f"{name} second line matches", good, f"other@example.com {stranger_pub}\n{line}")
        case(f"{name} trailing bytes in blob", armor(blob + b"\0"), line)
        case(f"{name} version 2", armor(assemble(f, version=2)), line)
        case(f"{name} crlf armour", good.replace("\n", "\r\n"), line)
        if name.startswith("rsa"):
            pub_blob = f[0]
            case(f"{name} rsa-sha2-256 signature", rsa_signature(
                key, pub_blob, "rsa-sha2-256", "sha512", hashes.SHA256()), line)
            case(f"{name} sha-1 ssh-rsa signature", rsa_signature(
                key, pub_blob, "ssh-rsa", "sha512", hashes.SHA1()), line)
    # A key that ssh-keygen trusts and we refuse (listed in differential_test.cc).
    key, pub = keygen("rsa1024", "-t", "rsa", "-b", "1024")
    case("rsa1024 good", sign(key, MESSAGE), f"{PRINCIPAL} {pub}\n")
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)


main()
