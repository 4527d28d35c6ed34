import { gzipSync } from "node:zlib";
import { execFileSync } from "node:child_process";
import { strToU8, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decompress } from "./decode.js";
import { fetchFeed, retryAfterMs, safeUrl, type FetchRequest } from "./fetch.js";
import { collect } from "./test-helpers.js";
import { startTestServer, withEtag, type TestServer } from "./test-server.js";

let server: TestServer;
beforeAll(async () => (server = await startTestServer()));
afterAll(() => server.close());

const req = (url: string, more: Partial<FetchRequest> = {}): FetchRequest => ({
  feed: "t",
  url,
  timeoutMs: 2000,
  maxRetries: 2,
  retryBaseMs: 10,
  signal: new AbortController().signal,
  ...more,
});

async function text(r: Awaited<ReturnType<typeof fetchFeed>>): Promise<string> {
  if (r.status !== "ok") throw new Error(`got ${r.status}`);
  const { body } = await decompress(r.body);
  return Buffer.concat(await collect(body)).toString();
}

describe("fetchFeed", () => {
  it("sends the validators it was given and reports a 304 as not modified", async () => {
    server.route(
      "/etag",
      withEtag(() => "192.0.2.1\n", { "last-modified": "Thu, 14 Mar 2024 10:09:07 GMT" }),
    );
    const first = await fetchFeed(req(server.url("/etag")));
    expect(first.status === "ok" && first.validators.lastModified).toBe(
      "Thu, 14 Mar 2024 10:09:07 GMT",
    );
    expect(first.status === "ok" && first.validators.etag).toMatch(/^"[0-9a-f]{16}"$/);
    expect(await text(first)).toBe("192.0.2.1\n");
    const again = await fetchFeed(
      req(server.url("/etag"), { validators: first.status === "ok" ? first.validators : {} }),
    );
    expect(again.status).toBe("not-modified");
    expect(server.requests.at(-1)?.headers["if-modified-since"]).toBe(
      "Thu, 14 Mar 2024 10:09:07 GMT",
    );
  });

  it("reads gzip (by Content-Encoding or by content), zip and bz2 bodies", async () => {
    const plain = "192.0.2.1\n192.0.2.2\n";
    server.route("/ce", (_q, res) =>
      res.writeHead(200, { "content-encoding": "gzip" }).end(gzipSync(plain)),
    );
    server.route("/list.gz", (_q, res) =>
      res.writeHead(200, { "content-type": "application/gzip" }).end(gzipSync(plain)),
    );
    server.route("/list.zip", (_q, res) =>
      res.writeHead(200).end(zipSync({ "readme/": {}, "list.txt": strToU8(plain) })),
    );
    server.route("/list.bz2", (_q, res) =>
      res.writeHead(200).end(execFileSync("bzip2", ["-c"], { input: plain })),
    );
    for (const path of ["/ce", "/list.gz", "/list.zip", "/list.bz2"]) {
      expect(await text(await fetchFeed(req(server.url(path))))).toBe(plain);
    }
  });

  it("retries a 500 and a 429 (honouring Retry-After), then succeeds", async () => {
    server.route("/flaky", (_q, res, n) => {
      if (n === 1) res.writeHead(500).end();
      else if (n === 2) res.writeHead(429, { "retry-after": "0" }).end();
      else res.writeHead(200).end("ok\n");
    });
    const retries: string[] = [];
    const r = await fetchFeed(req(server.url("/flaky"), { onRetry: (why) => retries.push(why) }));
    expect(await text(r)).toBe("ok\n");
    expect(retries).toEqual(["HTTP 500 Internal Server Error", "HTTP 429 Too Many Requests"]);
  });

  it("gives up after max_retries, and fails a 404 at once naming feed, URL and status", async () => {
    server.route("/down", (_q, res) => res.writeHead(503).end());
    await expect(fetchFeed(req(server.url("/down"), { maxRetries: 1 }))).rejects.toThrow(
      /^feed t: GET http:\/\/127.0.0.1:\d+\/down: HTTP 503 Service Unavailable \(after 2 attempts\)$/,
    );
    const before = server.hits("/missing");
    await expect(fetchFeed(req(server.url("/missing")))).rejects.toThrow(
      /feed t: GET http:\/\/127\.0\.0\.1:\d+\/missing: HTTP 404 Not Found$/,
    );
    expect(server.hits("/missing") - before).toBe(1);
  });

  it("says a network error, without the URL's credentials", async () => {
    const gone = await startTestServer();
    const url = gone.url("/x", "user:hunter2");
    await gone.close();
    const err = await fetchFeed(req(url, { maxRetries: 0 })).then(
      () => "no error",
      (e: Error) => e.message,
    );
    expect(err).toMatch(
      /feed t: GET http:\/\/127.0.0.1:\d+\/x: ECONNREFUSED .*\(after 1 attempt\)$/,
    );
    expect(err).not.toContain("hunter2");
  });

  it("sends URL credentials as Basic auth and a secret as header or query parameter", async () => {
    server.route("/auth", (_q, res) => res.writeHead(200).end("x\n"));
    await text(await fetchFeed(req(server.url("/auth", "me:pw"))));
    expect(server.requests.at(-1)?.headers.authorization).toBe(
      `Basic ${Buffer.from("me:pw").toString("base64")}`,
    );
    const secret = (name: string) => ({ FEED_KEY: "s3cret" })[name];
    await text(
      await fetchFeed(
        req(server.url("/auth"), {
          auth: { header: "Authorization", scheme: "Bearer", env: "FEED_KEY" },
          secret,
        }),
      ),
    );
    expect(server.requests.at(-1)?.headers.authorization).toBe("Bearer s3cret");
    await text(
      await fetchFeed(
        req(server.url("/auth?x=1"), { auth: { query: "key", env: "FEED_KEY" }, secret }),
      ),
    );
    expect(server.requests.at(-1)?.url).toBe("/auth?x=1&key=s3cret");
  });

  it("puts a url secret into the {secret} placeholder, and never into messages", async () => {
    server.route("/data/s3%2Fk3y/list.csv", (_q, res) => res.writeHead(200).end("x\n"));
    const secret = (name: string) => ({ FEED_KEY: "s3/k3y" })[name];
    const auth = { url: true as const, env: "FEED_KEY" };
    await text(await fetchFeed(req(server.url("/data/{secret}/list.csv"), { auth, secret })));
    expect(server.requests.at(-1)?.url).toBe("/data/s3%2Fk3y/list.csv");
    const err = await fetchFeed(req(server.url("/data/{secret}/gone.csv"), { auth, secret })).then(
      () => "no error",
      (e: Error) => e.message,
    );
    expect(err).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/data\/\{secret\}\/gone.csv: HTTP 404/);
    expect(err).not.toContain("k3y");
  });

  it("fails clearly when the secret is missing, without trying", async () => {
    const before = server.hits("/auth");
    await expect(
      fetchFeed(
        req(server.url("/auth"), {
          auth: { header: "X-Key", env: "NOPE" },
          secret: () => undefined,
        }),
      ),
    ).rejects.toThrow(
      "feed t: the secret NOPE (for the X-Key header) is not set in the environment",
    );
    expect(server.hits("/auth")).toBe(before);
  });

  it("fails a body the server cuts off, and one that stalls past the timeout", async () => {
    server.route("/cut", (_q, res) => {
      res.writeHead(200, { "content-length": "100000" });
      res.write("192.0.2.1\n".repeat(100));
      setTimeout(() => res.destroy(), 20);
    });
    const cut = await fetchFeed(req(server.url("/cut")));
    await expect(text(cut)).rejects.toThrow(
      /feed t: GET .*\/cut: the body broke off after 1000 bytes/,
    );
    server.route("/stall", (_q, res) => {
      res.writeHead(200);
      res.write("192.0.2.1\n");
    });
    const stall = await fetchFeed(req(server.url("/stall"), { timeoutMs: 200 }));
    await expect(text(stall)).rejects.toThrow(/broke off after 10 bytes: no data for 200 ms/);
  });
});

describe("helpers", () => {
  it("reads Retry-After as seconds or a date", () => {
    expect(retryAfterMs("120")).toBe(120_000);
    expect(retryAfterMs("Thu, 14 Mar 2024 10:10:07 GMT", Date.UTC(2024, 2, 14, 10, 9, 7))).toBe(
      60_000,
    );
    expect(retryAfterMs("soon")).toBeUndefined();
  });

  it("removes credentials from a URL for messages", () => {
    expect(safeUrl("https://me:pw@example.com/x?a=1")).toBe("https://example.com/x?a=1");
    expect(safeUrl("https://example.com/data/{secret}/x")).toBe(
      "https://example.com/data/{secret}/x",
    );
  });
});
