// fetch(): the request is made by the host (runtime/api/fetch.ts), which checks the module's
// grants (modules.NAME.allow.fetch) on every hop. Only plain data crosses: the request as JSON
// text and its body as a latin1 string; the answer as "r" + JSON head + "\n" + body, or
// "e" + {name, message}.
import { bytesOfLatin1, latin1Of } from "./base64.js";
import { Request, Response } from "./body.js";
import { DOMException } from "./dom-exception.js";

let host = { fetch: undefined, abort: undefined };
/** The prelude hands over the host functions before any module code runs. */
export function useFetchHost(h) {
  host = h;
}

let nextId = 1;

export function fetch(input, init) {
  return new Promise((resolve, reject) => {
    let req;
    try {
      req = new Request(input, init);
    } catch (e) {
      reject(e);
      return;
    }
    const signal = req.signal;
    if (signal && signal.aborted) return reject(signal.reason);
    const id = nextId++;
    const body = req._bytes();
    const head = JSON.stringify({
      id,
      method: req.method,
      url: req.url,
      headers: [...req.headers],
      redirect: req.redirect,
      hasBody: body !== null,
    });
    let settled = false;
    const onAbort = () => {
      if (settled) return;
      settled = true;
      host.abort(id);
      reject(signal.reason);
    };
    if (signal) signal.addEventListener("abort", onAbort, { once: true });
    const finish = (fn) => {
      if (settled) return;
      settled = true;
      if (signal) signal.removeEventListener("abort", onAbort);
      fn();
    };
    host.fetch(head, body === null ? "" : latin1Of(body)).then(
      (answer) => finish(() => (answer[0] === "r" ? resolve(responseOf(answer)) : reject(errorOf(answer)))),
      (e) => finish(() => reject(e)),
    );
  });
}

function responseOf(answer) {
  const nl = answer.indexOf("\n");
  const head = JSON.parse(answer.slice(1, nl));
  const bytes = bytesOfLatin1(answer.slice(nl + 1));
  const meta = { type: "basic", url: head.url, redirected: head.redirected };
  const noBody = head.status === 204 || head.status === 304 || head.method === "HEAD";
  return new Response(
    noBody ? null : bytes,
    { status: head.status, statusText: head.statusText, headers: head.headers },
    meta,
  );
}

function errorOf(answer) {
  const { name, message } = JSON.parse(answer.slice(1));
  if (name === "AbortError" || name === "TimeoutError") return new DOMException(message, name);
  if (name === "TypeError") return new TypeError(message);
  if (name === "RangeError") return new RangeError(message);
  const e = new Error(message);
  e.name = name;
  return e;
}
