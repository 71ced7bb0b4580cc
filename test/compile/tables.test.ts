import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BitsetPool, hasBit, setBit } from "../../src/compile/bits.js";
import { addressValue, blockKey, cidrClasses, classOfAddress, extendCidr } from "../../src/compile/cidr.js";
import { EMPTY, V4_SLOT_WORDS, buildV4Table, capacityFor, hashV4, shiftFor } from "../../src/compile/hash.js";
import { mergeColumns, remapRow } from "../../src/compile/merge.js";
import { buildTrie, lookupTrie } from "../../src/compile/trie.js";
import type { IPBlock, NetworkPolicy } from "../../src/model/types.js";
import { cidrContains, formatIP, toCIDR, toIPAddress } from "../../src/validate/ip.js";

const cidr = toCIDR;
const ip = toIPAddress;

function policyWith(blocks: IPBlock[]): NetworkPolicy {
  return {
    namespace: "x", name: "p", podSelector: { matchLabels: {}, matchExpressions: [] },
    policyTypes: { ingress: true, egress: false },
    ingress: [{ peers: blocks.map((ipBlock) => ({ ipBlock })), ports: [] }], egress: [],
  };
}

/** The classes are right iff two addresses share a class exactly when they match the same blocks. */
function matchSet(blocks: IPBlock[], a: ReturnType<typeof ip>): string {
  return blocks.map((b) => (cidrContains(b.cidr, a) && !b.except.some((e) => cidrContains(e, a)) ? "1" : "0")).join("");
}

const v4Block = fc
  .tuple(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 32 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 8 })), { maxLength: 2 }))
  .map(([bytes, prefix, excepts]): IPBlock => {
    const c = cidr(`${formatIP(bytes)}/${prefix}`);
    const except = excepts
      .filter(() => prefix < 32)
      .map(([seed, extra]) => {
        const len = Math.min(32, prefix + extra);
        const inside = Uint8Array.from(c.bytes);
        const v = (addressValue(inside) | (BigInt(seed) & ((1n << BigInt(32 - prefix)) - 1n))) & 0xffffffffn;
        return cidr(`${formatIP(Uint8Array.of(Number(v >> 24n) & 255, Number(v >> 16n) & 255, Number(v >> 8n) & 255, Number(v) & 255))}/${len}`);
      });
    return { cidr: c, except };
  });

describe("CIDR classes and tries", () => {
  it("corner cases: /0, /32, adjacent ranges, except holes, both families", () => {
    const blocks: IPBlock[] = [
      { cidr: cidr("0.0.0.0/0"), except: [cidr("10.0.0.0/8")] },
      { cidr: cidr("10.0.0.0/24"), except: [cidr("10.0.0.7/32")] },
      { cidr: cidr("10.0.1.0/24"), except: [] },
      { cidr: cidr("10.0.0.7/32"), except: [] },
      { cidr: cidr("::/0"), except: [] },
      { cidr: cidr("2001:db8::/127"), except: [cidr("2001:db8::1/128")] },
    ];
    const classes = cidrClasses([policyWith(blocks)]);
    const nodes: Uint32Array[] = [];
    const trie4 = buildTrie(classes.v4, (i) => classes.v4.classOf[i]!, nodes);
    const trie6 = buildTrie(classes.v6, (i) => classes.v6.classOf[i]!, nodes);
    const probes = ["0.0.0.0", "9.255.255.255", "10.0.0.0", "10.0.0.6", "10.0.0.7", "10.0.0.8", "10.0.0.255", "10.0.1.0", "10.0.1.255", "10.0.2.0",
      "255.255.255.255", "::", "2001:db8::", "2001:db8::1", "2001:db8::2", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"];
    const bySet = new Map<string, number>();
    for (const p of probes) {
      const a = ip(p);
      const cls = classOfAddress(classes, a);
      expect(lookupTrie(a.family === 4 ? trie4 : trie6, nodes, a.bytes), p).toBe(cls);
      const set = matchSet(blocks, a);
      if (bySet.has(set)) expect(cls, p).toBe(bySet.get(set));
      bySet.set(set, cls);
    }
    expect(new Set(bySet.values()).size).toBe(bySet.size);
  });

  it("an address's class (by trie and by search) is determined by exactly the ipBlocks it matches", () => {
    fc.assert(
      fc.property(fc.array(v4Block, { minLength: 1, maxLength: 6 }), fc.array(fc.uint8Array({ minLength: 4, maxLength: 4 }), { minLength: 2, maxLength: 40 }), (blocks, addrs) => {
        const classes = cidrClasses([policyWith(blocks)]);
        const nodes: Uint32Array[] = [];
        const trie = buildTrie(classes.v4, (i) => classes.v4.classOf[i]!, nodes);
        const probes = addrs.flatMap((b) => [b, ...blocks.map((x) => x.cidr.bytes)]).map((b) => ip(formatIP(b)));
        const bySet = new Map<string, number>();
        const byClass = new Map<number, string>();
        for (const a of probes) {
          const cls = classOfAddress(classes, a);
          expect(lookupTrie(trie, nodes, a.bytes)).toBe(cls);
          const set = matchSet(blocks, a);
          expect(bySet.get(set) ?? cls).toBe(cls);
          expect(byClass.get(cls) ?? set).toBe(set);
          bySet.set(set, cls);
          byClass.set(cls, set);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("classes extended by more blocks (live updates) are the classes of all the blocks; a class the new blocks do not cut keeps its number", () => {
    fc.assert(
      fc.property(fc.array(v4Block, { maxLength: 5 }), fc.array(v4Block, { minLength: 1, maxLength: 3 }), fc.array(fc.uint8Array({ minLength: 4, maxLength: 4 }), { minLength: 2, maxLength: 30 }), (first, more, addrs) => {
        const before = cidrClasses([policyWith(first)]);
        const fresh = more.filter((b) => !before.blockIndex.has(blockKey(b)) && !more.slice(0, more.indexOf(b)).some((x) => blockKey(x) === blockKey(b)));
        const { cidr: after, parent } = extendCidr(before, fresh);
        const blocks = [...before.blocks, ...fresh];
        const nodes: Uint32Array[] = [];
        const trie = buildTrie(after.v4, (i) => after.v4.classOf[i]!, nodes);
        const probes = [...addrs, ...blocks.flatMap((x) => [x.cidr.bytes, ...x.except.map((e) => e.bytes)])].map((b) => ip(formatIP(b)));
        const byClass = new Map<number, string>();
        const bySet = new Map<string, number>();
        for (const a of probes) {
          const cls = classOfAddress(after, a);
          const set = matchSet(blocks, a);
          expect(lookupTrie(trie, nodes, a.bytes)).toBe(cls);
          expect(byClass.get(cls) ?? set).toBe(set);
          expect(bySet.get(set) ?? cls).toBe(cls);
          byClass.set(cls, set);
          bySet.set(set, cls);
          // Each class lies inside its parent; one the new blocks did not cut kept its number.
          const old = classOfAddress(before, a);
          expect(parent[cls]).toBe(old);
          if (!Array.from(parent.entries()).some(([c, p]) => p === old && c !== old)) expect(cls).toBe(old);
          // Signatures say which blocks hold the class.
          expect(blocks.map((_, b) => (hasBit(after.signatures[cls]!, b) ? "1" : "0")).join("")).toBe(set);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("bitsets and column merging", () => {
  it("interning returns the first equal bitset", () => {
    const pool = new BitsetPool();
    const a = new Uint32Array([1, 2]);
    expect(pool.intern(a)).toBe(0);
    expect(pool.intern(new Uint32Array([1, 3]))).toBe(1);
    expect(pool.intern(new Uint32Array([1, 2]))).toBe(0);
  });

  it("merging columns keeps every row's bit for every original column", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 90 }), fc.array(fc.array(fc.boolean(), { minLength: 90, maxLength: 90 }), { minLength: 1, maxLength: 8 }), (count, bitRows) => {
        const rows = bitRows.map((bits) => {
          const r = new Uint32Array(3);
          bits.slice(0, count).forEach((b, q) => b && setBit(r, q));
          return r;
        });
        const merge = mergeColumns(rows, count);
        for (const r of rows) {
          const m = remapRow(r, merge);
          for (let q = 0; q < count; q++) expect(hasBit(m, merge.map[q]!)).toBe(hasBit(r, q));
        }
        // Distinct columns stay distinct.
        for (let a = 0; a < count; a++) for (let b = 0; b < a; b++) {
          const same = rows.every((r) => hasBit(r, a) === hasBit(r, b));
          expect(merge.map[a] === merge.map[b]).toBe(same);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe("pod address hash", () => {
  it("finds every key and nothing else, with an empty slot left", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat({ max: 0xffffffff }), { maxLength: 300 }), fc.nat({ max: 0xffffffff }), (keys, probe) => {
        const table = buildV4Table(keys, keys.map((_, i) => [i, 7, 9] as const));
        const capacity = capacityFor(keys.length);
        const find = (k: number) => {
          for (let s = hashV4(k, shiftFor(capacity)); ; s = (s + 1) & (capacity - 1)) {
            const peer = table[s * V4_SLOT_WORDS]!;
            if (peer === EMPTY) return -1;
            if (table[s * V4_SLOT_WORDS + 3] === k) return peer;
          }
        };
        keys.forEach((k, i) => expect(find(k)).toBe(i));
        if (!keys.includes(probe)) expect(find(probe)).toBe(-1);
        expect(capacity).toBeGreaterThan(keys.length);
      }),
    );
  });
});
