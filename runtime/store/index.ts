// The store's public surface: the backend contract, the SQLite backend, the in-memory KvStore,
// per-module views and module options. Everything else in this folder is internal.
export type { Change, StoreBackend } from "./types.ts";
export { SqliteStore, openSqliteStore, type SqliteStoreOptions } from "./sqlite.ts";
export { KvStore, type ChangeOrigin, type StoreListener } from "./kv.ts";
export { dataDirWarning, ownerOnly, sqliteOwnerOnly } from "./owner-only.ts";
export { ModuleStore, DEFAULT_STORE_QUOTA, type StoreQuota } from "./module-store.ts";
export {
  OPTION_TYPES,
  optionKey,
  validateOptionDecls,
  parseOptionValue,
  formatOptionValue,
  getOption,
  setOption,
  type OptionType,
  type OptionLevel,
  type OptionValue,
  type OptionSpec,
  type OptionDecl,
} from "./options.ts";
