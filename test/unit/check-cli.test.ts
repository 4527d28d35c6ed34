// `startup.ts check` on a config with a mistake in every bot: one run reports them all, each
// with the file, the instance and the key, before anything starts.
import { spawnSync } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

const CONFIG = `
xmpp: managed
rooms: rooms.yaml
bots:
  - id: table-asn
    bot: asn
    in: raw
    out: enriched
    params: { source: table }
  - id: dns-asn
    bot: asn
    in: raw
    out: enriched
    params: { resolver: "not a server" }
  - id: lists
    bot: dnsbl
    in: raw
    out: enriched
    params: { zones: [zen.example.test], resolver: ["dns.example.test"] }
  - id: geo
    bot: geoip
    in: raw
    out: enriched
    params: { database: /nonexistent/GeoLite2-City.mmdb }
  - id: owners
    bot: customer
    in: raw
    out: enriched
    params: { file: /nonexistent/customers.yaml }
  - id: rss-follow
    bot: file-feed
    out: feeds.a
    params: { path: /tmp/x.xml, follow: true, format: { type: rss }, map: { fields: { link: url } } }
  - id: no-format
    bot: feed
    out: feeds.b
    params: { url: "https://feeds.example.test/list.txt" }
  - id: typo
    bot: add-tag
    in: enrichd
    out: tagged
    params: { value: x, vaule: y }
  - id: roomgraph
    bot: roomgraph
`;

describe("startup.ts check", () => {
  it("reports the cross-parameter mistakes of every bot in one run", async () => {
    const dir = await mkdtemp(join(tmpdir(), "check-cli-"));
    await writeFile(join(dir, "mesh.yaml"), CONFIG);
    await writeFile(join(dir, "rooms.yaml"), "routes:\n  - from: feeds.a\n    to: raw\n");
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", "startup.ts", "check", "--config", join(dir, "mesh.yaml")],
      { cwd: ROOT, encoding: "utf8" },
    );
    const out = r.stdout + r.stderr;
    expect(r.status).not.toBe(0);
    const expected = [
      /table-asn.*table.*required with source: table/,
      /dns-asn.*resolver.*expected address/,
      /lists.*resolver.*expected address.*dns\.example\.test/,
      /geo.*database.*no such file: \/nonexistent\/GeoLite2-City\.mmdb/,
      /owners.*file.*no such file: \/nonexistent\/customers\.yaml/,
      /rss-follow.*follow needs a line-based format/,
      /no-format.*format and map are needed/,
      /typo.*vaule.*did you mean value\?/,
      /typo.*reads enrichd.*did you mean enriched\?/,
    ];
    for (const re of expected) expect(out).toMatch(re);
  }, 60_000);
});
