import { connect } from "node:net";

/** Exit code of a tool that found no mesh to talk to (as `status` uses when it is not running). */
export const NOT_RUNNING_EXIT = 3;

/**
 * Whether anything accepts TCP at `HOST:PORT`: undefined when it does, else the reason in a few
 * words. One try, bounded by `timeoutMs`, so a tool answers in seconds when the mesh is down
 * instead of going through the connection's reconnect backoff.
 */
export function probeServer(server: string, timeoutMs = 3000): Promise<string | undefined> {
  const at = server.lastIndexOf(":");
  const host = server.slice(0, at).replace(/^\[(.*)\]$/, "$1");
  const port = Number(server.slice(at + 1));
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (reason: string | undefined): void => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs / 1000} s`));
    socket.once("connect", () => done(undefined));
    socket.once("error", (err: NodeJS.ErrnoException) => done(describeError(err)));
  });
}

function describeError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "unknown host";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
    default:
      return err.code ?? err.message;
  }
}
