import { fileURLToPath } from "node:url";

/** The project root (where package.json, bots/ and config/ are). */
export function projectRoot(): string {
  return fileURLToPath(new URL("../../../", import.meta.url));
}

/** The script a bot instance's process runs. */
export function childEntry(): string {
  return fileURLToPath(new URL("./child-main.ts", import.meta.url));
}
