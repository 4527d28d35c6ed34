import { describe, expect, it } from "vitest";
import { Event } from "./event.js";
import { expertOutput } from "./expert.js";

describe("expertOutput", () => {
  const original = new Event({ ip: "192.0.2.1", type: "scanner" });
  const added = new Event({ asn: ["64496", "64497"], cc: "FI" });

  it("enriches the event with prefixed facts", () => {
    const out = expertOutput(original, added, { mode: "enrich", prefix: "source " });
    expect(out?.toJSON()).toEqual({
      ip: ["192.0.2.1"],
      "source asn": ["64496", "64497"],
      "source cc": ["FI"],
      type: ["scanner"],
    });
  });

  it("augments with only the facts and the original's id, as AbuseHelper's combiner expects", () => {
    const out = expertOutput(original, added, { mode: "augment", prefix: "" });
    expect(out?.toJSON()).toEqual({
      asn: ["64496", "64497"],
      "augment sha-1": [original.id()],
      cc: ["FI"],
    });
  });

  it("passes the event on unchanged when nothing was found, and augments nothing", () => {
    expect(expertOutput(original, new Event(), { mode: "enrich", prefix: "" })).toBe(original);
    expect(expertOutput(original, new Event(), { mode: "augment", prefix: "" })).toBeUndefined();
  });
});
