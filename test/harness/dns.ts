// A real DNS server for tests: a private dnsmasq on 127.0.0.1 serving the given records, with
// zones that answer SERVFAIL or never answer, and a query log to count what reached it. Nothing
// under /etc is read (own conf file, --no-hosts, --no-resolv) and nothing is written outside a
// temp dir.
import { spawn, type ChildProcess } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const DNSMASQ = process.env.DNSMASQ ?? "/usr/sbin/dnsmasq";

export interface DnsRecords {
  /** TXT records: each string is one record; a string[] is one record of several strings. */
  txt?: Record<string, readonly string[] | readonly (readonly string[])[]>;
  /** A/AAAA records (IPv4 and IPv6 addresses mixed). */
  a?: Record<string, readonly string[]>;
  /** Names (and their subdomains) answering NXDOMAIN; any unknown name does too. */
  nxdomain?: readonly string[];
  /** Zones whose every name answers SERVFAIL. */
  servfail?: readonly string[];
  /** Zones whose queries are swallowed: the client times out. */
  timeout?: readonly string[];
}

export interface DnsServer {
  address: "127.0.0.1";
  port: number;
  /** `127.0.0.1:PORT`, for `Resolver#setServers()` or a bot's `resolver` param. */
  server: string;
  /** Queries that reached the server since it started (only those naming `name`, if given). */
  queries(name?: string): number;
  stop(): Promise<void>;
}

/** Start dnsmasq serving `records`; stop() it when done. */
export async function startDns(opts: { records: DnsRecords }): Promise<DnsServer> {
  if (!existsSync(DNSMASQ)) {
    throw new Error(`${DNSMASQ} not found: apt-get install dnsmasq-base (or set DNSMASQ)`);
  }
  const dir = await mkdtemp(join(tmpdir(), "dns-harness-"));
  const servfail = await udpResponder(servfailAnswer);
  const blackhole = await udpResponder(() => undefined);
  const log = join(dir, "queries.log");
  let lastErr: unknown;
  try {
    // A free port can be taken between probing and binding: try a few.
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freeUdpPort();
      const conf = join(dir, "dnsmasq.conf");
      await writeFile(conf, config(opts.records, { port, log, servfail, blackhole }));
      try {
        const proc = await launch(conf, log);
        return running(proc, port, log, async () => {
          servfail.close();
          blackhole.close();
          await rm(dir, { recursive: true, force: true });
        });
      } catch (err) {
        lastErr = err;
      }
    }
  } catch (err) {
    lastErr = err;
  }
  servfail.close();
  blackhole.close();
  await rm(dir, { recursive: true, force: true });
  throw lastErr instanceof Error ? lastErr : new Error(String(lastErr));
}

function running(proc: ChildProcess, port: number, log: string, cleanup: () => Promise<void>) {
  const exited = new Promise<void>((resolve) => {
    if (proc.exitCode !== null) resolve();
    else proc.once("exit", () => resolve());
  });
  return {
    address: "127.0.0.1" as const,
    port,
    server: `127.0.0.1:${port}`,
    queries(name?: string): number {
      let text: string;
      try {
        text = readFileSync(log, "utf8");
      } catch {
        return 0;
      }
      // dnsmasq --log-queries: `<n> 127.0.0.1/<port> query[TXT] <name> from 127.0.0.1`
      let n = 0;
      for (const line of text.split("\n")) {
        const m = / query\[[A-Z0-9]+\] (\S+) from /.exec(line);
        if (m && (name === undefined || m[1]?.toLowerCase() === name.toLowerCase())) n++;
      }
      return n;
    },
    async stop(): Promise<void> {
      proc.kill("SIGTERM");
      await exited;
      await cleanup();
    },
  };
}

interface Upstreams {
  port: number;
  log: string;
  servfail: Socket;
  blackhole: Socket;
}

// dnsmasq(8) conf-file syntax: `option=value`; a quoted TXT string keeps commas and spaces.
function config(records: DnsRecords, u: Upstreams): string {
  const lines = [
    `port=${u.port}`,
    "listen-address=127.0.0.1",
    "bind-interfaces",
    "no-resolv",
    "no-hosts",
    "no-poll",
    "user=root",
    "pid-file=",
    "cache-size=0",
    "log-queries",
    `log-facility=${u.log}`,
  ];
  const name = (n: string) => {
    if (!/^[A-Za-z0-9_.-]+$/.test(n)) throw new Error(`dns harness: bad name ${JSON.stringify(n)}`);
    return n.replace(/\.$/, "");
  };
  for (const [n, recs] of Object.entries(records.txt ?? {})) {
    for (const rec of recs) {
      const strings = typeof rec === "string" ? [rec] : rec;
      lines.push(`txt-record=${name(n)},${strings.map(quote).join(",")}`);
    }
  }
  for (const [n, addrs] of Object.entries(records.a ?? {})) {
    for (const addr of addrs) lines.push(`host-record=${name(n)},${addr}`);
  }
  for (const n of records.nxdomain ?? []) lines.push(`address=/${name(n)}/`);
  const sf = portOf(u.servfail);
  const bh = portOf(u.blackhole);
  for (const z of records.servfail ?? []) lines.push(`server=/${name(z)}/127.0.0.1#${sf}`);
  for (const z of records.timeout ?? []) lines.push(`server=/${name(z)}/127.0.0.1#${bh}`);
  // Every other name: NXDOMAIN (no upstream to ask).
  lines.push("address=/#/");
  return lines.join("\n") + "\n";
}

function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function portOf(sock: Socket): number {
  return sock.address().port;
}

async function launch(conf: string, log: string): Promise<ChildProcess> {
  const proc = spawn(DNSMASQ, ["--no-daemon", `--conf-file=${conf}`], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  proc.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const until = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`dnsmasq exited (${proc.exitCode ?? proc.signalCode}): ${stderr.trim()}`);
    }
    // Listening sockets are bound before dnsmasq logs "started".
    if (existsSync(log) && readFileSync(log, "utf8").includes("started, version")) return proc;
    if (Date.now() > until) {
      proc.kill("SIGKILL");
      throw new Error(`dnsmasq did not start within 10 s: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function freeUdpPort(): Promise<number> {
  const sock = await udpResponder(() => undefined);
  const port = portOf(sock);
  await new Promise<void>((resolve) => sock.close(() => resolve()));
  return port;
}

/** A UDP socket on 127.0.0.1 answering each datagram with `answer(query)` (none: swallow). */
async function udpResponder(answer: (query: Buffer) => Buffer | undefined): Promise<Socket> {
  const sock = createSocket("udp4");
  sock.on("message", (msg, rinfo) => {
    const reply = answer(msg);
    if (reply) sock.send(reply, rinfo.port, rinfo.address);
  });
  sock.on("error", () => undefined);
  await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", () => resolve()));
  sock.unref();
  return sock;
}

/** The query's header and question with QR=1, RA=1, RCODE=2 (SERVFAIL), no other sections. */
export function servfailAnswer(query: Buffer): Buffer | undefined {
  if (query.length < 12) return undefined;
  // RFC 1035 §4.1.2: QNAME is length-prefixed labels ending in a zero byte, then QTYPE, QCLASS.
  let i = 12;
  while (i < query.length && query[i] !== 0) i += (query[i] ?? 0) + 1;
  const end = i + 5;
  if (end > query.length) return undefined;
  const reply = Buffer.from(query.subarray(0, end));
  // RFC 1035 §4.1.1: keep ID, opcode and RD; set QR, RA and RCODE.
  reply[2] = ((query[2] ?? 0) & 0x79) | 0x80;
  reply[3] = 0x80 | 2;
  reply.writeUInt16BE(1, 4);
  reply.writeUInt16BE(0, 6);
  reply.writeUInt16BE(0, 8);
  reply.writeUInt16BE(0, 10);
  return reply;
}
