// What the watcher needs from the daemon's modules, declared here so watch/ never imports the
// daemon: ModuleManager satisfies it as it is (structurally).

/** One module as the watcher sees it. */
export interface WatchedModule {
  readonly name: string;
  /** absolute path of the entry file */
  readonly entry: string;
  /** files the running (or last attempted) bundle was built from */
  readonly inputs: readonly string[];
  /** rebuilds and swaps the module in; rejects or resolves, never hangs past the build deadline */
  reload(reason: string): Promise<unknown>;
}

export interface WatchTarget {
  runner(name: string): WatchedModule | undefined;
  runners(): WatchedModule[];
  /** finds modules added to or removed from the module path */
  rescan(): Promise<void>;
}
