import { describe, expect, it } from "vitest";
import { timeParser } from "./time.js";

describe("time parsing", () => {
  it.each([
    ["iso", "2024-03-14T10:09:07Z", "2024-03-14 10:09:07Z"],
    ["iso", "2024-03-14 10:09:07", "2024-03-14 10:09:07Z"],
    ["iso", "2024-03-14T12:09:07.123+02:00", "2024-03-14 10:09:07Z"],
    ["iso", "2024-03-14T05:39:07-0430", "2024-03-14 10:09:07Z"],
    ["iso", "2024-03-14", "2024-03-14 00:00:00Z"],
    ["unix", "1710410947", "2024-03-14 10:09:07Z"],
    ["unix", "1710410947.9", "2024-03-14 10:09:07Z"],
    ["unix-ms", "1710410947123", "2024-03-14 10:09:07Z"],
    ["rfc2822", "Thu, 14 Mar 2024 11:09:07 +0100", "2024-03-14 10:09:07Z"],
    ["rfc2822", "Thu, 14 Mar 2024 10:09:07 GMT", "2024-03-14 10:09:07Z"],
    ["auto", "1710410947", "2024-03-14 10:09:07Z"],
    ["auto", "2024-03-14T10:09:07Z", "2024-03-14 10:09:07Z"],
    ["auto", "Thu, 14 Mar 2024 10:09:07 GMT", "2024-03-14 10:09:07Z"],
    ["YYYY-MM-DD HH:mm:ss", "2024-03-14 10:09:07", "2024-03-14 10:09:07Z"],
    ["DD/MM/YYYY HH:mm", "14/03/2024 10:09", "2024-03-14 10:09:00Z"],
    ["D.M.YYYY H:mm:ss", "4.3.2024 9:09:07", "2024-03-04 09:09:07Z"],
    ["MMM DD YYYY HH:mm:ss Z", "Mar 14 2024 12:09:07 +02:00", "2024-03-14 10:09:07Z"],
    ["YYYY-MM-DD HH:mm:ss", "2024-03-14 12:09:07 +0200", "2024-03-14 10:09:07Z"],
    ["YYYYMMDDHHmmss", "20240314100907", "2024-03-14 10:09:07Z"],
  ])("%s: %s", (format, value, want) => {
    expect(timeParser(format)(value)).toBe(want);
  });

  it.each([
    ["iso", "2024-02-30 10:00:00"],
    ["iso", "2024-03-14 25:00:00"],
    ["iso", "yesterday"],
    ["unix", "-5"],
    ["unix-ms", "1e12"],
    ["rfc2822", "Thu, 14 Mar 2024 10:09:07"],
    ["YYYY-MM-DD HH:mm:ss", "2024-03-14T10:09:07"],
    ["DD/MM/YYYY", "31/04/2024"],
  ])("%s rejects %s", (format, value) => {
    expect(timeParser(format)(value)).toBeUndefined();
  });

  it("rejects a pattern without year or month, or with a token twice", () => {
    expect(() => timeParser("HH:mm")).toThrow(/needs at least YYYY and MM/);
    expect(() => timeParser("YYYY-MM-DD DD")).toThrow(/repeats DD/);
  });
});
