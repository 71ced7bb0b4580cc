// The loaded bundle: table addresses and counts. Two static slots: a load fills the one not in
// use and switches to it only after the whole bundle validated, so a failed load leaves the
// previous tables in place. The hot path copies the fields into locals once per batch.

@unmanaged
export class Tables {
  peerClasses!: u32;
  rowWords!: u32;
  profiles!: u32;
  portClasses!: u32;
  rows!: u32;
  nodeCount!: u32;
  trie4RootBits!: u32;
  trie6RootBits!: u32;
  hash4Mask!: u32;
  hash4Shift!: u32;
  hash6Mask!: u32;
  hash6Shift!: u32;
  portTable!: usize; // u16 per (protocol, port): 3 × 65536, owned by the slot
  outside!: usize; // OUTSIDE_BYTES per peer class, built at load, owned by the slot
  outsideCapacity!: u32; // peer classes the outside buffer holds
  hash4!: usize;
  hash6!: usize;
  trie4!: usize;
  trie6!: usize;
  nodes!: usize;
  profileRows!: usize;
  profileCellShift!: u32; // 1: u16 cells, 2: u32 cells
  rowBits!: usize;
  // Reasons (explainBatch)
  outsideCount!: u32;
  reasonClasses!: u32;
  reasonRowWords!: u32;
  reasonRows!: u32;
  rules!: u32;
  partCount!: u32;
  tierRules!: u32;
  portWords!: u32;
  peerMask!: u32; // 0xffff when reason classes share the peer word (reasonInSlot), else all ones
  reasonInSlot!: u32;
  outsideSection!: usize; // 2 words per outside index: peer class, reason class
  reasons4!: usize;
  reasons6!: usize;
  profileParts!: usize;
  parts!: usize;
  reasonRowBits!: usize;
  live!: u32; // 1 while installed (what another instance on shared memory may adopt)
}

const slots: usize = memory.data(offsetof<Tables>() * 2, 16);
let active: usize = 0; // 0: nothing loaded

export function loaded(): bool {
  return active != 0;
}

export function current(): Tables {
  return changetype<Tables>(active);
}

/** The slot a load may fill: never the active one. */
export function staging(): Tables {
  return changetype<Tables>(active == slots ? slots + offsetof<Tables>() : slots);
}

export function install(t: Tables): void {
  if (active != 0) current().live = 0;
  t.live = 1;
  active = changetype<usize>(t);
}

/**
 * Threads build: install tables another instance on the same shared memory loaded. Only the
 * address of one of the two slots is taken, and only if that slot holds loaded tables.
 */
export function adopt(ptr: usize): bool {
  if (ptr != slots && ptr != slots + offsetof<Tables>()) return false;
  if (changetype<Tables>(ptr).live != 1) return false;
  active = ptr;
  return true;
}
