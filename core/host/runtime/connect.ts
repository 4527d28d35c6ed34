import type { InstanceConfig, MeshConfig } from "../config/types.js";
import { bareJid, type ConnectionLogin } from "../xmpp/index.js";
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
          domain: `${inst.id}.${m.domain}`,
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
        // One component domain per bot: servers take one connection per component domain.
        domain: `${inst.id}.${x.domain}`,
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

/** The bare JID an instance's stanzas come from. */
export function jidOf(login: ConnectionLogin): string {
  return login.mode === "client" ? bareJid(login.jid) : `${login.localpart}@${login.domain}`;
}

/**
 * Bare JID → instance id of every bot of the mesh (the id is its nick in rooms), for reserving
 * their nicks and for telling a bot's words from an operator's. Instances without a login yet
 * (a managed account not registered) are left out.
 */
export async function meshBots(config: MeshConfig): Promise<Map<string, string>> {
  const bots = new Map<string, string>();
  for (const inst of config.instances) {
    try {
      bots.set(jidOf((await connectionFor(config, inst)).login), inst.id);
    } catch {
      // not provisioned yet: it has no JID to reserve a nick for
    }
  }
  return bots;
}
