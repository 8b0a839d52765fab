import type { RowDataPacket } from "mysql2/promise";
import { alertIdOf } from "../domain/alert_id.ts";
import type { AlertRules } from "../domain/alert_mode.ts";
import { type AlertMessage, MESSAGE_VERSION } from "../messages/messages.ts";
import type { Evaluation, ThresholdEvaluator } from "../alerts/threshold_evaluator.ts";
import type { Quote } from "../domain/quote.ts";
import type { MysqlDatabase } from "./mysql_database.ts";

interface _Row extends RowDataPacket {
  id: number;
  email: string;
  ticker: string;
  kind: "HIGH" | "LOW";
  threshold: number;
  price: number;
  fire: number;
}

// The cycle's quotes as a table: one JSON parameter, whatever the number of tickers.
const _QUOTES = `JSON_TABLE(?, '$[*]' COLUMNS (
  ticker VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$.t',
  price DOUBLE PATH '$.p'))`;

// Each branch reads the index (ticker, X_fired, X_value) for each of the cycle's tickers: the rows
// fetched grow with the number of thresholds that change state, not with the subscriptions.
// STRAIGHT_JOIN and FORCE INDEX pin that plan: with some data distributions the optimizer would
// otherwise drive from `users` (measured: 5 s instead of 0.4 s per cycle at 1M subscriptions).
function _branch(
  kind: "HIGH" | "LOW",
  { fired, cond, fire }: { fired: boolean; cond: string; fire: boolean },
): string {
  const side = kind.toLowerCase();
  const index = `idx_users_${side}`;
  return `SELECT u.id, u.email, u.ticker, '${kind}' AS kind, u.${side}_value AS threshold,
            q.price, ${fire ? 1 : 0} AS fire
       FROM ${_QUOTES} AS q
       STRAIGHT_JOIN users u FORCE INDEX (${index})
         ON u.ticker = q.ticker AND u.${side}_fired = ${fired ? "TRUE" : "FALSE"} AND ${cond}`;
}

// Edge: armed thresholds the price passed fire; fired ones the price left by the margin re-arm.
function _edgeQuery(): string {
  return [
    _branch("HIGH", { fired: false, cond: "u.high_value < q.price", fire: true }),
    _branch("LOW", { fired: false, cond: "u.low_value > q.price", fire: true }),
    _branch("HIGH", { fired: true, cond: "u.high_value >= q.price / (1 - ?)", fire: false }),
    _branch("LOW", { fired: true, cond: "u.low_value <= q.price / (1 + ?)", fire: false }),
  ].join("\nUNION ALL\n");
}

// Level: every threshold the price is beyond fires, whatever its flag (both flag values read).
function _levelQuery(): string {
  return [false, true].flatMap((fired) => [
    _branch("HIGH", { fired, cond: "u.high_value < q.price", fire: true }),
    _branch("LOW", { fired, cond: "u.low_value > q.price", fire: true }),
  ]).join("\nUNION ALL\n");
}

// Applies the fired/re-armed flags, but only where ticker and threshold are still those that
// were evaluated: a threshold changed meanwhile was re-armed by the change and stays armed.
const _COMMIT = `UPDATE users u JOIN JSON_TABLE(?, '$[*]' COLUMNS (
    id BIGINT UNSIGNED PATH '$.i',
    ticker VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$.t',
    h INT PATH '$.h', hv DOUBLE PATH '$.hv', l INT PATH '$.l', lv DOUBLE PATH '$.lv')) AS f
  ON u.id = f.id AND u.ticker = f.ticker
  SET u.high_fired = IF(f.h IS NOT NULL AND u.high_value <=> f.hv, f.h, u.high_fired),
      u.low_fired = IF(f.l IS NOT NULL AND u.low_value <=> f.lv, f.l, u.low_fired)`;

const _COMMIT_CHUNK = 10_000;

interface _Flip {
  i: number;
  t: string;
  h: number | null;
  hv: number | null;
  l: number | null;
  lv: number | null;
}

/**
 * {@linkcode ThresholdEvaluator} on the `users` table: one set-based query per cycle finds every
 * threshold that fires (and, in edge mode, every fired one that re-arms); `commit` stores the new
 * state in one UPDATE.
 */
export class MysqlThresholdEvaluator implements ThresholdEvaluator {
  readonly #db: MysqlDatabase;
  readonly #rules: AlertRules;
  constructor(db: MysqlDatabase, rules: AlertRules) {
    if (!(rules.hysteresis >= 0 && rules.hysteresis < 1)) {
      throw new RangeError(`hysteresis must be in [0, 1), got ${rules.hysteresis}`);
    }
    this.#db = db;
    this.#rules = rules;
  }

  async evaluate(cycleId: string, quotes: readonly Quote[]): Promise<Evaluation> {
    if (quotes.length === 0) return { alerts: [], transitions: 0, commit: () => Promise.resolve() };
    const byTicker = new Map(quotes.map((q) => [q.ticker, q]));
    const json = JSON.stringify([...byTicker.values()].map((q) => ({ t: q.ticker, p: q.price })));
    const edge = this.#rules.mode === "edge";
    const h = this.#rules.hysteresis;
    const rows = await this.#db.withConnection(async (sql) => {
      const [rows] = edge
        ? await sql.query<_Row[]>(_edgeQuery(), [json, json, json, h, json, h])
        : await sql.query<_Row[]>(_levelQuery(), [json, json, json, json]);
      return rows;
    });
    const alerts: AlertMessage[] = [];
    const flips = new Map<number, _Flip>();
    for (const r of rows) {
      const threshold = Number(r.threshold);
      if (r.fire) {
        const at = byTicker.get(r.ticker)?.at ?? new Date();
        alerts.push({
          version: MESSAGE_VERSION,
          alert_id: alertIdOf({
            cycleId,
            email: r.email,
            ticker: r.ticker,
            thresholdType: r.kind,
            thresholdValue: threshold,
          }),
          email: r.email,
          ticker: r.ticker,
          threshold_value: threshold,
          threshold_type: r.kind,
          value_ticker: Number(r.price),
          timestamp: at.toISOString(),
        });
      }
      if (!edge) continue;
      const flip = flips.get(r.id) ??
        { i: r.id, t: r.ticker, h: null, hv: null, l: null, lv: null };
      if (r.kind === "HIGH") [flip.h, flip.hv] = [r.fire ? 1 : 0, threshold];
      else [flip.l, flip.lv] = [r.fire ? 1 : 0, threshold];
      flips.set(r.id, flip);
    }
    const commit = async () => {
      // In chunks, to stay far below max_allowed_packet; each chunk is one set-based UPDATE and
      // safe to repeat, so a crash between chunks only means the cycle is evaluated again.
      const all = [...flips.values()];
      for (let i = 0; i < all.length; i += _COMMIT_CHUNK) {
        const chunk = JSON.stringify(all.slice(i, i + _COMMIT_CHUNK));
        await this.#db.withConnection((sql) => sql.query(_COMMIT, [chunk]));
      }
    };
    return { alerts, transitions: edge ? rows.length : alerts.length, commit };
  }
}
