/** Loading from paths and standard input: the Node-only door into the pipeline of load.ts. */
import { PolicyError } from "../load/diagnostics.js";
import { readSources } from "../load/sources.js";
import { type LoadOptions, type Loaded, loadCluster } from "./load.js";

export async function loadPaths(paths: readonly string[], options: LoadOptions = {}, stdin?: NodeJS.ReadableStream): Promise<Loaded> {
  const { sources, diagnostics } = await readSources(paths, stdin);
  let loaded: Loaded;
  try {
    loaded = loadCluster(sources, options);
  } catch (e) {
    if (e instanceof PolicyError && diagnostics.length > 0) throw new PolicyError([...diagnostics, ...e.diagnostics]);
    throw e;
  }
  if (diagnostics.length > 0) throw new PolicyError([...diagnostics, ...loaded.warnings]);
  return loaded;
}
