// mgr.json `trust`: the ed25519 public keys whose package signatures tsmgr accepts, and whether
// unsigned packages (or packages signed by another key) are refused.
import { ConfigError } from "../errors.ts";
import { publicKeyFrom } from "../packages/keys.ts";
import { bool, checkKeys, section, strList, type Obj } from "./_fields.ts";
import type { TrustConfig } from "./types.ts";

export function trustSection(raw: Obj): TrustConfig {
  const trust = section(raw, "trust", "trust.");
  checkKeys(trust, ["keys", "requireSigned"], "trust");
  const keys = strList(trust, "keys", "trust.", []);
  keys.forEach((k, i) => {
    try {
      publicKeyFrom(k);
    } catch (e) {
      throw new ConfigError(`trust.keys[${i}]`, (e as Error).message);
    }
  });
  const requireSigned = bool(trust, "requireSigned", "trust.", false);
  if (requireSigned && keys.length === 0)
    throw new ConfigError(
      "trust.requireSigned",
      "is true but trust.keys is empty: no package could be installed; add the publisher's public key to trust.keys",
    );
  return { keys, requireSigned };
}
