import { ENTITY_TIMEOUT_MS } from "./entity.js";
import { client, jid as parseJid } from "@xmpp/client";
import { AuthenticationError, InsecureConnectionError, XmppConfigError } from "./errors.js";
import type { EntityHandle } from "./entity.js";
import type { ServiceAddress } from "./service.js";
import { decodeUtf8AsStream } from "./utf8-stream.js";

/** Log in as an ordinary account (RFC 6120): one per bot. */
export interface ClientLogin {
  /** `xmpp://host:port` (STARTTLS when offered) or `xmpps://host:port` (direct TLS). */
  service: string;
  /** `bot@example.org` or `bot@example.org/resource`. */
  jid: string;
  password: string;
  /** Resource to bind when the JID carries none (default `mesh`). */
  resource?: string;
}

/** An @xmpp/client that authenticates with SASL PLAIN only, and only over TLS or loopback. */
export function createClientEntity(login: ClientLogin, address: ServiceAddress): EntityHandle {
  const id = parseJid(login.jid);
  if (!id.local) throw new XmppConfigError(`jid ${JSON.stringify(login.jid)}: no local part`);
  const username = id.local;
  const password = login.password;
  const xmpp = client({
    service: login.service,
    domain: id.domain,
    timeout: ENTITY_TIMEOUT_MS,
    resource: id.resource || login.resource || "mesh",
    credentials: async (authenticate, mechanisms, _fast, entity) => {
      // RFC 6120 §13.9.4: credentials cross the network only inside TLS; loopback never leaves.
      if (!entity.isSecure() && !address.loopback) {
        throw new InsecureConnectionError(
          `${address.host} offered no STARTTLS; refusing to log in in the clear to a host that is not loopback (use xmpps:// or enable TLS on the server)`,
        );
      }
      // RFC 4616 PLAIN: xmpp.js SCRAM-SHA-1 costs ~650 ms of CPU per login, PLAIN ~30 ms.
      if (!mechanisms.includes("PLAIN")) {
        throw new AuthenticationError(
          `server offers no SASL PLAIN (offered: ${mechanisms.join(", ") || "none"})`,
        );
      }
      await authenticate({ username, password }, "PLAIN");
    },
  });
  // The connection reconnects itself, with backoff, and rejoins rooms.
  xmpp.reconnect.stop();
  decodeUtf8AsStream(xmpp);
  return {
    entity: xmpp,
    jid: () => xmpp.jid?.toString() ?? login.jid,
    beforeConnect: () => {
      // XEP-0198 §5: a resumed stream re-sends queued stanzas stamped with <delay/>, which
      // receivers would take for history. Start every stream fresh; the publisher re-sends.
      const sm = xmpp.streamManagement;
      sm.id = "";
      sm.outbound = 0;
      sm.outbound_q = [];
    },
  };
}
