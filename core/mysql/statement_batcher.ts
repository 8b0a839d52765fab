/** Group commit for small statements: concurrent calls share one multi-row statement. */

/**
 * Runs the calls made while a statement is in flight as the next statement (group commit): the
 * first call goes out at the end of the current turn of the event loop (with whatever else was
 * added in that turn), and while a statement runs every further call waits for it and then goes
 * out with all the others that waited, up to `maxBatch` per statement. Under load the statements
 * grow with the load instead of their number; alone, a call waits for no timer.
 *
 * Each call resolves only with its own result, once its statement finished (for a write: once
 * its row is committed), and a failed statement rejects every call in it.
 *
 * @example
 * ```ts
 * const checks = new StatementBatcher((ids: string[]) => selectSentAmong(ids));
 * const sent = await checks.add(alertId); // one SELECT … IN (…) for all concurrent callers
 * ```
 */
export class StatementBatcher<In, Out> {
  readonly #run: (inputs: In[]) => Promise<Out[]>;
  readonly #maxBatch: number;
  #queue: { input: In; resolve: (out: Out) => void; reject: (err: unknown) => void }[] = [];
  #busy = false;
  #statements = 0;

  /** `run` executes one statement for its inputs and returns one output per input, in order. */
  constructor(
    run: (inputs: In[]) => Promise<Out[]>,
    { maxBatch = 500 }: { maxBatch?: number } = {},
  ) {
    this.#run = run;
    this.#maxBatch = maxBatch;
  }

  /** Statements run so far. */
  get statements(): number {
    return this.#statements;
  }

  /** Queues `input` for the next statement; resolves with its output. */
  add(input: In): Promise<Out> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ input, resolve, reject });
      if (!this.#busy) {
        this.#busy = true;
        setTimeout(() => this.#next(), 0);
      }
    });
  }

  #next(): void {
    const batch = this.#queue.splice(0, this.#maxBatch);
    if (batch.length === 0) {
      this.#busy = false;
      return;
    }
    this.#statements++;
    let run: Promise<Out[]>;
    try {
      run = this.#run(batch.map((c) => c.input));
    } catch (err) {
      run = Promise.reject(err);
    }
    run.then(
      (outs) => batch.forEach((c, i) => c.resolve(outs[i]!)),
      (err) => batch.forEach((c) => c.reject(err)),
    ).finally(() => this.#next());
  }
}
