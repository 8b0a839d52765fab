/** Reading and validating configuration from environment variables. */

/** A configuration value is missing or malformed; `variable` names the culprit. */
export class ConfigError extends Error {
  /** The environment variable at fault. */
  readonly variable: string;
  /** Takes the variable's name and what is wrong with it; the message is `VARIABLE: message`. */
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = "ConfigError";
    this.variable = variable;
  }
}

/** The environment as a plain map (e.g. `Deno.env.toObject()`). */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Typed readers over an environment map. Each throws {@linkcode ConfigError} naming the
 * variable when its value is present but invalid; an empty value counts as absent.
 *
 * @example
 * ```ts
 * const r = new EnvReader({ PORT: "80" });
 * r.int("PORT", 50051, { min: 1, max: 65535 }); // 80
 * ```
 */
export class EnvReader {
  readonly #env: Env;
  /** Takes the environment map to read (it is not copied). */
  constructor(env: Env) {
    this.#env = env;
  }

  #raw(name: string): string | undefined {
    const v = this.#env[name]?.trim();
    return v === undefined || v === "" ? undefined : v;
  }

  // The value of `name`, or the content of the file `${name}_FILE` names (container secrets).
  #rawOrFile(name: string): string | undefined {
    const direct = this.#raw(name);
    const path = this.#raw(`${name}_FILE`);
    if (path === undefined) return direct;
    if (direct !== undefined) {
      throw new ConfigError(`${name}_FILE`, `cannot be set together with ${name}`);
    }
    let content: string;
    try {
      content = Deno.readTextFileSync(path).trim();
    } catch (err) {
      throw new ConfigError(`${name}_FILE`, `cannot read "${path}" (${(err as Error).name})`);
    }
    if (content === "") throw new ConfigError(`${name}_FILE`, `"${path}" is empty`);
    return content;
  }

  /**
   * A secret (token, password): the value of `name`, or the content of the file named by
   * `${name}_FILE` (trimmed), e.g. a Docker secret; undefined when neither is set. Setting both
   * is an error. Neither the value nor the file's content ever appears in an error.
   */
  secret(name: string): string | undefined {
    return this.#rawOrFile(name);
  }

  /** A file path that must name a readable file; undefined when unset. */
  file(name: string): string | undefined {
    const path = this.#raw(name);
    if (path === undefined) return undefined;
    try {
      if (!Deno.statSync(path).isFile) throw new ConfigError(name, `"${path}" is not a file`);
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError(name, `cannot read "${path}" (${(err as Error).name})`);
    }
    return path;
  }

  /** A string, or `fallback` when unset. */
  string(name: string, fallback: string): string {
    return this.#raw(name) ?? fallback;
  }

  /** An integer within [min, max]. */
  int(name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
    const raw = this.#raw(name);
    if (raw === undefined) return fallback;
    if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be an integer, got "${raw}"`);
    return this.#inRange(name, Number(raw), range);
  }

  /** A finite number within [min, max]. */
  number(name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
    const raw = this.#raw(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new ConfigError(name, `must be a number, got "${raw}"`);
    return this.#inRange(name, n, range);
  }

  #inRange(name: string, n: number, { min, max }: { min?: number; max?: number }): number {
    if (min !== undefined && n < min) throw new ConfigError(name, `must be ≥ ${min}, got ${n}`);
    if (max !== undefined && n > max) throw new ConfigError(name, `must be ≤ ${max}, got ${n}`);
    return n;
  }

  /** One of `choices`. */
  oneOf<T extends string>(name: string, fallback: T, choices: readonly T[]): T {
    const raw = this.#raw(name);
    if (raw === undefined) return fallback;
    if (!(choices as readonly string[]).includes(raw)) {
      throw new ConfigError(name, `must be one of ${choices.join(", ")}, got "${raw}"`);
    }
    return raw as T;
  }

  /** `true`/`false`/`1`/`0`/`yes`/`no`. */
  bool(name: string, fallback: boolean): boolean {
    const raw = this.#raw(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (["1", "true", "yes"].includes(raw)) return true;
    if (["0", "false", "no"].includes(raw)) return false;
    throw new ConfigError(name, `must be true or false, got "${raw}"`);
  }

  /**
   * A URL whose scheme is one of `protocols` (e.g. ["mysql:"]), from `name` or, as it may hold a
   * password, from the file `${name}_FILE` names (see {@linkcode EnvReader.secret}). Passwords
   * never appear in errors.
   */
  url(name: string, fallback: string, protocols: readonly string[]): string {
    const raw = this.#rawOrFile(name) ?? fallback;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ConfigError(name, "is not a valid URL");
    }
    if (!protocols.includes(url.protocol)) {
      throw new ConfigError(name, `must use ${protocols.join(" or ")}, got "${url.protocol}"`);
    }
    if (url.protocol === "mysql:" && !/^\/[A-Za-z0-9_]{1,64}$/.test(url.pathname)) {
      throw new ConfigError(name, "must name a database of letters, digits or underscores");
    }
    return raw;
  }

  /** A `host:port` listen or connect address. */
  hostPort(name: string, fallback: string): string {
    const raw = this.#raw(name) ?? fallback;
    parseHostPort(raw, name);
    return raw;
  }

  /** A comma-separated list of `host:port`. */
  hostPortList(name: string, fallback: string): string[] {
    const raw = this.#raw(name) ?? fallback;
    const items = raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
    if (items.length === 0) throw new ConfigError(name, "must list at least one host:port");
    for (const item of items) parseHostPort(item, name);
    return items;
  }
}

/** Splits `host:port` (IPv6 in brackets allowed); throws {@linkcode ConfigError} for `variable`. */
export function parseHostPort(raw: string, variable: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/.exec(raw);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new ConfigError(variable, `must be host:port, got "${raw}"`);
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port };
}
