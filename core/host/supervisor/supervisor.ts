import { spawn, type ChildProcess } from "node:child_process";
import type { Logger } from "pino";
import {
  Backoff,
  DEFAULT_BACKOFF,
  type RestartBackoffOptions as BackoffOptions,
} from "../../sdk/backoff.js";

/** The exit code of an instance that stopped on a config error (EX_CONFIG, sysexits.h). */
export const EXIT_CONFIG = 78;

export type InstanceState = "starting" | "running" | "backoff" | "stopping" | "stopped" | "failed";

export interface InstanceStatus {
  id: string;
  state: InstanceState;
  pid?: number;
  restarts: number;
  /** When the current process started (ms since epoch). */
  startedAt?: number;
  lastExit?: string;
}

/** How to launch one instance: a command line and a fingerprint that changes with its config. */
export interface InstanceSpec {
  id: string;
  command: string;
  args: string[];
  /** Changes when the instance's config changes; a reload restarts it then. */
  fingerprint: string;
  env?: NodeJS.ProcessEnv;
}

interface Slot {
  spec: InstanceSpec;
  status: InstanceStatus;
  child?: ChildProcess;
  backoff: Backoff;
  timer?: NodeJS.Timeout;
  wanted: boolean;
  exited?: Promise<void>;
}

export interface SupervisorOptions {
  log: Logger;
  backoff?: BackoffOptions;
  /** Grace period after SIGTERM before SIGKILL, ms. */
  stopTimeout?: number;
  /** Called whenever an instance changes state (the CLI writes the status file from it). */
  onChange?: (statuses: InstanceStatus[]) => void;
}

/**
 * Runs one OS process per bot instance, restarts a crashed one with growing backoff, and stops
 * them cleanly. Reload applies a new set of specs: removed or changed instances are stopped,
 * new or changed ones started, unchanged ones left running.
 */
export class Supervisor {
  readonly #slots = new Map<string, Slot>();
  readonly #opts: SupervisorOptions;

  constructor(opts: SupervisorOptions) {
    this.#opts = opts;
  }

  statuses(): InstanceStatus[] {
    return [...this.#slots.values()].map((s) => ({ ...s.status }));
  }

  /** Start (or reconcile to) this set of instances. */
  async apply(specs: InstanceSpec[]): Promise<void> {
    const next = new Map(specs.map((s) => [s.id, s]));
    const stopping: Promise<void>[] = [];
    for (const [id, slot] of this.#slots) {
      const spec = next.get(id);
      if (spec === undefined || spec.fingerprint !== slot.spec.fingerprint) {
        this.#opts.log.info(
          { instance: id },
          spec ? "config changed, restarting" : "removed, stopping",
        );
        stopping.push(this.#stopSlot(slot).then(() => void this.#slots.delete(id)));
      }
    }
    await Promise.all(stopping);
    for (const spec of specs) {
      if (this.#slots.has(spec.id)) continue;
      const slot: Slot = {
        spec,
        status: { id: spec.id, state: "starting", restarts: 0 },
        backoff: new Backoff(this.#opts.backoff ?? DEFAULT_BACKOFF),
        wanted: true,
      };
      this.#slots.set(spec.id, slot);
      this.#launch(slot);
    }
    this.#changed();
  }

  /** Stop one instance and start it again now (an operator's `startup.ts restart ID`). */
  async restart(id: string): Promise<boolean> {
    const slot = this.#slots.get(id);
    if (slot === undefined) return false;
    this.#opts.log.info({ instance: id }, "restarting on request");
    await this.#stopSlot(slot);
    slot.wanted = true;
    slot.status.restarts += 1;
    this.#launch(slot);
    return true;
  }

  /** Stop every instance: SIGTERM, then SIGKILL after the grace period. */
  async stop(): Promise<void> {
    await Promise.all([...this.#slots.values()].map((slot) => this.#stopSlot(slot)));
    this.#changed();
  }

  #launch(slot: Slot): void {
    const { spec } = slot;
    const child = spawn(spec.command, spec.args, {
      // The IPC channel lets a child notice when the supervisor dies, even by SIGKILL.
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      // Its own process group: a Ctrl-C on the terminal reaches the supervisor only, which
      // stops the bots in order (a bot that died of the same SIGINT looked like a crash).
      detached: true,
      env: spec.env ?? process.env,
    });
    slot.child = child;
    const startedAt = Date.now();
    slot.status = { ...slot.status, state: "running", startedAt };
    if (child.pid !== undefined) slot.status.pid = child.pid;
    this.#opts.log.debug({ instance: spec.id, pid: child.pid }, "started");
    slot.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        resolve();
        this.#onExit(slot, child, Date.now() - startedAt, code, signal);
      });
    });
    child.once("error", (err) => {
      this.#opts.log.error({ instance: spec.id, err }, "could not start");
    });
    this.#changed();
  }

  #onExit(
    slot: Slot,
    child: ChildProcess,
    ranMs: number,
    code: number | null,
    signal: string | null,
  ): void {
    if (slot.child !== child) return;
    delete slot.child;
    delete slot.status.pid;
    slot.status.lastExit = signal ? `signal ${signal}` : `exit code ${code ?? "?"}`;
    if (!slot.wanted) {
      slot.status.state = "stopped";
      this.#changed();
      return;
    }
    if (code === EXIT_CONFIG) {
      // A config mistake does not mend itself: no restarts until the config changes (SIGHUP).
      slot.status.state = "failed";
      slot.status.lastExit = "config error (see its log); fix the config and reload";
      this.#opts.log.error({ instance: slot.spec.id }, "config error; not restarting");
      this.#changed();
      return;
    }
    const delay = slot.backoff.delayAfter(ranMs);
    slot.status.state = "backoff";
    this.#opts.log.warn(
      { instance: slot.spec.id, exit: slot.status.lastExit, ranMs, restartInMs: delay },
      "crashed, restarting after backoff",
    );
    slot.timer = setTimeout(() => {
      delete slot.timer;
      if (!slot.wanted) return;
      slot.status.restarts += 1;
      this.#launch(slot);
    }, delay);
    this.#changed();
  }

  async #stopSlot(slot: Slot): Promise<void> {
    slot.wanted = false;
    if (slot.timer) clearTimeout(slot.timer);
    const child = slot.child;
    if (child === undefined) {
      slot.status.state = "stopped";
      return;
    }
    slot.status.state = "stopping";
    this.#changed();
    child.kill("SIGTERM");
    const timeout = this.#opts.stopTimeout ?? 10_000;
    const killer = setTimeout(() => {
      this.#opts.log.warn({ instance: slot.spec.id, timeoutMs: timeout }, "did not stop, killing");
      child.kill("SIGKILL");
    }, timeout);
    await slot.exited;
    clearTimeout(killer);
  }

  #changed(): void {
    this.#opts.onChange?.(this.statuses());
  }
}
