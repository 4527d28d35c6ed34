// Finding and installing the server software (Debian packages) for a managed instance.
import { access, constants } from "node:fs/promises";
import { delimiter, join } from "node:path";
import type { Logger } from "pino";
import { run } from "./process.js";

/** Absolute path of `name` on PATH (plus the sbin dirs non-login root shells miss), or undefined. */
export async function findExecutable(name: string): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/bin", "/sbin"];
  for (const dir of dirs.filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * Make sure the Debian package that provides `binary` is installed. As root it installs it
 * (`apt-get update` only when the first attempt fails: the lists are usually fresh enough);
 * otherwise the error gives the exact command to run.
 */
export async function ensurePackage(
  pkg: string,
  binary: string,
  opts: { logger?: Logger } = {},
): Promise<string> {
  const found = await findExecutable(binary);
  if (found) return found;
  if (!isRoot()) {
    throw new Error(
      `${binary} not found on PATH: the managed XMPP server needs the Debian package "${pkg}". ` +
        `Install it with: sudo apt-get install -y ${pkg}`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = (): Promise<unknown> =>
    run("apt-get", ["install", "-y", pkg], { env, timeoutMs: 600_000 });
  opts.logger?.info({ pkg }, "installing server package with apt-get");
  try {
    await install();
  } catch (err) {
    opts.logger?.warn({ pkg, err }, "apt-get install failed; running apt-get update and retrying");
    await run("apt-get", ["update"], { env, timeoutMs: 600_000 });
    await install();
  }
  const installed = await findExecutable(binary);
  if (!installed) throw new Error(`apt-get installed ${pkg} but ${binary} is still not on PATH`);
  return installed;
}

/** Install Prosody when missing (root), or throw with the command to run. Returns its path. */
export async function ensureProsody(opts: { logger?: Logger } = {}): Promise<string> {
  return ensurePackage("prosody", "prosody", opts);
}
