// `npm start` as a person sees it on a terminal (a real pty, from `script`): one readable line
// per bot and one per offline feed, no stack traces, and closing the terminal stops the mesh.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../harness/mesh.js";
import { processesIn } from "../harness/processes.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The mesh's processes, not script(1) itself (its command line names the dir too). */
const meshProcesses = async (dir: string): Promise<number[]> =>
  (await processesIn(dir)).filter((p) => !p.cmd.includes("script")).map((p) => p.pid);

describe("npm start on a terminal", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "mesh-tty-"));
    await writeFile(join(dir, "rooms.yaml"), "routes: []\n");
    await writeFile(join(dir, "events.csv"), "ip,seq\n192.0.2.1,1\n");
    // Two feeds nobody answers (a closed loopback port), a file source and a tagger.
    const feed = (id: string) => `
  - id: ${id}
    bot: feed
    out: feeds.${id}
    params:
      url: http://127.0.0.1:9/${id}.csv
      interval: 1h
      max_retries: 1
      format: { type: csv, columns: header }
      map: { fields: { ip: ip } }`;
    await writeFile(
      join(dir, "mesh.yaml"),
      `xmpp: managed
state: ${join(dir, "state")}
rooms: rooms.yaml
lobby: lobby
bots:${feed("offline-a")}${feed("offline-b")}
  - id: sample
    bot: file-feed
    out: feeds.sample
    params:
      name: sample
      path: ${join(dir, "events.csv")}
      format: { type: csv, columns: header }
      map: { fields: { ip: ip, seq: seq }, constants: { type: scanner } }
  - id: tagger
    bot: add-tag
    in: feeds.sample
    out: tagged
    params: { key: seen-by, value: tagger }
`,
    );
  });
  afterAll(async () => {
    for (const pid of await meshProcesses(dir)) process.kill(pid, "SIGKILL");
    if (process.env.KEEP_SERVER_DIRS !== "1") await rm(dir, { recursive: true, force: true });
  });

  it("prints a line per bot and one per offline feed, no stack trace; closing it stops all", async () => {
    const typescript = join(dir, "terminal.txt");
    const cmd = `npm start --silent -- --config ${join(dir, "mesh.yaml")}`;
    // script(1) gives the mesh a pty; -f flushes the transcript as it comes.
    const term = spawn("script", ["-qfec", cmd, typescript], { cwd: ROOT, stdio: "ignore" });
    const exited = new Promise<void>((r) => term.once("exit", () => r()));
    const text = async () =>
      (await readFile(typescript, "utf8").catch(() => ""))
        .replace(/\x1b\[[0-9;]*m/g, "") // eslint-disable-line no-control-regex
        .replace(/\r/g, "");
    const lines = await waitFor(
      "a running line per bot and a failed poll per offline feed",
      async () => {
        const t = (await text()).split("\n");
        const has = (re: RegExp) => t.filter((l) => re.test(l)).length;
        const ok =
          ["offline-a", "offline-b", "sample", "tagger"].every(
            (id) => has(new RegExp(`INFO: ${id}: running`)) === 1,
          ) &&
          has(/WARN: offline-a: poll failed/) === 1 &&
          has(/WARN: offline-b: poll failed/) === 1;
        return ok ? t : undefined;
      },
      120_000,
    );
    const shown = lines.filter((l) => /^\[\d\d:\d\d:\d\d\] [A-Z]+: /.test(l));
    // Each record is one line; nothing else but npm's banner and script's.
    expect(lines.filter((l) => /^\s+at /.test(l))).toEqual([]);
    expect(lines.filter((l) => /^\s+\S/.test(l) && !/^\s*>/.test(l))).toEqual([]);
    expect(shown.length).toBeLessThanOrEqual(12);
    for (const feed of ["offline-a", "offline-b"]) {
      expect(shown.filter((l) => l.includes(`${feed}:`))).toHaveLength(2); // running, failed
    }
    // Closing the terminal (script killed: the pty hangs up) stops the whole mesh.
    term.kill("SIGKILL");
    await exited;
    await waitFor(
      "every process of the mesh gone",
      async () => ((await meshProcesses(dir)).length === 0 ? true : undefined),
      60_000,
    );
  }, 240_000);
});
