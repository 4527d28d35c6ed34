// Vitest global setup of the integration project: the real servers the tests run against must
// be installed. As root (CI, a fresh Debian machine) missing Debian packages are installed, so
// `npm test` works from a fresh clone; otherwise the error names the exact command.
import { ensurePackage } from "../../core/host/server/install.js";

export async function setup(): Promise<void> {
  await ensurePackage("prosody", "prosody");
  await ensurePackage("ejabberd", "ejabberdctl");
}
