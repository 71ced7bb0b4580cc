/**
 * The external CIDRs a cluster's policies name: the internet with the private ranges cut out,
 * the pod network itself (ipBlock matches pod addresses too), an office range, then partner and
 * cloud ranges of mixed prefix lengths, mostly IPv4, some IPv6, many with `except` holes that
 * are strict subsets. Every CIDR is written canonically (host bits clear, RFC 5952), so the
 * generated objects load without warnings.
 */
import type * as api from "../load/api.js";
import { formatIP, maskBytes } from "../validate/ip.js";
import { POD_NETWORK_V4 } from "./pods.js";
import type { Random } from "./random.js";

export interface ExternalBlock {
  readonly cidr: string;
  readonly except: readonly string[];
}

const WELL_KNOWN: readonly ExternalBlock[] = [
  { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] },
  { cidr: "::/0", except: ["fd00::/8"] },
  { cidr: POD_NETWORK_V4.text, except: [] },
  { cidr: "192.168.0.0/16", except: ["192.168.100.0/24"] },
];

/** First octets of ranges that cloud providers, CDNs and partners really announce. */
const PUBLIC_FIRST_OCTETS = [3, 13, 18, 20, 23, 34, 35, 40, 44, 52, 54, 64, 66, 104, 130, 140, 151, 162, 185, 198, 203, 209];
const V4_PREFIXES: readonly (readonly [number, number])[] = [
  [8, 1], [12, 2], [16, 6], [20, 6], [22, 6], [24, 20], [26, 5], [27, 5], [28, 8], [29, 4], [30, 3], [32, 10],
];
const V6_FIRST_GROUPS = [0x2001, 0x2600, 0x2606, 0x2a00, 0x2a01, 0x2a05, 0x2400, 0x2c0f];
const V6_PREFIXES: readonly (readonly [number, number])[] = [
  [32, 2], [40, 2], [48, 6], [56, 4], [64, 6], [96, 1], [112, 1], [128, 3],
];
const IPV6_SHARE = 0.15;
const EXCEPT_SHARE = 0.5;

function cidrText(bytes: Uint8Array, prefix: number): string {
  return `${formatIP(maskBytes(bytes, prefix))}/${prefix}`;
}

function randomBytes(rng: Random, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.below(256);
  return out;
}

/** A random network strictly inside `outer` (bytes, prefix), `extra` bits longer at most. */
function inside(rng: Random, outer: Uint8Array, prefix: number, extra: number): string {
  const max = outer.length * 8;
  const inner = rng.int(prefix + 1, Math.min(max, prefix + extra));
  const bytes = randomBytes(rng, outer.length);
  const keep = maskBytes(outer, prefix);
  for (let i = 0; i < bytes.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - 8 * i));
    const mask = (0xff << (8 - bits)) & 0xff;
    bytes[i] = (keep[i]! & mask) | (bytes[i]! & ~mask & 0xff);
  }
  return cidrText(bytes, inner);
}

function randomBlock(rng: Random): ExternalBlock {
  const v6 = rng.chance(IPV6_SHARE);
  let bytes: Uint8Array;
  let prefix: number;
  if (v6) {
    bytes = randomBytes(rng, 16);
    const first = rng.pick(V6_FIRST_GROUPS);
    bytes[0] = first >> 8;
    bytes[1] = first & 0xff;
    prefix = rng.weighted(V6_PREFIXES);
  } else {
    bytes = randomBytes(rng, 4);
    const privateRange = rng.chance(0.15);
    bytes[0] = privateRange ? 172 : rng.pick(PUBLIC_FIRST_OCTETS);
    if (privateRange) bytes[1] = rng.int(16, 31);
    prefix = rng.weighted(V4_PREFIXES);
  }
  const max = bytes.length * 8;
  const except = new Set<string>();
  if (prefix <= max - 4 && rng.chance(EXCEPT_SHARE)) {
    const n = rng.int(1, 3);
    for (let i = 0; i < n; i++) except.add(inside(rng, bytes, prefix, v6 ? 16 : 8));
  }
  return { cidr: cidrText(bytes, prefix), except: [...except] };
}

/** Exactly `n` blocks with distinct `cidr`s. */
export function generateExternalBlocks(rng: Random, n: number): ExternalBlock[] {
  const out: ExternalBlock[] = WELL_KNOWN.slice(0, Math.floor(n / 2)).map((b) => ({ ...b, except: [...b.except] }));
  const seen = new Set(out.map((b) => b.cidr));
  while (out.length < n) {
    const block = randomBlock(rng);
    if (seen.has(block.cidr)) continue;
    seen.add(block.cidr);
    out.push(block);
  }
  return out;
}

export function ipBlock(block: ExternalBlock, withExcept: boolean): api.IPBlock {
  return withExcept && block.except.length > 0 ? { cidr: block.cidr, except: [...block.except] } : { cidr: block.cidr };
}

/**
 * Hands out the pool's blocks to ipBlock peers: half the time a block not used yet (so that
 * every block ends up in some policy), otherwise one already used, the first ones (the
 * internet, the pod network) most often, as in real clusters.
 */
export class BlockPicker {
  private fresh = 0;

  constructor(private readonly rng: Random, private readonly pool: readonly ExternalBlock[]) {}

  get available(): boolean {
    return this.pool.length > 0;
  }

  pick(): api.IPBlock {
    const { rng } = this;
    const takeFresh = this.fresh < this.pool.length && (this.fresh === 0 || rng.chance(0.5));
    const i = takeFresh ? this.fresh++ : Math.floor(this.fresh * rng.float() ** 2);
    return ipBlock(this.pool[i]!, rng.chance(0.85));
  }

  /** The blocks no peer has used yet. */
  unused(): readonly ExternalBlock[] {
    return this.pool.slice(this.fresh);
  }
}
