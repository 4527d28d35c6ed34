import { isLoopback, parseAddr } from "../../sdk/net/ip.js";
import { XmppConfigError } from "./errors.js";

/** Where a connection goes: `xmpp://host:port` (TCP, STARTTLS) or `xmpps://host:port` (TLS). */
export interface ServiceAddress {
  protocol: "xmpp" | "xmpps";
  host: string;
  port: number | undefined;
  loopback: boolean;
}

/** Parse a service URL; throws XmppConfigError naming what is wrong. */
export function parseService(service: string): ServiceAddress {
  let url: URL;
  try {
    url = new URL(service);
  } catch {
    throw new XmppConfigError(`service ${JSON.stringify(service)}: expected xmpp://host:port`);
  }
  const protocol = url.protocol.slice(0, -1);
  if (protocol !== "xmpp" && protocol !== "xmpps") {
    throw new XmppConfigError(
      `service ${JSON.stringify(service)}: protocol must be xmpp:// (STARTTLS) or xmpps:// (TLS)`,
    );
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (host === "") throw new XmppConfigError(`service ${JSON.stringify(service)}: no host`);
  const port = url.port === "" ? undefined : Number(url.port);
  return { protocol, host, port, loopback: isLoopbackHost(host) };
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`: traffic that never leaves the machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  if (h === "localhost" || h.endsWith(".localhost")) return true; // RFC 6761 §6.3
  const addr = parseAddr(h);
  return addr !== null && isLoopback(addr);
}
