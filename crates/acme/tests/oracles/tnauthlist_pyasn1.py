"""Independent oracle for crates/acme/src/tnauthlist.rs: RFC 8226 TNAuthList DER.

pyasn1-modules ships RFC 8226's ASN.1 module (``pyasn1_modules.rfc8226``, written by one of
the RFC's authors, errata applied). This script

1. encodes lists with pyasn1 (one number, one service provider code, one range, several
   entries) and checks the bytes against the hex vectors embedded in the Rust tests
   (``PYASN1_*`` constants in ``tnauthlist.rs``), printing them so they can be refreshed;
2. decodes the bytes the Rust encoder produced (``RUST_*`` below, copied from
   ``TnAuthList::to_der`` / ``identifier_value``) and checks the decoded values and that
   pyasn1 re-encodes them to the same bytes (so they are DER, not just BER);
3. checks that pyasn1 also refuses the IMPLICIT-tag mis-encoding the Rust decoder refuses.

Run it (no network, no cargo) with:

    pip install pyasn1-modules        # checked with pyasn1 0.6.3, pyasn1-modules 0.4.2
    python3 crates/acme/tests/oracles/tnauthlist_pyasn1.py

It exits non-zero on any mismatch and prints "N passed, 0 failed" otherwise.
"""

import base64
import sys

from pyasn1.codec.der import decoder, encoder
from pyasn1.error import PyAsn1Error
from pyasn1.type import tag
from pyasn1_modules import rfc8226

# Vectors embedded in tnauthlist.rs (PYASN1_ONE, PYASN1_SPC, PYASN1_RANGE, PYASN1_SEVERAL).
EXPECTED = {
    "one": "300fa20d160b3135353531323334353637",
    "spc": "3008a006160431323334",
    "range": "3014a1123010160b3135353531323330303030020164",
    "several": "3035a006160431323334a1133011160b313535353132333030303002022710"
    "a20e160c343431363332393630393631a20616042a363723",
}

# Bytes produced by the Rust encoder (see the comments for the call that produced them).
RUST = {
    # TnAuthList::single("+15551234567").to_der()
    "single": ("300fa20d160b3135353531323334353637", [("one", "15551234567")]),
    # base64url-decoded identifier_value("+15551234567") == "MA-iDRYLMTU1NTEyMzQ1Njc"
    "identifier": (
        base64.urlsafe_b64decode("MA-iDRYLMTU1NTEyMzQ1Njc" + "=").hex(),
        [("one", "15551234567")],
    ),
    # TnAuthList([Spc("1234"), Range{15551230000, 10000}, One("441632960961"), One("*67#")])
    "several": (
        EXPECTED["several"],
        [
            ("spc", "1234"),
            ("range", ("15551230000", 10000)),
            ("one", "441632960961"),
            ("one", "*67#"),
        ],
    ),
}

PASSED = 0
FAILED = 0


def check(name, ok, detail=""):
    global PASSED, FAILED
    if ok:
        PASSED += 1
        print(f"ok   {name}" + (f" ({detail})" if detail else ""))
    else:
        FAILED += 1
        print(f"FAIL {name} {detail}")


def entry(kind, value):
    e = rfc8226.TNEntry()
    if kind == "spc":
        e["spc"] = value
    elif kind == "one":
        e["one"] = value
    else:
        start, count = value
        r = e["range"]
        r["start"] = start
        r["count"] = count
    return e


def tn_list(entries):
    lst = rfc8226.TNAuthorizationList()
    for i, (kind, value) in enumerate(entries):
        lst[i] = entry(kind, value)
    return lst


def to_py(lst):
    out = []
    for e in lst:
        kind = e.getName()
        v = e.getComponent()
        if kind == "range":
            out.append((kind, (str(v["start"]), int(v["count"]))))
        else:
            out.append((kind, str(v)))
    return out


def main():
    # 1. pyasn1 encodes; the Rust tests embed these bytes.
    built = {
        "one": [("one", "15551234567")],
        "spc": [("spc", "1234")],
        "range": [("range", ("15551230000", 100))],
        "several": RUST["several"][1],
    }
    for name, entries in built.items():
        der = encoder.encode(tn_list(entries)).hex()
        print(f"pyasn1 {name}: {der}")
        check(f"pyasn1 encodes {name} as the Rust vector", der == EXPECTED[name],
              f"got {der}, Rust test has {EXPECTED[name]}")

    # The explicit tags are constructed: 0xA0 / 0xA1 / 0xA2.
    spc_tag = rfc8226.TNEntry.componentType["spc"].asn1Object.tagSet[-1]
    one_tag = rfc8226.TNEntry.componentType["one"].asn1Object.tagSet[-1]
    check("spc is [0] EXPLICIT (constructed)",
          spc_tag == tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0))
    check("one is [2] EXPLICIT (constructed)",
          one_tag == tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2))

    # 2. pyasn1 decodes what the Rust encoder wrote.
    for name, (hexder, entries) in RUST.items():
        der = bytes.fromhex(hexder)
        value, rest = decoder.decode(der, asn1Spec=rfc8226.TNAuthorizationList())
        check(f"pyasn1 decodes Rust {name} with no remainder", rest == b"", rest.hex())
        check(f"pyasn1 reads Rust {name} as {entries}", to_py(value) == entries,
              str(to_py(value)))
        check(f"Rust {name} is DER (pyasn1 re-encodes identically)",
              encoder.encode(value) == der)

    # 3. Byte strings the Rust decoder refuses (from the negative tests in tnauthlist.rs):
    #    pyasn1's DER decoder with the RFC 8226 spec refuses each of them too.
    refused = {
        "IMPLICIT [2] (0x82, primitive)": "300d820b3135353531323334353637",
        "primitive [2] around a TLV": "300f820d160b3135353531323334353637",
        "tag [3]": "300fa30d160b3135353531323334353637",
        "UTF8String for IA5String": "300fa20d0c0b3135353531323334353637",
        "indefinite length": "3080a20d160b31353535313233343536370000",
        "empty list": "3000",
        "16-digit number": "3014a2121610" + "31323334353637383930313233343536",
        "empty number": "3004a2021600",
        "'+' in the number": "3010a20e160c2b3135353531323334353637",
        "count 1": "3014a1123010160b3135353531323330303030020101",
        "count -1": "3014a1123010160b31353535313233303030300201ff",
        "range with a third component": "3018a1163014160b3135353531323330303030020164" + "0500",
    }
    for name, hexder in refused.items():
        der = bytes.fromhex(hexder)
        try:
            value, rest = decoder.decode(der, asn1Spec=rfc8226.TNAuthorizationList())
            # pyasn1 checks SIZE constraints lazily; encoding the value enforces them.
            encoder.encode(value)
            check(f"pyasn1 refuses {name}", False, f"decoded {to_py(value)}, rest {rest.hex()}")
        except (PyAsn1Error, KeyError, ValueError) as exc:
            reason = " ".join(str(exc).split())
            check(f"pyasn1 refuses {name}", True, f"{type(exc).__name__}: {reason[:90]}")

    print(f"{PASSED} passed, {FAILED} failed")
    return 0 if FAILED == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
