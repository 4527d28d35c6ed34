import { EventEmitter, once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { pino } from "pino";
import { Parser, type Element } from "@xmpp/xml";
import { afterEach, describe, expect, it } from "vitest";
import { createClientEntity } from "./client-entity.js";
import { createComponentEntity } from "./component-entity.js";
import { XmppConnection } from "./connection.js";
import type { Entity } from "./entity.js";
import { parseService } from "./service.js";
import { sleep } from "./socket.js";

// RFC 3629 §3: sequences of 2 (é), 3 (€) and 4 bytes (𝄞, 😀).
const TEXT = "é € 𝄞 😀";
const STANZA = Buffer.from(
  `<message to='historian@bots.localhost/mesh' from='feed@example.com'><body>${TEXT}</body></message>`,
);
const HEADER = (id: string) =>
  `<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' id='${id}' from='bots.localhost'>`;

/** The stanza cut in two at every byte position. */
const cuts = (bytes: Buffer): [Buffer, Buffer][] =>
  Array.from({ length: bytes.length - 1 }, (_, i) => [
    bytes.subarray(0, i + 1),
    bytes.subarray(i + 1),
  ]);

const bodiesOf = (source: { on(event: "stanza", fn: (el: Element) => void): unknown }) => {
  const bodies: string[] = [];
  source.on("stanza", (el) => bodies.push(el.getChildText("body") ?? ""));
  return bodies;
};

/** What xmpp.js listens to and writes on; the test plays the server's reads. */
class SocketStub extends EventEmitter {
  write(_data: string, done?: (err?: Error) => void): void {
    done?.();
  }
  end(): void {}
}

// The two calls xmpp.js itself makes from outside (@xmpp/starttls, @xmpp/resolve).
interface Attach {
  _attachSocket(socket: unknown): void;
  _attachParser(parser: unknown): void;
}

const entities: Record<string, () => Entity> = {
  "client (@xmpp/client 0.14)": () =>
    createClientEntity(
      { service: "xmpp://localhost:5222", jid: "bot@localhost", password: "x" },
      parseService("xmpp://localhost:5222"),
    ).entity,
  "component (@xmpp/component 0.13)": () =>
    createComponentEntity({
      service: "xmpp://localhost:5347",
      domain: "bots.localhost",
      secret: "x",
      localpart: "historian",
    }).entity,
};

describe.each(Object.entries(entities))("%s entity", (_kind, make) => {
  it("decodes a character split across two reads, at every byte position", () => {
    const entity = make();
    const bodies = bodiesOf(entity);
    const socket = new SocketStub();
    (entity as unknown as Attach)._attachSocket(socket);
    (entity as unknown as Attach)._attachParser(new Parser());
    socket.emit("data", Buffer.from(`${HEADER("s1")}<handshake/>`)); // XEP-0114 §3
    const split = cuts(STANZA);
    for (const [head, tail] of split) {
      socket.emit("data", head);
      socket.emit("data", tail);
    }
    for (const byte of STANZA) socket.emit("data", Buffer.of(byte)); // one byte per read
    expect(bodies).toEqual(Array<string>(split.length + 1).fill(TEXT));
  });

  it("drops what a replaced socket left half-read instead of prefixing it to the next", () => {
    const entity = make();
    const errors: Error[] = [];
    entity.on("error", (err: Error) => errors.push(err));
    const bodies = bodiesOf(entity);
    const attach = entity as unknown as Attach;
    const dead = new SocketStub();
    attach._attachSocket(dead);
    attach._attachParser(new Parser());
    dead.emit("data", Buffer.from(HEADER("s1")));
    dead.emit("data", Buffer.from(TEXT).subarray(0, 1)); // first byte of é, then the socket dies
    const next = new SocketStub();
    attach._attachSocket(next);
    attach._attachParser(new Parser());
    next.emit("data", Buffer.concat([Buffer.from(HEADER("s2")), STANZA]));
    expect(errors).toEqual([]);
    expect(bodies).toEqual([TEXT]);
  });
});

/** Just enough of an XEP-0114 server to accept any component; the test writes the rest. */
class ComponentServer {
  readonly sockets: Socket[] = [];
  #server: Server | undefined;

  async listen(): Promise<string> {
    this.#server = createServer((socket) => this.#serve(socket));
    this.#server.listen(0, "127.0.0.1");
    await once(this.#server, "listening");
    const address = this.#server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    return `xmpp://127.0.0.1:${address.port}`;
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.#server?.close();
  }

  #serve(socket: Socket): void {
    const n = this.sockets.push(socket);
    socket.setNoDelay(true);
    socket.on("error", () => {});
    socket.on("data", (data) => {
      const text = data.toString();
      if (text.includes("</stream:stream>")) socket.end("</stream:stream>");
      else if (text.includes("<stream:stream")) socket.write(HEADER(`s${n}`));
      else if (text.includes("<handshake")) socket.write("<handshake/>");
    });
  }
}

let server: ComponentServer | undefined;
let conn: XmppConnection | undefined;
afterEach(async () => {
  await conn?.stop();
  conn = undefined;
  server?.close();
  server = undefined;
});

const connect = async (): Promise<[XmppConnection, ComponentServer]> => {
  const listening = new ComponentServer();
  server = listening;
  conn = new XmppConnection({
    mode: "component",
    service: await listening.listen(),
    domain: "bots.localhost",
    secret: "s3cret",
    localpart: "historian",
    log: pino({ level: "silent" }),
    backoff: { initial: 10, max: 50 },
    keepalive: false,
  });
  return [conn, listening];
};

const until = async (done: () => boolean): Promise<void> => {
  while (!done()) await sleep(5);
};

describe("XmppConnection over TCP", () => {
  it("receives characters that TCP split across reads unchanged", async () => {
    const [conn, server] = await connect();
    const bodies = bodiesOf(conn);
    await conn.start();
    const socket = server.sockets[0];
    const split = cuts(STANZA);
    for (const [head, tail] of split) {
      socket?.write(head);
      await sleep(2); // the two halves arrive as separate reads
      socket?.write(tail);
    }
    await until(() => bodies.length === split.length);
    expect(bodies).toEqual(Array<string>(split.length).fill(TEXT));
  });

  it("reconnects cleanly after a connection dies in the middle of a character", async () => {
    const [conn, server] = await connect();
    const bodies = bodiesOf(conn);
    await conn.start();
    const online = once(conn, "online");
    server.sockets[0]?.end(STANZA.subarray(0, STANZA.indexOf(Buffer.from("😀")) + 2));
    await online;
    // The first reconnect took: no bytes held back from the dead socket broke its stream.
    expect(server.sockets).toHaveLength(2);
    server.sockets[1]?.write(STANZA);
    await until(() => bodies.length === 1);
    expect(bodies).toEqual([TEXT]);
  });
});
