# Verifies the vmfa-auth stanza of a vault.age with the vault's identity,
# as docs/vault-format.md describes it, independently of vmfa and of age's code.
import base64, hashlib, hmac, sys
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

def bech32_decode(s):
    s = s.lower()
    pos = s.rfind("1")
    data = [CHARSET.index(c) for c in s[pos + 1:]][:-6]  # the checksum is age's to check
    acc, bits, out = 0, 0, []
    for v in data:
        acc = (acc << 5) | v
        bits += 5
        while bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    return bytes(out)

def b64(s):
    return base64.b64decode(s + "=" * (-len(s) % 4))

identity = open(sys.argv[1]).read().split("AGE-SECRET-KEY-1", 1)[1].split()[0]
identity = "AGE-SECRET-KEY-1" + identity
key = X25519PrivateKey.from_private_bytes(bech32_decode(identity))
pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

lines = open(sys.argv[2], "rb").read().split(b"\n")
stanzas, i = [], 1
while lines[i].startswith(b"-> "):
    args = lines[i][3:].decode().split(" ")
    body, i = b"", i + 1
    while True:
        body += b64(lines[i].decode()) if lines[i] else b""
        full = len(lines[i]) == 64
        i += 1
        if not full:
            break
    stanzas.append((args, body))

file_key = None
for args, body in stanzas:
    if args[0] == "X25519":
        share = b64(args[1])
        shared = key.exchange(X25519PublicKey.from_public_bytes(share))
        wrap = HKDF(hashes.SHA256(), 32, share + pub, b"age-encryption.org/v1/X25519").derive(shared)
        file_key = ChaCha20Poly1305(wrap).decrypt(b"\0" * 12, body, None)
tags = [body for args, body in stanzas if args == ["vmfa-auth"]]
k = HKDF(hashes.SHA256(), 32, None, b"vmfa vault.age authentication v1").derive(identity.encode())
ok = file_key is not None and len(tags) == 1 and hmac.compare_digest(tags[0], hmac.new(k, file_key, hashlib.sha256).digest())
print("authentic" if ok else "not authentic")
