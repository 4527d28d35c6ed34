import type { InstanceConfig, MeshConfig } from "../config/types.js";
import type { ConnectionLogin } from "../xmpp/index.js";
import { readManagedConnection } from "./managed.js";

export interface InstanceLogin {
  login: ConnectionLogin;
  /** MUC service that short room names resolve against. */
  muc: string;
}

/** How one instance logs in: from the config, or from what the managed server wrote. */
export async function connectionFor(
  config: MeshConfig,
  inst: InstanceConfig,
): Promise<InstanceLogin> {
  const x = config.xmpp;
  if (x.mode === "managed") {
    const m = await readManagedConnection(config.stateDir);
    if (m.login === "component") {
      return {
        login: {
          mode: "component",
          service: m.service,
          domain: m.domain,
          secret: m.secret ?? "",
          localpart: inst.id,
        },
        muc: m.muc,
      };
    }
    const password = m.accounts[inst.id];
    if (password === undefined) {
      throw new Error(
        `managed XMPP has no account for ${inst.id}; restart \`startup.ts run\` so it registers one`,
      );
    }
    return {
      login: { mode: "client", service: m.service, jid: `${inst.id}@${m.domain}`, password },
      muc: m.muc,
    };
  }
  if (x.mode === "component") {
    return {
      login: {
        mode: "component",
        service: x.service,
        domain: x.domain,
        secret: x.secret,
        localpart: inst.id,
      },
      muc: x.muc,
    };
  }
  const password = inst.password ?? x.password ?? "";
  return {
    login: { mode: "client", service: x.service, jid: `${inst.id}@${x.domain}`, password },
    muc: x.muc,
  };
}
