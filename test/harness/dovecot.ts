// A private Dovecot IMAP server for tests (../shared/SERVERS.md recipe): loopback, a free
// port, plaintext login (loopback only) or STARTTLS with a certificate made for the run, all
// in a temp dir that stop() removes (unless KEEP_SERVER_DIRS=1).
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { chmod, chown, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ImapFlow } from "imapflow";

export const DOVECOT = process.env.DOVECOT ?? "/usr/sbin/dovecot";
const MAIL_UID = 8; // Debian's `mail` user: Dovecot refuses to store mail as root
const MAIL_GID = 8;

export interface DovecotOptions {
  users?: Record<string, string>;
  /** Offer STARTTLS with a self-signed certificate for 127.0.0.1 and localhost. */
  tls?: boolean;
}

export interface Dovecot {
  host: string;
  port: number;
  dir: string;
  /** PEM of the certificate (with tls: true): give it as the client's CA. */
  caFile?: string;
  /** A logged-in client (plaintext or STARTTLS, as the server offers), for the test's side. */
  client(user: string): Promise<ImapFlow>;
  /** Messages in a folder of `user`'s Maildir (new/ and cur/), counted on disk. */
  countOnDisk(user: string, folder?: string): Promise<number>;
  /** Stop the server and start it again on the same port and mail (clients are cut off). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function config(v: string, port: number, tls: boolean): string {
  return `base_dir = ${v}/run
state_dir = ${v}/state
instance_name = mesh-test-${port}
protocols = imap
listen = 127.0.0.1
${tls ? `ssl = yes\nssl_cert = <${v}/cert.pem\nssl_key = <${v}/key.pem` : "ssl = no"}
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = ${v}/dovecot.log
mail_location = maildir:${v}/mail/%u/Maildir
first_valid_uid = ${MAIL_UID}
mail_privileged_group =
mailbox_idle_check_interval = 1 secs
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${v}/users
}
userdb {
  driver = static
  args = uid=mail gid=mail home=${v}/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
}
`;
}

async function makeCert(dir: string): Promise<void> {
  await promisify(execFile)("openssl", [
    ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost"],
    ...["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
    ...["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")],
  ]);
}

/** Until the server greets on its port (`* OK`). */
async function greeted(port: number, proc: ChildProcess, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`dovecot exited with ${proc.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = createConnection({ host: "127.0.0.1", port });
      sock.once("data", (d) => {
        sock.destroy();
        resolve(d.toString().startsWith("* OK"));
      });
      sock.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`dovecot did not greet on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startDovecot(opts: DovecotOptions = {}): Promise<Dovecot> {
  const users = opts.users ?? { "reports@example.test": "secret" };
  const dir = await mkdtemp(join(tmpdir(), "mesh-dovecot-"));
  // Dovecot's auth and mail processes run as other users: they must get through the dir.
  await chmod(dir, 0o755);
  const port = await freePort();
  await mkdir(join(dir, "mail"), { recursive: true });
  await chown(join(dir, "mail"), MAIL_UID, MAIL_GID);
  const lines = Object.entries(users).map(([u, pw]) => `${u}:{PLAIN}${pw}`);
  await writeFile(join(dir, "users"), `${lines.join("\n")}\n`);
  if (opts.tls) await makeCert(dir);
  const ca = opts.tls ? await readFile(join(dir, "cert.pem"), "utf8") : undefined;
  await writeFile(join(dir, "dovecot.conf"), config(dir, port, opts.tls === true));
  let server = await launch(dir);
  const stop = async () => {
    await server.stop();
    if (process.env.KEEP_SERVER_DIRS !== "1") await rm(dir, { recursive: true, force: true });
  };
  try {
    await greeted(port, server.proc);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}: ${server.stderr()}`, { cause: err });
  }
  return {
    host: "127.0.0.1",
    port,
    dir,
    ...(opts.tls ? { caFile: join(dir, "cert.pem") } : {}),
    async client(user) {
      const pass = users[user] ?? "";
      const client = new ImapFlow({
        host: "127.0.0.1",
        port,
        secure: false,
        doSTARTTLS: opts.tls === true,
        ...(ca === undefined ? {} : { tls: { ca: [ca] } }),
        auth: { user, pass },
        logger: false,
      });
      client.on("error", () => undefined);
      await client.connect();
      return client;
    },
    async countOnDisk(user, folder) {
      const box = join(dir, "mail", user, "Maildir", folder ? `.${folder}` : "");
      let n = 0;
      for (const sub of ["new", "cur"]) n += (await readdir(join(box, sub)).catch(() => [])).length;
      return n;
    },
    async restart() {
      await server.stop();
      server = await launch(dir);
      await greeted(port, server.proc);
    },
    stop,
  };
}

/** Run dovecot in the foreground on the config in `dir`. */
function launch(
  dir: string,
): Promise<{ proc: ChildProcess; stderr(): string; stop(): Promise<void> }> {
  // Its own process group: stop() ends the connection processes too (they can outlive the
  // master), as a real server going away would.
  const proc = spawn(DOVECOT, ["-F", "-c", join(dir, "dovecot.conf")], {
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  let stderr = "";
  proc.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  return Promise.resolve({
    proc,
    stderr: () => stderr.trim(),
    async stop() {
      if (proc.exitCode === null && proc.pid !== undefined) process.kill(-proc.pid, "SIGTERM");
      await exited;
    },
  });
}
