/**
 * Room throughput through a managed Prosody: `startup.ts send` -> room -> `startup.ts receive`
 * of N events (default 100k), one event per message (legacy) and batched (compact), beside
 * the raw stanza rate of a bare @xmpp/client loop in the same run (the baseline).
 * Run: npx tsx test/bench/throughput.bench.ts [N]
 * With BENCH_AGAINST=DIR (a checkout of an earlier commit, e.g. `git worktree add DIR REV`
 * with node_modules linked in) the same runs are made with that checkout's send/receive too,
 * alternating with ours on the same Prosody, and the ratio is printed.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { client } from "@xmpp/client";
import { xml, type Element } from "@xmpp/xml";
import { startProsody } from "../../core/host/server/prosody.js";
import { fmt } from "./measure.js";

const N = Number(process.argv[2] ?? 100_000);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PASSWORD = "bench";
const AGAINST = process.env.BENCH_AGAINST;

const dir = await mkdtemp(join(tmpdir(), "mesh-bench-"));
const server = await startProsody({ dir }); // as managed: room archives on
for (const u of ["tx", "rx", "bare-tx", "bare-rx"]) await server.register(u, PASSWORD);

function tool(args: string[], user: string, input?: string, root = ROOT): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "startup.ts",
        ...args,
        "--service",
        server.service,
        "--jid",
        `${user}@localhost`,
        "--muc",
        server.mucHost,
      ],
      {
        cwd: root,
        env: { ...process.env, XMPP_PASSWORD: PASSWORD },
        stdio: ["pipe", "ignore", "inherit"],
      },
    );
    p.on("error", reject);
    p.on("exit", (code) => resolve(code ?? 1));
    if (input !== undefined) p.stdin?.end(input);
    else p.stdin?.end();
  });
}

async function viaTools(form: "compact" | "legacy", room: string, root = ROOT): Promise<number> {
  const lines: string[] = [];
  for (let i = 0; i < N; i++) {
    lines.push(
      JSON.stringify({
        ip: `192.0.2.${i % 256}`,
        type: "scanner",
        asn: "64496",
        description: `event ${i}`,
      }),
    );
  }
  const t0 = Date.now();
  const received = tool(["receive", room, "--count", String(N)], "rx", undefined, root);
  await new Promise((r) => setTimeout(r, 1500)); // let the receiver join first
  const sent = await tool(["send", room, "--form", form], "tx", lines.join("\n") + "\n", root);
  const got = await received;
  if (sent !== 0 || got !== 0) throw new Error(`send exited ${sent}, receive exited ${got}`);
  return Date.now() - t0 - 1500;
}

async function bareLoop(room: string, n: number): Promise<number> {
  const mk = (user: string) =>
    client({
      service: server.service,
      domain: "localhost",
      resource: "b",
      credentials: (auth) => auth({ username: user, password: PASSWORD }, "PLAIN"),
    });
  const tx = mk("bare-tx");
  const rx = mk("bare-rx");
  for (const c of [tx, rx]) c.on("error", () => undefined);
  await Promise.all([tx.start(), rx.start()]);
  const join = async (c: typeof tx, nick: string) => {
    const joined = new Promise<void>((resolve) => {
      const on = (el: Element) => {
        if (el.is("presence") && el.attrs.from === `${room}/${nick}`) {
          c.removeListener("stanza", on);
          resolve();
        }
      };
      c.on("stanza", on);
    });
    await c.send(
      xml(
        "presence",
        { to: `${room}/${nick}` },
        xml("x", { xmlns: "http://jabber.org/protocol/muc" }, xml("history", { maxstanzas: "0" })),
      ),
    );
    await joined;
  };
  await join(rx, "rx");
  await join(tx, "tx");
  let seen = 0;
  const done = new Promise<void>((resolve) => {
    rx.on("stanza", (el: Element) => {
      if (el.is("message") && el.attrs.type === "groupchat" && ++seen >= n) resolve();
    });
  });
  const t0 = Date.now();
  for (let i = 0; i < n; i++) {
    await tx.send(
      xml(
        "message",
        { to: room, type: "groupchat" },
        xml("body", {}, `ip=192.0.2.${i % 256}, type=scanner, asn=64496, description="event ${i}"`),
      ),
    );
  }
  await done;
  const ms = Date.now() - t0;
  await Promise.all([tx.stop(), rx.stop()]);
  return ms;
}

try {
  const bareN = Math.min(N, 50_000);
  const bareMs = await bareLoop(`bare@${server.mucHost}`, bareN);
  const compactMs = await viaTools("compact", "batched");
  const legacyMs = await viaTools("legacy", "single");
  // The earlier checkout in between and after ours: two of each, the better one counts.
  const against = AGAINST
    ? {
        compact: await viaTools("compact", "batched-a", AGAINST),
        legacy: await viaTools("legacy", "single-a", AGAINST),
      }
    : undefined;
  const again = AGAINST
    ? {
        compact: await viaTools("compact", "batched-2"),
        legacy: await viaTools("legacy", "single-2"),
      }
    : undefined;
  const againstToo = AGAINST
    ? {
        compact: await viaTools("compact", "batched-a2", AGAINST),
        legacy: await viaTools("legacy", "single-a2", AGAINST),
      }
    : undefined;
  const base = (bareN / bareMs) * 1000;
  const row = (name: string, n: number, ms: number) => {
    const r = (n / ms) * 1000;
    console.log(
      `  ${name.padEnd(52)} ${fmt(r).padStart(8)} events/s  ${(r / base).toFixed(2)}x baseline  (${n} in ${(ms / 1000).toFixed(1)} s)`,
    );
  };
  console.log(`\nRoom throughput through a managed Prosody (${N} events, send -> room -> receive)`);
  row("baseline: bare @xmpp/client, 1 stanza per event", bareN, bareMs);
  row("startup.ts send/receive, compact batched", N, compactMs);
  row("startup.ts send/receive, legacy one per message", N, legacyMs);
  if (against && again && againstToo) {
    const ours = {
      compact: Math.min(compactMs, again.compact),
      legacy: Math.min(legacyMs, again.legacy),
    };
    const theirs = {
      compact: Math.min(against.compact, againstToo.compact),
      legacy: Math.min(against.legacy, againstToo.legacy),
    };
    console.log(`\nAgainst ${AGAINST} (best of two runs each, alternating)`);
    for (const form of ["compact", "legacy"] as const) {
      row(`${form}: earlier checkout`, N, theirs[form]);
      row(`${form}: this checkout`, N, ours[form]);
      console.log(
        `  ${form}: this checkout at ${(theirs[form] / ours[form]).toFixed(2)}x the earlier one's rate`,
      );
    }
  }
} finally {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
