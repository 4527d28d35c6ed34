/**
 * The offline source: a routing table (and optional AS names) in memory, answering at once,
 * swapped whole when the files change. A reload that fails keeps the table in use.
 */
import { Event, type Addr, watchFiles, type Watcher } from "../../core/index.js";
import { loadAsNames, loadRouteTable, type RouteTable } from "./table-file.js";

export interface Loaded {
  table: RouteTable;
  names: Map<string, string> | undefined;
  ms: number;
}

export interface TableOptions {
  files: readonly string[];
  names?: string | undefined;
  /** How often the files are checked for changes (0: never). */
  checkMs: number;
  onLoad(loaded: Loaded): void;
  onError(err: unknown): void;
}

async function load(files: readonly string[], names: string | undefined): Promise<Loaded> {
  const t0 = performance.now();
  const [table, asNames] = await Promise.all([
    loadRouteTable(files),
    names ? loadAsNames(names) : undefined,
  ]);
  return { table, names: asNames?.names, ms: performance.now() - t0 };
}

export class TableSource {
  #current: Loaded;
  #watcher: Watcher | undefined;

  private constructor(current: Loaded) {
    this.#current = current;
  }

  /** Load the files (throws when they are unusable) and watch them. */
  static async open(opts: TableOptions): Promise<TableSource> {
    const source = new TableSource(await load(opts.files, opts.names));
    opts.onLoad(source.#current);
    const watched = opts.names ? [...opts.files, opts.names] : opts.files;
    source.#watcher = await watchFiles(
      watched,
      opts.checkMs,
      async () => {
        source.#current = await load(opts.files, opts.names); // swapped only once complete
        opts.onLoad(source.#current);
      },
      (err) => opts.onError(err),
    );
    return source;
  }

  get loaded(): Loaded {
    return this.#current;
  }

  /** Check the files for changes now; resolves after any reload. */
  check(): Promise<void> {
    return this.#watcher?.check() ?? Promise.resolve();
  }

  close(): void {
    this.#watcher?.stop();
  }

  /** Facts for an address: asn, bgp prefix (when the range is a CIDR), cc, as name. (Not a memo: kept events would churn the old generation under random access.) */
  lookup(a: Addr): Event {
    const { table, names } = this.#current;
    const out = new Event();
    const id = table.index.find(a);
    if (id < 0) return out;
    const info = table.infoOf(id);
    if (info === undefined) return out;
    out.update("asn", info.asns);
    const range = table.index.text(id);
    if (!range.includes("-")) out.add("bgp prefix", range);
    if (info.cc) out.add("cc", info.cc);
    // A names file, when given, is the operator's choice: it wins over ip2asn's descriptions.
    for (const asn of info.asns) {
      const name = names?.get(asn) ?? info.name;
      if (name) out.add("as name", name);
    }
    return out;
  }
}
