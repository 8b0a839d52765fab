/** gRPC transport credentials from PEM files: TLS and mutual TLS, for servers and clients. */
import * as grpc from "@grpc/grpc-js";
import { Buffer } from "node:buffer";

/** PEM files of a TLS server. */
export interface GrpcServerTlsFiles {
  /** The server's certificate chain. */
  readonly certFile: string;
  /** The server's private key. */
  readonly keyFile: string;
  /** CA of client certificates; when set, clients must present one (mutual TLS). */
  readonly clientCaFile?: string | undefined;
}

/** PEM files of a TLS client; every one optional. */
export interface GrpcClientTlsFiles {
  /** CA the server's certificate must chain to; unset: the system's CAs. */
  readonly caFile?: string | undefined;
  /** Client certificate to present (mutual TLS), with `keyFile`. */
  readonly certFile?: string | undefined;
  /** The client certificate's private key. */
  readonly keyFile?: string | undefined;
}

/**
 * Server credentials: plaintext when `tls` is null, else TLS with the certificate and key, and
 * required client certificates when `clientCaFile` is set. The CA list is always passed
 * explicitly: grpc-js would otherwise hand the whole bundle `GRPC_DEFAULT_SSL_ROOTS_FILE_PATH`
 * names to the TLS server, and Deno's TLS server then fails every handshake.
 *
 * @throws {Error} when a file cannot be read
 */
export function grpcServerCredentials(tls: GrpcServerTlsFiles | null): grpc.ServerCredentials {
  if (tls === null) return grpc.ServerCredentials.createInsecure();
  const cert = _read(tls.certFile);
  const key = _read(tls.keyFile);
  const ca = tls.clientCaFile === undefined ? cert : _read(tls.clientCaFile);
  return grpc.ServerCredentials.createSsl(
    ca,
    [{ cert_chain: cert, private_key: key }],
    tls.clientCaFile !== undefined,
  );
}

/**
 * Channel credentials: plaintext when `tls` is null, else TLS trusting `caFile` (or the
 * system's CAs) and presenting the client certificate when given.
 *
 * @throws {Error} when a file cannot be read, or only one of `certFile`/`keyFile` is given
 */
export function grpcClientCredentials(tls: GrpcClientTlsFiles | null): grpc.ChannelCredentials {
  if (tls === null) return grpc.credentials.createInsecure();
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw new Error("Cannot create TLS credentials: a client certificate needs both cert and key");
  }
  return grpc.credentials.createSsl(
    tls.caFile === undefined ? null : _read(tls.caFile),
    tls.keyFile === undefined ? null : _read(tls.keyFile),
    tls.certFile === undefined ? null : _read(tls.certFile),
  );
}

function _read(path: string): Buffer {
  return Buffer.from(Deno.readFileSync(path));
}
