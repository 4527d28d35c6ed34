import { describe, expect, it, vi } from "vitest";
import { Event, parseRule } from "../../core/index.js";
import { scan } from "./query.js";
import { storeBackend } from "./query-store.js";
import { dbName, describeEachCouch, storeOpts } from "../../test/harness/couchdb.js";
import { applyRetention } from "./historian.js";
import { dbNameTrouble, hasValue, openStore, toDoc, type Store } from "./store.js";
import { historian } from "./historian.js";
import { parseParams } from "../../core/sdk/params.js";
import nano from "nano";
import { lagNote, queryView } from "./view-query.js";

const ev = (i: number, time: string) =>
  new Event({ ip: `192.0.2.${i}`, asn: "64496", type: "scanner", time });

// The embedded CouchDB-compatible server and a real Apache CouchDB (COUCHDB_TARBALL), each in its
// own process, reached through nano.
describeEachCouch("store", (couch, kind) => {
  const fresh = (): Promise<Store> => openStore(storeOpts(couch(), dbName("test")));

  it("stores one document per event id; a replay counts as already stored", async () => {
    const store = await fresh();
    const docs = [1, 2, 3].map((i) =>
      toDoc(ev(i, "2026-03-01 12:00:00Z"), { room: "r@x" }, new Date()),
    );
    expect(await store.put(docs)).toEqual({ written: 3, existing: 0 });
    expect(await store.put(docs)).toEqual({ written: 0, existing: 3 });
    expect(await store.count({})).toBe(3);
    const one = await store.get(ev(2, "2026-03-01 12:00:00Z").id());
    expect(one?.event).toEqual({
      ip: ["192.0.2.2"],
      asn: ["64496"],
      type: ["scanner"],
      time: ["2026-03-01 12:00:00Z"],
    });
    expect(one).toMatchObject({ room: "r@x", ip: ["192.0.2.2"], time: "2026-03-01 12:00:00Z" });
  });

  it("finds and counts every event with an empty selector (real CouchDB: {} inside $and matched none)", async () => {
    const store = await fresh();
    await store.put(
      [1, 2].map((i) => toDoc(ev(i, "2026-03-01 12:00:00Z"), { room: "r" }, new Date())),
    );
    expect((await store.find({})).docs).toHaveLength(2);
    expect(await store.count({})).toBe(2);
  });

  it("opens the same new database from several processes at once (real CouchDB: ddoc conflicts)", async () => {
    const opts = storeOpts(couch(), dbName("race"));
    const stores = await Promise.all([1, 2, 3, 4].map(() => openStore(opts)));
    await stores[0]!.put([toDoc(ev(1, "2026-03-01 12:00:00Z"), { room: "r" }, new Date())]);
    expect(await stores[3]!.count({})).toBe(1);
  });

  it.skipIf(kind === "embedded")(
    "says which credentials CouchDB refused, and how to give them",
    async () => {
      const opts = storeOpts(couch(), dbName("auth"));
      await expect(openStore({ url: opts.url, db: opts.db })).rejects.toThrow(
        /refused no credentials \(HTTP 401\): give an admin's name and password in COUCHDB_URL/,
      );
      await expect(openStore({ ...opts, password: "wrong" })).rejects.toThrow(
        /refused user admin \(HTTP 401\)/,
      );
    },
  );

  it("finds by an indexed key and pages newest first without bookmarks, ties included", async () => {
    const store = await fresh();
    const times = ["2026-03-01 10:00:00Z", "2026-03-01 11:00:00Z", "2026-03-01 11:00:00Z"];
    const docs = Array.from({ length: 9 }, (_, i) =>
      toDoc(ev(i, times[i % 3] ?? ""), { room: "r" }, new Date()),
    );
    await store.put(docs);
    const seen: string[] = [];
    let page = await store.find({}, { limit: 2 });
    for (;;) {
      seen.push(...page.docs.map((d) => d.time));
      if (page.next === undefined) break;
      page = await store.find({}, { limit: 2, cursor: page.next });
    }
    expect(seen).toHaveLength(9);
    expect(seen).toEqual([...seen].sort().reverse());
    const hit = await store.find(hasValue("ip", "192.0.2.4"));
    expect(hit.docs.map((d) => d.ip)).toEqual([["192.0.2.4"]]);
  });

  it("retention deletes events older than the given days, by their time", async () => {
    const store = await fresh();
    const now = new Date("2026-03-10T00:00:00Z");
    await store.put([
      toDoc(ev(1, "2026-03-01 00:00:00Z"), { room: "r" }, now),
      toDoc(ev(2, "2026-03-08 00:00:00Z"), { room: "r" }, now),
      toDoc(new Event({ ip: "192.0.2.9" }), { room: "r" }, now), // no time: `seen` counts
    ]);
    expect(await applyRetention(store, 5, now)).toBe(1);
    expect(await store.count({})).toBe(2);
    expect(await applyRetention(store, 0, now)).toBe(0);
  });

  it("answers ip = value from the by-value view, reading only that address's events", async () => {
    const store = await fresh();
    const docs = Array.from({ length: 300 }, (_, i) =>
      toDoc(
        new Event({
          ip: `198.51.100.${i % 100}`,
          type: "scanner",
          seq: String(i),
          time: `2026-03-01 ${String(i % 24).padStart(2, "0")}:00:00Z`,
        }),
        { room: "r" },
        new Date(),
      ),
    );
    await store.put(docs);
    const find = vi.spyOn(store, "find");
    const byValue = vi.spyOn(store, "findByValue");
    const rule = parseRule("ip = 198.51.100.7 and type = scanner");
    const res = await scan(storeBackend(store), rule, { since: "0", want: 100, batch: 2 });
    expect(find).not.toHaveBeenCalled();
    expect(byValue).toHaveBeenCalled();
    expect(res.scanned).toBe(3);
    expect(res.events.map((e) => e.event.seq?.[0]).sort()).toEqual(["107", "207", "7"]);
    expect(res.events.map((e) => e.time)).toEqual(
      [...res.events.map((e) => e.time)].sort().reverse(),
    );
    // Retention takes them out of the view too.
    expect(await applyRetention(store, 1, new Date("2026-03-10T00:00:00Z"))).toBe(300);
    expect((await store.findByValue("ip", "198.51.100.7", { since: "0" })).docs).toEqual([]);
  }, 30_000);
});

describe("database names", () => {
  it("takes what real CouchDB takes, and refuses at config check what only the embedded one would", () => {
    for (const ok of ["events", "cert-events", "a1_$()+-/b"])
      expect(dbNameTrouble(ok)).toBeUndefined();
    for (const bad of ["Events", "cert.events", "_events", "1events", ""])
      expect(dbNameTrouble(bad)).toContain("is not a CouchDB database name");
    const { problems } = parseParams(historian.params, { db: "Cert.Events" });
    expect(problems).toEqual([
      {
        key: "db",
        message: expect.stringContaining('"Cert.Events" is not a CouchDB database name') as unknown,
      },
    ]);
    expect(parseParams(historian.params, {}).values.db).toBe("events");
  });
});

describeEachCouch("store views", (couch, kind) => {
  const fresh = (): Promise<Store> => openStore(storeOpts(couch(), dbName("views")));

  it("uses the event's own time, and a replay with a new observation time is the same sighting", async () => {
    const store = await fresh();
    const report = { ip: "203.0.113.5", type: "scanner", "source time": "2026-03-01 08:00:00Z" };
    const docs = ["2026-03-01 09:00:00Z", "2026-03-02 09:00:00Z"].map((obs) =>
      toDoc(new Event({ ...report, "observation time": obs }), { room: "r" }, new Date()),
    );
    docs.push(
      toDoc(
        new Event({ ip: "203.0.113.5", "observation time": "2026-03-03 09:00:00Z" }),
        {
          room: "r",
        },
        new Date(),
      ),
    );
    await store.put(docs);
    expect(docs.map((d) => [d.time, d.time_from])).toEqual([
      ["2026-03-01 08:00:00Z", "source time"],
      ["2026-03-01 08:00:00Z", "source time"],
      ["2026-03-03 09:00:00Z", "observation time"],
    ]);
    const s = await store.summarize("ip", "203.0.113.5", { since: "2026-01-01 00:00:00Z" });
    expect(s).toMatchObject({ events: 3, distinct: 2, first: "2026-03-01 08:00:00Z" });
    expect(s.last).toBe("2026-03-03 09:00:00Z");
  });

  it("counts events per value from the counts view, from the hour the window starts", async () => {
    const store = await fresh();
    const at = (h: number, type: string) =>
      toDoc(
        new Event({
          ip: `192.0.2.${h}`,
          type,
          "source time": `2026-03-0${1 + Math.floor(h / 24)} ${String(h % 24).padStart(2, "0")}:30:00Z`,
        }),
        { room: "r" },
        new Date(),
      );
    await store.put([
      at(1, "spam"),
      at(5, "scanner"),
      at(23, "scanner"),
      at(30, "spam"),
      at(40, "spam"),
    ]);
    const all = await store.countBy("type", "2026-03-01 05:10:00Z");
    expect(all.from).toBe("2026-03-01 05:00:00Z");
    expect([...all.counts].sort()).toEqual([
      ["scanner", 2],
      ["spam", 2],
    ]);
    expect((await store.countBy("*", "2026-03-01 00:00:00Z")).counts.get("")).toBe(5);
  });

  it.skipIf(kind === "embedded")(
    "answers at once from a view that is behind, and says how far behind",
    async () => {
      const name = dbName("lag");
      const store = await openStore(storeOpts(couch(), name));
      await store.warm();
      const docs = Array.from({ length: 3000 }, (_, i) =>
        toDoc(new Event({ ip: "198.51.100.9", seq: String(i) }), { room: "r" }, new Date()),
      );
      await store.put(docs);
      const db = nano(couch().authUrl).use(name);
      // No wait: the answer comes from the view as it is, with what it lacks.
      const a = await queryView(db, "by-value", { limit: 1, reduce: false }, 0);
      expect(a.lag?.changes).toBeGreaterThan(0);
      expect(lagNote(a.lag)).toMatch(
        /^\(index \d+ s behind: \d+ newer change\(s\) not in this answer yet\)$/,
      );
      const later = await queryView(db, "by-value", { limit: 1, reduce: false }, 60_000);
      expect(later.lag).toBeUndefined();
    },
  );
});

describeEachCouch("store migration", (couch) => {
  it("reads a database written with value-index documents and deletes those in the background", async () => {
    const name = dbName("old");
    const raw = nano(couch().authUrl);
    await raw.db.create(name);
    const db = raw.use<Record<string, unknown>>(name);
    const old = toDoc(new Event({ ip: "192.0.2.44", type: "spam" }), { room: "r" }, new Date());
    await db.bulk({
      docs: [
        { ...old },
        {
          _id: `ix:${JSON.stringify(["ip", "192.0.2.44", old._id])}`,
          ix: 1,
          k: "ip",
          v: "192.0.2.44",
          t: old.time,
          e: old._id,
        },
        { _id: "historian-value-index" },
      ],
    });
    const store = await openStore(storeOpts(couch(), name));
    expect(
      (await store.findByValue("ip", "192.0.2.44", { since: "0" })).docs.map((d) => d._id),
    ).toEqual([old._id]);
    expect(await store.dropIndexDocs()).toBe(1);
    expect(await store.dropIndexDocs()).toBe(0);
    expect(await store.summarize("ip", "192.0.2.44", { since: "0" })).toMatchObject({ events: 1 });
  });
});
