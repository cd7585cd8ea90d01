// DOMException: the error class web APIs throw (AbortError, TimeoutError, DataCloneError, ...).
// `name` is an own data property: what crosses to the host is read without running getters.
const CODES = {
  IndexSizeError: 1,
  InvalidCharacterError: 5,
  NotFoundError: 8,
  NotSupportedError: 9,
  InvalidStateError: 11,
  SyntaxError: 12,
  NetworkError: 19,
  AbortError: 20,
  TimeoutError: 23,
  DataCloneError: 25,
};

export class DOMException extends Error {
  constructor(message = "", name = "Error") {
    super(String(message));
    Object.defineProperty(this, "name", { value: String(name), writable: true, configurable: true });
  }
  get code() {
    return CODES[this.name] ?? 0;
  }
}
