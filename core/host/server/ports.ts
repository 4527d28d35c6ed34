// Port helpers for private servers: find free ports and wait until a server really speaks XMPP.
import { createConnection, createServer } from "node:net";

/** A port nobody listens on right now: the kernel picks it when we bind port 0. */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error(`freePort: no port on ${host}`))));
    });
  });
}

/** True when binding the port succeeds, i.e. a stopped server has really let it go. */
export async function isPortFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/**
 * One probe: open a c2s stream and resolve true once the server answers with stream features
 * (RFC 6120 §4.3.2). A bare TCP accept is not enough: a listening socket may sit in the
 * kernel backlog before the server's event loop runs.
 */
export async function probeXmpp(host: string, port: number, domain: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host, port });
    let buf = "";
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(2000, () => done(false));
    sock.once("error", () => done(false));
    sock.once("close", () => done(false));
    sock.on("connect", () => {
      sock.write(
        `<?xml version='1.0'?><stream:stream to='${domain}' version='1.0' ` +
          `xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>`,
      );
    });
    sock.on("data", (chunk: Buffer) => {
      buf += chunk.toString("utf8");
      if (/<(stream:)?features[\s>/]/.test(buf)) done(true);
    });
  });
}

/** One probe: does a TCP connect succeed? */
export async function probeTcp(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host, port });
    sock.setTimeout(2000, () => {
      sock.destroy();
      resolve(false);
    });
    sock.once("error", () => resolve(false));
    sock.once("connect", () => {
      sock.destroy();
      resolve(true);
    });
  });
}

export interface PollOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Checked between probes: stop early (e.g. the server process died). Return a reason. */
  abort?: () => string | undefined;
}

/** Retry `probe` until it succeeds; throws with `what` and the abort reason or the timeout. */
export async function pollUntil(
  what: string,
  probe: () => Promise<boolean>,
  opts: PollOptions,
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const reason = opts.abort?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${opts.timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 25));
  }
}

/** Wait until nothing listens on `port` any more, so the next instance can bind it. */
export async function waitPortFree(port: number, host: string, timeoutMs: number): Promise<void> {
  await pollUntil(`port ${host}:${port} still in use`, () => isPortFree(port, host), {
    timeoutMs,
    intervalMs: 50,
  });
}

/** Fail fast with a clear message: a server that cannot bind only says so in its log. */
export async function assertPortsFree(
  what: string,
  host: string,
  ports: Readonly<Record<string, number>>,
): Promise<void> {
  for (const [name, port] of Object.entries(ports)) {
    if (!(await isPortFree(port, host))) {
      throw new Error(`${what}: ${name} ${host}:${port} is already in use by another process`);
    }
  }
}
