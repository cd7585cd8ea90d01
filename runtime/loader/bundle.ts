// What a build produces: the script an isolate runs, with its map, inputs and version.
export interface Bundle {
  name: string;
  code: string;
  /** the source map (JSON text), kept on the host: isolates never see it */
  map: string;
  /** absolute paths of every file the bundle was built from (for the watcher and the cache) */
  inputs: string[];
  /** content hash of the bundle: the module's version */
  version: string;
  /** the bundle cache key of the inputs as this build read them */
  key?: string;
}
