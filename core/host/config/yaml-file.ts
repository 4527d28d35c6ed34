/** Read one YAML config file, with line numbers for problems and `${VAR}` substituted. */
import { readFile } from "node:fs/promises";
import { LineCounter, parseDocument } from "yaml";
import { substituteEnv, type Env, type Substitution } from "./env.js";
import { ProblemList } from "./problems.js";

export interface YamlFile {
  /** The parsed value after substitution; undefined when the file could not be read or parsed. */
  value?: unknown;
  problems: ProblemList;
  substitutions: Substitution[];
  /** Why the file could not be read (the caller says which setting named it). */
  readError?: string;
}

export async function readYamlFile(file: string, env: Env): Promise<YamlFile> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const readError =
      code === "ENOENT" ? "no such file" : err instanceof Error ? err.message : String(err);
    return { problems: new ProblemList(file), substitutions: [], readError };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const problems = new ProblemList(file);
    for (const err of doc.errors) {
      const line = lines.linePos(err.pos[0]).line;
      // yaml's own messages say what is wrong ("Map keys must be unique"); keep their first line.
      const message = err.message.split("\n")[0] ?? err.code;
      problems.error([], message, { where: "YAML syntax", line });
    }
    return { problems, substitutions: [] };
  }
  const { value, problems: envProblems, substitutions } = substituteEnv(doc.toJS(), env);
  const problems = new ProblemList(file, value, doc, lines);
  for (const w of doc.warnings)
    problems.warn([], w.message, { where: "YAML", line: lines.linePos(w.pos[0]).line });
  for (const p of envProblems) problems.error(p.path, p.message);
  return { value, problems, substitutions };
}
