/** The `xmpp:` setting: how bots reach the server. */
import { isLoopbackHost } from "../xmpp/service.js";
import { checkKeys, describeValue, readBool, readString } from "./fields.js";
import { isRecord, type ProblemList } from "./problems.js";
import { isDomain } from "./rooms.js";
import type { XmppConfig } from "./types.js";

const MODES = ["managed", "client", "component"] as const;
const KEYS = {
  managed: ["mode", "login", "mam", "port", "component_port"],
  client: ["mode", "service", "domain", "muc", "password", "verify_tls"],
  component: ["mode", "service", "domain", "muc", "secret"],
} as const;

export const DEFAULT_XMPP: XmppConfig = { mode: "managed", login: "client", mam: true };

export function checkXmpp(raw: unknown, problems: ProblemList): XmppConfig | undefined {
  if (raw === undefined || raw === null || raw === "managed") return DEFAULT_XMPP;
  const settings: Record<string, unknown> | undefined =
    typeof raw === "string" ? { mode: raw } : isRecord(raw) ? raw : undefined;
  if (settings === undefined) {
    problems.error(["xmpp"], `expected managed or a mapping with mode:, got ${describeValue(raw)}`);
    return undefined;
  }
  const mode = settings["mode"] ?? "managed";
  if (!MODES.includes(mode as never)) {
    const at = typeof raw === "string" ? ["xmpp"] : ["xmpp", "mode"];
    problems.error(at, `unknown mode ${describeValue(mode)}: use one of ${MODES.join(", ")}`);
    return undefined;
  }
  const m = mode as (typeof MODES)[number];
  checkKeys(settings, KEYS[m], ["xmpp"], problems);
  if (m === "managed") return managed(settings, problems);
  return remote(m, settings, problems);
}

function managed(settings: Record<string, unknown>, problems: ProblemList): XmppConfig {
  const login = settings["login"] ?? "client";
  if (login !== "client" && login !== "component") {
    problems.error(["xmpp", "login"], `expected client or component, got ${describeValue(login)}`);
  }
  const port = readPort(settings, "port", problems);
  const componentPort = readPort(settings, "component_port", problems);
  if (port !== undefined && port === componentPort) {
    problems.error(["xmpp", "component_port"], `the same as port (${port}): give each its own`);
  }
  return {
    mode: "managed",
    login: login === "component" ? "component" : "client",
    mam: readBool(settings, "mam", ["xmpp"], problems, true),
    ...(port === undefined ? {} : { port }),
    ...(componentPort === undefined ? {} : { componentPort }),
  };
}

function readPort(
  settings: Record<string, unknown>,
  key: string,
  problems: ProblemList,
): number | undefined {
  const v = settings[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 65535) return v;
  problems.error(["xmpp", key], `expected a TCP port (1-65535), got ${describeValue(v)}`);
  return undefined;
}

function remote(
  mode: "client" | "component",
  settings: Record<string, unknown>,
  problems: ProblemList,
): XmppConfig | undefined {
  const at = ["xmpp"];
  const example = mode === "client" ? "xmpps://xmpp.example.org:5223" : "xmpp://127.0.0.1:5347";
  const serviceText = readString(settings, "service", at, problems, `a URL like ${example}`);
  if (missing(settings, "service")) {
    problems.error(["xmpp", "service"], `${mode} mode needs service: a URL like ${example}`);
  }
  const service = serviceText && checkService(mode, serviceText, example, problems);
  if (missing(settings, "domain")) {
    problems.error(
      ["xmpp", "domain"],
      "needs domain: the XMPP domain the bots log in to, e.g. example.org",
    );
  }
  const domain = readDomain(settings, "domain", problems);
  // Prosody and ejabberd both name the MUC service conference.<domain> by default.
  const muc = readDomain(settings, "muc", problems) ?? (domain && `conference.${domain}`);
  if (mode === "component") {
    const secret = readString(settings, "secret", at, problems, "the component secret");
    if (missing(settings, "secret")) {
      problems.error(
        ["xmpp", "secret"],
        "component mode needs secret: ${MESH_COMPONENT_SECRET} (the XEP-0114 shared secret)",
      );
    }
    if (!service || !domain || !muc || secret === undefined) return undefined;
    return { mode, service, domain, muc, secret };
  }
  const password = readString(settings, "password", at, problems, "a password");
  const verifyTls = readBool(settings, "verify_tls", at, problems, true);
  if (!verifyTls) {
    // The XMPP client offers no hook to skip verification on STARTTLS, and a silently ignored
    // `false` would be worse than none: say how to trust a lab certificate instead.
    problems.error(
      ["xmpp", "verify_tls"],
      "turning TLS certificate verification off is not supported: trust a self-signed or private CA certificate with NODE_EXTRA_CA_CERTS=/path/to/ca.pem instead",
    );
  }
  if (!service || !domain || !muc) return undefined;
  return { mode, service, domain, muc, verifyTls, ...(password === undefined ? {} : { password }) };
}

function missing(settings: Record<string, unknown>, key: string): boolean {
  return settings[key] === undefined || settings[key] === null;
}

function readDomain(
  settings: Record<string, unknown>,
  key: string,
  problems: ProblemList,
): string | undefined {
  const value = readString(settings, key, ["xmpp"], problems, "a domain name");
  if (value === undefined) return undefined;
  if (isDomain(value)) return value.toLowerCase();
  problems.error(
    ["xmpp", key],
    `${JSON.stringify(value)} is not a domain name; write e.g. example.org`,
  );
  return undefined;
}

function checkService(
  mode: "client" | "component",
  text: string,
  example: string,
  problems: ProblemList,
): string | undefined {
  const at = ["xmpp", "service"];
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.error(at, `expected a URL like ${example}, got ${JSON.stringify(text)}`);
    return undefined;
  }
  if ((url.protocol !== "xmpp:" && url.protocol !== "xmpps:") || url.hostname === "") {
    problems.error(
      at,
      `use xmpps://host:port (direct TLS) or xmpp://host:port, e.g. ${example}; got ${JSON.stringify(text)}`,
    );
    return undefined;
  }
  if (url.protocol === "xmpp:" && !isLoopbackHost(url.hostname.replace(/^\[|\]$/g, ""))) {
    if (mode === "client") {
      problems.warn(
        at,
        "xmpp:// to a remote host relies on STARTTLS (bots refuse to log in without it); prefer xmpps:// direct TLS",
      );
    } else {
      // XEP-0114 has no TLS; the mesh sends plaintext only over loopback (DESIGN.md), and the
      // bots would refuse at connect time: say so now, with the way out.
      problems.error(
        at,
        "XEP-0114 component streams are plaintext, so the mesh connects to a component port on loopback only: run the mesh on the XMPP server's host (or in its network namespace, as docker/compose.yaml does) and use xmpp://127.0.0.1:PORT",
      );
    }
  }
  return text;
}
