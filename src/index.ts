/** The library surface of netpol-wasm for Node: everything in browser.ts, plus files and stdin. */
export * from "./browser.js";
export { loadPaths } from "./model/files.js";
import "./engine/parallel.js"; // registers decideParallel and createBatch({ shared: true })
