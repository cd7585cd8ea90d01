// Election: one active daemon per group; the SQLite lease is the embedded backend.
export { SqliteElection, type SqliteElectionOptions } from "./sqlite.ts";
export type { Election, MgrMap, Member, Role } from "./types.ts";
