/** Shared helpers for benchmarks: timing, rates, a printed table. Benchmarks never assert. */

export interface Result {
  name: string;
  ops: number;
  ms: number;
}

/** Run `fn` once to warm up, then `rounds` times; keep the fastest round. */
export function measure(name: string, ops: number, fn: () => void, rounds = 3): Result {
  fn();
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    best = Math.min(best, ms);
  }
  return { name, ops, ms: best };
}

export function rate(r: Result): number {
  return (r.ops / r.ms) * 1000;
}

export function fmt(n: number): string {
  return n >= 1e6
    ? `${(n / 1e6).toFixed(2)}M`
    : n >= 1e3
      ? `${(n / 1e3).toFixed(1)}k`
      : n.toFixed(0);
}

/** Print results as `name  rate/s  (ratio to baseline)`. */
export function report(title: string, unit: string, baseline: Result, results: Result[]): void {
  const base = rate(baseline);
  console.log(`\n${title}`);
  for (const r of [baseline, ...results]) {
    const ratio = r === baseline ? "baseline" : `${(rate(r) / base).toFixed(3)}x baseline`;
    console.log(`  ${r.name.padEnd(44)} ${fmt(rate(r)).padStart(8)} ${unit}/s   ${ratio}`);
  }
}
