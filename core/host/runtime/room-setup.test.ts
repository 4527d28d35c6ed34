import { pino } from "pino";
import type { Element } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { FakeLink } from "../xmpp/fake-link.js";
import { IqCaller, Muc } from "../xmpp/index.js";
import { setUpRooms } from "./room-setup.js";

const log = pino({ level: "silent" });
const MUC_USER = "http://jabber.org/protocol/muc#user";
const ADMIN = "http://jabber.org/protocol/muc#admin";
const ROOM = "lobby@rooms.localhost";

function setup() {
  const link = new FakeLink("tagger@localhost/mesh");
  const iq = new IqCaller(link);
  const muc = new Muc({ connection: link, iq, service: "rooms.localhost", nick: "tagger", log });
  const warned: string[] = [];
  setUpRooms({
    muc,
    iq,
    log,
    service: "rooms.localhost",
    self: "tagger@localhost",
    bots: new Map([
      ["tagger@localhost", "tagger"],
      ["historian@localhost", "historian"],
    ]),
    admins: ["Admin@localhost"],
    warn: (m) => warned.push(m),
  });
  link.up();
  return { link, muc, warned };
}

const self = (affiliation: string, codes: number[]) =>
  `<presence from="${ROOM}/tagger"><x xmlns="${MUC_USER}"><item affiliation="${affiliation}" role="moderator" jid="tagger@localhost/mesh"/>${codes.map((c) => `<status code="${c}"/>`).join("")}</x></presence>`;

/** Answer every iq sent so far with a result (and `items` for affiliation lists); the sent iqs. */
async function answerAll(link: FakeLink, items: Record<string, string[]> = {}): Promise<Element[]> {
  const seen: Element[] = [];
  for (let round = 0; round < 20; round++) {
    await new Promise((r) => setImmediate(r));
    const iqs = link.take().filter((s) => s.name === "iq");
    if (iqs.length === 0 && round > 2) break;
    for (const q of iqs) {
      seen.push(q);
      const asked = q.getChild("query", ADMIN)?.getChild("item")?.attrs.affiliation ?? "";
      const list = q.attrs.type === "get" ? (items[asked] ?? []) : [];
      const body = list.map((j) => `<item affiliation="${asked}" jid="${j}"/>`).join("");
      link.push(
        `<iq type="result" id="${q.attrs.id}" from="${q.attrs.to}" to="tagger@localhost/mesh"><query xmlns="${ADMIN}">${body}</query></iq>`,
      );
    }
  }
  return seen;
}

const affiliationSets = (iqs: Element[]) =>
  iqs
    .filter((q) => q.attrs.type === "set" && q.getChild("query", ADMIN))
    .map((q) => q.getChild("query", ADMIN)?.getChild("item")?.attrs);

describe("room setup", () => {
  it("in a room it made: admins become owners, the other bots members with their nick", async () => {
    const { link, muc } = setup();
    const joined = muc.join("lobby");
    link.push(self("owner", [110, 201]));
    const iqs = await answerAll(link);
    await joined;
    expect(affiliationSets(iqs)).toEqual([
      { jid: "admin@localhost", affiliation: "owner" },
      { jid: "historian@localhost", affiliation: "member", nick: "historian" },
    ]);
    // XEP-0045 §7.10: and it registers its own nick.
    const register = iqs.find((q) => q.getChild("query", "jabber:iq:register"));
    expect(register?.attrs.to).toBe(ROOM);
    const fields = register?.getChild("query")?.getChild("x")?.getChildren("field") ?? [];
    expect(fields.map((f) => [f.attrs.var, f.getChildText("value")])).toEqual([
      ["FORM_TYPE", "http://jabber.org/protocol/muc#register"],
      ["muc#register_roomnick", "tagger"],
    ]);
  });

  it("in a room it owns from before: never demotes an owner or admin", async () => {
    const { link, muc } = setup();
    const joined = muc.join("lobby");
    link.push(self("owner", [110]));
    const iqs = await answerAll(link, {
      owner: ["tagger@localhost", "admin@localhost"],
      admin: ["historian@localhost"],
    });
    await joined;
    expect(affiliationSets(iqs)).toEqual([]);
  });

  it("in someone else's room: only registers its nick, at the service if the room cannot", async () => {
    const { link, muc } = setup();
    const joined = muc.join("lobby");
    link.push(self("none", [110]));
    await joined;
    await new Promise((r) => setImmediate(r));
    const [atRoom] = link.take().filter((s) => s.name === "iq");
    expect(atRoom?.attrs.to).toBe(ROOM);
    // ejabberd registers nicks for the whole service, not per room.
    link.push(
      `<iq type="error" id="${atRoom?.attrs.id}" from="${ROOM}"><error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>`,
    );
    await new Promise((r) => setImmediate(r));
    const [atService] = link.take().filter((s) => s.name === "iq");
    expect(atService?.attrs.to).toBe("rooms.localhost");
    expect(atService?.getChild("query", "jabber:iq:register")).toBeDefined();
  });

  it("says who holds its nick when it had to take another", async () => {
    const { link, muc, warned } = setup();
    const joined = muc.join("lobby");
    link.push(
      `<presence from="${ROOM}/tagger" type="error"><error type="cancel"><conflict xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></presence>`,
    );
    link.push(
      `<presence from="${ROOM}/tagger"><x xmlns="${MUC_USER}"><item affiliation="none" role="participant" jid="mallory@localhost/x"/></x></presence>`,
    );
    link.push(
      `<presence from="${ROOM}/tagger_2"><x xmlns="${MUC_USER}"><item affiliation="none" role="participant" jid="tagger@localhost/mesh"/><status code="110"/></x></presence>`,
    );
    await joined;
    expect(warned).toEqual([
      `my nick tagger in ${ROOM} is taken by mallory@localhost; I am tagger_2 there until it is free and I restart`,
    ]);
    // Not its own nick: nothing to register.
    await new Promise((r) => setImmediate(r));
    expect(link.take().filter((s) => s.name === "iq")).toEqual([]);
  });
});
