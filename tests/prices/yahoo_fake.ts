/**
 * A fake Yahoo Finance for yahoo-finance2's injected `fetch`: serves the recordings in
 * tests/fixtures/yahoo/ by URL host and path and records every request it sees.
 */

const FIXTURES = new URL("../fixtures/yahoo/", import.meta.url);

/** One recorded exchange, as stored in tests/fixtures/yahoo/*.json. */
interface Recording {
  request: { method: string; url: string };
  response: {
    status: number;
    statusText: string;
    headers: Record<string, string | string[]>;
    bodyText?: string;
    bodyJson?: unknown;
  };
}

/** A request the fake received. */
export interface SeenRequest {
  url: URL;
  method: string;
  cookie: string | null;
}

/** Loads one recording by file name (without `.json`). */
export async function loadRecording(name: string): Promise<Recording> {
  return JSON.parse(await Deno.readTextFile(new URL(`${name}.json`, FIXTURES)));
}

/** Builds the Response a recording describes; `bodyJson` overrides the recorded JSON body. */
export function replay(recording: Recording, bodyJson?: unknown): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(recording.response.headers)) {
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const body = bodyJson !== undefined
    ? JSON.stringify(bodyJson)
    : recording.response.bodyJson !== undefined
    ? JSON.stringify(recording.response.bodyJson)
    : recording.response.bodyText ?? "";
  const { status, statusText } = recording.response;
  return new Response(body, { status, statusText, headers });
}

/**
 * The fake. `fetch` routes:
 * - `finance.yahoo.com/quote/…` → crumb_quote_page (sets the A1/A3 cookies)
 * - `query1|query2.finance.yahoo.com/v1/test/getcrumb` → getcrumb, 401 without the A3 cookie
 * - `query1|query2.finance.yahoo.com/v7/finance/quote` → the entries of `quote.json` matching the
 *   `symbols` parameter; 401 without the recorded crumb; `quoteFailure` overrides every answer,
 *   `quoteAnswer` the answer to chosen requests
 */
export class YahooFake {
  /** Every request, in order. */
  readonly requests: SeenRequest[] = [];
  /** When set, quote requests get this instead (a recording name or a thrown error). */
  quoteFailure: string | Error | undefined;
  /**
   * When set, called with each quote request's symbols: a recording name, an error to throw or
   * a Response answers that request instead; undefined lets it through.
   */
  quoteAnswer: ((symbols: string[]) => string | Error | Response | undefined) | undefined;
  readonly #recordings: Map<string, Recording>;

  private constructor(recordings: Map<string, Recording>) {
    this.#recordings = recordings;
  }

  /** Loads the recordings. */
  static async create(): Promise<YahooFake> {
    const names = [
      "crumb_quote_page",
      "getcrumb",
      "quote",
      "quote_401",
      "quote_429",
      "quote_500",
      "quote_502",
    ];
    const recordings = new Map<string, Recording>();
    for (const name of names) recordings.set(name, await loadRecording(name));
    return new YahooFake(recordings);
  }

  /** Requests to the quote endpoint. */
  get quoteRequests(): SeenRequest[] {
    return this.requests.filter((r) => r.url.pathname === "/v7/finance/quote");
  }

  /** The injected fetch. */
  readonly fetch: typeof globalThis.fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(init?.headers);
    this.requests.push({ url, method: init?.method ?? "GET", cookie: headers.get("cookie") });
    return Promise.resolve().then(() => this.#route(url, headers));
  };

  #recording(name: string): Recording {
    const r = this.#recordings.get(name);
    if (!r) throw new Error(`no recording ${name}`);
    return r;
  }

  #route(url: URL, headers: Headers): Response {
    const cookie = headers.get("cookie") ?? "";
    if (url.host === "finance.yahoo.com" && url.pathname.startsWith("/quote/")) {
      return replay(this.#recording("crumb_quote_page"));
    }
    if (/^query[12]\.finance\.yahoo\.com$/.test(url.host)) {
      if (url.pathname === "/v1/test/getcrumb") {
        if (!cookie.includes("A3=")) return new Response("Unauthorized", { status: 401 });
        return replay(this.#recording("getcrumb"));
      }
      if (url.pathname === "/v7/finance/quote") return this.#quote(url, cookie);
    }
    return new Response("Not Found", { status: 404 });
  }

  #quote(url: URL, cookie: string): Response {
    if (this.quoteFailure instanceof Error) throw this.quoteFailure;
    if (this.quoteFailure) return replay(this.#recording(this.quoteFailure));
    const answer = this.quoteAnswer?.((url.searchParams.get("symbols") ?? "").split(","));
    if (answer instanceof Error) throw answer;
    if (answer instanceof Response) return answer;
    if (answer !== undefined) return replay(this.#recording(answer));
    const crumb = this.#recording("getcrumb").response.bodyText;
    if (url.searchParams.get("crumb") !== crumb || !cookie.includes("A3=")) {
      return new Response(
        JSON.stringify({
          finance: { result: null, error: { code: "Unauthorized", description: "Invalid Crumb" } },
        }),
        { status: 401, headers: { "content-type": "application/json;charset=utf-8" } },
      );
    }
    const wanted = new Set((url.searchParams.get("symbols") ?? "").split(","));
    const recording = this.#recording("quote");
    const body = recording.response.bodyJson as {
      quoteResponse: { result: { symbol: string }[]; error: null };
    };
    const result = body.quoteResponse.result.filter((q) => wanted.has(q.symbol));
    return replay(recording, { quoteResponse: { result, error: null } });
  }
}
