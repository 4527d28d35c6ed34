import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { networkInterfaces } from "node:os";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { XmppConnection } from "./connection.js";
import { AuthenticationError, InsecureConnectionError } from "./errors.js";

const log = pino({ level: "silent" });
const SASL = "urn:ietf:params:xml:ns:xmpp-sasl";

/**
 * Just enough of an XMPP server (RFC 6120) to log one client in: offers SCRAM-SHA-1 and PLAIN
 * without STARTTLS, then binds a resource. Records what the client wrote.
 */
class FakeServer {
  readonly received: string[] = [];
  readonly sockets: Socket[] = [];
  accept = true;
  #server: Server | undefined;

  async listen(host: string): Promise<string> {
    this.#server = createServer((socket) => this.#serve(socket));
    this.#server.listen(0, host);
    await once(this.#server, "listening");
    const address = this.#server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    return `xmpp://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.#server?.close();
  }

  #serve(socket: Socket): void {
    this.sockets.push(socket);
    let authed = false;
    const header = (id: string) =>
      `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='${id}' from='localhost' version='1.0'>`;
    socket.on("data", (data) => {
      const text = data.toString();
      this.received.push(text);
      if (text.includes("</stream:stream>")) {
        socket.end("</stream:stream>");
      } else if (text.includes("<stream:stream")) {
        socket.write(
          authed
            ? `${header("s2")}<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>`
            : `${header("s1")}<stream:features><mechanisms xmlns='${SASL}'><mechanism>SCRAM-SHA-1</mechanism><mechanism>PLAIN</mechanism></mechanisms></stream:features>`,
        );
      } else if (text.includes("<auth")) {
        authed = this.accept;
        socket.write(
          this.accept
            ? `<success xmlns='${SASL}'/>`
            : `<failure xmlns='${SASL}'><not-authorized/></failure>`,
        );
      } else if (text.includes("<bind")) {
        const id = /id="([^"]+)"/.exec(text)?.[1] ?? "";
        socket.write(
          `<iq type='result' id='${id}'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>bot@localhost/mesh</jid></bind></iq>`,
        );
      }
    });
    socket.on("error", () => {});
  }
}

let server: FakeServer;
let conn: XmppConnection | undefined;
afterEach(async () => {
  await conn?.stop();
  conn = undefined;
  server.close();
});

const client = (service: string) =>
  new XmppConnection({
    mode: "client",
    service,
    jid: "bot@localhost",
    password: "s3cret",
    log,
    backoff: { initial: 10, max: 50 },
  });

describe("XmppConnection (client)", () => {
  it("logs in with SASL PLAIN even when SCRAM-SHA-1 is offered", async () => {
    server = new FakeServer();
    conn = client(await server.listen("127.0.0.1"));
    await conn.start();
    expect(conn.online).toBe(true);
    expect(conn.jid).toBe("bot@localhost/mesh");
    const auth = server.received.find((t) => t.includes("<auth"));
    expect(auth).toContain('mechanism="PLAIN"');
    expect(Buffer.from(/>([^<]+)</.exec(auth ?? "")?.[1] ?? "", "base64").toString()).toBe(
      "\0bot\0s3cret",
    );
  });

  it("fails for good, without retrying, when the credentials are refused", async () => {
    server = new FakeServer();
    server.accept = false;
    conn = client(await server.listen("127.0.0.1"));
    await expect(conn.start()).rejects.toThrow(AuthenticationError);
    expect(server.sockets).toHaveLength(1);
  });

  it("reconnects after the server drops the connection", async () => {
    server = new FakeServer();
    conn = client(await server.listen("127.0.0.1"));
    await conn.start();
    const offline = once(conn, "offline");
    const online = once(conn, "online");
    server.sockets[0]?.destroy();
    await offline;
    await online;
    expect(conn.online).toBe(true);
    expect(server.sockets).toHaveLength(2);
  });

  it("reconnects when the server goes silent and ignores its ping (XEP-0199)", async () => {
    server = new FakeServer(); // answers no pings
    conn = new XmppConnection({
      mode: "client",
      service: await server.listen("127.0.0.1"),
      jid: "bot@localhost",
      password: "s3cret",
      log,
      backoff: { initial: 10, max: 50 },
      keepalive: { intervalMs: 60, timeoutMs: 60 },
    });
    await conn.start();
    const offline = once(conn, "offline");
    await offline;
    await once(conn, "online");
    expect(server.received.some((t) => t.includes("urn:xmpp:ping"))).toBe(true);
    expect(server.sockets.length).toBeGreaterThanOrEqual(2);
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i?.family === "IPv4" && !i.internal)?.address;

  it.skipIf(external === undefined)(
    "refuses to send credentials in the clear to a non-loopback host",
    async () => {
      server = new FakeServer();
      conn = client(await server.listen(external ?? ""));
      await expect(conn.start()).rejects.toThrow(InsecureConnectionError);
      expect(server.received.some((t) => t.includes("<auth"))).toBe(false);
    },
  );
});

describe("XmppConnection (component)", () => {
  it("refuses a component service that is not on loopback (XEP-0114 has no TLS)", () => {
    server = new FakeServer();
    const make = () =>
      new XmppConnection({
        mode: "component",
        service: "xmpp://192.0.2.10:5347",
        domain: "bots.example.org",
        secret: "x",
        localpart: "bot",
        log,
      });
    expect(make).toThrow(InsecureConnectionError);
  });
});
