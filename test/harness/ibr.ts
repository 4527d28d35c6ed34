// XEP-0077 in-band registration over a bare c2s stream: ~20 ms, against ~1.2 s for an
// `ejabberdctl register` (which boots an Erlang VM per call).
import { createConnection } from "node:net";
import { Parser, xml, type Element } from "@xmpp/xml";

export type IbrResult = "created" | "exists";

/** Register `user` on `domain`; "exists" when the account is already there (XEP-0077 §3.1). */
export async function registerInBand(
  host: string,
  port: number,
  domain: string,
  user: string,
  password: string,
  timeoutMs = 10_000,
): Promise<IbrResult> {
  return new Promise((resolve, reject) => {
    const sock = createConnection({ host, port });
    const parser = new Parser();
    const where = `in-band registration of ${user}@${domain} at ${host}:${port}`;
    let settled = false;
    const finish = (err: Error | null, result?: IbrResult): void => {
      if (settled) return;
      settled = true;
      sock.end("</stream:stream>");
      sock.destroy();
      if (err) reject(err);
      else resolve(result ?? "created");
    };
    sock.setTimeout(timeoutMs, () => finish(new Error(`${where}: no answer in ${timeoutMs} ms`)));
    sock.once("error", (e) => finish(new Error(`${where}: ${e.message}`)));
    sock.once("close", () => finish(new Error(`${where}: server closed the stream`)));
    parser.on("error", (e: Error) => finish(new Error(`${where}: ${e.message}`)));
    parser.on("element", (el: Element) => {
      if (el.is("features")) {
        const iq = xml(
          "iq",
          { type: "set", id: "reg1", to: domain },
          xml(
            "query",
            { xmlns: "jabber:iq:register" },
            xml("username", {}, user),
            xml("password", {}, password),
          ),
        );
        sock.write(iq.toString());
      } else if (el.is("iq") && el.attrs.id === "reg1") {
        if (el.attrs.type === "result") return finish(null, "created");
        const error = el.getChild("error");
        if (error?.getChild("conflict", "urn:ietf:params:xml:ns:xmpp-stanzas")) {
          return finish(null, "exists");
        }
        finish(new Error(`${where}: refused: ${el.toString()}`));
      } else if (el.is("error")) {
        finish(new Error(`${where}: stream error: ${el.toString()}`));
      }
    });
    sock.on("data", (chunk: Buffer) => parser.write(chunk.toString("utf8")));
    sock.on("connect", () => {
      sock.write(
        `<?xml version='1.0'?><stream:stream to='${domain}' version='1.0' ` +
          `xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>`,
      );
    });
  });
}
