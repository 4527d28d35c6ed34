/**
 * A MaxMind-format database (GeoLite2/GeoIP2 City or Country, DB-IP lite) read through the
 * `maxmind` package, swapped for a new copy when the file changes on disk.
 */
import { stat } from "node:fs/promises";
import { open, type CityResponse, type Reader } from "maxmind";
import { Event } from "../../core/index.js";

/** The facts a City or Country record gives, unprefixed: cc, city, latitude, longitude. */
export function geoFacts(record: CityResponse | null): Event {
  const facts = new Event();
  if (record === null) return facts;
  // `country` is where the address is; `registered_country` (where the block is registered) is
  // a different fact, so it is never used in its place.
  const cc = record.country?.iso_code;
  if (cc) facts.add("cc", cc.toUpperCase());
  const city = record.city?.names?.en;
  if (city) facts.add("city", city);
  const { latitude, longitude } = record.location ?? {};
  // Both or neither: half a coordinate is no place.
  if (Number.isFinite(latitude) && Number.isFinite(longitude)) {
    facts.add("latitude", String(latitude)).add("longitude", String(longitude));
  }
  return facts;
}

/** Thrown when the database cannot be read; the message names the path. */
export class DatabaseError extends Error {
  override name = "DatabaseError";
}

export class GeoDatabase {
  #reader: Reader<CityResponse>;
  #signature: string;
  /** Signature of a replacement that failed to load, so it is reported once, not every check. */
  #failed = "";

  private constructor(
    readonly path: string,
    reader: Reader<CityResponse>,
    signature: string,
  ) {
    this.#reader = reader;
    this.#signature = signature;
  }

  /** Open the database; a missing or broken file is a DatabaseError naming the path. */
  static async open(path: string): Promise<GeoDatabase> {
    const { reader, signature } = await load(path);
    return new GeoDatabase(path, reader, signature);
  }

  /** The database type from its metadata, e.g. `GeoLite2-City`. */
  get type(): string {
    return this.#reader.metadata.databaseType;
  }

  lookup(ip: string): Event {
    return geoFacts(this.#reader.get(ip));
  }

  /**
   * Reload when the file changed (mtime, size or inode: an atomic replace counts).
   * A replacement that does not load keeps the old database and throws once per version.
   */
  async refresh(): Promise<boolean> {
    const now = await signatureOf(this.path).catch(() => undefined);
    if (now === undefined || now === this.#signature || now === this.#failed) return false;
    try {
      const { reader, signature } = await load(this.path);
      this.#reader = reader;
      this.#signature = signature;
      this.#failed = "";
      return true;
    } catch (err) {
      this.#failed = now;
      throw err;
    }
  }
}

async function signatureOf(path: string): Promise<string> {
  const s = await stat(path);
  return `${s.mtimeMs}:${s.size}:${s.ino}`;
}

async function load(path: string): Promise<{ reader: Reader<CityResponse>; signature: string }> {
  try {
    const signature = await signatureOf(path);
    const reader = await open<CityResponse>(path);
    return { reader, signature };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code !== undefined
          ? (err as Error).message
          : `not a readable MaxMind (.mmdb) database (${(err as Error).message})`;
    throw new DatabaseError(`cannot open GeoIP database ${path}: ${why}`, { cause: err });
  }
}
