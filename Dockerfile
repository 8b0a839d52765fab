# tickerwatch: the six services and the user CLI, compiled with `deno compile`, on a slim Debian
# base.
#
#   docker build -t tickerwatch:local .
#   docker run --rm tickerwatch:local query --help     # the image runs the binary you name
#   docker run --rm --network host tickerwatch:local tickerwatch latest --email ada@example.com
#
# Binaries in /usr/local/bin: command, query, collector, alert-system, notifier, kafka-admin and
# tickerwatch (the CLI). compose.yaml builds this image once and picks the binary per service
# with `command:`.

# Deno is pinned to 2.8.3, as in .ci/run and the README: in Deno 2.9.x, node:http2 (which
# @grpc/grpc-js uses) can kill a gRPC server when a client closes its connection after ~130+ calls
# (denoland/deno#36788). Change it together with .ci/run; tests/compose/ checks that they agree.
FROM denoland/deno:2.8.3 AS build
WORKDIR /src

# Dependencies first: a change to the code alone does not download them again.
COPY deno.json deno.lock ./
RUN deno install

COPY core/ core/
COPY executables/ executables/
COPY protos/ protos/
COPY scripts/build.ts scripts/build.ts
# deno compile downloads Deno's runtime (denort) for this platform; the build stage has network.
RUN deno run --allow-run --allow-read --allow-write --allow-env scripts/build.ts --out dist

FROM debian:bookworm-slim
# curl: the healthchecks in compose.yaml ask each service's /healthz.
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates curl \
  && rm -rf /var/lib/apt/lists/* \
  && useradd --system --user-group --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin \
    tickerwatch
COPY --from=build /src/dist/ /usr/local/bin/
USER tickerwatch:tickerwatch
# gRPC (command, query) and HTTP /metrics + /healthz (9101-9106, one per service).
EXPOSE 50051 50052 9101 9102 9103 9104 9105 9106
# No ENTRYPOINT: the command names the binary and its flags, e.g. `kafka-admin --once`.
CMD ["command"]
