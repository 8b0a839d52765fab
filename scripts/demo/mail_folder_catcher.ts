/**
 * The demo's SMTP catcher: a real SMTP server (npm:smtp-server) on loopback that saves every
 * mail it accepts as `<folder>/NNNN.eml` (when a folder is given) and reports it through
 * `onMail`. The pipeline benchmark uses it without a folder.
 */
import { SMTPServer } from "smtp-server";

/** One mail the catcher saved. */
export interface SavedMail {
  /** Where it was saved; "" without a folder. */
  readonly file: string;
  readonly to: string[];
  readonly subject: string;
}

/** Starts the catcher on `port` (0 picks a free one); `stop()` closes it. */
export async function startMailFolderCatcher(
  { folder, port = 0, onMail }: {
    folder?: string;
    port?: number;
    onMail: (mail: SavedMail) => void;
  },
): Promise<{ port: number; count(): number; stop(): Promise<void> }> {
  if (folder) await Deno.mkdir(folder, { recursive: true });
  let n = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      let raw = "";
      const decoder = new TextDecoder();
      stream.on("data", (c: Uint8Array) => raw += decoder.decode(c, { stream: true }));
      stream.on("end", async () => {
        raw += decoder.decode();
        const file = folder ? `${folder}/${String(++n).padStart(4, "0")}.eml` : (++n, "");
        if (file) await Deno.writeTextFile(file, raw);
        const subject = /^Subject: (.*)$/mi.exec(raw)?.[1]?.trim() ?? "";
        onMail({ file, to: session.envelope.rcptTo.map((r) => r.address), subject });
        callback();
      });
    },
  });
  const bound = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(
      port,
      "127.0.0.1",
      () => resolve((server.server.address() as { port: number }).port),
    );
  });
  return {
    port: bound,
    count: () => n,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
