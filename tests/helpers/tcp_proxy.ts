/**
 * A TCP proxy on loopback in front of a real server, to cause real outages: `cut()` drops every
 * connection and refuses new ones, `restore()` accepts again on the same port.
 */
export class TcpProxy {
  readonly #target: Deno.ConnectOptions;
  readonly #conns = new Set<Deno.Conn>();
  #listener: Deno.Listener | undefined;
  port = 0;

  constructor(target: Deno.ConnectOptions) {
    this.#target = target;
  }

  /** Starts listening (on a free port the first time, on the same port after a cut). */
  start(): this {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: this.port });
    this.port = (this.#listener.addr as Deno.NetAddr).port;
    this.#accept(this.#listener);
    return this;
  }

  async #accept(listener: Deno.Listener): Promise<void> {
    try {
      for await (const client of listener) this.#pipe(client);
    } catch {
      // listener closed by cut()
    }
  }

  async #pipe(client: Deno.Conn): Promise<void> {
    let upstream: Deno.Conn;
    try {
      upstream = await Deno.connect(this.#target);
    } catch {
      client.close();
      return;
    }
    this.#conns.add(client).add(upstream);
    const close = () => {
      for (const c of [client, upstream]) {
        if (this.#conns.delete(c)) {
          try {
            c.close();
          } catch { /* already closed */ }
        }
      }
    };
    client.readable.pipeTo(upstream.writable, { preventClose: true }).catch(() => {}).finally(
      close,
    );
    upstream.readable.pipeTo(client.writable, { preventClose: true }).catch(() => {}).finally(
      close,
    );
  }

  /** Drops all connections and refuses new ones. */
  cut(): void {
    this.#listener?.close();
    this.#listener = undefined;
    for (const c of this.#conns) {
      try {
        c.close();
      } catch { /* already closed */ }
    }
    this.#conns.clear();
  }

  /** Accepts connections again on the same port. */
  restore(): void {
    this.start();
  }

  /** Same as cut(). */
  close(): void {
    this.cut();
  }
}
