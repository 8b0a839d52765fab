import type { RowDataPacket } from "mysql2/promise";
import { alertIdOf } from "../alerts/alert_id.ts";
import type { AlertRules } from "../alerts/alert_mode.ts";
import { type AlertMessage, MESSAGE_VERSION } from "../alerts/messages.ts";
import type { Evaluation, ThresholdEvaluator } from "../alerts/threshold_evaluator.ts";
import type { Quote } from "../prices/quote.ts";
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

// Each branch is a range scan on (ticker, X_fired, X_value): the work grows with the number of
// thresholds that change state, not with the number of subscriptions.
function _edgeQuery(): string {
  const branch = (kind: string, fired: string, cond: string, fire: number) =>
    `SELECT u.id, u.email, u.ticker, '${kind}' AS kind, u.${kind.toLowerCase()}_value AS threshold,
            q.price, ${fire} AS fire
       FROM ${_QUOTES} AS q
       JOIN users u ON u.ticker = q.ticker AND u.${fired} = ${fire ? "FALSE" : "TRUE"} AND ${cond}`;
  return [
    branch("HIGH", "high_fired", "u.high_value < q.price", 1),
    branch("LOW", "low_fired", "u.low_value > q.price", 1),
    branch("HIGH", "high_fired", "u.high_value >= q.price / (1 - ?)", 0),
    branch("LOW", "low_fired", "u.low_value <= q.price / (1 + ?)", 0),
  ].join("\nUNION ALL\n");
}

function _levelQuery(): string {
  return `SELECT u.id, u.email, u.ticker, 'HIGH' AS kind, u.high_value AS threshold, q.price, 1 AS fire
            FROM ${_QUOTES} AS q JOIN users u ON u.ticker = q.ticker AND u.high_value < q.price
          UNION ALL
          SELECT u.id, u.email, u.ticker, 'LOW' AS kind, u.low_value AS threshold, q.price, 1 AS fire
            FROM ${_QUOTES} AS q JOIN users u ON u.ticker = q.ticker AND u.low_value > q.price`;
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
        : await sql.query<_Row[]>(_levelQuery(), [json, json]);
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
