/**
 * `deno task check` runs this: `deno doc --lint core/mod.ts`, failing on every problem except one
 * known false positive of Deno 2.8.3: `private-type-ref` for a type that belongs to an npm package
 * (kafkajs's `Kafka`, grpc-js's client constructor), which our code cannot make public
 * (denoland/deno#27364, fixed by denoland/deno#34339 after 2.8.3; we stay on 2.8.3 for the gRPC
 * crash in 2.9, see README). Such a reference is recognised by the import that brings the type
 * into the reporting file: a bare (package) specifier, not a relative path.
 */
import { stripVTControlCharacters } from "node:util";
import { fileURLToPath } from "node:url";

/** One problem `deno doc --lint` reported. */
export interface DocLintProblem {
  readonly rule: string;
  readonly message: string;
  readonly file: string;
  readonly line: number;
}

/** Parses the text output of `deno doc --lint`. */
export function parseDocLint(output: string): DocLintProblem[] {
  const text = stripVTControlCharacters(output);
  const problems: DocLintProblem[] = [];
  for (const m of text.matchAll(/^error\[([a-z-]+)\]: (.*)\n\s*--> (.+):(\d+):\d+$/gm)) {
    problems.push({ rule: m[1]!, message: m[2]!, file: m[3]!, line: Number(m[4]) });
  }
  return problems;
}

/** Whether `problem` is the npm-type false positive: the private type is imported from a package. */
export function isNpmTypeRef(problem: DocLintProblem, source: string): boolean {
  if (problem.rule !== "private-type-ref") return false;
  const name = problem.message.match(/references private type '([^']+)'/)?.[1];
  if (!name) return false;
  for (
    const m of source.matchAll(
      /import\s+(?:type\s+)?(?:\*\s+as\s+(\w+)|\{([^}]*)\})\s*from\s*"([^"]+)"/g,
    )
  ) {
    const [, namespace, names, specifier] = m;
    if (specifier!.startsWith(".")) continue;
    const imported = (names ?? "").split(",").map((s) =>
      s.trim().replace(/^type\s+/, "").split(/\s+as\s+/).pop()
    );
    if (imported.includes(name) || (namespace && source.includes(`${namespace}.${name}`))) {
      return true;
    }
  }
  return false;
}

if (import.meta.main) {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", "core/mod.ts"],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  const problems = parseDocLint(text);
  const real: DocLintProblem[] = [];
  let known = 0;
  for (const p of problems) {
    if (isNpmTypeRef(p, await Deno.readTextFile(p.file))) known++;
    else real.push(p);
  }
  if (out.code !== 0 && problems.length === 0) {
    console.error(text);
    console.error("doc_lint: deno doc --lint failed without a problem this script can read");
    Deno.exit(1);
  }
  for (const p of real) console.error(`${p.file}:${p.line}: ${p.rule}: ${p.message}`);
  const note = known > 0 ? ` (${known} npm-type references ignored, denoland/deno#27364)` : "";
  if (real.length > 0) {
    console.error(`doc_lint: ${real.length} problem(s) in core/mod.ts's documentation${note}`);
    Deno.exit(1);
  }
  console.error(`doc_lint: core/mod.ts's documentation is clean${note}`);
}
