import assert from "node:assert/strict";
import { isNpmTypeRef, parseDocLint } from "../../scripts/doc_lint.ts";

const OUTPUT =
  `\x1b[1merror[private-type-ref]\x1b[0m: public type 'createKafkaClient' references private type 'Kafka'
  --> /repo/core/kafka/kafka_client.ts:42:1
   |
error[missing-jsdoc]: exported symbol is missing JSDoc documentation
  --> /repo/core/domain/user.ts:7:3
   |
error[private-type-ref]: public type 'f' references private type 'Labels'
  --> /repo/core/metrics/counter.ts:44:3
`;

Deno.test("parseDocLint() reads rule, message, file and line of each problem, colours or not", () => {
  assert.deepEqual(parseDocLint(OUTPUT).map((p) => `${p.rule} ${p.file}:${p.line}`), [
    "private-type-ref /repo/core/kafka/kafka_client.ts:42",
    "missing-jsdoc /repo/core/domain/user.ts:7",
    "private-type-ref /repo/core/metrics/counter.ts:44",
  ]);
});

Deno.test("isNpmTypeRef() ignores only private types imported from a package", () => {
  const [kafka, jsdoc, local] = parseDocLint(OUTPUT);
  assert.equal(isNpmTypeRef(kafka!, 'import type { Admin, Kafka } from "kafkajs";'), true);
  assert.equal(isNpmTypeRef(kafka!, 'import { type Kafka } from "./kafka.ts";'), false);
  assert.equal(isNpmTypeRef(jsdoc!, 'import { User } from "npm:x";'), false);
  assert.equal(
    isNpmTypeRef(local!, 'import * as grpc from "@grpc/grpc-js";\ntype Labels = 1;'),
    false,
  );
  assert.equal(isNpmTypeRef(local!, 'import * as p from "prom";\nlet x: p.Labels;'), true);
});
