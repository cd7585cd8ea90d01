// An error as the daemon logs it for a module: bounded whatever the module threw. The prelude
// already cuts what crosses the isolate boundary; this holds for anything else (host errors
// with a module's text in them, a prelude bypass) so one log line stays a few KiB.

export const MAX_ERROR_TEXT = 8 * 1024;
export const MAX_ERROR_FRAMES = 20;

/** `err.stack` (or name: message) with at most MAX_ERROR_FRAMES frames and MAX_ERROR_TEXT characters. */
export function boundedErrorText(err: Error): string {
  const text = typeof err.stack === "string" && err.stack !== "" ? err.stack : `${err.name}: ${err.message}`;
  const lines = text.slice(0, MAX_ERROR_TEXT + 1).split("\n");
  let out = lines.slice(0, MAX_ERROR_FRAMES + 1).join("\n");
  if (out.length > MAX_ERROR_TEXT) out = out.slice(0, MAX_ERROR_TEXT);
  return out.length < text.length ? out + "…(truncated)" : out;
}
