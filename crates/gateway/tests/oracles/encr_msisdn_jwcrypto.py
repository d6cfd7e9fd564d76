#!/usr/bin/env python3
"""Independent oracle for src/encr_msisdn.rs (ENCR_MSISDN login hints), using Python jwcrypto.

Not run by CI: it was run by hand while writing the module, and its output is embedded in the
module's `oracle` tests. To run it again:

    python3 -m venv /tmp/jwe-venv && /tmp/jwe-venv/bin/pip install jwcrypto   # 1.6.1 was used

    # 1. JWEs made by jwcrypto for the fixed test key (pasted into the `oracle_*` tests):
    /tmp/jwe-venv/bin/python encr_msisdn_jwcrypto.py vectors

    # 2. JWEs made by the Rust module, decrypted by jwcrypto:
    cargo test -p assent-gateway --lib encr_msisdn::tests::print_jwes_for_the_oracle \
        -- --ignored --nocapture | grep '^eyJ' \
      | /tmp/jwe-venv/bin/python encr_msisdn_jwcrypto.py decrypt

`decrypt` reads one compact JWE per line and prints alg, enc, kid and the plaintext; it exits
non-zero if any line fails to decrypt.
"""

import json
import sys

from jwcrypto import jwe, jwk
from jwcrypto.common import base64url_encode

# TEST KEY ONLY (made with `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`);
# the same PEM is in the Rust tests. Never use it for anything else.
TEST_KEY_PEM = b"""-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgsJtoFkQYi8uggOAj
K9Sv207ObZADxlWNPTI9ox9UtNChRANCAAT5QGwJx6U8iff5ie1pbyNo3ZVH0lpN
rROwrxOw5Be7dlV3cNae+Gl3bpdsvlDjtV7MJD/jXVqRA23E0U6xxwpE
-----END PRIVATE KEY-----
"""


def keys():
    private = jwk.JWK.from_pem(TEST_KEY_PEM)
    public = jwk.JWK()
    public.import_key(**json.loads(private.export_public()))
    return private, public


def vectors():
    private, public = keys()
    kid = public.thumbprint()  # RFC 7638, SHA-256
    print("# public JWK:", private.export_public())
    print("# RFC 7638 thumbprint (kid):", kid)
    cases = [
        ({"alg": "ECDH-ES+A256KW", "enc": "A256GCM", "kid": kid}, "+447700900001"),
        (
            {
                "alg": "ECDH-ES",
                "enc": "A256GCM",
                "apu": base64url_encode(b"qa-sp"),
                "apv": base64url_encode(b"assent-gateway"),
            },
            "447700900002",
        ),
        ({"alg": "ECDH-ES+A256KW", "enc": "A128GCM"}, "+447700900003"),
        ({"alg": "ECDH-ES", "enc": "A128GCM", "kid": kid}, "+447700900004"),
    ]
    for header, msisdn in cases:
        token = jwe.JWE(msisdn.encode(), json.dumps(header), recipient=public)
        print(f"# {header['alg']} {header['enc']} -> {msisdn}")
        print(token.serialize(compact=True))


def decrypt():
    private, _ = keys()
    failures = 0
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            token = jwe.JWE()
            token.deserialize(line, key=private)
            header = json.loads(token.objects["protected"])
            print(
                "OK", header["alg"], header["enc"], header.get("kid"),
                header.get("apu"), header.get("apv"), token.payload.decode(),
            )
        except Exception as e:  # noqa: BLE001 - report every failure, keep going
            failures += 1
            print("FAIL", type(e).__name__, e, line[:40])
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    {"vectors": vectors, "decrypt": decrypt}[sys.argv[1] if len(sys.argv) > 1 else "vectors"]()
