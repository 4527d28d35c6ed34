// `startup.ts send` and `receive` against a real server, as a user runs them: AbuseHelper's
// sender/receiver format, every good event delivered when some lines are bad, a quick clear
// failure when no server is there, and argument errors without a stack trace.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startCli } from "../harness/cli.js";
import { connectPeer, MESH_PASSWORD, waitFor, type Peer } from "../harness/mesh.js";
import { describeEachServer } from "../harness/servers.js";

const env = { XMPP_PASSWORD: MESH_PASSWORD };

/** Eight lines: four good events (one empty), an oversized one, bad JSON, a null, a blank. */
const INPUT = [
  '{"ip": "192.0.2.1", "port": 80}',
  JSON.stringify({ ip: "192.0.2.2", note: "x".repeat(70_000) }),
  "not json",
  "{}",
  "",
  '{"ip": ["192.0.2.3", "192.0.2.4"], "score": 1.50}',
  '{"ip": "192.0.2.7", "asn": null}',
  '{"ip": "192.0.2.8"}',
].join("\n");

// What AbuseHelper's receiver prints for the four good events.
const PRINTED = [
  '{"ip": ["192.0.2.1"], "port": ["80"]}',
  "{}",
  '{"ip": ["192.0.2.3", "192.0.2.4"], "score": ["1.50"]}',
  '{"ip": ["192.0.2.8"]}',
];

describeEachServer("send and receive", (server, kind) => {
  let watcher: Peer;
  const conn = (user: string): string[] => [
    "--service",
    server().service,
    "--jid",
    `${user}@${server().host}`,
    "--muc",
    server().mucHost,
  ];

  beforeAll(async () => {
    await server().register("cli-send", MESH_PASSWORD);
    await server().register("cli-recv", MESH_PASSWORD);
    watcher = await connectPeer(server(), "cli-watch");
  });

  afterAll(async () => {
    await watcher?.stop();
  });

  it.each(["compact", "legacy"])(
    "send (%s form) delivers every good event and names each line it cannot send",
    async (form) => {
      const room = `cli-${form}-${kind}`;
      const jid = `${room}@${server().mucHost}`;
      await watcher.listen(room);
      const receiver = startCli(["receive", room, ...conn("cli-recv"), "--count", "4"], { env });
      await waitFor(
        "the receiver in the room",
        () =>
          [...watcher.stack.muc.occupants(jid).keys()].some((n) => n.startsWith("receive-"))
            ? true
            : undefined,
        60_000,
      );

      const sent = await runCli(["send", room, "--form", form, ...conn("cli-send")], {
        input: INPUT,
        env,
      });
      expect(sent.stderr).toMatch(
        /stdin line 2: the event needs \d+ bytes, over the 65536-byte message budget; not sent/,
      );
      expect(sent.stderr).toMatch(/stdin line 3: not JSON/);
      expect(sent.stderr).toMatch(/stdin line 7: key "asn": .*got null/);
      expect(sent.stderr).toMatch(/sent 4 events to /);
      expect(sent.stderr).toMatch(/3 of 7 events not sent \(stdin line 2, 3, 7\)/);
      expect(sent.stderr).not.toMatch(/\n\s+at /);
      expect(sent.code).toBe(2);

      const received = await receiver.done;
      expect(received.code).toBe(0);
      expect(received.stdout.trim().split("\n").sort()).toEqual([...PRINTED].sort());
      // The watcher, a bot's subscriber, saw the same three events with keys.
      const seen = (watcher.received.get(jid) ?? []).map((e) => e.value("ip"));
      expect(seen.sort()).toEqual(["192.0.2.1", "192.0.2.3", "192.0.2.8"].sort());
    },
  );

  it("a refused login exits 1 at once, naming the server, instead of retrying", async () => {
    const r = await runCli(["send", "raw", ...conn("cli-send")], {
      env: { XMPP_PASSWORD: "wrong" },
      timeoutMs: 60_000,
    });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /startup\.ts send: 127\.0\.0\.1:\d+: the server refused our credentials/,
    );
  });
});

/** A loopback port nothing listens on. */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const address = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("send and receive with no mesh running", () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "cli-tools-"));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // The tool answers in well under a second once Node and tsx are up; the kill bound is only
  // there so a regression to minutes of reconnecting fails here instead of hanging the suite.
  const bound = { timeoutMs: 30_000, env };

  it.each(["send", "receive"])(
    "%s --service to a dead port exits 3 with the reason",
    async (cmd) => {
      const port = await freePort();
      const r = await runCli(
        [cmd, "raw", "--service", `xmpp://127.0.0.1:${port}`, "--jid", "nobody@localhost"],
        { ...bound, input: '{"a": "b"}\n' },
      );
      expect(r.signal).toBeNull();
      expect(r.code).toBe(3);
      expect(r.stderr.trim()).toBe(
        `startup.ts ${cmd}: the mesh is not running (no XMPP server at 127.0.0.1:${port}: connection refused)`,
      );
    },
  );

  it("a managed mesh that never ran, or whose server is gone, is named as not running", async () => {
    const config = join(dir, "mesh.yaml");
    await writeFile(config, "xmpp: managed\nstate: state\nrooms: rooms.yaml\nbots: []\n");
    await writeFile(join(dir, "rooms.yaml"), "routes: []\n");
    const never = await runCli(["send", "raw", "--config", config], bound);
    expect(never.code).toBe(3);
    expect(never.stderr).toMatch(
      /startup\.ts send: the mesh is not running \(no .*connection\.json\); start it with `npx tsx startup\.ts run`/,
    );

    const port = await freePort();
    await mkdir(join(dir, "state", "managed"), { recursive: true });
    await writeFile(
      join(dir, "state", "managed", "connection.json"),
      JSON.stringify({
        login: "client",
        service: `xmpp://127.0.0.1:${port}`,
        domain: "localhost",
        muc: "rooms.localhost",
        accounts: { "mesh-cli": "pw" },
      }),
    );
    const gone = await runCli(["receive", "raw", "--config", config], bound);
    expect(gone.signal).toBeNull();
    expect(gone.code).toBe(3);
    expect(gone.stderr).toContain(
      `the mesh is not running (no XMPP server at 127.0.0.1:${port}: connection refused); start it with`,
    );
  });
});

describe("argument errors", () => {
  it.each([
    [["send", "raw", "--bogus"], "startup.ts send: Unknown option '--bogus'", "send ROOM [conn]"],
    [
      ["receive", "raw", "--count"],
      "startup.ts receive: Option '--count <value>' argument missing",
      "receive ROOM",
    ],
    [["nonsense"], 'startup.ts: unknown command "nonsense"', "COMMAND [options]"],
  ])("%j: one line, the usage, exit 2, no stack trace", async (args, first, usage) => {
    const r = await runCli(args, { timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    const lines = r.stderr.split("\n");
    expect(lines[0]).toBe(first);
    expect(r.stderr).toMatch(
      new RegExp(`usage: npx tsx startup\\.ts ${usage.replace(/[[\]]/g, "\\$&")}`),
    );
    expect(r.stderr).not.toMatch(/\n\s+at |TypeError|ERR_PARSE_ARGS/);
  });
});
