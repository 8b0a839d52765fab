/**
 * tickerwatch CLI for users: register, login, update, delete, latest, average over gRPC.
 * `--help` lists the commands and flags; exit codes: 0 ok, 1 the service said no, 2 usage error,
 * 3 unavailable after retries.
 */
import { runCli } from "../core/cli/run_cli.ts";

Deno.exit(await runCli(Deno.args, Deno.env.toObject()));
