/**
 * `deno task check:layers`: checks that every import in core/ points the way the README's
 * architecture section says (from the outside in), and that only adapters import drivers.
 * Prints one line per violation and exits 1 when there is any.
 *
 * Layers, outermost first:
 *   composition  services/, cli/   may import anything in core/
 *   adapters     mysql/, kafka/, grpc/, prices/, mail/
 *                                  features, messages, domain, plumbing, and their own folder
 *   features     commands/, queries/, alerts/, collector/, notify/
 *                                  messages, domain, plumbing, and their own folder
 *   messages     messages/         domain, plumbing
 *   domain       domain/           domain only
 *   plumbing     config/, log/, metrics/, runtime/
 *                                  plumbing only
 */
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** A folder of core/ and the layer it belongs to. */
export const LAYER_OF: Readonly<Record<string, Layer>> = {
  services: "composition",
  cli: "composition",
  mysql: "adapters",
  kafka: "adapters",
  grpc: "adapters",
  prices: "adapters",
  mail: "adapters",
  commands: "features",
  queries: "features",
  alerts: "features",
  collector: "features",
  notify: "features",
  messages: "messages",
  domain: "domain",
  config: "plumbing",
  log: "plumbing",
  metrics: "plumbing",
  runtime: "plumbing",
};

/** The layers, innermost first. */
export type Layer = "plumbing" | "domain" | "messages" | "features" | "adapters" | "composition";

const _MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  plumbing: ["plumbing"],
  domain: ["domain"],
  messages: ["messages", "domain", "plumbing"],
  // A feature may use its own folder, but not another feature's.
  features: ["messages", "domain", "plumbing"],
  // An adapter implements features' ports; it never uses another adapter.
  adapters: ["features", "messages", "domain", "plumbing"],
  composition: ["composition", "adapters", "features", "messages", "domain", "plumbing"],
};

/** npm drivers and the one adapter folder allowed to import each (composition may too). */
const _DRIVERS: Record<string, string> = {
  "mysql2": "mysql",
  "kafkajs": "kafka",
  "nodemailer": "mail",
  "yahoo-finance2": "prices",
  "@grpc/": "grpc",
  "grpc-health-check": "grpc",
};

/** One import that runs against the layers. */
export interface Violation {
  readonly file: string;
  readonly specifier: string;
  readonly reason: string;
}

/** The violations in the core/ folder under `root`. */
export async function checkLayers(root: string): Promise<Violation[]> {
  const core = join(root, "core");
  const violations: Violation[] = [];
  for await (const file of _tsFiles(core)) {
    const rel = relative(core, file);
    if (rel === "mod.ts") continue;
    const folder = rel.split("/")[0]!;
    const layer = LAYER_OF[folder];
    const where = relative(root, file);
    if (layer === undefined) {
      violations.push({ file: where, specifier: "", reason: `folder core/${folder} has no layer` });
      continue;
    }
    const text = await Deno.readTextFile(file);
    for (const m of text.matchAll(/^\s*(?:import|export)\b[^"';]*?from\s*["']([^"']+)["']/gm)) {
      const spec = m[1]!;
      if (spec.startsWith(".")) {
        const target = relative(core, resolve(dirname(file), spec));
        if (target.startsWith("..")) {
          violations.push({ file: where, specifier: spec, reason: "imports outside core/" });
          continue;
        }
        if (target === "mod.ts") {
          violations.push({ file: where, specifier: spec, reason: "imports core/mod.ts" });
          continue;
        }
        const targetFolder = target.split("/")[0]!;
        if (targetFolder === folder) continue;
        const targetLayer = LAYER_OF[targetFolder];
        if (targetLayer === undefined || !_MAY_IMPORT[layer].includes(targetLayer)) {
          violations.push({
            file: where,
            specifier: spec,
            reason: `${layer} (core/${folder}) may not import ${
              targetLayer ?? "?"
            } (core/${targetFolder})`,
          });
        }
        continue;
      }
      for (const [driver, owner] of Object.entries(_DRIVERS)) {
        const name = spec.replace(/^npm:/, "");
        if (
          (name === driver || name.startsWith(driver.endsWith("/") ? driver : driver + "/")) &&
          folder !== owner && layer !== "composition"
        ) {
          violations.push({
            file: where,
            specifier: spec,
            reason: `only core/${owner} (and composition) may import the driver ${driver}`,
          });
        }
      }
    }
  }
  return violations;
}

async function* _tsFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* _tsFiles(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

if (import.meta.main) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const violations = await checkLayers(root);
  for (const v of violations) {
    console.error(`${v.file}: ${v.specifier ? `"${v.specifier}": ` : ""}${v.reason}`);
  }
  if (violations.length > 0) {
    console.error(`check_layers: ${violations.length} import(s) run against the layers`);
    Deno.exit(1);
  }
  console.error("check_layers: every import in core/ follows the layers");
}
