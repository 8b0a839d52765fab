// Its own module, without zod: writers (the collector, the command server) need the version but
// not the schemas, and a process that only writes messages does not load zod.

/**
 * Version of the JSON messages this code writes; readers accept exactly this version. Optional
 * fields added since (a quote's `currency` and `market_time`, an alert's `currency`) keep it at
 * 1: a reader without them drops the unknown keys, and a message without them is still valid.
 */
export const MESSAGE_VERSION = 1;
