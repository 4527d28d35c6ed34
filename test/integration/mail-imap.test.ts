// The `imap` source as a real bot process between a real Dovecot and a real Prosody: mails
// APPENDed over IMAP reach the room as events through IDLE and are moved to `processed`; a
// mail nobody reads goes to `failed` (and the dead letters) while the next one is read; the
// same mail delivered twice gives its events once; the bot connects again after the server
// restarts, reads the mailbox again after a UIDVALIDITY change without duplicates, and, SIGKILLed
// in the middle of a 300-mail mailbox, leaves every mail's events in the room exactly once.
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Event } from "../../core/sdk/event.js";
import { startDovecot, type Dovecot } from "../harness/dovecot.js";
import {
  connectPeer,
  MESH_PASSWORD,
  startMesh,
  waitFor,
  type Peer,
  type RunningMesh,
} from "../harness/mesh.js";
import { withServer } from "../harness/servers.js";
import { arfMail, helloMail as unreadable } from "../../bots/mail/test-mails.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const USER = "reports@example.test";
const PASSWORD_ENV = "MAIL_IMAP_TEST_PASSWORD";

function body(d: Dovecot, pollInterval: string): string {
  return `
bots:
  - id: mailbox
    bot: imap
    out: feeds.mail
    params:
      host: 127.0.0.1
      port: ${d.port}
      tls: none
      user: ${USER}
      password_env: ${PASSWORD_ENV}
      poll_interval: ${pollInterval}
      batch: 20
`;
}

async function folderSize(client: ImapFlow, folder: string): Promise<number> {
  const status = await client.status(folder, { messages: true });
  return status ? (status.messages ?? 0) : 0;
}

describe("imap source on dovecot and prosody", () => {
  const server = withServer("prosody");
  let dovecot: Dovecot;
  let imap: ImapFlow;
  let peer: Peer;
  let mesh: RunningMesh | undefined;
  let dir: string;

  const room = () => `feeds.mail@${server().mucHost}`;
  const got = (): Event[] => peer.received.get(room()) ?? [];
  const ids = (events: Event[], id: string) =>
    events.filter((e) => e.value("mail message id") === id);
  const start = async (pollInterval = "10m") => {
    const m = await startMesh(server(), {
      body: body(dovecot, pollInterval),
      rooms: "routes: []\n",
      ids: ["mailbox"],
      dir: join(dir, "run"),
    });
    await waitFor("the imap bot to open the mailbox", () =>
      m.logs.some((l) => l.includes('"mailbox open"')) ? true : undefined,
    );
    return m;
  };
  const untilMoved = (folder: string, n: number) =>
    waitFor(`${n} mails in ${folder}`, async () =>
      (await folderSize(imap, folder)) >= n ? true : undefined,
    );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "mail-imap-"));
    process.env[PASSWORD_ENV] = "secret";
    dovecot = await startDovecot({ users: { [USER]: "secret" } });
    imap = await dovecot.client(USER);
    peer = await connectPeer(server(), "watcher");
    await peer.listen(room());
  });

  afterAll(async () => {
    await mesh?.stop();
    await peer?.stop();
    await imap?.logout().catch(() => undefined);
    await dovecot?.stop();
    delete process.env[PASSWORD_ENV];
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("turns mails appended over IMAP into events through IDLE, and moves them to processed", async () => {
    // The poll interval is 10 minutes: only IDLE can bring these mails in time.
    mesh = await start();
    await new Promise((r) => setTimeout(r, 1500)); // its first look at the mailbox is over
    await imap.append("INBOX", arfMail(1));
    await imap.append("INBOX", arfMail(2));
    await waitFor("the events of both mails", () => (got().length >= 2 ? true : undefined));
    expect(got().map((e) => e.toJSON())).toEqual([
      expect.objectContaining({
        ip: ["192.0.2.1"],
        "mail message id": ["fbl-1@fbl.example.com"],
        "mail from": ["fbl@fbl.example.com"],
        "report format": ["arf"],
        trusted: ["no"],
        "trust reason": ["no signature"],
      }),
      expect.objectContaining({ ip: ["192.0.2.2"], "mail message id": ["fbl-2@fbl.example.com"] }),
    ]);
    await untilMoved("processed", 2);
    expect(await folderSize(imap, "INBOX")).toBe(0);
  });

  it("moves a mail nobody reads to failed, keeps it in the dead letters, and reads the next", async () => {
    await imap.append("INBOX", unreadable);
    await imap.append("INBOX", arfMail(3));
    await waitFor("the next mail's event", () =>
      ids(got(), "fbl-3@fbl.example.com").length > 0 ? true : undefined,
    );
    await untilMoved("failed", 1);
    await untilMoved("processed", 3);
    const r = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "startup.ts",
        "dead-letters",
        "--json",
        "--config",
        join(dir, "run", "mesh.yaml"),
      ],
      { cwd: ROOT, encoding: "utf8", env: { ...process.env, MESH_PASSWORD } },
    );
    const letters = r.stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { where?: string; reason: string });
    expect(letters).toHaveLength(1);
    expect(letters[0]?.where).toMatch(/^imap INBOX uid \d+ <hello-1@example\.org>$/);
    expect(letters[0]?.reason).toContain("no handler reads this mail");
  });

  it("gives the events of a mail delivered twice once", async () => {
    const before = got().length;
    const twice = arfMail(4, "twice@fbl.example.com");
    await imap.append(
      "INBOX",
      Buffer.concat([Buffer.from("Received: from mx1.example.test\r\n"), twice]),
    );
    await imap.append(
      "INBOX",
      Buffer.concat([Buffer.from("Received: from mx2.example.test\r\n"), twice]),
    );
    await imap.append("INBOX", arfMail(5)); // the end marker: read after both copies
    await waitFor("the marker's event", () =>
      ids(got(), "fbl-5@fbl.example.com").length > 0 ? true : undefined,
    );
    await untilMoved("processed", 6);
    expect(ids(got(), "twice@fbl.example.com")).toHaveLength(1);
    expect(got().length - before).toBe(2);
  });

  it("connects again when the server goes away, and reads what came meanwhile", async () => {
    await dovecot.restart();
    await imap.logout().catch(() => undefined);
    imap = await dovecot.client(USER); // the old connection died with the server
    await imap.append("INBOX", arfMail(6));
    await waitFor("the event of the mail after the restart", () =>
      ids(got(), "fbl-6@fbl.example.com").length > 0 ? true : undefined,
    );
    expect(mesh?.logs.some((l) => l.includes("connecting again in"))).toBe(true);
  });

  it("reads the mailbox again after a UIDVALIDITY change, giving no event twice", async () => {
    await mesh?.stop();
    mesh = undefined;
    const file = join(dir, "run", "state", "bots", "mailbox", "imap-position.json");
    const pos = JSON.parse(await readFile(file, "utf8")) as { uidValidity: string };
    await writeFile(file, JSON.stringify({ ...pos, uidValidity: "1" }));
    await imap.append("INBOX", arfMail(1)); // read in the first test: a copy
    await imap.append("INBOX", arfMail(9));
    mesh = await start();
    await waitFor("the new mail's event", () =>
      ids(got(), "fbl-9@fbl.example.com").length > 0 ? true : undefined,
    );
    await waitFor("the copy moved", async () =>
      (await folderSize(imap, "INBOX")) === 0 ? true : undefined,
    );
    expect(ids(got(), "fbl-1@fbl.example.com")).toHaveLength(1);
    expect(mesh.logs.some((l) => l.includes("UIDVALIDITY changed (1 -> "))).toBe(true);
  });

  it("leaves every mail's events in the room exactly once after a SIGKILL mid-mailbox", async () => {
    await mesh?.stop();
    mesh = undefined;
    const n = 300;
    const processed = await folderSize(imap, "processed");
    for (let i = 0; i < n; i++) await imap.append("INBOX", arfMail(1000 + i));
    const seen = got().length;
    mesh = await start("2s");
    await waitFor("the first events", () => (got().length >= seen + 20 ? true : undefined), 60_000);
    const pid = await waitFor("the bot's pid", async () => {
      const s = (await mesh?.statuses())?.find((x) => x.id === "mailbox");
      return s?.state === "running" ? s.pid : undefined;
    });
    process.kill(pid, "SIGKILL");
    const killedAt = got().length - seen;
    await untilMoved("processed", processed + n);
    await new Promise((r) => setTimeout(r, 3000)); // a late duplicate would show by now
    const events = got().slice(seen);
    const perMail = new Map<string, Set<string>>();
    for (const e of events) {
      const id = e.value("mail message id") ?? "";
      perMail.set(id, (perMail.get(id) ?? new Set()).add(e.id()));
    }
    console.log(`killed after ${killedAt} of ${n} mails' events; ${events.length} events came`);
    expect(killedAt).toBeLessThan(n);
    expect(perMail.size).toBe(n);
    // Each mail's event is one and the same event (one id), however often the wire carried it.
    expect([...perMail.values()].every((s) => s.size === 1)).toBe(true);
    expect(await folderSize(imap, "INBOX")).toBe(0);
  }, 240_000);

  it("reads over STARTTLS with the server's certificate verified, and refuses one it cannot verify", async () => {
    await mesh?.stop();
    mesh = undefined;
    const users = { "tls@example.test": "pw1", "untrusted@example.test": "pw2" };
    const secure = await startDovecot({ users, tls: true });
    process.env.MAIL_TLS_PW1 = "pw1";
    process.env.MAIL_TLS_PW2 = "pw2";
    const bot = (id: string, user: string, env: string, ca: string) => `
  - id: ${id}
    bot: imap
    out: feeds.${id}
    params: { host: 127.0.0.1, port: ${secure.port}, tls: starttls, user: ${user}, password_env: ${env}${ca} }`;
    const tlsRun = await startMesh(server(), {
      body: `bots:${bot("tlsbox", "tls@example.test", "MAIL_TLS_PW1", `, ca_file: ${secure.caFile}`)}${bot("untrusted", "untrusted@example.test", "MAIL_TLS_PW2", "")}\n`,
      rooms: "routes: []\n",
      ids: ["tlsbox", "untrusted"],
      dir: join(dir, "tls"),
    });
    const tlsRoom = `feeds.tlsbox@${server().mucHost}`;
    await peer.listen(tlsRoom);
    const client = await secure.client("tls@example.test");
    const other = await secure.client("untrusted@example.test");
    try {
      await client.append("INBOX", arfMail(7, "tls-7@fbl.example.com"));
      await other.append("INBOX", arfMail(8, "tls-8@fbl.example.com"));
      await waitFor("the event read over TLS", () =>
        (peer.received.get(tlsRoom) ?? []).length > 0 ? true : undefined,
      );
      expect(
        tlsRun.logs.some((l) => l.includes('"mailbox open"') && l.includes('"tls":"tls"')),
      ).toBe(true);
      const refused = await waitFor("the unverifiable server refused", () =>
        tlsRun.logs.find(
          (l) => l.includes("imap untrusted@example.test@127.0.0.1") && /certificate/i.test(l),
        ),
      );
      expect(refused).not.toContain("pw2");
      expect(await folderSize(other, "INBOX")).toBe(1);
      expect(tlsRun.logs.some((l) => l.includes("pw1") || l.includes("pw2"))).toBe(false);
    } finally {
      await client.logout().catch(() => undefined);
      await other.logout().catch(() => undefined);
      await tlsRun.stop();
      await secure.stop();
    }
  });
});
