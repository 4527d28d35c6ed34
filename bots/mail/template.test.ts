import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadTemplates, readTemplate, TemplateError } from "./template.js";

const GOOD = `
name: example
feeder: Example Hosting
match: { from: ["abuse@example.com", example.net], subject: 'Abuse report' }
category: abuse
type: scanner
fields:
  ip: [{ regex: 'from (\\S+)', in: subject }, { items: body }]
  source time: [{ regex: 'at (\\S+Z)', time: iso }, { mail: date }]
`;

/** The problems a template's text gives. */
function problemsOf(text: string, file = "templates/example.yaml"): string[] {
  try {
    readTemplate(text, file);
  } catch (err) {
    if (err instanceof TemplateError) return err.problems;
    throw err;
  }
  return [];
}

describe("readTemplate", () => {
  it("reads a good template", () => {
    const t = readTemplate(GOOD, "templates/example.yaml");
    expect(t).toMatchObject({ name: "example", feeder: "Example Hosting", events: "each" });
    expect(t.match.from).toEqual(["abuse@example.com", "example.net"]);
    expect([...t.fields.keys()]).toEqual(["ip", "source time"]);
    expect(t.fields.get("ip")?.map((f) => f.kind)).toEqual(["regex", "items"]);
  });

  it("names file and field of each problem, all at once", () => {
    expect(
      problemsOf(`
name: Other
match: { from: 42, subject: '(unclosed' }
category: spam
fields:
  ip: { regex: 'x', block: 'y' }
  Source Time: { mail: date }
  description: { items: body }
  url: { regex: '(?=lookahead)' }
events: many
extra: 1
`),
    ).toEqual([
      "templates/example.yaml: extra: unknown key (known: name, feeder, description, match, category, type, report type, events, fields, rows, required, constants)",
      'templates/example.yaml: name: expected lower-case letters, digits and dashes, got "Other"',
      "templates/example.yaml: feeder: is required",
      'templates/example.yaml: category: expected one of abuse, fraud, malware, info, got "spam"',
      'templates/example.yaml: events: expected each, one, per ip, per url, per domain name, got "many"',
      "templates/example.yaml: fields.ip: expected exactly one of regex, block, items or mail, got regex, block",
      "templates/example.yaml: fields.Source Time: event keys are lower case words (core/sdk/keys.ts)",
      "templates/example.yaml: fields.description.items: only ip, url and domain name are items",
      expect.stringMatching(
        /^templates\/example\.yaml: fields\.url\.regex: not a regex RE2 takes \(no lookaround or backreferences\): /,
      ),
      "templates/example.yaml: match.from: expected a list of addresses",
      expect.stringMatching(/^templates\/example\.yaml: match\.subject: not a regex RE2 takes/),
      "templates/example.yaml: type: is required",
    ]);
  });

  it("wants the name of its file, a way to match and an item to read", () => {
    expect(
      problemsOf(
        `
name: other-name
feeder: X
match: { body: 'x' }
type: spam
fields: { report id: 'id (\\d+)' }
required: [ip]
constants: { feeder: Y, service: [ssh, 22] }
`,
        "templates/example.yaml",
      ),
    ).toEqual([
      'templates/example.yaml: name: "other-name" differs from the file name (example.yaml)',
      "templates/example.yaml: category: is required",
      "templates/example.yaml: fields: needs ip, url or domain name: a report without an item gives no event",
      'templates/example.yaml: required[0]: "ip" is not one of the fields',
      "templates/example.yaml: match: needs from, to or subject (body alone would read every mail)",
      "templates/example.yaml: constants.feeder: is written from the template's own fields",
      "templates/example.yaml: constants.service: expected a string or a list of strings",
    ]);
  });

  it("checks sources: time formats, places, values and rows", () => {
    expect(
      problemsOf(`
name: example
feeder: X
match: { subject: 'x' }
type: spam
fields:
  ip: { regex: 'x', in: headers, time: iso }
  source time: { regex: 'x', time: 'YYYY-QQ' }
  type: { regex: 'x', values: [a, b] }
  url: { mail: date }
rows: { regex: '(?P<when>x)', colour: red }
`),
    ).toEqual([
      "templates/example.yaml: category: is required",
      'templates/example.yaml: fields.ip.in: expected body, subject or header:<name>, got "headers"',
      "templates/example.yaml: fields.ip.time: only source time (and rows) are read as a time",
      'templates/example.yaml: fields.source time.time: time pattern "YYYY-QQ" needs at least YYYY and MM (or MMM)',
      "templates/example.yaml: fields.type.values: expected a mapping of captured text to the value written",
      "templates/example.yaml: fields.url.mail: only `source time: { mail: date }` is known",
      "templates/example.yaml: rows.colour: unknown key (known: regex, in, time, strip)",
    ]);
  });

  it("says where YAML itself is broken", () => {
    expect(problemsOf("name: [x\nfeeder: y")).toEqual([
      expect.stringMatching(/^templates\/example\.yaml: YAML line 2: /),
    ]);
    expect(problemsOf("- just\n- a list")).toEqual([
      "templates/example.yaml: expected a mapping of name, feeder, match, ...",
    ]);
  });
});

describe("loadTemplates", () => {
  it("reports the problems of every file together", () => {
    const dir = mkdtempSync(join(tmpdir(), "templates-"));
    writeFileSync(join(dir, "example.yaml"), GOOD);
    writeFileSync(join(dir, "broken.yaml"), "name: broken\n");
    writeFileSync(join(dir, "notes.txt"), "not a template");
    const base = dir.split("/").pop() ?? "";
    expect(() => loadTemplates(dir)).toThrow(
      new TemplateError([
        `${base}/broken.yaml: feeder: is required`,
        `${base}/broken.yaml: category: is required`,
        `${base}/broken.yaml: fields: expected a mapping of event key to regex, source or list of sources`,
        `${base}/broken.yaml: match: expected a mapping with from, to, subject or body`,
        `${base}/broken.yaml: type: is required`,
      ]),
    );
    writeFileSync(join(dir, "broken.yaml"), GOOD.replace("name: example", "name: broken"));
    expect(loadTemplates(dir).map((t) => t.name)).toEqual(["broken", "example"]);
  });
});
