// The etcd client every etcd backend shares (etcd3@1.1.2, pinned, with tuned deadlines and
// back-off): creating it, waiting for etcd to answer, dropping watches before closing.
import { Etcd3, isRecoverableError, type Namespace, type Watcher } from "etcd3";
import { circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleWhen, type IBackoff } from "cockatiel";
import { StoreError } from "../errors.ts";
import { etcdReason } from "./etcd-reason.ts";
import { GROUP_KEY } from "./group.ts";

/** Deadline of every unary etcd call (not streams), ms: a lost raft leader must not hang a write for 7 s. */
export const ETCD_CALL_TIMEOUT_MS = 1000;
/** How long opening waits for etcd to answer before giving up with an error naming the endpoints. */
export const ETCD_OPEN_TIMEOUT_MS = 4000;

/**
 * An etcd client with the three defaults of etcd3 1.1.2 changed (docs/etcd.md explains why):
 * a deadline on every unary call, a per-host circuit breaker that half-opens after 300 ms
 * instead of 5 s (which would block lease keep-alives longer than a lease), and a 100 ms–1 s
 * watch reconnect back-off instead of 3–5 s. One client per daemon is enough: the store and the
 * election share it.
 */
export function createEtcdClient(endpoints: readonly string[], callTimeoutMs = ETCD_CALL_TIMEOUT_MS): Etcd3 {
  return new Etcd3({
    hosts: [...endpoints],
    defaultCallOptions: (c) => (c.isStream ? {} : { deadline: Date.now() + callTimeoutMs }),
    grpcOptions: {
      // a whole-store read can pass gRPC's 4 MiB default; pages keep it far below this
      "grpc.max_receive_message_length": 64 * 1024 * 1024,
      // notice a dead connection (peer gone without a FIN) on an idle watch stream; etcd's
      // default --grpc-keepalive-min-time is 5 s, so ping no more often than every 10 s
      "grpc.keepalive_time_ms": 10_000,
      "grpc.keepalive_timeout_ms": 5_000,
    },
    faultHandling: {
      host: () =>
        circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: 300, breaker: new ConsecutiveBreaker(3) }),
      // etcd3 1.1.2 types this as IBackoff but calls .next() on it like a factory
      watchBackoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 1000 }) as unknown as IBackoff<unknown>,
    },
  });
}

/**
 * Cancels every watch made through `ns` (waiting at most `ms`), makes its watch manager forget
 * them, and refuses any later one. Needed before the client closes: etcd3 1.1.2 retries the
 * watch stream of a closed client every second forever (a timer that keeps the process alive),
 * and the watches it makes itself (a waiting campaign's, which may still be on its way) cannot
 * be cancelled through its API. Uses the pinned version's internals.
 */
export async function dropWatches(ns: Namespace, ms = 500): Promise<void> {
  type Manager = { watchers: Watcher[]; state: number; destroyStream(): void; attach(w: Watcher): void };
  const wm = (ns as unknown as { watchManager?: Manager }).watchManager;
  if (!wm) return;
  // from now on a new watch fails at once instead of dialling a closed client
  wm.attach = (w: Watcher) => {
    setImmediate(() => {
      if (w.listenerCount("error") > 0)
        w.emit("error", new Error("etcd watch refused: the daemon is leaving its group"));
    });
  };
  if (wm.watchers.length === 0) return;
  await Promise.race([
    Promise.all([...wm.watchers].map((w) => w.cancel().catch(() => {}))),
    new Promise((r) => setTimeout(r, ms).unref()),
  ]);
  if (wm.watchers.length === 0) return;
  wm.watchers = [];
  try {
    if (wm.state === 2 /* connected */) wm.destroyStream(); // no more events for watchers it no longer knows
  } catch {
    // already going down
  }
}

/** Resolves once etcd answers a read; after `timeoutMs`, a StoreError naming the endpoints. */
export async function waitForEtcd(
  client: Etcd3,
  endpoints: readonly string[],
  prefix: string,
  timeoutMs: number,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      await client
        .namespace(prefix)
        .get(GROUP_KEY)
        .options({ deadline: Math.min(end, Date.now() + ETCD_CALL_TIMEOUT_MS) })
        .exec();
      return;
    } catch (err) {
      last = err;
    }
    if (Date.now() + 100 >= end) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new StoreError(
    `cannot reach etcd at ${endpoints.join(", ")} within ${Math.round(timeoutMs / 100) / 10} s (${etcdReason(last)}): ` +
      "check that etcd is running there, that these are its client URLs (etcd.endpoints in mgr.json, e.g. " +
      '["http://10.0.0.1:2379"]), and that no firewall blocks them',
    { cause: last },
  );
}
