// The threads build of the core (Node's decideParallel): the same core, its memory imported
// and shared, so every worker thread decides with the one copy of the tables and reads flows
// where the host wrote them. Two exports more than the standalone core:
//
//   tablesAt() → ptr      the installed tables (0: none), for another instance to use
//   useTables(ptr) → code make this instance decide with tables another instance installed
//                         on the same memory (0 ok, 12 if ptr is not a loaded tables slot)
//
// Only one instance may allocate or load (the host's): the allocator's top and the active
// tables are per-instance globals. Workers call decideBatch only (decide() uses static scratch).
export * from "./index";
import { adopt, current, loaded } from "./tables";

export function tablesAt(): usize {
  return loaded() ? changetype<usize>(current()) : 0;
}

export function useTables(ptr: usize): u32 {
  return adopt(ptr) ? 0 : 12;
}
