/** A local HTTP server for the feed tests: routes by path, records every request it got. */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

export interface TestServer {
  url(path: string, auth?: string): string;
  route(path: string, handler: Handler): void;
  /** Requests got, per path (query included in `url`). */
  requests: { path: string; url: string; headers: IncomingMessage["headers"] }[];
  hits(path: string): number;
  close(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const routes = new Map<string, Handler>();
  const requests: TestServer["requests"] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    requests.push({ path: url.pathname, url: req.url ?? "", headers: req.headers });
    const handler = routes.get(url.pathname);
    if (!handler) {
      res.writeHead(404, "Not Found").end();
      return;
    }
    handler(req, res, requests.filter((r) => r.path === url.pathname).length);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path, auth) => `http://${auth ? `${auth}@` : ""}127.0.0.1:${port}${path}`,
    route: (path, handler) => void routes.set(path, handler),
    requests,
    hits: (path) => requests.filter((r) => r.path === path).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A handler serving `body` with an ETag, answering 304 to a matching If-None-Match. */
export function withEtag(
  body: () => string | Buffer,
  headers: Record<string, string> = {},
): Handler {
  return (req, res) => {
    const data = body();
    const etag = `"${createHash("sha1").update(data).digest("hex").slice(0, 16)}"`;
    if (req.headers["if-none-match"] === etag) {
      res.writeHead(304).end();
      return;
    }
    res.writeHead(200, { etag, ...headers }).end(data);
  };
}
