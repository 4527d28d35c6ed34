import { parseArgs } from "node:util";
import type { Logger } from "pino";
import type { WireForm } from "../wire/index.js";
import { createXmppStack, type ConnectionLogin, type XmppStack } from "../xmpp/index.js";
import { readManagedConnection } from "../runtime/managed.js";
import { CliError } from "./errors.js";
import { DEFAULT_CONFIG, loadChecked } from "./load.js";

/** Options shared by the room tools (send, receive). */
export const CONN_OPTIONS = {
  config: { type: "string" },
  service: { type: "string" },
  jid: { type: "string" },
  muc: { type: "string" },
  form: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export const CONN_HELP = `connection: --config FILE (default ${DEFAULT_CONFIG}; a managed mesh must be running),
  or --service xmpp://HOST:PORT --jid USER@DOMAIN [--muc rooms.DOMAIN] with the password in
  XMPP_PASSWORD. --form compact|legacy picks the wire form (default: the room's, from rooms.yaml).`;

export interface RoomTool {
  stack: XmppStack;
  room: string;
  form: WireForm;
}

type Values = ReturnType<
  typeof parseArgs<{
    options: typeof CONN_OPTIONS & Record<string, { type: "string" | "boolean" }>;
  }>
>["values"];

/** Connect for a one-off room tool, from a mesh config or from explicit flags. */
export async function connectTool(
  values: Values,
  roomName: string,
  log: Logger,
  nick: string,
): Promise<RoomTool> {
  let login: ConnectionLogin;
  let muc: string;
  let form: WireForm = "compact";
  let rooms: Record<string, { form: WireForm }> = {};
  if (typeof values.service === "string") {
    const jid = typeof values.jid === "string" ? values.jid : undefined;
    const password = process.env.XMPP_PASSWORD;
    if (jid === undefined) throw new CliError("--service needs --jid");
    if (password === undefined)
      throw new CliError("--service needs the password in the XMPP_PASSWORD environment variable");
    login = { mode: "client", service: values.service, jid, password, resource: nick };
    muc =
      typeof values.muc === "string"
        ? values.muc
        : `rooms.${jid.split("@")[1]?.split("/")[0] ?? "localhost"}`;
  } else {
    const config = await loadChecked(
      typeof values.config === "string" ? values.config : DEFAULT_CONFIG,
    );
    rooms = config.roomgraph.rooms;
    form = config.defaultRoom.form;
    const x = config.xmpp;
    if (x.mode === "managed") {
      const m = await readManagedConnection(config.stateDir);
      muc = m.muc;
      if (m.login === "component") {
        login = {
          mode: "component",
          service: m.service,
          domain: m.domain,
          secret: m.secret ?? "",
          localpart: nick,
        };
      } else {
        const password = m.accounts["mesh-cli"];
        if (password === undefined)
          throw new CliError(
            "the managed server has no mesh-cli account; restart `startup.ts run`",
          );
        // A resource per process: two tools at once must not replace each other's session.
        login = {
          mode: "client",
          service: m.service,
          jid: `mesh-cli@${m.domain}`,
          password,
          resource: nick,
        };
      }
    } else if (x.mode === "component") {
      muc = x.muc;
      login = {
        mode: "component",
        service: x.service,
        domain: x.domain,
        secret: x.secret,
        localpart: nick,
      };
    } else {
      const password = process.env.XMPP_PASSWORD ?? x.password;
      const jid = typeof values.jid === "string" ? values.jid : undefined;
      if (jid === undefined || password === undefined)
        throw new CliError("client mode: give --jid and XMPP_PASSWORD");
      muc = x.muc;
      login = { mode: "client", service: x.service, jid, password, resource: nick };
    }
  }
  if (typeof values.form === "string") {
    if (values.form !== "compact" && values.form !== "legacy")
      throw new CliError(`--form: expected compact or legacy, got ${values.form}`);
    form = values.form;
  }
  const stack = createXmppStack({
    login,
    log,
    mucService: muc,
    nick,
    publisher: { rooms, defaultForm: form },
  });
  const room = stack.muc.resolve(roomName);
  const short = roomName.includes("@") ? undefined : roomName;
  const roomForm = rooms[room]?.form ?? (short ? rooms[short]?.form : undefined);
  return { stack, room, form: typeof values.form === "string" ? form : (roomForm ?? form) };
}
