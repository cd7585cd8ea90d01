// HTTP and the admin socket: the JSON command protocol, its servers and client, module HTTP.
export { AdminSocket, type RequestHandler } from "./asok.ts";
export { HttpApi } from "./api.ts";
export { ModuleHttpServer, MAX_BODY_BYTES, type ModuleHttpTarget } from "./module-server.ts";
export { requestAsok, requestHttp, NoDaemon } from "./client.ts";
export { parseRequest, errorResponse, MAX_REQUEST_BYTES, type WireRequest, type WireResponse } from "./protocol.ts";
