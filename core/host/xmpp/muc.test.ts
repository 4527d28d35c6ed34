import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { FakeLink } from "./fake-link.js";
import { MucJoinError } from "./errors.js";
import { IqCaller } from "./iq.js";
import { Muc, type NickTaken, type PrivateMessage, type RoomMessage } from "./muc.js";

const log = pino({ level: "silent" });
const MUC_USER = "http://jabber.org/protocol/muc#user";

function setup() {
  const link = new FakeLink("bot@localhost/mesh");
  const muc = new Muc({
    connection: link,
    iq: new IqCaller(link),
    service: "rooms.localhost",
    nick: "bot",
    log,
    status: "running",
  });
  link.up();
  return { link, muc };
}

/** A presence from room/nick with muc#user status codes (XEP-0045 §15.6). */
function occupant(from: string, codes: number[] = [], jid?: string, type?: string): string {
  const item = `<item affiliation="none" role="participant"${jid ? ` jid="${jid}"` : ""}/>`;
  const status = codes.map((c) => `<status code="${c}"/>`).join("");
  return `<presence from="${from}" to="bot@localhost/mesh"${type ? ` type="${type}"` : ""}><x xmlns="${MUC_USER}">${item}${status}</x></presence>`;
}

describe("Muc join", () => {
  it("sends the MUC <x/> without history and resolves on the self-presence", async () => {
    const { link, muc } = setup();
    const joined = muc.join("raw");
    const [presence] = link.take();
    expect(presence?.attrs.to).toBe("raw@rooms.localhost/bot");
    const x = presence?.getChild("x", "http://jabber.org/protocol/muc");
    expect(x?.getChild("history")?.attrs.maxstanzas).toBe("0");
    expect(presence?.getChildText("status")).toBe("running");

    link.push(occupant("raw@rooms.localhost/alice", [], "alice@localhost/x"));
    link.push(occupant("raw@rooms.localhost/bot", [110, 100], "bot@localhost/mesh"));
    await expect(joined).resolves.toEqual({
      room: "raw@rooms.localhost",
      nick: "bot",
      created: false,
      nonAnonymous: true,
      affiliation: "none",
    });
    expect(muc.isJoined("raw@rooms.localhost")).toBe(true);
    expect(muc.occupants("raw@rooms.localhost").get("alice")).toBe("alice@localhost");
  });

  it("retries with a suffixed nick on 409 conflict", async () => {
    const { link, muc } = setup();
    const joined = muc.join("raw@rooms.localhost");
    link.take();
    link.push(
      `<presence from="raw@rooms.localhost/bot" type="error"><error type="cancel"><conflict xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></presence>`,
    );
    const [retry] = link.take();
    expect(retry?.attrs.to).toBe("raw@rooms.localhost/bot_2");
    const taken: NickTaken[] = [];
    muc.on("nick-taken", (t) => taken.push(t));
    link.push(occupant("raw@rooms.localhost/bot", [], "mallory@localhost/x"));
    link.push(occupant("raw@rooms.localhost/bot_2", [110]));
    await expect(joined).resolves.toMatchObject({ nick: "bot_2" });
    // Who holds our nick: the room showed that occupant's real JID before our self-presence.
    expect(taken).toEqual([
      { room: "raw@rooms.localhost", wanted: "bot", nick: "bot_2", holder: "mallory@localhost" },
    ]);
  });

  it("fails the join on other errors", async () => {
    const { link, muc } = setup();
    const joined = muc.join("closed");
    link.push(
      `<presence from="closed@rooms.localhost/bot" type="error"><error type="auth"><forbidden xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></presence>`,
    );
    await expect(joined).rejects.toThrow(MucJoinError);
    expect(muc.rooms()).toEqual([]);
  });

  it("configures a room it created as non-anonymous (XEP-0045 §10.1.3)", async () => {
    const { link, muc } = setup();
    const joined = muc.join("lobby");
    link.take();
    link.push(occupant("lobby@rooms.localhost/bot", [110, 201], "bot@localhost/mesh"));
    const [iq] = link.take();
    expect(iq?.attrs).toMatchObject({ to: "lobby@rooms.localhost", type: "set" });
    const form = iq
      ?.getChild("query", "http://jabber.org/protocol/muc#owner")
      ?.getChild("x", "jabber:x:data");
    expect(form?.attrs.type).toBe("submit");
    const whois = form?.getChildren("field").find((f) => f.attrs.var === "muc#roomconfig_whois");
    expect(whois?.getChildText("value")).toBe("anyone");
    link.push(
      `<iq type="result" id="${iq?.attrs.id}" from="lobby@rooms.localhost" to="bot@localhost/mesh"/>`,
    );
    await expect(joined).resolves.toMatchObject({ created: true, nonAnonymous: true });
  });

  it("rejoins every room after a reconnect", async () => {
    const { link, muc } = setup();
    const a = muc.join("a");
    const b = muc.join("b");
    link.push(occupant("a@rooms.localhost/bot", [110]));
    link.push(occupant("b@rooms.localhost/bot", [110]));
    await Promise.all([a, b]);
    const left: string[] = [];
    muc.on("left", (room) => left.push(room));
    link.down();
    expect(left.sort()).toEqual(["a@rooms.localhost", "b@rooms.localhost"]);
    link.take();
    link.up();
    expect(
      link
        .take()
        .map((p) => p.attrs.to)
        .sort(),
    ).toEqual(["a@rooms.localhost/bot", "b@rooms.localhost/bot"]);
  });

  it("asks for history since the drop when rejoining a room joined with catchUp", async () => {
    const { link, muc } = setup();
    const got: RoomMessage[] = [];
    muc.on("groupchat", (m) => got.push(m));
    const joined = muc.join("raw", { catchUp: true });
    expect(link.take()[0]?.getChild("x")?.getChild("history")?.attrs.maxstanzas).toBe("0");
    link.push(occupant("raw@rooms.localhost/bot", [110]));
    await joined;
    link.down();
    link.up();
    const history = link.take()[0]?.getChild("x")?.getChild("history");
    expect(history?.attrs.maxstanzas).toBeUndefined();
    expect(Date.parse(history?.attrs.since ?? "")).toBeLessThan(Date.now());
    link.push(occupant("raw@rooms.localhost/bot", [110]));
    link.push(
      `<message from="raw@rooms.localhost/alice" type="groupchat"><body>missed</body><delay xmlns="urn:xmpp:delay" stamp="2024-01-01T00:00:00Z"/></message>`,
    );
    expect(got.map((m) => [m.delayed, m.stanza.getChildText("body")])).toEqual([[true, "missed"]]);
  });

  it("rejoins when the room says we are no longer an occupant", async () => {
    const { link, muc } = setup();
    const joined = muc.join("raw");
    link.push(occupant("raw@rooms.localhost/bot", [110]));
    await joined;
    link.take();
    link.push(
      `<message from="raw@rooms.localhost" type="error" id="m1"><error type="cancel"><not-acceptable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></message>`,
    );
    expect(muc.isJoined("raw@rooms.localhost")).toBe(false);
    expect(link.take()[0]?.attrs.to).toBe("raw@rooms.localhost/bot");
  });
});

describe("Muc messages", () => {
  async function joined() {
    const s = setup();
    const j = s.muc.join("raw");
    s.link.push(occupant("raw@rooms.localhost/alice", [], "alice@localhost/x"));
    s.link.push(occupant("raw@rooms.localhost/bot", [110]));
    await j;
    const got: RoomMessage[] = [];
    const chats: PrivateMessage[] = [];
    s.muc.on("groupchat", (m) => got.push(m));
    s.muc.on("chat", (m) => chats.push(m));
    return { ...s, got, chats };
  }

  it("delivers groupchat with room, nick, real JID and whether it is ours", async () => {
    const { link, got } = await joined();
    link.push(
      `<message from="raw@rooms.localhost/alice" type="groupchat"><body>hi</body></message>`,
    );
    link.push(
      `<message from="raw@rooms.localhost/bot" type="groupchat" id="x"><body>mine</body></message>`,
    );
    expect(got.map((m) => [m.room, m.nick, m.realJid, m.self])).toEqual([
      ["raw@rooms.localhost", "alice", "alice@localhost", false],
      ["raw@rooms.localhost", "bot", undefined, true],
    ]);
  });

  it("skips history replays, subjects and rooms we are not in", async () => {
    const { link, got } = await joined();
    link.push(
      `<message from="raw@rooms.localhost/alice" type="groupchat"><body>old</body><delay xmlns="urn:xmpp:delay" stamp="2024-01-01T00:00:00Z"/></message>`,
    );
    link.push(
      `<message from="raw@rooms.localhost" type="groupchat"><subject>topic</subject></message>`,
    );
    link.push(
      `<message from="other@rooms.localhost/alice" type="groupchat"><body>hi</body></message>`,
    );
    expect(got).toEqual([]);
  });

  it("delivers private messages with the occupant's real JID", async () => {
    const { link, chats } = await joined();
    link.push(
      `<message from="raw@rooms.localhost/alice" type="chat"><body>!status</body></message>`,
    );
    link.push(`<message from="admin@localhost/phone" type="chat"><body>!help</body></message>`);
    link.push(
      `<message from="admin@localhost/phone" type="chat"><body>!old</body><delay xmlns="urn:xmpp:delay" stamp="2024-01-01T00:00:00Z"/></message>`,
    );
    expect(chats.map((c) => [c.from, c.body, c.room, c.nick, c.realJid, c.delayed])).toEqual([
      [
        "raw@rooms.localhost/alice",
        "!status",
        "raw@rooms.localhost",
        "alice",
        "alice@localhost",
        false,
      ],
      ["admin@localhost/phone", "!help", undefined, undefined, undefined, false],
      ["admin@localhost/phone", "!old", undefined, undefined, undefined, true],
    ]);
  });

  it("updates the presence status in every joined room", async () => {
    const { link, muc } = await joined();
    link.take();
    await muc.setStatus("idle: 0 queued");
    const [p] = link.take();
    expect(p?.attrs.to).toBe("raw@rooms.localhost/bot");
    expect(p?.getChildText("status")).toBe("idle: 0 queued");
  });
});
