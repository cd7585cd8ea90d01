// What went wrong with an etcd call, in one short line for messages.

/** A short reason from an etcd3/gRPC/cockatiel error. */
export function etcdReason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const name = err.constructor?.name && err.constructor.name !== "Error" ? `${err.constructor.name}: ` : "";
  // gRPC appends an empty "Resolution note:" to connection errors
  const msg = err.message
    .split("\n")[0]!
    .replace(/\s*Resolution note:\s*$/, "")
    .replace(/[.\s]+$/, "");
  return `${name}${msg}`;
}
