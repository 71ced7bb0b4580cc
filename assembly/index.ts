// The WebAssembly core's exports: the whole ABI. No imports (built with `--use abort=`),
// numeric arguments only, so any WebAssembly host can embed it; docs/abi.md documents it.
//
//   abiVersion() → u32                  ABI version (major << 16 | minor)
//   alloc(bytes) → ptr                  linear-memory space for a bundle or a batch (0: no memory)
//   loadBundle(ptr, len) → code         validate and install a bundle (0 ok; LOAD_ERRORS otherwise)
//   updateAddresses(h4, cap4, h6, cap6, r4, r6) → code  new pod address tables for the installed bundle
//   decide(meta, s0..s3, d0..d3) → u32  one flow: 1 allow, 0 deny, 255 invalid
//   decide4(meta, src, dst) → u32       one IPv4 flow, the addresses as integers
//   decide6(meta, src, dst) → u32       one flow, the addresses as 16-byte records in memory
//   decideBatch(n, src, dst, meta, out) → code   n flows, one verdict byte each into out
//   explainBatch(n, src, dst, meta, out, egress, ingress) → code
//                                       the same verdicts, and why: one u32 reason per flow and
//                                       direction (REASON_* in layout.ts)
//   explainTiers(n, src, dst, meta, out, egress, ingress, passes) → code
//                                       explainBatch, and the admin-tier Pass rule each side went through
import { allocate } from "./memory";
import { E_LENGTH, INVALID, OK } from "./layout";
import { decideFlow, decideFlow4 } from "./decide";
import { explainFlow } from "./explain";
import { loadBundle as load_, updateAddresses as update_ } from "./load";
import { current, loaded } from "./tables";

const ABI_VERSION: u32 = 0x0001_0003; // 1.1: explainBatch; 1.2: explainTiers, decide6; 1.3: updateAddresses

/** Error code of decideBatch when no bundle is loaded. */
const E_NO_BUNDLE: u32 = 12;

export function abiVersion(): u32 {
  return ABI_VERSION;
}

export function alloc(bytes: u32): usize {
  return allocate(<usize>bytes);
}

export function loadBundle(ptr: usize, len: u32): u32 {
  return load_(ptr, len);
}

/** Live updates: new pod address tables for the installed bundle (docs/abi.md). ABI 1.3. */
export function updateAddresses(hash4: usize, cap4: u32, hash6: usize, cap6: u32, reasons4: usize, reasons6: usize): u32 {
  if (!loaded()) return E_NO_BUNDLE;
  return update_(hash4, cap4, hash6, cap6, reasons4, reasons6);
}

// Scratch for decide(): one flow's two addresses.
const one: usize = memory.data(32, 16);

export function decide(meta: u32, s0: u32, s1: u32, s2: u32, s3: u32, d0: u32, d1: u32, d2: u32, d3: u32): u32 {
  if (!loaded()) return INVALID;
  store<u32>(one, s0);
  store<u32>(one, s1, 4);
  store<u32>(one, s2, 8);
  store<u32>(one, s3, 12);
  store<u32>(one, d0, 16);
  store<u32>(one, d1, 20);
  store<u32>(one, d2, 24);
  store<u32>(one, d3, 28);
  return decideFlow(current(), meta, one, one + 16);
}

export function decide4(meta: u32, src: u32, dst: u32): u32 {
  if (!loaded()) return INVALID;
  return decideFlow4(current(), meta, src, dst);
}

/** One IPv6 flow (or IPv4: the family is meta's): src and dst point at 16-byte address records. ABI 1.2. */
export function decide6(meta: u32, src: usize, dst: usize): u32 {
  if (!loaded() || !inMemory(src, 16) || !inMemory(dst, 16)) return INVALID;
  return decideFlow(current(), meta, src, dst);
}

function inMemory(ptr: usize, bytes: u64): bool {
  return <u64>ptr + bytes <= (<u64>memory.size() << 16);
}

export function decideBatch(n: u32, src: usize, dst: usize, meta: usize, out: usize): u32 {
  if (!loaded()) return E_NO_BUNDLE;
  const addressBytes = <u64>n << 4;
  if (!inMemory(src, addressBytes) || !inMemory(dst, addressBytes) || !inMemory(meta, <u64>n << 2) || !inMemory(out, <u64>n)) {
    return E_LENGTH;
  }
  const t = current();
  for (let i: usize = 0; i < <usize>n; i++) {
    store<u8>(out + i, decideFlow(t, load<u32>(meta + (i << 2)), src + (i << 4), dst + (i << 4)));
  }
  return OK;
}


export function explainBatch(n: u32, src: usize, dst: usize, meta: usize, out: usize, egress: usize, ingress: usize): u32 {
  return explainTiers(n, src, dst, meta, out, egress, ingress, 0);
}

/** explainBatch, and per flow two u32 at passes (egress, ingress): 0, or 1 + the tier rule whose Pass was on the way. ABI 1.2. */
export function explainTiers(n: u32, src: usize, dst: usize, meta: usize, out: usize, egress: usize, ingress: usize, passes: usize): u32 {
  if (!loaded()) return E_NO_BUNDLE;
  const addressBytes = <u64>n << 4;
  if (!inMemory(src, addressBytes) || !inMemory(dst, addressBytes) || !inMemory(meta, <u64>n << 2) || !inMemory(out, <u64>n)) return E_LENGTH;
  if (!inMemory(egress, <u64>n << 2) || !inMemory(ingress, <u64>n << 2)) return E_LENGTH;
  if (passes != 0 && !inMemory(passes, <u64>n << 3)) return E_LENGTH;
  const t = current();
  if (passes == 0) {
    for (let i: usize = 0; i < <usize>n; i++) {
      store<u8>(out + i, explainFlow(t, load<u32>(meta + (i << 2)), src + (i << 4), dst + (i << 4), egress + (i << 2), ingress + (i << 2), 0));
    }
    return OK;
  }
  for (let i: usize = 0; i < <usize>n; i++) {
    store<u8>(out + i, explainFlow(t, load<u32>(meta + (i << 2)), src + (i << 4), dst + (i << 4), egress + (i << 2), ingress + (i << 2), passes + (i << 3)));
  }
  return OK;
}
