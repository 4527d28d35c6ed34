import { ENTITY_TIMEOUT_MS } from "./entity.js";
import { component } from "@xmpp/component";
import { XmppConfigError } from "./errors.js";
import type { EntityHandle } from "./entity.js";
import { decodeUtf8AsStream } from "./utf8-stream.js";

/** Log in as an XEP-0114 external component: all bots of a host under one domain. */
export interface ComponentLogin {
  /** `xmpp://host:port` of the server's component listener (plaintext: loopback only). */
  service: string;
  /** Component domain, e.g. `bots.localhost`. */
  domain: string;
  secret: string;
  /** Local part our stanzas come from, e.g. `historian` → `historian@bots.localhost`. */
  localpart: string;
  /** Resource of our stanzas (default `mesh`). */
  resource?: string;
}

const LOCALPART = /^[^\s"&'/:<>@]+$/; // RFC 7622 §3.3.1, minus what would need escaping

export function createComponentEntity(login: ComponentLogin): EntityHandle {
  if (!LOCALPART.test(login.localpart)) {
    throw new XmppConfigError(
      `localpart ${JSON.stringify(login.localpart)} is not a valid JID local part`,
    );
  }
  const secret = login.secret;
  const xmpp = component({
    service: login.service,
    domain: login.domain,
    // A function keeps the secret out of entity.options (and out of any debug dump of it).
    password: (authenticate) => authenticate(secret),
  });
  xmpp.reconnect.stop();
  xmpp.timeout = ENTITY_TIMEOUT_MS; // 0.13 takes no option for it
  decodeUtf8AsStream(xmpp);
  const own = `${login.localpart}@${login.domain}/${login.resource ?? "mesh"}`;
  return { entity: xmpp, jid: () => own, beforeConnect: () => {} };
}
