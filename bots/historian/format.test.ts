import { describe, expect, it } from "vitest";
import { countTable, eventTable, paginate, table } from "./format.js";
import { storedEvent } from "./query-fake.js";

describe("table", () => {
  it("aligns columns to the widest cell", () => {
    expect(
      table(
        ["a", "bb"],
        [
          ["xxx", "y"],
          ["z", "w"],
        ],
      ),
    ).toEqual(["a    bb", "xxx  y", "z    w"]);
  });
});

describe("eventTable", () => {
  it("shows only columns with values, multi-values joined, long cells cut", () => {
    const lines = eventTable([
      storedEvent({ ip: ["192.0.2.2", "192.0.2.1"], feed: "f" }, "2026-11-01 00:00:00Z"),
      storedEvent(
        { ip: "192.0.2.3", url: "http://example.com/" + "a".repeat(80) },
        "2026-11-02 00:00:00Z",
      ),
    ]);
    expect(lines[0]).toMatch(/^time\s+feed\s+ip\s+url$/);
    expect(lines[1]).toContain("192.0.2.1,192.0.2.2");
    expect(lines[2]).toContain("…");
    expect(lines[2]!.length).toBeLessThan(140);
  });
});

describe("countTable", () => {
  it("sorts by count then value, numbers right-aligned", () => {
    const lines = countTable(
      "cc",
      new Map([
        ["FI", 3],
        ["SE", 12],
        ["DK", 3],
      ]),
    );
    expect(lines).toEqual(["count  cc", "   12  SE", "    3  DK", "    3  FI"]);
  });
});

describe("paginate", () => {
  it("repeats the table header on each page and points to !more", () => {
    const rows = Array.from({ length: 45 }, (_, i) => `row ${i}`);
    const pages = paginate({ title: "T", intro: ["i1", "i2"], table: ["HEAD", ...rows] });
    expect(pages).toHaveLength(3);
    expect(pages[0]!.split("\n").slice(0, 4)).toEqual(["T (page 1/3)", "i1", "i2", "HEAD"]);
    expect(pages[0]).toMatch(/2 more page\(s\): say !more$/);
    expect(pages[1]!.split("\n")[1]).toBe("HEAD");
    expect(pages[2]).not.toMatch(/!more/);
    expect(pages.join("\n")).toContain("row 44");
    for (const p of pages) expect(p.split("\n").length).toBeLessThanOrEqual(22);
  });

  it("keeps a short answer on one page with its note", () => {
    expect(paginate({ title: "T", table: ["H", "r"], note: "(n)" })).toEqual(["T\nH\nr\n(n)"]);
  });
});
