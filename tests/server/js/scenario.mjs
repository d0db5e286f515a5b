// The official Chroma JavaScript client (npm `chromadb`) driving a huedb server.
//
// Usage: node scenario.mjs http://127.0.0.1:PORT
//
// Every step runs even when an earlier one failed, so one run reports every incompatibility.
// Prints one JSON summary line on stdout; exits 1 if any assertion failed, 2 on bad usage.
// Only explicit embeddings are used: no embedding-function package, no model download.
// The expected error classes are the ones the JS client builds from Chroma 1.5.9's status codes
// (400 -> ChromaClientError, 404 -> ChromaNotFoundError, 409 -> ChromaUniqueError, 422 ->
// ChromaClientError, other 5xx -> ChromaServerError); see chromaFetch in the client.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import {
  AdminClient,
  ChromaClient,
  ChromaClientError,
  ChromaNotFoundError,
  ChromaServerError,
  ChromaUniqueError,
  ChromaValueError,
  IncludeEnum,
} from "chromadb";

// `chromadb` does not export ./package.json, so read it from node_modules next to this file.
const CLIENT_VERSION = JSON.parse(
  readFileSync(new URL("./node_modules/chromadb/package.json", import.meta.url), "utf8"),
).version;

const url = process.argv[2];
if (!url || !/^https?:\/\/[^/:]+:\d+\/?$/.test(url)) {
  console.error("usage: node scenario.mjs http://HOST:PORT");
  process.exit(2);
}
const parsed = new URL(url);
const connection = {
  host: parsed.hostname,
  port: Number(parsed.port),
  ssl: parsed.protocol === "https:",
};

const client = new ChromaClient({ ...connection });
const admin = new AdminClient({ ...connection });

const steps = [];
async function step(name, body) {
  const started = performance.now();
  try {
    await body();
    steps.push({ name, ok: true, ms: Math.round(performance.now() - started) });
  } catch (error) {
    steps.push({
      name,
      ok: false,
      ms: Math.round(performance.now() - started),
      error: `${error?.name ?? "Error"}: ${error?.message ?? String(error)}`,
    });
  }
}

// Runs `fn`, which must reject with an instance of `cls` whose message matches `pattern`.
async function rejects(fn, cls, pattern) {
  let caught;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught !== undefined, `expected ${cls.name}, but the call succeeded`);
  assert.ok(
    caught instanceof cls,
    `expected ${cls.name}, got ${caught?.constructor?.name}: ${caught?.message}`,
  );
  if (pattern) assert.match(caught.message, pattern);
  return caught;
}

const sorted = (values) => [...values].sort();
const close = (actual, expected, what) =>
  assert.ok(Math.abs(actual - expected) < 1e-5, `${what}: ${actual} != ${expected}`);

// Four records in 3 dimensions; l2 distances from [1, 0, 0] are a:0, d:1, b:2, c:2.
const RECORDS = {
  ids: ["a", "b", "c", "d"],
  embeddings: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
    [1, 1, 0],
  ],
  documents: ["the quick brown fox", "lazy dogs sleep", "a fox and a dog", "nothing here"],
  metadatas: [
    { genre: "fiction", year: 2001, rating: 4.5, published: true, tags: ["x", "y"] },
    { genre: "science", year: 2010, rating: 3.0, published: false },
    { genre: "fiction", year: 2020, rating: 4.9, published: true, tags: ["y"] },
    { genre: "history", year: 1999, rating: 2.5, published: false },
  ],
};

let records; // the collection holding RECORDS

// ---------------------------------------------------------------- system

await step("heartbeat", async () => {
  const beat = await client.heartbeat();
  assert.equal(typeof beat, "number");
  assert.ok(beat > 0, `heartbeat ${beat}`);
});

await step("version", async () => {
  const version = await client.version();
  assert.equal(typeof version, "string");
  assert.match(version, /^\d+\.\d+\.\d+/);
});

await step("user identity", async () => {
  const identity = await client.getUserIdentity();
  assert.equal(identity.tenant, "default_tenant");
  assert.deepEqual(identity.databases, ["default_database"]);
});

await step("pre-flight checks", async () => {
  const checks = await client.getPreflightChecks();
  assert.equal(typeof checks.max_batch_size, "number");
  assert.ok(checks.max_batch_size > 0);
  assert.equal(await client.getMaxBatchSize(), checks.max_batch_size);
  // With base64 support the client sends every add/upsert/update embedding as base64 float32.
  assert.equal(await client.supportsBase64Encoding(), true);
});

await step("reset (allowed by --allow-reset)", async () => {
  await client.reset();
  assert.equal(await client.countCollections(), 0);
});

// ---------------------------------------------------------------- collections

await step("create collection with metadata", async () => {
  records = await client.createCollection({
    name: "js_records",
    metadata: { owner: "js", level: 1, ratio: 0.5, active: true },
    embeddingFunction: null,
  });
  assert.equal(records.name, "js_records");
  assert.match(records.id, /^[0-9a-f-]{36}$/);
  assert.equal(records.tenant, "default_tenant");
  assert.equal(records.database, "default_database");
  assert.deepEqual(records.metadata, { owner: "js", level: 1, ratio: 0.5, active: true });
  assert.equal(typeof records.configuration, "object");
});

await step("create collection with hnsw configuration", async () => {
  const cosine = await client.createCollection({
    name: "js_cosine",
    configuration: { hnsw: { space: "cosine" } },
    embeddingFunction: null,
  });
  assert.equal(cosine.configuration.hnsw?.space, "cosine");
  assert.equal(cosine.metadata, undefined);
});

await step("duplicate collection -> ChromaUniqueError (409)", async () => {
  await rejects(
    () => client.createCollection({ name: "js_records", embeddingFunction: null }),
    ChromaUniqueError,
    /already exists/,
  );
});

await step("get collection by name and by id", async () => {
  const byName = await client.getCollection({ name: "js_records" });
  assert.equal(byName.id, records.id);
  assert.deepEqual(byName.metadata, { owner: "js", level: 1, ratio: 0.5, active: true });
  const byId = await client.getCollectionById(records.id);
  assert.equal(byId.name, "js_records");
  const both = await client.getCollections(["js_records", "js_cosine"]);
  assert.deepEqual(both.map((c) => c.name), ["js_records", "js_cosine"]);
});

await step("missing collection -> ChromaNotFoundError (404)", async () => {
  await rejects(() => client.getCollection({ name: "nope_missing" }), ChromaNotFoundError);
  await rejects(
    () => client.getCollectionById("00000000-0000-4000-8000-000000000000"),
    ChromaNotFoundError,
  );
  await rejects(() => client.deleteCollection({ name: "nope_missing" }), ChromaNotFoundError);
});

await step("getOrCreate returns the existing collection", async () => {
  const again = await client.getOrCreateCollection({
    name: "js_records",
    metadata: { ignored: true },
    embeddingFunction: null,
  });
  assert.equal(again.id, records.id);
  // Chroma keeps the stored metadata when the collection already exists.
  assert.deepEqual(again.metadata, { owner: "js", level: 1, ratio: 0.5, active: true });
  const fresh = await client.getOrCreateCollection({ name: "js_fresh", embeddingFunction: null });
  assert.notEqual(fresh.id, records.id);
});

await step("list and count collections", async () => {
  assert.equal(await client.countCollections(), 3);
  const all = await client.listCollections();
  assert.deepEqual(sorted(all.map((c) => c.name)), ["js_cosine", "js_fresh", "js_records"]);
  const page = await client.listCollections({ limit: 2, offset: 1 });
  assert.equal(page.length, 2);
  // Pages are disjoint and together cover the whole list.
  const first = await client.listCollections({ limit: 1, offset: 0 });
  assert.deepEqual(
    sorted([...first, ...page].map((c) => c.name)),
    ["js_cosine", "js_fresh", "js_records"],
  );
});

await step("delete collection", async () => {
  await client.deleteCollection({ name: "js_fresh" });
  await rejects(() => client.getCollection({ name: "js_fresh" }), ChromaNotFoundError);
  assert.equal(await client.countCollections(), 2);
});

await step("invalid collection name -> ChromaClientError (400)", async () => {
  await rejects(
    () => client.createCollection({ name: "x", embeddingFunction: null }),
    ChromaClientError,
    /name/i,
  );
});

// ---------------------------------------------------------------- records

await step("add with embeddings, documents, metadatas", async () => {
  await records.add(structuredClone(RECORDS));
  assert.equal(await records.count(), 4);
});

await step("count with readLevel", async () => {
  assert.equal(await records.count({ readLevel: "index_and_wal" }), 4);
  assert.equal(await records.count({ readLevel: "index_only" }), 4);
});

await step("add of an existing id is ignored", async () => {
  await records.add({ ids: ["a"], embeddings: [[9, 9, 9]], documents: ["replaced?"] });
  const got = await records.get({ ids: ["a"], include: ["documents", "embeddings"] });
  assert.deepEqual(got.documents, ["the quick brown fox"]);
  assert.deepEqual(got.embeddings, [[1, 0, 0]]);
});

await step("get all (default include, insertion order)", async () => {
  const got = await records.get();
  assert.deepEqual(got.ids, ["a", "b", "c", "d"]);
  assert.deepEqual(got.documents, RECORDS.documents);
  assert.deepEqual(got.metadatas, RECORDS.metadatas);
  assert.deepEqual(sorted(got.include), ["documents", "metadatas"]);
  assert.deepEqual(got.embeddings, []); // not included -> null on the wire -> [] in JS
  const rows = got.rows();
  assert.equal(rows[2].id, "c");
  assert.equal(rows[2].document, "a fox and a dog");
  assert.equal(rows[2].embedding, undefined);
});

await step("get by ids keeps storage order and skips unknown ids", async () => {
  const got = await records.get({ ids: ["d", "zz", "a"] });
  assert.deepEqual(got.ids, ["a", "d"]);
});

await step("get include variants", async () => {
  const onlyEmb = await records.get({ ids: ["b"], include: [IncludeEnum.embeddings] });
  assert.deepEqual(onlyEmb.include, ["embeddings"]);
  assert.deepEqual(onlyEmb.embeddings, [[0, 1, 0]]);
  assert.deepEqual(onlyEmb.documents, []);
  assert.deepEqual(onlyEmb.metadatas, []);
  const everything = await records.get({
    ids: ["c"],
    include: ["documents", "metadatas", "embeddings", "uris"],
  });
  assert.deepEqual(everything.documents, ["a fox and a dog"]);
  assert.deepEqual(everything.metadatas, [RECORDS.metadatas[2]]);
  assert.deepEqual(everything.embeddings, [[0, 0, 1]]);
  assert.deepEqual(everything.uris, [null]);
  const idsOnly = await records.get({ include: [] });
  assert.deepEqual(idsOnly.ids, ["a", "b", "c", "d"]);
  assert.deepEqual(idsOnly.include, []);
});

await step("get limit and offset", async () => {
  assert.deepEqual((await records.get({ limit: 2 })).ids, ["a", "b"]);
  assert.deepEqual((await records.get({ limit: 2, offset: 1 })).ids, ["b", "c"]);
  assert.deepEqual((await records.get({ offset: 3 })).ids, ["d"]);
  assert.deepEqual((await records.get({ limit: 0 })).ids, []);
});

await step("peek", async () => {
  const peeked = await records.peek({ limit: 3 });
  assert.deepEqual(peeked.ids, ["a", "b", "c"]);
  assert.deepEqual(peeked.documents, RECORDS.documents.slice(0, 3));
});

const WHERE_CASES = [
  ["shorthand $eq", { genre: "fiction" }, ["a", "c"]],
  ["$eq", { genre: { $eq: "fiction" } }, ["a", "c"]],
  ["$ne", { genre: { $ne: "fiction" } }, ["b", "d"]],
  ["$gt int", { year: { $gt: 2005 } }, ["b", "c"]],
  ["$gte", { year: { $gte: 2010 } }, ["b", "c"]],
  ["$lt", { year: { $lt: 2001 } }, ["d"]],
  ["$lte float", { rating: { $lte: 3.0 } }, ["b", "d"]],
  ["int vs float operand", { year: { $gt: 2009.5 } }, ["b", "c"]],
  ["bool $eq", { published: true }, ["a", "c"]],
  ["$in", { genre: { $in: ["science", "history"] } }, ["b", "d"]],
  ["$nin", { genre: { $nin: ["fiction", "science"] } }, ["d"]],
  ["$and", { $and: [{ genre: "fiction" }, { year: { $gt: 2010 } }] }, ["c"]],
  ["$or", { $or: [{ genre: "science" }, { rating: { $gte: 4.9 } }] }, ["b", "c"]],
  [
    "nested $and/$or",
    { $and: [{ $or: [{ genre: "fiction" }, { genre: "history" }] }, { published: false }] },
    ["d"],
  ],
  ["list $contains", { tags: { $contains: "y" } }, ["a", "c"]],
  ["list $not_contains", { tags: { $not_contains: "x" } }, ["b", "c", "d"]],
  ["missing key $ne includes records without it", { tags: { $ne: "x" } }, ["a", "b", "c", "d"]],
];

await step("get with where filters", async () => {
  const failures = [];
  for (const [label, where, expected] of WHERE_CASES) {
    const got = await records.get({ where, include: [] });
    if (JSON.stringify(got.ids) !== JSON.stringify(expected)) {
      failures.push(`${label} ${JSON.stringify(where)}: got ${JSON.stringify(got.ids)}, want ${JSON.stringify(expected)}`);
    }
  }
  assert.deepEqual(failures, []);
});

const WHERE_DOCUMENT_CASES = [
  ["$contains", { $contains: "fox" }, ["a", "c"]],
  ["$contains is case-sensitive", { $contains: "Fox" }, []],
  ["$not_contains", { $not_contains: "fox" }, ["b", "d"]],
  ["$regex", { $regex: "^(the|a) " }, ["a", "c"]],
  ["$not_regex", { $not_regex: "dog" }, ["a", "d"]],
  ["$and", { $and: [{ $contains: "fox" }, { $contains: "dog" }] }, ["c"]],
  ["$or", { $or: [{ $contains: "lazy" }, { $contains: "nothing" }] }, ["b", "d"]],
];

await step("get with whereDocument filters", async () => {
  const failures = [];
  for (const [label, whereDocument, expected] of WHERE_DOCUMENT_CASES) {
    const got = await records.get({ whereDocument, include: [] });
    if (JSON.stringify(got.ids) !== JSON.stringify(expected)) {
      failures.push(`${label} ${JSON.stringify(whereDocument)}: got ${JSON.stringify(got.ids)}, want ${JSON.stringify(expected)}`);
    }
  }
  assert.deepEqual(failures, []);
});

await step("where and whereDocument are ANDed, ids too", async () => {
  const got = await records.get({ where: { genre: "fiction" }, whereDocument: { $contains: "dog" } });
  assert.deepEqual(got.ids, ["c"]);
  const withIds = await records.get({ ids: ["a", "b"], where: { published: true } });
  assert.deepEqual(withIds.ids, ["a"]);
});

await step("query nearest neighbours (default include)", async () => {
  const result = await records.query({ queryEmbeddings: [[1, 0, 0]], nResults: 2 });
  assert.deepEqual(result.ids, [["a", "d"]]);
  assert.deepEqual(result.documents, [["the quick brown fox", "nothing here"]]);
  assert.deepEqual(result.metadatas, [[RECORDS.metadatas[0], RECORDS.metadatas[3]]]);
  close(result.distances[0][0], 0, "distance a");
  close(result.distances[0][1], 1, "distance d"); // squared l2
  assert.deepEqual(sorted(result.include), ["distances", "documents", "metadatas"]);
  assert.deepEqual(result.embeddings, []);
  const rows = result.rows();
  assert.equal(rows[0][1].id, "d");
  close(rows[0][1].distance, 1, "row distance");
});

await step("query several embeddings, include variants", async () => {
  const result = await records.query({
    queryEmbeddings: [
      [0, 1, 0],
      [0, 0, 1],
    ],
    nResults: 1,
    include: ["embeddings", "distances"],
  });
  assert.deepEqual(result.ids, [["b"], ["c"]]);
  assert.deepEqual(result.embeddings, [[[0, 1, 0]], [[0, 0, 1]]]);
  assert.deepEqual(result.documents, []);
  assert.deepEqual(result.metadatas, []);
  close(result.distances[1][0], 0, "distance c");
});

await step("query with where, whereDocument and ids", async () => {
  const filtered = await records.query({
    queryEmbeddings: [[1, 0, 0]],
    nResults: 10,
    where: { genre: { $ne: "history" } },
    include: ["distances"],
  });
  assert.deepEqual(filtered.ids[0][0], "a");
  assert.deepEqual(sorted(filtered.ids[0]), ["a", "b", "c"]);
  const byDoc = await records.query({
    queryEmbeddings: [[0, 0, 1]],
    nResults: 5,
    whereDocument: { $contains: "fox" },
  });
  assert.deepEqual(byDoc.ids, [["c", "a"]]);
  const byIds = await records.query({ queryEmbeddings: [[1, 0, 0]], ids: ["b", "c"], nResults: 5 });
  assert.deepEqual(sorted(byIds.ids[0]), ["b", "c"]);
});

await step("query nResults larger than the collection, and 0", async () => {
  const result = await records.query({ queryEmbeddings: [[0, 0, 0]], nResults: 50, include: [] });
  assert.equal(result.ids[0].length, 4);
  // nResults: 0 skips the client's check (it is falsy) and the server answers one empty list.
  const none = await records.query({ queryEmbeddings: [[1, 0, 0]], nResults: 0 });
  assert.deepEqual(none.ids, [[]]);
});

await step("update documents, metadatas, embeddings", async () => {
  await records.update({
    ids: ["b", "missing"],
    documents: ["lazy dogs wake up", "ignored"],
    metadatas: [{ year: 2011, extra: "new" }, { x: 1 }],
    embeddings: [
      [0, 2, 0],
      [1, 1, 1],
    ],
  });
  const got = await records.get({ ids: ["b", "missing"], include: ["documents", "metadatas", "embeddings"] });
  assert.deepEqual(got.ids, ["b"]);
  assert.deepEqual(got.documents, ["lazy dogs wake up"]);
  // update merges metadata keys.
  assert.deepEqual(got.metadatas, [
    { genre: "science", year: 2011, rating: 3.0, published: false, extra: "new" },
  ]);
  assert.deepEqual(got.embeddings, [[0, 2, 0]]);
  assert.equal(await records.count(), 4);
});

await step("update metadatas only keeps documents and embeddings", async () => {
  // The JS client embeds `documents` whenever `embeddings` is absent, even in update, so a
  // documents-only update needs an embedding function; a metadatas-only update does not.
  await records.update({ ids: ["d"], metadatas: [{ rating: 2.0, mood: "calm" }] });
  const got = await records.get({ ids: ["d"], include: ["documents", "embeddings", "metadatas"] });
  assert.deepEqual(got.documents, ["nothing here"]);
  assert.deepEqual(got.embeddings, [[1, 1, 0]]);
  assert.deepEqual(got.metadatas, [
    { genre: "history", year: 1999, rating: 2.0, published: false, mood: "calm" },
  ]);
});

await step("update of documents without embeddings needs an embedding function", async () => {
  await rejects(
    () => records.update({ ids: ["d"], documents: ["x"] }),
    ChromaValueError,
    /No embedding function found/,
  );
});

await step("upsert inserts new and updates existing", async () => {
  await records.upsert({
    ids: ["d", "e"],
    embeddings: [
      [0.5, 0.5, 0],
      [0.25, 0.5, 0.75],
    ],
    documents: ["upserted d", "brand new e"],
    metadatas: [{ rating: 1.5 }, { genre: "poetry", year: 2024 }],
  });
  assert.equal(await records.count(), 5);
  const got = await records.get({ ids: ["d", "e"], include: ["documents", "metadatas", "embeddings"] });
  assert.deepEqual(got.ids, ["d", "e"]);
  assert.deepEqual(got.documents, ["upserted d", "brand new e"]);
  assert.deepEqual(got.metadatas, [
    { genre: "history", year: 1999, rating: 1.5, published: false, mood: "calm" },
    { genre: "poetry", year: 2024 },
  ]);
  assert.deepEqual(got.embeddings, [
    [0.5, 0.5, 0],
    [0.25, 0.5, 0.75],
  ]);
});

await step("records without documents or metadatas", async () => {
  await records.add({ ids: ["bare"], embeddings: [[0.1, 0.2, 0.3]] });
  const got = await records.get({ ids: ["bare"], include: ["documents", "metadatas", "uris"] });
  assert.deepEqual(got.documents, [null]);
  assert.deepEqual(got.metadatas, [null]);
  assert.deepEqual(got.uris, [null]);
  // $ne/$not_contains include records without the key or the document.
  const ne = await records.get({ where: { genre: { $ne: "fiction" } }, include: [] });
  assert.ok(ne.ids.includes("bare"), JSON.stringify(ne.ids));
});

await step("uris round-trip", async () => {
  await records.add({ ids: ["withuri"], embeddings: [[0.3, 0.2, 0.1]], uris: ["s3://bucket/x.png"] });
  const got = await records.get({ ids: ["withuri"], include: ["uris"] });
  assert.deepEqual(got.uris, ["s3://bucket/x.png"]);
});

await step("delete by ids", async () => {
  const result = await records.delete({ ids: ["bare", "withuri", "never-existed"] });
  // huedb reports the records actually deleted; Chroma 1.5.9 reports len(ids), here 3
  // (spec section 10, quirk 3, a deliberate divergence also asserted in tests/api/test_records.py).
  assert.equal(result.deleted, 2);
  assert.equal(await records.count(), 5);
});

await step("delete by where and whereDocument", async () => {
  const byWhere = await records.delete({ where: { genre: "poetry" } });
  assert.equal(byWhere.deleted, 1);
  const byDoc = await records.delete({ whereDocument: { $contains: "upserted" } });
  assert.equal(byDoc.deleted, 1);
  assert.deepEqual((await records.get({ include: [] })).ids, ["a", "b", "c"]);
});

await step("delete with where and limit", async () => {
  const scratch = await client.createCollection({ name: "js_delete_limit", embeddingFunction: null });
  await scratch.add({
    ids: ["1", "2", "3"],
    embeddings: [[1], [2], [3]],
    metadatas: [{ k: "v" }, { k: "v" }, { k: "w" }],
  });
  const limited = await scratch.delete({ where: { k: "v" }, limit: 1 });
  assert.equal(limited.deleted, 1);
  assert.equal(await scratch.count(), 2);
  await client.deleteCollection({ name: "js_delete_limit" });
});

await step("cosine collection distances", async () => {
  const cosine = await client.getCollection({ name: "js_cosine" });
  await cosine.add({
    ids: ["p", "q"],
    embeddings: [
      [1, 0],
      [0, 1],
    ],
  });
  const result = await cosine.query({ queryEmbeddings: [[2, 0]], nResults: 2, include: ["distances"] });
  assert.deepEqual(result.ids, [["p", "q"]]);
  close(result.distances[0][0], 0, "cosine p");
  close(result.distances[0][1], 1, "cosine q");
});

// ---------------------------------------------------------------- errors on records

await step("dimension mismatch -> ChromaClientError (400)", async () => {
  const error = await rejects(
    () => records.add({ ids: ["bad"], embeddings: [[1, 2]] }),
    ChromaClientError,
    /Collection expecting embedding with dimension of 3, got 2/,
  );
  assert.match(error.message, /^Bad request to .* with status: /);
  await rejects(
    () => records.query({ queryEmbeddings: [[1, 2]], nResults: 1 }),
    ChromaClientError,
    /dimension of 3, got 2/,
  );
  await rejects(
    () => records.upsert({ ids: ["a"], embeddings: [[1, 2, 3, 4]] }),
    ChromaClientError,
    /dimension of 3, got 4/,
  );
  assert.equal(await records.count(), 3);
});

await step("filters rejected by the server -> ChromaClientError (400)", async () => {
  // Both pass the JS client's own validation and are rejected by the server's parser.
  await rejects(
    () => records.get({ where: { genre: { $eq: ["fiction"] } } }),
    ChromaClientError,
    /Invalid where clause/,
  );
  await rejects(
    () => records.get({ whereDocument: { $regex: "(" } }),
    ChromaClientError,
    /Regex syntax err/,
  );
});

await step("client-side validation -> ChromaValueError", async () => {
  await rejects(() => records.add({ ids: [], embeddings: [] }), ChromaValueError);
  await rejects(
    () => records.add({ ids: ["x", "x"], embeddings: [[1, 0, 0], [0, 1, 0]] }),
    ChromaValueError,
    /duplicate/i,
  );
  await rejects(() => records.get({ include: ["distances"] }), ChromaValueError);
  await rejects(() => records.get({ where: { published: { $gt: true } } }), ChromaValueError);
  await rejects(() => records.query({ queryEmbeddings: [[1, 0, 0]], nResults: -1 }), ChromaValueError);
});

await step("operations on a deleted collection -> ChromaNotFoundError", async () => {
  const doomed = await client.createCollection({ name: "js_doomed", embeddingFunction: null });
  await doomed.add({ ids: ["1"], embeddings: [[1, 2]] });
  await client.deleteCollection({ name: "js_doomed" });
  await rejects(() => doomed.count(), ChromaNotFoundError);
  await rejects(() => doomed.get(), ChromaNotFoundError);
  await rejects(() => doomed.add({ ids: ["2"], embeddings: [[3, 4]] }), ChromaNotFoundError);
  await rejects(() => doomed.query({ queryEmbeddings: [[1, 2]] }), ChromaNotFoundError);
});

await step("unsupported locally: search, fork -> ChromaServerError", async () => {
  // Chroma's local server answers 501 (Unimplemented) for both.
  await rejects(
    () => records.search({ rank: { $knn: { query: [1, 0, 0] } }, limit: { limit: 1 } }),
    ChromaServerError,
    /Search is not implemented for Local Chroma/,
  );
  await rejects(
    () => records.fork({ name: "js_fork" }),
    ChromaServerError,
    /Collection forking is not implemented for Local Chroma/,
  );
});

// ---------------------------------------------------------------- modify

await step("modify metadata", async () => {
  await records.modify({ metadata: { owner: "js", level: 2, note: "changed" } });
  const fetched = await client.getCollection({ name: "js_records" });
  assert.deepEqual(fetched.metadata, { owner: "js", level: 2, note: "changed" });
});

await step("modify name", async () => {
  await records.modify({ name: "js_renamed" });
  assert.equal(records.name, "js_renamed");
  const fetched = await client.getCollection({ name: "js_renamed" });
  assert.equal(fetched.id, records.id);
  assert.equal(await fetched.count(), 3);
  await rejects(() => client.getCollection({ name: "js_records" }), ChromaNotFoundError);
});

await step("rename onto an existing name -> ChromaServerError (500)", async () => {
  // Chroma 1.5.9 over HTTP: 500 InternalError with SQLite's UNIQUE constraint message.
  await rejects(
    () => records.modify({ name: "js_cosine" }),
    ChromaServerError,
    /UNIQUE constraint failed: collections\.name, collections\.database_id/,
  );
  // modify() renames the JS object before sending the request; put it back.
  records.name = "js_renamed";
  const fetched = await client.getCollectionById(records.id);
  assert.equal(fetched.name, "js_renamed");
});

await step("modify hnsw configuration", async () => {
  await records.modify({ configuration: { hnsw: { ef_search: 200 } } });
  const fetched = await client.getCollectionById(records.id);
  assert.equal(fetched.configuration.hnsw?.ef_search, 200);
});

// ---------------------------------------------------------------- handles

await step("client.collection(id) handle", async () => {
  const handle = client.collection(records.id);
  assert.equal(await handle.count(), 3);
  const got = await handle.get({ ids: ["c"] });
  assert.deepEqual(got.documents, ["a fox and a dog"]);
  const result = await handle.query({ queryEmbeddings: [[0, 0, 1]], nResults: 1 });
  assert.deepEqual(result.ids, [["c"]]);
});

// ---------------------------------------------------------------- tenants and databases

await step("admin: tenants", async () => {
  await admin.createTenant({ name: "js_tenant" });
  assert.equal(await admin.getTenant({ name: "js_tenant" }), "js_tenant");
  await rejects(() => admin.createTenant({ name: "js_tenant" }), ChromaUniqueError);
  await rejects(() => admin.getTenant({ name: "no_such_tenant" }), ChromaNotFoundError);
  await rejects(() => admin.createTenant({ name: "t" }), ChromaClientError);
});

await step("admin: databases", async () => {
  await admin.createDatabase({ name: "js_db_one", tenant: "js_tenant" });
  await admin.createDatabase({ name: "js_db_two", tenant: "js_tenant" });
  const db = await admin.getDatabase({ name: "js_db_one", tenant: "js_tenant" });
  assert.equal(db.name, "js_db_one");
  assert.equal(db.tenant, "js_tenant");
  assert.match(db.id, /^[0-9a-f-]{36}$/);
  const listed = await admin.listDatabases({ tenant: "js_tenant" });
  assert.deepEqual(listed.map((d) => d.name), ["js_db_one", "js_db_two"]);
  const paged = await admin.listDatabases({ tenant: "js_tenant", limit: 1, offset: 1 });
  assert.deepEqual(paged.map((d) => d.name), ["js_db_two"]);
  await rejects(() => admin.createDatabase({ name: "js_db_one", tenant: "js_tenant" }), ChromaUniqueError);
  await rejects(() => admin.getDatabase({ name: "nope_db", tenant: "js_tenant" }), ChromaNotFoundError);
});

await step("client scoped to another tenant/database", async () => {
  const scoped = new ChromaClient({ ...connection, tenant: "js_tenant", database: "js_db_one" });
  const col = await scoped.createCollection({ name: "js_records", embeddingFunction: null });
  assert.equal(col.tenant, "js_tenant");
  assert.equal(col.database, "js_db_one");
  assert.notEqual(col.id, records.id);
  await col.add({ ids: ["only"], embeddings: [[1, 2, 3, 4]], documents: ["isolated"] });
  assert.equal(await col.count(), 1);
  assert.equal(await scoped.countCollections(), 1);
  assert.deepEqual((await scoped.listCollections()).map((c) => c.name), ["js_records"]);
  // The default database is untouched.
  assert.equal(await records.count(), 3);
  assert.equal(await client.countCollections(), 2);
  const other = new ChromaClient({ ...connection, tenant: "js_tenant", database: "js_db_two" });
  assert.equal(await other.countCollections(), 0);
});

await step("admin: delete database", async () => {
  await admin.deleteDatabase({ name: "js_db_two", tenant: "js_tenant" });
  await rejects(() => admin.getDatabase({ name: "js_db_two", tenant: "js_tenant" }), ChromaNotFoundError);
  await rejects(() => admin.deleteDatabase({ name: "js_db_two", tenant: "js_tenant" }), ChromaNotFoundError);
  const listed = await admin.listDatabases({ tenant: "js_tenant" });
  assert.deepEqual(listed.map((d) => d.name), ["js_db_one"]);
});

// ---------------------------------------------------------------- summary

const failed = steps.filter((s) => !s.ok);
console.log(
  JSON.stringify({
    ok: failed.length === 0,
    client: `chromadb@${CLIENT_VERSION}`,
    node: process.version,
    server: url,
    passed: steps.length - failed.length,
    failed: failed.length,
    failures: failed,
    steps,
  }),
);
process.exit(failed.length === 0 ? 0 : 1);
