/**
 * Exit codes of the CLI: 0 ok, 1 the service said no (its message is printed), 2 usage error,
 * 3 the service did not answer after the retries.
 */
export const CLI_EXIT = { OK: 0, REFUSED: 1, USAGE: 2, UNAVAILABLE: 3 } as const;

/** One of {@linkcode CLI_EXIT}. */
export type CliExitCode = (typeof CLI_EXIT)[keyof typeof CLI_EXIT];
