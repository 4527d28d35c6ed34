/**
 * X-ARF v4 validation against the published schemas (bots/mail/xarf-schemas/, from the
 * xarf-spec repository; README there). The schemas are JSON Schema 2020-12 and use the
 * formats date-time, date, email, hostname, ipv4, ipv6, uri and uuid; ajv checks none of them
 * by itself (ajv-formats does), so they are defined here, IP addresses by node:net as the
 * rest of the mesh reads them.
 */
import { readFileSync, readdirSync } from "node:fs";
import { isIPv4, isIPv6 } from "node:net";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";

const DIR = new URL("../xarf-schemas/v4/", import.meta.url);
const MASTER = "https://xarf.org/schemas/v4/xarf-v4-master.json";

const RFC3339 =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const HOSTNAME =
  /^(?=.{1,253}\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

const FORMATS: Record<string, (value: string) => boolean> = {
  "date-time": (v) => RFC3339.test(v) && !Number.isNaN(Date.parse(v)),
  date: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)),
  email: (v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v),
  hostname: (v) => HOSTNAME.test(v),
  ipv4: (v) => isIPv4(v),
  ipv6: (v) => isIPv6(v),
  uri: (v) => /^[a-z][a-z0-9+.-]*:\S+$/i.test(v) && URL.canParse(v),
  uuid: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
};

function compile(): ValidateFunction {
  // strict, so a schema the library cannot read fails here rather than validating nothing;
  // strictTypes off because the type schemas rely on xarf-core for `type: object`.
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictRequired: false,
  });
  ajv.addKeyword("x-recommended"); // the schemas' RECOMMENDED marker: an annotation
  for (const [name, test] of Object.entries(FORMATS))
    ajv.addFormat(name, { type: "string", validate: test });
  const files = ["xarf-core.json", "xarf-v4-master.json"];
  for (const f of readdirSync(new URL("types/", DIR)))
    if (f.endsWith(".json")) files.push(`types/${f}`);
  for (const f of files) ajv.addSchema(JSON.parse(readFileSync(new URL(f, DIR), "utf8")) as object);
  const validate = ajv.getSchema(MASTER);
  if (!validate) throw new Error(`X-ARF v4 master schema ${MASTER} not found in ${DIR.pathname}`);
  return validate;
}

// Read once at module load: the schemas are data shipped with the code, not state.
const validateV4 = compile();

/** What is wrong with a v4 report, as `/path: message` lines (at most 5), or [] when valid. */
export function v4Problems(report: unknown): string[] {
  if (validateV4(report)) return [];
  return explain(validateV4.errors ?? []);
}

/**
 * ajv's errors for the master schema repeat themselves (xarf-core is checked through the
 * master and again through each type schema) and include the combinators (allOf, if) that
 * only say a branch failed; keep the leaf errors, once each, that name a field.
 */
function explain(errors: readonly ErrorObject[]): string[] {
  const wrappers = new Set(["allOf", "anyOf", "oneOf", "if", "not"]);
  const leaves = errors.filter((e) => !wrappers.has(e.keyword));
  const out: string[] = [];
  for (const e of leaves.length ? leaves : errors) {
    const path =
      e.keyword === "required"
        ? `${e.instancePath}/${String(e.params["missingProperty"])}`
        : e.instancePath;
    const detail =
      e.keyword === "enum"
        ? `${e.message ?? "invalid"}: ${(e.params["allowedValues"] as unknown[]).join(", ")}`
        : e.keyword === "required"
          ? "is required"
          : (e.message ?? "is invalid");
    const line = `${path || "/"}: ${detail}`;
    if (!out.includes(line)) out.push(line);
    if (out.length === 5) break;
  }
  return out;
}
