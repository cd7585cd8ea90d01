// Where module options live in the store, shared by the option code (options.ts) and the
// module's store view (module-store.ts), which counts them against the module's quota.

/**
 * Where an option's value lives in the store: `config/mgr/mgr/<module>/<name>`. It mirrors Ceph,
 * where `ceph config set mgr mgr/<module>/<name> VALUE` stores option `mgr/<module>/<name>` in
 * config section `mgr`; tsmgr keeps the config database under the `config/` prefix, then the
 * section, then the option name (hence the doubled `mgr`).
 */
export function optionKey(module: string, name: string): string {
  return optionPrefix(module) + name;
}

/** The prefix of every option key of a module: `config/mgr/mgr/<module>/`. */
export function optionPrefix(module: string): string {
  return `config/mgr/mgr/${module}/`;
}
