/**
 * Longest-prefix match over IPv4 and IPv6 ranges, CIDR or not: the answer for an address is the
 * narrowest range that contains it (for CIDRs that is the longest prefix; identical ranges: the
 * one added last). Built once by a sweep into disjoint segments, then each lookup is a binary
 * search over typed arrays: ~1M prefixes take ~30 bytes each and no per-prefix objects.
 */
import { v6Big, v6FromBig, type Addr } from "./ip.js";
import { formatRange, networkOf, type IpRange } from "./range.js";

/** Added to the index of an IPv6 range to make its id (IPv4 ranges: the index itself). */
export const V6_ID = 2 ** 31;
const V6_MAX = (1n << 128n) - 1n;

interface Ops<K> {
  zero: K;
  cmp(a: K, b: K): number;
  succ(k: K): K;
  width(first: K, last: K): K;
}

const NUM: Ops<number> = {
  zero: 0,
  cmp: (a, b) => a - b,
  succ: (k) => k + 1,
  width: (f, l) => l - f,
};
const BIG: Ops<bigint> = {
  zero: 0n,
  cmp: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  succ: (k) => k + 1n,
  width: (f, l) => l - f,
};

/** Collects ranges; build() makes the lookup structure. */
export class RangeSet {
  readonly #v4 = { first: [] as number[], last: [] as number[] };
  readonly #v6 = { first: [] as bigint[], last: [] as bigint[] };

  /** Add `first`..`last` (same version, first ≤ last); returns the range's id. */
  add(first: Addr, last: Addr): number {
    if (first.v === 4 && last.v === 4) return this.#add4(first.n, last.n);
    if (first.v === 6 && last.v === 6) return this.#add6(v6Big(first.w), v6Big(last.w));
    throw new RangeError("a range cannot mix IPv4 and IPv6");
  }

  /** Add the CIDR block of `bits` leading bits around `base`; returns its id. */
  addCidr(base: Addr, bits: number): number {
    return this.addRange(networkOf(base, bits));
  }

  /** Add a range (net/range.ts); returns its id. */
  addRange(r: IpRange): number {
    return r.v === 4 ? this.#add4(r.first, r.last) : this.#add6(r.first, r.last);
  }

  #add4(first: number, last: number): number {
    if (first > last) throw new RangeError("range ends before it starts");
    this.#v4.first.push(first);
    this.#v4.last.push(last);
    return this.#v4.first.length - 1;
  }

  #add6(first: bigint, last: bigint): number {
    if (first > last) throw new RangeError("range ends before it starts");
    this.#v6.first.push(first);
    this.#v6.last.push(last);
    return V6_ID + this.#v6.first.length - 1;
  }

  get size(): number {
    return this.#v4.first.length + this.#v6.first.length;
  }

  build(): RangeIndex {
    const v4 = sweep(this.#v4.first, this.#v4.last, NUM);
    const v6 = sweep(this.#v6.first, this.#v6.last, BIG);
    const v6Starts = new Uint32Array(v6.starts.length * 4);
    v6.starts.forEach((s, i) => v6Starts.set(v6FromBig(s), i * 4));
    return new RangeIndex(
      { first: Uint32Array.from(this.#v4.first), last: Uint32Array.from(this.#v4.last) },
      { starts: Uint32Array.from(v4.starts), ids: Int32Array.from(v4.ids) },
      { first: this.#v6.first.slice(), last: this.#v6.last.slice() },
      { starts: v6Starts, ids: Int32Array.from(v6.ids) },
    );
  }
}

/** The built structure: which range an address falls in, and how to name that range. */
export class RangeIndex {
  constructor(
    private readonly r4: { first: Uint32Array; last: Uint32Array },
    private readonly s4: { starts: Uint32Array; ids: Int32Array },
    private readonly r6: { first: bigint[]; last: bigint[] },
    private readonly s6: { starts: Uint32Array; ids: Int32Array },
  ) {}

  get size(): { v4: number; v6: number } {
    return { v4: this.r4.first.length, v6: this.r6.first.length };
  }

  /** Id of the narrowest range holding `a`, or -1. */
  find(a: Addr): number {
    if (a.v === 4) {
      const { starts, ids } = this.s4;
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if ((starts[mid] ?? 0) <= a.n) lo = mid;
        else hi = mid - 1;
      }
      return ids[lo] ?? -1;
    }
    const { starts, ids } = this.s6;
    let lo = 0;
    let hi = ids.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (cmpWords(starts, mid * 4, a.w) <= 0) lo = mid;
      else hi = mid - 1;
    }
    const local = ids[lo] ?? -1;
    return local < 0 ? -1 : V6_ID + local;
  }

  /** The range as a CIDR when it is one (one address too: /32, /128), else `first-last`. */
  text(id: number): string {
    if (id < V6_ID) {
      const [first, last] = [this.r4.first[id] ?? 0, this.r4.last[id] ?? 0];
      return formatRange({ v: 4, first, last }, "cidr");
    }
    const [first, last] = [this.r6.first[id - V6_ID] ?? 0n, this.r6.last[id - V6_ID] ?? 0n];
    return formatRange({ v: 6, first, last }, "cidr");
  }
}

/**
 * Disjoint segments covering the whole space from 0, each with the id of the narrowest range
 * over it (-1: none). Ranges are visited by start; a heap ordered by width holds those open,
 * closed ones leave it lazily when they surface.
 */
function sweep<K extends number | bigint>(
  first: K[],
  last: K[],
  ops: Ops<K>,
): { starts: K[]; ids: number[] } {
  const n = first.length;
  const order = Array.from({ length: n }, (_, i) => i);
  const byStart = (a: number, b: number) =>
    ops.cmp(first[a] as K, first[b] as K) || ops.cmp(last[b] as K, last[a] as K);
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = byStart(i - 1, i) <= 0;
  if (!sorted) order.sort(byStart);
  // Narrower first; of equal ranges the one added last.
  const width = first.map((f, i) => ops.width(f, last[i] as K));
  const heap = new Heap((a, b) => ops.cmp(width[a] as K, width[b] as K) || b - a);
  const starts: K[] = [];
  const ids: number[] = [];
  const emit = (at: K, id: number) => {
    const k = starts.length - 1;
    if (k >= 0 && ops.cmp(starts[k] as K, at) === 0) {
      ids[k] = id;
      if (k > 0 && ids[k - 1] === id) [starts.length, ids.length] = [k, k];
    } else if (k < 0 || ids[k] !== id) {
      starts.push(at);
      ids.push(id);
    }
  };
  let pos = ops.zero;
  const closed = (id: number) => ops.cmp(last[id] as K, pos) < 0;
  const dropClosed = () => {
    for (let top = heap.peek(); top !== undefined && closed(top); top = heap.peek()) heap.pop();
  };
  emit(pos, -1);
  let i = 0;
  for (;;) {
    const next = i < n ? (first[order[i] as number] as K) : undefined;
    // Close the ranges that end before the next start, narrowest first.
    for (let top = heap.peek(); top !== undefined; top = heap.peek()) {
      const end = last[top] as K;
      if (next !== undefined && ops.cmp(end, next) >= 0) break;
      if (isMax(end)) break; // open to the end of the space: nothing follows
      pos = ops.succ(end);
      dropClosed();
      emit(pos, heap.peek() ?? -1);
    }
    if (next === undefined) break;
    pos = next;
    while (i < n && ops.cmp(first[order[i] as number] as K, next) === 0) {
      heap.push(order[i++] as number);
    }
    dropClosed();
    emit(next, heap.peek() ?? -1);
  }
  return { starts, ids };
}

function isMax(k: number | bigint): boolean {
  return typeof k === "bigint" ? k === V6_MAX : k === 0xffffffff;
}

/** A binary min-heap of ints. */
class Heap {
  readonly #a: number[] = [];
  constructor(private readonly less: (a: number, b: number) => number) {}

  peek(): number | undefined {
    return this.#a[0];
  }

  push(x: number): void {
    const a = this.#a;
    let i = a.push(x) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.less(a[i] as number, a[p] as number) >= 0) break;
      [a[i], a[p]] = [a[p] as number, a[i] as number];
      i = p;
    }
  }

  pop(): number | undefined {
    const a = this.#a;
    const top = a[0];
    const end = a.pop();
    if (a.length === 0 || end === undefined) return top;
    a[0] = end;
    for (let i = 0; ;) {
      const [l, r] = [2 * i + 1, 2 * i + 2];
      let m = i;
      if (l < a.length && this.less(a[l] as number, a[m] as number) < 0) m = l;
      if (r < a.length && this.less(a[r] as number, a[m] as number) < 0) m = r;
      if (m === i) break;
      [a[i], a[m]] = [a[m] as number, a[i] as number];
      i = m;
    }
    return top;
  }
}

function cmpWords(arr: Uint32Array, at: number, w: Uint32Array): number {
  for (let i = 0; i < 4; i++) {
    const d = (arr[at + i] ?? 0) - (w[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
