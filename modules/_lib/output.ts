// Module output as the real ceph-mgr hands it to the client: a Python module's text with its
// trailing newlines cut (the client adds one back), so "0 crashes recorded\n\n\n" and an
// empty table followed by "\n\n" print as Ceph prints them.

/** @example mgrText("a\n\n") // "a" */
export function mgrText(text: string): string {
  return text.replace(/\n+$/, "");
}
