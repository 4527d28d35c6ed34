// PouchDB 9 and express-pouchdb ship no types; this is the part core/storage uses.
declare module "pouchdb-core" {
  export interface PouchStatic {
    plugin(plugin: unknown): PouchStatic;
    defaults(options: Record<string, unknown>): PouchStatic;
  }
  const PouchDB: PouchStatic;
  export default PouchDB;
}
declare module "pouchdb-adapter-leveldb" {
  const plugin: unknown;
  export default plugin;
}
declare module "pouchdb-adapter-http" {
  const plugin: unknown;
  export default plugin;
}
declare module "pouchdb-mapreduce" {
  const plugin: unknown;
  export default plugin;
}
declare module "pouchdb-replication" {
  const plugin: unknown;
  export default plugin;
}
declare module "pouchdb-find" {
  const plugin: unknown;
  export default plugin;
}
declare module "express-pouchdb" {
  import type { IncomingMessage, ServerResponse } from "node:http";
  import type { PouchStatic } from "pouchdb-core";
  type RequestHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
  export default function expressPouchDB(
    pouch: PouchStatic,
    options?: {
      mode?: "fullCouchDB" | "minimumForPouchDB" | "custom";
      configPath?: string;
      logPath?: string;
    },
  ): RequestHandler;
}
declare module "express" {
  import type { IncomingMessage, Server, ServerResponse } from "node:http";
  type Handler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
  export interface Express {
    use(path: string, handler: Handler): Express;
    listen(port: number, host: string, callback: () => void): Server;
  }
  export default function express(): Express;
}
