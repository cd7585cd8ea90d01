// @tsmgr/sdk/testing: the module author's test kit. It runs in Node (uvu, node:test), never in
// an isolate: harness() loads a module into a real daemon beside a simulated cluster.
export { harness, Harness, type HarnessOptions, type LogLine, type ShownHealthCheck } from "./harness.ts";
export { RemoteStub, type StubCall, type StubMethods } from "./remote-stub.ts";
export { VirtualClock } from "./virtual-clock.ts";
export { splitWords } from "./split-words.ts";
