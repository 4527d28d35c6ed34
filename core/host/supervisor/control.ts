/**
 * The running supervisor's control socket, `<state>/supervisor.sock`: `startup.ts stop` and
 * `restart ID` send one JSON line and read one back. Only the owner can connect (mode 0600).
 */
import { chmodSync, rmSync } from "node:fs";
import { createConnection, createServer, type Server } from "node:net";
import { join } from "node:path";
import type { Logger } from "pino";

export type ControlRequest = { cmd: "stop" } | { cmd: "restart"; id: string };
export interface ControlReply {
  ok: boolean;
  message: string;
}

export function controlSocket(stateDir: string): string {
  return join(stateDir, "supervisor.sock");
}

/** Unix socket paths are limited to 107 bytes on Linux. */
const MAX_PATH = 107;

export function listenControl(
  stateDir: string,
  handle: (req: ControlRequest) => Promise<ControlReply>,
  log: Logger,
): Server | undefined {
  const path = controlSocket(stateDir);
  if (Buffer.byteLength(path) > MAX_PATH) {
    log.warn({ path }, "state dir path too long for a control socket; stop the mesh with SIGTERM");
    return undefined;
  }
  rmSync(path, { force: true }); // we hold the mesh lock: a socket here is a dead run's
  const server = createServer((socket) => {
    let buf = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf("\n");
      if (nl === -1) return;
      let req: ControlRequest;
      try {
        req = JSON.parse(buf.slice(0, nl)) as ControlRequest;
      } catch {
        socket.end(`${JSON.stringify({ ok: false, message: "bad request" })}\n`);
        return;
      }
      handle(req).then(
        (reply) => socket.end(`${JSON.stringify(reply)}\n`),
        (err: unknown) => socket.end(`${JSON.stringify({ ok: false, message: String(err) })}\n`),
      );
    });
    socket.on("error", () => undefined);
  });
  server.on("error", (err) => log.warn({ err, path }, "control socket failed"));
  server.listen(path, () => chmodSync(path, 0o600));
  return server;
}

/** Send one request to the supervisor; undefined when none listens. */
export function sendControl(
  stateDir: string,
  req: ControlRequest,
  timeoutMs = 60_000,
): Promise<ControlReply | undefined> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(controlSocket(stateDir));
    let buf = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from the supervisor within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${JSON.stringify(req)}\n`));
    socket.on("data", (chunk: string) => (buf += chunk));
    socket.on("end", () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(buf) as ControlReply);
      } catch {
        resolve({ ok: false, message: "the supervisor hung up" });
      }
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err.code === "ENOENT" || err.code === "ECONNREFUSED") resolve(undefined);
      else reject(err);
    });
  });
}
