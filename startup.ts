#!/usr/bin/env -S npx tsx
/**
 * The mesh's supervisor and command line. `npx tsx startup.ts help` lists the commands.
 * Each command lives in core/host/cli/<name>.ts and is loaded only when used.
 */
import { main } from "./core/host/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
