#!/usr/bin/env python3
"""Independent verifier of the gateway's signed JWTs, using Python jwcrypto (pip install
jwcrypto; CI installs it, .ci/run).

    python3 jws_jwcrypto.py JWKS_FILE < compact-jws

Verifies the compact JWS read from standard input against the JSON Web Key Set in JWKS_FILE
(the gateway's /jwks), choosing the key by the header's `kid`. Prints one JSON object,
{"header": {...}, "claims": {...}}, and exits 0; exits 1 with a reason on standard error if
the signature, the key or the payload does not hold.
"""

import json
import sys

from jwcrypto import jwk, jws
from jwcrypto.common import JWException


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        keys = jwk.JWKSet.from_json(f.read())
    token = sys.stdin.read().strip()
    signed = jws.JWS()
    try:
        signed.deserialize(token)
        header = signed.jose_header
        key = keys.get_key(header.get("kid"))
        if key is None:
            print(f"no key with kid {header.get('kid')!r}", file=sys.stderr)
            return 1
        signed.verify(key, alg=header.get("alg"))
        claims = json.loads(signed.payload)
    except (JWException, ValueError) as e:
        print(f"not verified: {e!r}", file=sys.stderr)
        return 1
    print(json.dumps({"header": header, "claims": claims}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
