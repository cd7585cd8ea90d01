// Keys of HTTP callers (`tsmgr auth add`) and the group's peer key, in the shared store.
// A key is a bearer secret: the store keeps only a salted hash of it (HMAC-SHA256; the keys are
// 192 random bits, so a slow KDF would add nothing), and checks compare in constant time.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { KvStore } from "../store/index.ts";

/** Every key the daemon keeps for itself starts here; `config-key` can neither read nor write them. */
export const DAEMON_PREFIX = "tsmgr/";
export const AUTH_PREFIX = "tsmgr/auth/";
/** The peer key in clear: a standby presents it to an active on another machine. */
const PEER_KEY = "tsmgr/peer-key";
const PEER_ENTITY = "mgr.peer";

interface AuthEntry {
  caps: string;
  salt?: string;
  hash?: string;
  /** a key stored in clear by tsmgr 0.1; still accepted */
  key?: string;
}

const hashKey = (salt: string, key: string): Buffer =>
  createHmac("sha256", Buffer.from(salt, "base64url")).update(key).digest();

function parseEntry(text: string): AuthEntry | undefined {
  try {
    const e = JSON.parse(text) as AuthEntry;
    return typeof e === "object" && e !== null && typeof e.caps === "string" ? e : undefined;
  } catch {
    return undefined; // a hand-edited entry that is not ours
  }
}

function matches(e: AuthEntry, key: string): boolean {
  if (e.salt && e.hash) {
    const want = Buffer.from(e.hash, "base64url");
    const got = hashKey(e.salt, key);
    return want.length === got.length && timingSafeEqual(want, got);
  }
  if (typeof e.key !== "string") return false;
  const a = Buffer.from(e.key);
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class AuthKeys {
  readonly #kv: KvStore;

  constructor(kv: KvStore) {
    this.#kv = kv;
  }

  exists(entity: string): boolean {
    return this.#kv.get(AUTH_PREFIX + entity) !== undefined;
  }

  /** Creates a key for `entity`; returns it (the only time it is seen in clear). */
  async add(entity: string, caps: string): Promise<string> {
    const key = randomBytes(24).toString("base64url");
    await this.#store(entity, key, caps);
    return key;
  }

  async #store(entity: string, key: string, caps: string): Promise<void> {
    const salt = randomBytes(16).toString("base64url");
    const entry: AuthEntry = { caps, salt, hash: hashKey(salt, key).toString("base64url") };
    await this.#kv.set(AUTH_PREFIX + entity, JSON.stringify(entry));
  }

  async remove(entity: string): Promise<void> {
    await this.#kv.set(AUTH_PREFIX + entity, null);
  }

  list(): { entity: string; caps: string }[] {
    const out: { entity: string; caps: string }[] = [];
    for (const [k, v] of this.#kv.prefix(AUTH_PREFIX)) {
      const e = parseEntry(v);
      if (e) out.push({ entity: k.slice(AUTH_PREFIX.length), caps: e.caps });
    }
    return out;
  }

  /** Caps of an HTTP caller presenting `key`, or undefined. Every entry is checked, so timing says nothing. */
  capsFor(key: string): string | undefined {
    let caps: string | undefined;
    for (const [, v] of this.#kv.prefix(AUTH_PREFIX)) {
      const e = parseEntry(v);
      if (e && matches(e, key) && caps === undefined) caps = e.caps;
    }
    return caps;
  }

  /** The key daemons of one group present to each other's HTTP API when forwarding commands. */
  peerKey(): string | undefined {
    return this.#kv.get(PEER_KEY);
  }

  /** Created by the first active daemon of a group; every member reads it from the shared store. */
  async ensurePeerKey(): Promise<void> {
    if (this.peerKey() && this.exists(PEER_ENTITY)) return;
    const key = randomBytes(24).toString("base64url");
    await this.#kv.set(PEER_KEY, key);
    await this.#store(PEER_ENTITY, key, "*");
  }
}
