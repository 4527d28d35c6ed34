import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { zipSync, strToU8 } from "fflate";
import { startTestServer, type TestServer } from "../../feed/test-server.js";
import { DEFAULT_LIMITS, MailError } from "../handler.js";
import { parseMail } from "../parse.js";
import { shadowserverHandler as handler, shortLink } from "./shadowserver.js";

const DIR = new URL("../fixtures/shadowserver/", import.meta.url);
const raw = (name: string) => readFileSync(new URL(name, DIR));
const load = (name: string) => parseMail(raw(name), name);
const failure = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MailError);
  return (err as MailError).message;
};

describe("shadowserver handler, download links", () => {
  let server: TestServer;
  const TELNET = raw("2026-11-30-scan_telnet-example-asn.csv");
  beforeAll(async () => {
    server = await startTestServer();
    server.route("/q7ZKx2lBvN0aUeJ4", (_req, res) => res.end(TELNET));
    const zipped = zipSync({
      "2026-11-30-scan_telnet-example-asn.csv": strToU8(TELNET.toString()),
    });
    server.route("/zipped", (_req, res) => res.end(Buffer.from(zipped)));
  });
  afterAll(() => server.close());
  /** The intake's download, pointed at the local server instead of dl.shadowserver.org. */
  const download = async (url: string) => {
    const u = new URL(url);
    const res = await fetch(server.url(u.pathname + u.search));
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  };
  const telnet = {
    "report type": ["scan_telnet"],
    feed: ["Accessible-Telnet"],
    ip: ["192.0.2.23"],
    port: ["23"],
    service: ["telnet"],
    banner: ["\\r\\nlogin: "],
  };

  it("fetches the report a link points to; the file name beside it gives the type", async () => {
    const mail = await load("download-link.eml");
    expect(handler.match(mail)).toBe(
      "download link https://dl.shadowserver.org/q7ZK… to dl.shadowserver.org",
    );
    const result = await handler.read(mail, { limits: DEFAULT_LIMITS, download });
    expect(result.problems).toEqual([]);
    expect(result.events).toEqual([expect.objectContaining(telnet)]);
    expect(server.hits("/q7ZKx2lBvN0aUeJ4")).toBe(1);
  });

  it("takes the type from a zip's member, or from the subject's feed name", async () => {
    const text = raw("download-link.eml")
      .toString("latin1")
      .replace("2026-11-30-scan_telnet-example-asn.csv\r\n", "");
    // No feed in the subject: only the zip's member name says what it is.
    const bare = text
      .replace("q7ZKx2lBvN0aUeJ4?Tc9fHrW1mS", "zipped")
      .replace("AS64496 Accessible-Telnet Report", "AS64496 Report");
    const zipped = await parseMail(Buffer.from(bare), "z.eml");
    expect((await handler.read(zipped, { limits: DEFAULT_LIMITS, download })).events).toEqual([
      expect.objectContaining(telnet),
    ]);
    const plain = await parseMail(Buffer.from(text), "p.eml");
    expect((await handler.read(plain, { limits: DEFAULT_LIMITS, download })).events).toEqual([
      expect.objectContaining(telnet),
    ]);
  });

  it("does not fetch the link to a report the mail has attached", async () => {
    const text = raw("scan-http.eml")
      .toString("latin1")
      .replace(
        "All times are in UTC.\r\n",
        "All times are in UTC.\r\n\r\n2026-11-30-scan_http-example-asn.csv: https://dl.shadowserver.org/q7ZKx2lBvN0aUeJ4\r\n",
      );
    const before = server.hits("/q7ZKx2lBvN0aUeJ4");
    const result = await handler.read(await parseMail(Buffer.from(text), "both.eml"), {
      limits: DEFAULT_LIMITS,
      download,
    });
    expect(result.events).toHaveLength(3);
    expect(result.notes).toEqual(["1 download link not fetched: the report is attached"]);
    expect(server.hits("/q7ZKx2lBvN0aUeJ4")).toBe(before);
  });

  it("says a link needs the download setting when the intake has none", async () => {
    const mail = await load("download-link.eml");
    const message = await failure(Promise.resolve(handler.read(mail, { limits: DEFAULT_LIMITS })));
    expect(message).toBe(
      "download-link.eml: 1 link not read: download links need the intake's download setting",
    );
  });

  it("names the link (token cut) when its download fails", async () => {
    const text = raw("download-link.eml")
      .toString("latin1")
      .replace("q7ZKx2lBvN0aUeJ4", "gone1234");
    const mail = await parseMail(Buffer.from(text), "gone.eml");
    const message = await failure(
      Promise.resolve(handler.read(mail, { limits: DEFAULT_LIMITS, download })),
    );
    expect(message).toBe(
      "gone.eml, download https://dl.shadowserver.org/gone…: download failed: HTTP 404",
    );
    expect(shortLink("https://dl.shadowserver.org/q7ZKx2lBvN0aUeJ4?Tc9fHrW1mS")).toBe(
      "https://dl.shadowserver.org/q7ZK…",
    );
  });
});
