// Package signatures: ed25519 over the tarball's integrity string (its SHA-512), kept in a small
// JSON file beside the tarball (FILE.tgz.sig), minisign-style, so the tarball itself stays the
// exact bytes that were hashed and one file can carry several signatures' worth of trust later.
import { sign, verify } from "node:crypto";
import { Errno } from "../errors.ts";
import { integrityOf } from "./integrity.ts";
import { keyIdOf, privateKeyFrom, publicKeyFrom } from "./keys.ts";
import { PackageError } from "./package-error.ts";

export const SIGNATURE_SUFFIX = ".sig";

interface SignatureFile {
  tsmgrSignature: 1;
  keyId: string;
  integrity: string;
  /** base64 of the 64-byte ed25519 signature of signedMessage(integrity) */
  signature: string;
}

/** What exactly is signed: a fixed context line, so a signature means nothing elsewhere. */
const signedMessage = (integrity: string) => Buffer.from(`tsmgr-package-signature-v1\n${integrity}\n`);

export interface TrustPolicy {
  keys: readonly string[];
  requireSigned: boolean;
}

export interface SignatureCheck {
  /** the trusted key that signed it; undefined when unsigned (or signed by an unknown key, allowed) */
  signer: string | undefined;
  /** said in the install's answer and the audit record */
  status: string;
}

/** The .sig file's text for `tgz`, signed with a PEM ed25519 private key. */
export function signPackage(tgz: Uint8Array, privateKeyPem: string): string {
  const key = privateKeyFrom(privateKeyPem);
  const integrity = integrityOf(tgz);
  const file: SignatureFile = {
    tsmgrSignature: 1,
    keyId: keyIdOf(key),
    integrity,
    signature: sign(null, signedMessage(integrity), key).toString("base64"),
  };
  return JSON.stringify(file, null, 2) + "\n";
}

function parseSignature(text: string): SignatureFile {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    v = undefined;
  }
  const s = v as SignatureFile | undefined;
  if (
    !s ||
    s.tsmgrSignature !== 1 ||
    typeof s.keyId !== "string" ||
    typeof s.integrity !== "string" ||
    typeof s.signature !== "string" ||
    !/^[A-Za-z0-9+/]{86}==$/.test(s.signature)
  ) {
    throw new PackageError(
      "the signature file is not a tsmgr signature (JSON with tsmgrSignature, keyId, integrity, signature): sign the package again with tsmgr module sign",
      Errno.EACCES,
    );
  }
  return s;
}

/** Checks `sigText` (the .sig file, or undefined when there is none) against `tgz` and the trust policy. */
export function checkSignature(tgz: Uint8Array, sigText: string | undefined, trust: TrustPolicy): SignatureCheck {
  const refuse = (msg: string) => new PackageError(msg, Errno.EACCES);
  if (sigText === undefined) {
    if (trust.requireSigned)
      throw refuse(
        "the package is unsigned and mgr.json sets trust.requireSigned: sign it with a trusted key (tsmgr module sign PKG --key FILE) and put FILE.tgz.sig beside it",
      );
    return { signer: undefined, status: "unsigned" };
  }
  const s = parseSignature(sigText);
  const integrity = integrityOf(tgz);
  if (s.integrity !== integrity)
    throw refuse(
      `bad signature: it was made for ${s.integrity}, but the package is ${integrity}: the tarball was altered after signing, or the .sig belongs to another file`,
    );
  const key = trust.keys.map((k) => publicKeyFrom(k)).find((k) => keyIdOf(k) === s.keyId);
  if (!key) {
    if (trust.requireSigned)
      throw refuse(
        `the package is signed by key ${s.keyId}, which is not in mgr.json trust.keys: add the publisher's public key there if you trust it`,
      );
    return {
      signer: undefined,
      status: `signed by ${s.keyId}, a key not in trust.keys (accepted: trust.requireSigned is false)`,
    };
  }
  if (!verify(null, signedMessage(integrity), key, Buffer.from(s.signature, "base64"))) {
    throw refuse(
      `bad signature: it does not verify with trusted key ${s.keyId}: the package or its .sig was tampered with`,
    );
  }
  return { signer: s.keyId, status: `signed by trusted key ${s.keyId}` };
}
