import { parseArgs } from "node:util";
import type { Logger } from "pino";
import type { WireForm } from "../wire/index.js";
import {
  createXmppStack,
  parseService,
  XmppError,
  type ConnectionLogin,
  type PublisherOptions,
  type XmppStack,
} from "../xmpp/index.js";
import { connectionFile, readManagedConnection } from "../runtime/managed.js";
import { CliError } from "./errors.js";
import { DEFAULT_CONFIG, loadChecked } from "./load.js";
import { probeServer, NOT_RUNNING_EXIT } from "./probe.js";

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
  /** Where it connects, `HOST:PORT`, for messages. */
  server: string;
}

/** How long the first login may take once the server answers (later drops retry as usual). */
const ONLINE_DEADLINE_MS = 15_000;

type Values = ReturnType<
  typeof parseArgs<{
    options: typeof CONN_OPTIONS & Record<string, { type: "string" | "boolean" }>;
  }>
>["values"];

/**
 * Set up a one-off room tool, from a mesh config or from explicit flags. Fails fast, with exit
 * code 3, when the mesh (or the server given) is not running: a tool must not retry for minutes.
 */
export async function connectTool(
  values: Values,
  roomName: string,
  log: Logger,
  nick: string,
  publisher: Pick<PublisherOptions, "onDead"> = {},
): Promise<RoomTool> {
  let login: ConnectionLogin;
  let muc: string;
  let form: WireForm = "compact";
  let rooms: Record<string, { form: WireForm }> = {};
  let hint = "";
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
      hint = "; start it with `npx tsx startup.ts run`";
      const m = await readManagedConnection(config.stateDir).catch(() => {
        throw new CliError(
          `the mesh is not running (no ${connectionFile(config.stateDir)})${hint}`,
          NOT_RUNNING_EXIT,
        );
      });
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
  let server: string;
  try {
    const address = parseService(login.service);
    const port = address.port ?? (address.protocol === "xmpps" ? 5223 : 5222);
    server = `${address.host.includes(":") ? `[${address.host}]` : address.host}:${port}`;
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const down = await probeServer(server);
  if (down !== undefined)
    throw new CliError(
      `the mesh is not running (no XMPP server at ${server}: ${down})${hint}`,
      NOT_RUNNING_EXIT,
    );
  const stack = createXmppStack({
    login,
    log,
    mucService: muc,
    nick,
    publisher: { ...publisher, rooms, defaultForm: form },
  });
  const room = stack.muc.resolve(roomName);
  const short = roomName.includes("@") ? undefined : roomName;
  const roomForm = rooms[room]?.form ?? (short ? rooms[short]?.form : undefined);
  return {
    stack,
    room,
    server,
    form: typeof values.form === "string" ? form : (roomForm ?? form),
  };
}

/**
 * Log in and join the tool's room, or fail with a CliError within ONLINE_DEADLINE_MS: the
 * server answered the probe, so a login that does not come is a problem to report, not wait out.
 */
export async function startTool(tool: RoomTool): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new CliError(
            `no XMPP session at ${tool.server} after ${ONLINE_DEADLINE_MS / 1000} s (see the warnings above)`,
            NOT_RUNNING_EXIT,
          ),
        ),
      ONLINE_DEADLINE_MS,
    );
  });
  const started = tool.stack.start();
  started.catch(() => {}); // raced below; stop() rejects it once more
  try {
    await Promise.race([started, deadline]);
    await Promise.race([tool.stack.muc.join(tool.room), deadline]);
  } catch (err) {
    await tool.stack.stop();
    if (err instanceof XmppError) throw new CliError(`${tool.server}: ${err.message}`, 1);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
