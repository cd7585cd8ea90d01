// HTTP and the admin socket: the JSON command protocol, its servers and client, module HTTP.
export { AdminSocket, type AdminSocketOptions, type RequestHandler } from "./asok.ts";
export { type CommandListing } from "./_ceph-asok.ts";
export { type ConnectionLimits } from "./_conn-guard.ts";
export { HttpApi, type HttpApiOptions } from "./api.ts";
export { ModuleHttpServer, MAX_BODY_BYTES, type ModuleHttpOptions, type ModuleHttpTarget } from "./module-server.ts";
export { requestAsok, requestHttp, NoDaemon } from "./client.ts";
export { parseRequest, errorResponse, MAX_REQUEST_BYTES, type WireRequest, type WireResponse } from "./protocol.ts";
