import { describe, expect, it } from "vitest";
import { Event } from "../../core/index.js";
import { contentId } from "./event-id.js";

describe("contentId", () => {
  it("is Event.id(), for the reference event too", () => {
    expect(contentId(new Event({ a: "b" }))).toBe("edf6294fc1d3f9fe8be4a2d5626788bcfde05e62");
    const events = [
      new Event(),
      new Event({ ip: "192.0.2.1", type: ["scanner", "spam", "c&c"], feed: "x" }),
      new Event({
        "domain name": "bücher.example",
        description: "日本 😀 \uE000 \uFFFD",
        z: ["😀", "\uFFFF", "a"],
      }),
      new Event({ long: "x".repeat(200_000), ключ: "значение" }),
    ];
    for (const e of events) expect(contentId(e)).toBe(e.id());
  });
});
