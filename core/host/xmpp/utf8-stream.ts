import { StringDecoder } from "node:string_decoder";

/** The part of an xmpp.js Connection (0.13 and 0.14 alike) that carries socket input. */
interface SocketInput {
  _onData(data: Buffer | string): void;
  _attachSocket(socket: unknown): void;
}

/**
 * Decode what the entity's sockets read as one UTF-8 stream per socket, not read by read.
 *
 * RFC 3629 §3: a character takes up to four bytes, and TCP may split a sequence across two
 * reads. @xmpp/connection decodes every read on its own (`data.toString("utf8")` in `_onData`),
 * turning each half into U+FFFD, so "é" in a stanza arrives as "��". A StringDecoder holds an
 * incomplete sequence back until its remaining bytes come.
 *
 * `_onData` is overridden on the instance: both versions bind it when a socket is attached
 * (0.14 once, at the first), so this must run before the entity first connects. Every socket
 * goes through `_attachSocket` (connect, @xmpp/resolve's fallback, @xmpp/starttls's TLS socket),
 * and each gets a fresh decoder: bytes held back from a dead or upgraded socket never prefix
 * the next one. A stream restart keeps the socket, and so the decoder.
 */
export function decodeUtf8AsStream(entity: object): void {
  const input = entity as SocketInput;
  const onData = input._onData.bind(input);
  const attachSocket = input._attachSocket.bind(input);
  let decoder = new StringDecoder("utf8");
  input._attachSocket = (socket) => {
    decoder = new StringDecoder("utf8");
    attachSocket(socket);
  };
  input._onData = (data) => {
    // xmpp.js's own handler stays in charge (parser, "input" event); a string passes its
    // `toString("utf8")` unchanged. WebSocket frames arrive as whole strings already.
    const text = typeof data === "string" ? data : decoder.write(data);
    if (text !== "") onData(text);
  };
}
