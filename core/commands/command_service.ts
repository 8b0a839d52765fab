import { createHash } from "node:crypto";
import type { ConsentLinks } from "../domain/consent_links.ts";
import { type Email, parseEmail } from "../domain/email.ts";
import { parseTicker, type Ticker } from "../domain/ticker.ts";
import { checkThreshold, parseThresholds } from "../domain/thresholds.ts";
import type { User } from "../domain/user.ts";
import { ValidationError } from "../domain/validation_error.ts";
import { type Logger, silentLogger } from "../log/logger.ts";
import type { ConfirmationMessage } from "../messages/confirmation_message.ts";
import { MESSAGE_VERSION } from "../messages/message_version.ts";
import type { CommandLedger, LedgerEntry } from "./command_ledger.ts";
import { type CommandAnswer, type CommandReply, commandReplyText } from "./command_reply.ts";
import { Outcome, type OutcomeCode } from "./outcome.ts";
import { RequestCache } from "./request_cache.ts";
import { RequestIdConflictError } from "./request_id_conflict_error.ts";
import type { TickerDirectory } from "./ticker_directory.ts";
import type { UserRepository } from "./user_repository.ts";

/** Longest request_id accepted. */
export const MAX_REQUEST_ID_LENGTH = 128;

/** RegisterUser as received; thresholds are absent when not set. */
export interface RegisterUserInput {
  /** The user's e-mail address, required; trimmed and lower-cased. */
  email?: string | undefined;
  /** Yahoo Finance symbol, e.g. "AAPL", upper-cased; required to register, empty keeps it. */
  ticker?: string | undefined;
  /** Idempotency key, required: 1-128 printable ASCII characters. */
  requestId?: string | undefined;
  /** Alert above this price (> 0); absent or null: none on register, unchanged on update. */
  highValue?: number | null | undefined;
  /** Alert below this price (> 0, < high); absent or null: none on register, unchanged on update. */
  lowValue?: number | null | undefined;
}

/** LoginUser and DeleteUser as received. */
export interface UserRefInput {
  /** The user's e-mail address, required; trimmed and lower-cased. */
  email?: string | undefined;
  /** Idempotency key, required: 1-128 printable ASCII characters. */
  requestId?: string | undefined;
}

/** UpdateUser as received: absent fields keep their value; `clear*` remove a threshold. */
export interface UpdateUserInput extends RegisterUserInput {
  /** Removes the high threshold; cannot be combined with `highValue`. */
  clearHigh?: boolean | undefined;
  /** Removes the low threshold; cannot be combined with `lowValue`. */
  clearLow?: boolean | undefined;
  /**
   * Moves the subscription to this address (absent or empty: keeps it); with confirmation on,
   * the new address must be confirmed before it gets alerts.
   */
  newEmail?: string | undefined;
}

/** Dependencies of {@linkcode CommandService}. */
export interface CommandServiceDeps {
  /** Where commands run at most once and their outcomes are stored (the source of truth). */
  ledger: CommandLedger;
  /** Defaults to a cache of 10,000 entries and 600 s. */
  cache?: RequestCache;
  /**
   * Checks a new ticker against the price source (a `CachedTickerDirectory` in the server);
   * absent: every well-formed ticker is accepted.
   */
  tickers?: TickerDirectory | undefined;
  /** Logs tickers accepted unchecked because the source did not answer. Default silent. */
  logger?: Logger;
  /**
   * Double opt-in (`REQUIRE_CONFIRMATION`): a new address gets a confirmation mail whose link
   * (made by `links`, good for `ttlMs`) must be followed before it gets alerts. Absent: new
   * addresses are confirmed at once.
   */
  confirmation?: ConfirmationSettings | undefined;
}

/** How new addresses are confirmed; see {@linkcode CommandServiceDeps.confirmation}. */
export interface ConfirmationSettings {
  /** Makes the signed confirmation links. */
  links: ConsentLinks;
  /** How long a confirmation link works, in ms (default 7 days in the server). */
  ttlMs: number;
  /** Clock of the links' expiry; default the system clock. */
  now?: () => Date;
}

/**
 * The write side: register, login, update and delete, each executed at most once per
 * request_id. Invalid input throws {@linkcode ValidationError} before anything is stored.
 *
 * @example
 * ```ts
 * const service = new CommandService({ ledger });
 * const { outcome } = await service.register({ email: "a@b.co", ticker: "AAPL", requestId: "r1", highValue: 200 });
 * ```
 */
export class CommandService {
  readonly #ledger: CommandLedger;
  readonly #cache: RequestCache;
  readonly #tickers: TickerDirectory | undefined;
  readonly #logger: Logger;
  readonly #confirmation: ConfirmationSettings | undefined;

  /**
   * Takes the ledger and, optionally, the cache, the ticker directory, a logger and the
   * confirmation settings.
   */
  constructor(
    { ledger, cache = new RequestCache(), tickers, logger = silentLogger, confirmation }:
      CommandServiceDeps,
  ) {
    this.#ledger = ledger;
    this.#cache = cache;
    this.#tickers = tickers;
    this.#logger = logger;
    this.#confirmation = confirmation;
  }

  /**
   * Subscribes a new user. ALREADY_EXISTS when the e-mail is registered; a ticker the price
   * source does not know is a {@linkcode ValidationError} (accepted when the source is down).
   * With confirmation on, the address stays unconfirmed and a confirmation mail is queued in the
   * same transaction.
   */
  async register(input: RegisterUserInput): Promise<CommandAnswer> {
    const action = "register user";
    const requestId = _requestId(input.requestId, action);
    const user: User = {
      email: parseEmail(input.email, action),
      ticker: parseTicker(input.ticker, action),
      thresholds: parseThresholds(input.highValue, input.lowValue, action),
    };
    return await this.#once(
      {
        requestId,
        command: "RegisterUser",
        payload: user,
        precheck: () => this.#checkTicker(user.ticker, action),
      },
      (code) =>
        code === "OK"
          ? {
            key: this.#confirmation ? "registered_unconfirmed" : "registered",
            email: user.email,
            ticker: user.ticker,
          }
          : { key: "already_registered", email: user.email },
      async (users) => {
        const pending = this.#confirmation && this.#confirmationOf(user.email, this.#confirmation);
        const inserted = await users.insert(user, ...(pending ? [pending.nonce] : []));
        if (inserted === "duplicate") return "ALREADY_EXISTS";
        if (pending) await users.queueConfirmation(pending.message);
        return "OK";
      },
    );
  }

  // A fresh nonce and the message that mails its signed link.
  #confirmationOf(
    email: Email,
    { links, ttlMs, now = () => new Date() }: ConfirmationSettings,
  ): { nonce: string; message: ConfirmationMessage } {
    const nonce = crypto.randomUUID().replaceAll("-", "");
    const expiresAt = new Date(now().getTime() + ttlMs);
    return {
      nonce,
      message: {
        version: MESSAGE_VERSION,
        kind: "confirmation",
        confirmation_id: `confirm-${nonce}`,
        email,
        confirm_url: links.confirmUrl({ email, nonce, expiresAt }),
        expires_at: expiresAt.toISOString(),
      },
    };
  }

  /**
   * Checks that the user exists; the reply says when its address is not confirmed yet (not on a
   * replayed request_id, which says what a confirmed login says). NOT_FOUND otherwise.
   */
  async login(input: UserRefInput): Promise<CommandAnswer> {
    const action = "log in";
    const requestId = _requestId(input.requestId, action);
    const email = parseEmail(input.email, action);
    let unconfirmed = false;
    return await this.#once(
      { requestId, command: "LoginUser", payload: { email } },
      (code) => ({
        key: code !== "OK" ? "not_registered" : unconfirmed ? "logged_in_unconfirmed" : "logged_in",
        email,
      }),
      async (users) => {
        const user = await users.findForUpdate(email);
        if (!user) return "NOT_FOUND";
        unconfirmed = !user.confirmed;
        return "OK";
      },
    );
  }

  /**
   * Changes ticker, thresholds and/or the address; a changed threshold is re-armed. NOT_FOUND
   * when unknown; ALREADY_EXISTS when the new address has a subscription. A new address needs a
   * new confirmation when confirmation is on.
   */
  async update(input: UpdateUserInput): Promise<CommandAnswer> {
    const action = "update user";
    const requestId = _requestId(input.requestId, action);
    const email = parseEmail(input.email, action);
    const ticker = (input.ticker ?? "").trim() === "" ? null : parseTicker(input.ticker, action);
    const high = checkThreshold(input.highValue, "high_value", action);
    const low = checkThreshold(input.lowValue, "low_value", action);
    const clearHigh = input.clearHigh === true;
    const clearLow = input.clearLow === true;
    const raw = (input.newEmail ?? "").trim();
    const parsedNew = raw === "" ? null : parseEmail(raw, action);
    const newEmail = parsedNew === email ? null : parsedNew;
    if (clearHigh && high !== null) {
      throw new ValidationError(
        `Cannot ${action}: give high_value or clear_high_value, not both`,
        "high_value",
      );
    }
    if (clearLow && low !== null) {
      throw new ValidationError(
        `Cannot ${action}: give low_value or clear_low_value, not both`,
        "low_value",
      );
    }
    if (
      ticker === null && high === null && low === null && !clearHigh && !clearLow &&
      newEmail === null
    ) {
      throw new ValidationError(
        `Cannot ${action}: nothing to change (give ticker, high_value, low_value, ` +
          `clear_high_value, clear_low_value or new_email)`,
      );
    }
    const payload = newEmail === null
      ? { email, ticker, high, low, clearHigh, clearLow }
      : { email, ticker, high, low, clearHigh, clearLow, newEmail };
    const confirmation = newEmail === null ? undefined : this.#confirmation;
    const reply = (code: OutcomeCode): CommandReply =>
      code === "OK"
        ? {
          key: confirmation ? "updated_unconfirmed" : "updated",
          email: newEmail ?? email,
        }
        : code === "ALREADY_EXISTS"
        ? { key: "already_registered", email: newEmail ?? email }
        : { key: "not_registered", email };
    const precheck = ticker === null ? undefined : () => this.#checkTicker(ticker, action);
    const request = { requestId, command: "UpdateUser", payload, precheck };
    return await this.#once(request, reply, async (users) => {
      const before = await users.findForUpdate(email);
      if (!before) return "NOT_FOUND";
      const after: User = {
        email,
        ticker: ticker ?? before.ticker,
        thresholds: parseThresholds(
          clearHigh ? null : high ?? before.thresholds.high,
          clearLow ? null : low ?? before.thresholds.low,
          action,
        ),
      };
      if (newEmail !== null && (await users.findForUpdate(newEmail))) return "ALREADY_EXISTS";
      await users.update(before, after);
      if (newEmail !== null) {
        const pending = confirmation && this.#confirmationOf(newEmail, confirmation);
        if (pending) {
          await users.changeEmail(email, newEmail, pending.nonce);
          await users.queueConfirmation(pending.message);
        } else {
          await users.changeEmail(email, newEmail);
        }
      }
      return "OK";
    });
  }

  /** Removes the user and all its state. NOT_FOUND when unknown. */
  async delete(input: UserRefInput): Promise<CommandAnswer> {
    const action = "delete user";
    const requestId = _requestId(input.requestId, action);
    const email = parseEmail(input.email, action);
    return await this.#once(
      { requestId, command: "DeleteUser", payload: { email } },
      (code) => ({ key: code === "OK" ? "deleted" : "not_registered", email }),
      async (users) => (await users.delete(email)) ? "OK" : "NOT_FOUND",
    );
  }

  // An unknown ticker is refused; an unanswered check lets it through (the collector marks it
  // unknown later if it is).
  async #checkTicker(ticker: Ticker, action: string): Promise<void> {
    if (!this.#tickers) return;
    let known: boolean;
    try {
      known = await this.#tickers.isKnown(ticker);
    } catch (err) {
      this.#logger.warn("ticker accepted unchecked: the price source did not answer", {
        ticker,
        err,
      });
      return;
    }
    if (!known) {
      throw new ValidationError(
        `Cannot ${action}: ticker "${ticker}" is not known to the price source`,
        "ticker",
      );
    }
  }

  // Runs `work` at most once; the stored outcome carries the reply in English, and the answer
  // carries the reply itself (rebuilt from the outcome's code, so a replay says the same).
  // `precheck` (the ticker check) runs only for a request not answered from the cache, so a
  // retry of an accepted request is not refused because the source changed its mind meanwhile.
  async #once(
    request: {
      requestId: string;
      command: string;
      payload: unknown;
      precheck?: (() => Promise<void>) | undefined;
    },
    reply: (code: OutcomeCode) => CommandReply,
    work: (users: UserRepository) => Promise<OutcomeCode>,
  ): Promise<CommandAnswer> {
    const entry: LedgerEntry = {
      requestId: request.requestId,
      command: request.command,
      fingerprint: _fingerprint(request.command, request.payload),
    };
    const cached = this.#cache.get(entry.requestId);
    if (cached) {
      if (cached.fingerprint !== entry.fingerprint) {
        throw new RequestIdConflictError(entry.requestId);
      }
      return { outcome: cached.outcome, replayed: true, reply: reply(cached.outcome.code) };
    }
    await request.precheck?.();
    const result = await this.#ledger.once(entry, async (users) => {
      const code = await work(users);
      return _outcome(code, commandReplyText(reply(code), "en"), request.command);
    });
    this.#cache.set(entry.requestId, { fingerprint: entry.fingerprint, outcome: result.outcome });
    return { ...result, reply: reply(result.outcome.code) };
  }
}

function _outcome(code: OutcomeCode, message: string, command: string): Outcome {
  if (code === "ALREADY_EXISTS") return Outcome.alreadyExists(message);
  if (code === "NOT_FOUND") return Outcome.notFound(message);
  return command === "LoginUser" ? Outcome.ok(message, true) : Outcome.ok(message);
}

function _requestId(raw: string | undefined, action: string): string {
  const id = (raw ?? "").trim();
  if (id === "") {
    throw new ValidationError(`Cannot ${action}: request_id is required`, "request_id");
  }
  if (id.length > MAX_REQUEST_ID_LENGTH || !/^[\x21-\x7e]+$/.test(id)) {
    throw new ValidationError(
      `Cannot ${action}: request_id must be 1-${MAX_REQUEST_ID_LENGTH} printable ASCII characters`,
      "request_id",
    );
  }
  return id;
}

function _fingerprint(command: string, payload: unknown): string {
  return createHash("sha256").update(JSON.stringify([command, payload])).digest("hex");
}
