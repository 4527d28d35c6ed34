import { describe, expect, it } from "vitest";
import { isRoomName, resolveRoom, roomKey } from "./rooms.js";

describe("rooms", () => {
  it("resolves a short name against the MUC service and keeps a full JID", () => {
    expect(resolveRoom("feeds.drop", "conference.example.org")).toBe(
      "feeds.drop@conference.example.org",
    );
    expect(resolveRoom("Raw@Conference.Partner.example", "conference.example.org")).toBe(
      "raw@conference.partner.example",
    );
  });

  it("accepts short names and bare JIDs only", () => {
    expect(
      ["raw", "feeds.drop", "customer.64496", "raw@conference.example.org"].every(isRoomName),
    ).toBe(true);
    expect(
      ["Raw", "-raw", "bad room", "raw@", "raw@conference.example.org/nick", ""].some(isRoomName),
    ).toBe(false);
  });

  it("treats a short name and its JID on the mesh's service as one room", () => {
    expect(roomKey("RAW@conference.example.org", "conference.example.org")).toBe(
      roomKey("raw", "conference.example.org"),
    );
    expect(roomKey("raw@conference.partner.example", "conference.example.org")).toBe(
      "raw@conference.partner.example",
    );
  });
});
