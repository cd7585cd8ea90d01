// Ed25519 keys as tsmgr reads them: a trusted public key is PEM (SPKI, as `openssl pkey -pubout`
// writes) or the 32 raw bytes in base64; a signing key is PEM (PKCS#8, `openssl genpkey -algorithm
// ed25519`). A key's id is a short hash of its raw bytes, shown in signatures and the audit log.
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";

/** A public key from its text; a TypeError saying what was expected otherwise. */
export function publicKeyFrom(text: string): KeyObject {
  const t = text.trim();
  let key: KeyObject;
  try {
    if (t.startsWith("-----BEGIN")) key = createPublicKey(t);
    else {
      const raw = Buffer.from(t, "base64");
      if (raw.length !== 32 || !/^[A-Za-z0-9+/]{43}=?$/.test(t)) throw new Error(`${raw.length} bytes`);
      key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") }, format: "jwk" });
    }
  } catch (e) {
    throw new TypeError(
      `not an ed25519 public key (give PEM "-----BEGIN PUBLIC KEY-----..." or the 32 raw bytes in base64): ${(e as Error).message}`,
    );
  }
  if (key.asymmetricKeyType !== "ed25519")
    throw new TypeError(`a ${key.asymmetricKeyType} key, not ed25519: package signatures are ed25519`);
  return key;
}

/** A private key from PEM text (an ed25519 PKCS#8 key). */
export function privateKeyFrom(text: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch (e) {
    throw new TypeError(
      `not a private key in PEM (create one with: openssl genpkey -algorithm ed25519 -out key.pem): ${(e as Error).message}`,
    );
  }
  if (key.asymmetricKeyType !== "ed25519")
    throw new TypeError(
      `a ${key.asymmetricKeyType} key, not ed25519: create one with openssl genpkey -algorithm ed25519`,
    );
  return key;
}

/** "ed25519:" and the first 16 hex digits of the SHA-256 of the raw public key. */
export function keyIdOf(key: KeyObject): string {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  const raw = Buffer.from(pub.export({ format: "jwk" }).x!, "base64url");
  return `ed25519:${createHash("sha256").update(raw).digest("hex").slice(0, 16)}`;
}
