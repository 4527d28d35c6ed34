import { closeSync, openSync } from "node:fs";
import { mkdir, writeFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Logger } from "pino";
import type { MeshConfig } from "../config/types.js";
import { createLogger } from "../log.js";
import { startManaged, type Managed } from "../runtime/managed.js";
import { Supervisor, type InstanceSpec, type InstanceStatus } from "../supervisor/supervisor.js";
import { childEntry } from "../runtime/paths.js";
import { listenControl } from "../supervisor/control.js";
import { acquireMeshLock } from "../supervisor/lock.js";
import { startMeshCouch } from "../storage/couch-config.js";
import { CliError } from "./errors.js";
import { loadChecked, DEFAULT_CONFIG } from "./load.js";

const HELP = `usage: npx tsx startup.ts run [--config FILE] [--only ID]
Validates the whole config, then starts one process per bot instance (and, with
\`xmpp: managed\`, a private Prosody), restarts crashed ones with backoff, and stops all on
SIGTERM/SIGINT (or \`startup.ts stop\`). SIGHUP re-reads the config, restarts only the
instances whose config changed, and starts or stops added or removed ones. One mesh runs per
state directory: a second start says which process has it and changes nothing.
  --config FILE   mesh config (default ${DEFAULT_CONFIG})
  --only ID       run just this instance, in the foreground (development)`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: "string", default: DEFAULT_CONFIG },
      only: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(HELP + "\n");
    return 0;
  }
  const log = createLogger({ name: "supervisor" });
  const config = await loadChecked(values.config);
  const only = values.only;
  if (only !== undefined && !config.instances.some((i) => i.id === only)) {
    throw new CliError(
      `--only ${only}: no such instance (have ${config.instances.map((i) => i.id).join(", ")})`,
    );
  }
  // Before anything starts: a second mesh on this state dir would take the first one's servers.
  await mkdir(config.stateDir, { recursive: true });
  const unlock = acquireMeshLock(config.stateDir);
  // A signal while servers are still starting stops them too, once they are up.
  let stopRequested: () => void = () => undefined;
  const stopping = new Promise<void>((resolve) => (stopRequested = resolve));
  process.once("SIGTERM", () => stopRequested());
  process.once("SIGINT", () => stopRequested());
  try {
    return await runLocked(config, values.config, only, log, stopping, stopRequested);
  } finally {
    unlock();
  }
}

async function runLocked(
  config: MeshConfig,
  configFile: string,
  only: string | undefined,
  log: Logger,
  stopping: Promise<void>,
  stopRequested: () => void,
): Promise<number> {
  const managed = await startManaged(config, log);
  // A CouchDB (managed or embedded) only when some bot of the mesh stores something in it.
  const needsCouch = config.instances.some((i) => i.enabled && i.needs.includes("couchdb"));
  const couch = needsCouch ? await startMeshCouch(config, log) : undefined;
  if (only !== undefined) return runForeground(config, only, managed, log, couch);

  const status = new StatusWriter(join(config.stateDir, "supervisor.json"), log);
  const supervisor = new Supervisor({ log, onChange: (statuses) => status.write(statuses) });
  await supervisor.apply(specsFor(config));
  log.info(
    { instances: config.instances.filter((i) => i.enabled).length, config: config.file },
    "mesh running",
  );

  const reload = async () => {
    try {
      const next = await loadChecked(configFile);
      await managed?.update(next);
      await supervisor.apply(specsFor(next));
      log.info("config reloaded");
    } catch (err) {
      log.error({ err }, "config reload failed; keeping the running config");
    }
  };
  // SIGHUP is a reload, unless the terminal we ran in has gone (the window was closed): then
  // the operator has left, and the mesh stops as on Ctrl-C instead of running on unseen.
  const hadTerminal = canOpenTerminal();
  process.on("SIGHUP", () => {
    if (hadTerminal && !canOpenTerminal()) {
      log.info("terminal closed; stopping the mesh");
      stopRequested();
    } else void reload();
  });
  const control = listenControl(
    config.stateDir,
    async (req) => {
      if (req.cmd === "stop") {
        stopRequested();
        return { ok: true, message: "stopping" };
      }
      if (req.cmd === "restart") {
        const found = await supervisor.restart(req.id);
        return found
          ? { ok: true, message: `${req.id} restarted` }
          : { ok: false, message: `no instance ${req.id} in the running mesh` };
      }
      return { ok: false, message: "unknown request" };
    },
    log,
  );

  await stopping;
  log.info("stopping the mesh");
  control?.close();
  await supervisor.stop();
  await couch?.stop();
  await managed?.stop();
  log.info("stopped");
  return 0;
}

function specsFor(config: MeshConfig): InstanceSpec[] {
  return config.instances
    .filter((inst) => inst.enabled)
    .map((inst) => ({
      id: inst.id,
      command: process.execPath,
      args: ["--import", "tsx", childEntry(), "--config", config.file, "--instance", inst.id],
      fingerprint: JSON.stringify([
        inst,
        config.xmpp,
        config.lobby,
        config.admins,
        config.roomgraph.routes.map((r) => [r.from, r.to, r.ruleText]),
      ]),
    }));
}

async function runForeground(
  config: MeshConfig,
  id: string,
  managed: Managed | undefined,
  log: Logger,
  couch: { stop(): Promise<void> } | undefined,
): Promise<number> {
  const { runInstance } = await import("../runtime/child.js");
  try {
    return await runInstance(config, id);
  } finally {
    await couch?.stop();
    await managed?.stop();
    log.info("stopped");
  }
}

/** Writes the status file for `startup.ts status`: one write at a time, the latest wins. */
class StatusWriter {
  #busy = false;
  #next: InstanceStatus[] | undefined;

  constructor(
    private readonly file: string,
    private readonly log: Logger,
  ) {}

  write(statuses: InstanceStatus[]): void {
    this.#next = statuses;
    if (!this.#busy) void this.#flush();
  }

  async #flush(): Promise<void> {
    this.#busy = true;
    while (this.#next !== undefined) {
      const instances = this.#next;
      this.#next = undefined;
      const body = JSON.stringify({ pid: process.pid, updatedAt: Date.now(), instances }, null, 2);
      const tmp = `${this.file}.tmp`;
      try {
        await mkdir(join(this.file, ".."), { recursive: true });
        await writeFile(tmp, body);
        await rename(tmp, this.file);
      } catch (err) {
        this.log.warn({ err, file: this.file }, "could not write the status file");
      }
    }
    this.#busy = false;
  }
}

/** Whether this process has a controlling terminal (a closed window takes it away). */
function canOpenTerminal(): boolean {
  try {
    closeSync(openSync("/dev/tty", "r"));
    return true;
  } catch {
    return false;
  }
}
