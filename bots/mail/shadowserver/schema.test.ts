import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../feed/test-server.js";
import { readMapping, SHIPPED_MAPPING } from "./mapping.js";
import { updateSchema } from "./schema.js";

const FIXTURES = new URL("../fixtures/shadowserver/", import.meta.url);
const schema = (name: string) => readFileSync(new URL(name, FIXTURES));

describe("updateSchema", () => {
  let server: TestServer;
  let dir: string;
  let serve: Buffer | string = "";
  let status = 200;
  beforeAll(async () => {
    server = await startTestServer();
    server.route("/intelmq/v1/schema", (_req, res) => res.writeHead(status).end(serve));
    dir = mkdtempSync(join(tmpdir(), "ss-schema-"));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const url = () => server.url("/intelmq/v1/schema");

  it("converts, writes and compares: first with the shipped mapping, then with the last file", async () => {
    const file = join(dir, "mapping.json");
    serve = schema("schema-v1.json");
    const first = await updateSchema({ url: url(), file });
    expect(first.written).toBe(true);
    expect(first.text.split("\n").slice(0, 3)).toEqual([
      `Shadowserver schema 2026-10-01T12:00:00Z from ${url()}: 3 report types`,
      "compared with the shipped mapping",
      "Shadowserver's change log: Added scan_oldproto.",
    ]);
    expect(first.changes).toContain("+ scan_oldproto (Accessible-Oldproto): 3 columns");
    expect(first.changes).toContain("- scan_ssl (Accessible-SSL)");
    const written = readMapping(file);
    expect(written).toEqual(first.mapping);
    expect(written.reports["scan_http"]).toMatchObject({
      feed: "Accessible-HTTP",
      classification: "other/other",
      // Kept from the shipped mapping: Shadowserver's classification is the one it was written for.
      category: "info",
      type: "open service",
      set: { service: "http" },
      columns: [
        "timestamp",
        "ip",
        "port",
        "protocol",
        "hostname",
        "tag",
        "asn",
        "geo",
        "http_code",
        "transfer_encoding",
        "http_date",
      ],
    });
    // Not in the shipped mapping: category and type from Shadowserver's classification.
    expect(written.reports["scan_oldproto"]).toMatchObject({
      category: "info",
      type: "vulnerable service",
    });

    serve = schema("schema-v2.json");
    const second = await updateSchema({ url: url(), file, fetch: globalThis.fetch });
    expect(second.written).toBe(true);
    expect(second.text).toContain(`compared with ${file} (2026-10-01T12:00:00Z)`);
    expect(second.changes).toEqual([
      "~ event4_sinkhole",
      '  Shadowserver classification: "malicious-code/infected-system" → "malicious-code/c2-server"',
      '  type: "infected host" → "c&c"',
      "  column renamed: src_ip → source_ip",
      "~ scan_http",
      "  columns added: http_title",
      "  columns removed: transfer_encoding",
      "+ scan_newproto (Accessible-Newproto): 4 columns",
      "- scan_oldproto (Accessible-Oldproto)",
    ]);
    expect(readMapping(file).reports["scan_newproto"]).toMatchObject({
      type: "open service",
      set: { service: "newproto" },
    });

    const third = await updateSchema({ url: url(), file });
    expect(third.written).toBe(false);
    expect(third.changes).toEqual([]);
    expect(third.text.split("\n").slice(-2)).toEqual([
      "no changes in the report types or columns",
      `${file} is up to date`,
    ]);
  });

  it("writes nothing when the download fails or is not a schema", async () => {
    const file = join(dir, "kept.json");
    const previous = readFileSync(SHIPPED_MAPPING, "utf8");
    writeFileSync(file, previous);
    for (const [code, body, message] of [
      [503, "busy", /HTTP 503/],
      [200, "<html>", /is not the Shadowserver schema: not JSON/],
      [200, "[1, 2]", /schema: expected a JSON object of reports/],
      [200, '{"_meta": {"date_created": "x"}}', /schema: no reports in it/],
    ] as const) {
      status = code;
      serve = body;
      await expect(updateSchema({ url: url(), file })).rejects.toThrow(message);
      expect(readFileSync(file, "utf8")).toBe(previous);
    }
    status = 200;
    serve = schema("schema-v1.json");
    writeFileSync(file, "not a mapping");
    await expect(updateSchema({ url: url(), file })).rejects.toThrow(
      /kept\.json: Unexpected token/,
    );
    expect(readFileSync(file, "utf8")).toBe("not a mapping");
    await expect(
      updateSchema({ url: "http://127.0.0.1:1/schema", file: join(dir, "none.json") }),
    ).rejects.toThrow(
      /could not download the Shadowserver schema from http:\/\/127\.0\.0\.1:1\/schema: /,
    );
    expect(existsSync(join(dir, "none.json"))).toBe(false);
  });
});
