// JetStream seen from nats.js against a ballastd started here with -js:
// streams, publish acks and dedupe, pull consumers, KV.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startServer } from "./server.mjs";
import { connect, StringCodec, AckPolicy } from "nats";

const sc = StringCodec();
let server;
let port;
let dir;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "ballast-js-"));
  server = await startServer(["-js", "-sd", dir]);
  port = server.port;
});

after(() => {
  server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("stream publish acks, dedupe and info", async () => {
  const nc = await connect({ servers: `127.0.0.1:${port}` });
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"] });
  const js = nc.jetstream();
  const seqs = [];
  for (let i = 0; i < 5; i++) {
    const pa = await js.publish(`orders.${i}`, sc.encode(`m${i}`),
      { msgID: `id${i % 4}` });
    seqs.push([pa.seq, pa.duplicate]);
  }
  assert.deepEqual(seqs,
    [[1, false], [2, false], [3, false], [4, false], [1, true]]);
  const si = await jsm.streams.info("ORDERS");
  assert.equal(si.state.messages, 4);
  assert.equal(si.state.last_seq, 4);
  await nc.close();
});

test("pull consumer fetches in order and acks advance the floor", async () => {
  const nc = await connect({ servers: `127.0.0.1:${port}` });
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  await jsm.consumers.add("ORDERS",
    { durable_name: "C", ack_policy: AckPolicy.Explicit });
  const c = await js.consumers.get("ORDERS", "C");
  const got = [];
  const msgs = await c.fetch({ max_messages: 3, expires: 2000 });
  for await (const m of msgs) {
    got.push(`${m.subject}=${sc.decode(m.data)}@${m.seq}`);
    m.ack();
  }
  assert.deepEqual(got, ["orders.0=m0@1", "orders.1=m1@2", "orders.2=m2@3"]);
  await nc.flush();
  const ci = await jsm.consumers.info("ORDERS", "C");
  assert.equal(ci.ack_floor.stream_seq, 3);
  assert.equal(ci.num_pending, 1);
  await nc.close();
});

test("key-value bucket keeps revisions and history", async () => {
  const nc = await connect({ servers: `127.0.0.1:${port}` });
  const js = nc.jetstream();
  const kv = await js.views.kv("cfg", { history: 3 });
  await kv.put("color", sc.encode("red"));
  const r2 = await kv.put("color", sc.encode("blue"));
  const e = await kv.get("color");
  assert.equal(sc.decode(e.value), "blue");
  assert.equal(e.revision, r2);
  const hist = [];
  for await (const h of await kv.history({ key: "color" })) {
    hist.push(sc.decode(h.value));
  }
  assert.deepEqual(hist, ["red", "blue"]);
  await kv.delete("color");
  assert.equal((await kv.get("color"))?.operation, "DEL");
  await nc.close();
});

test("object store puts and gets a multi-chunk object", async () => {
  const nc = await connect({ servers: `127.0.0.1:${port}` });
  const js = nc.jetstream();
  const os = await js.views.os("files");
  const data = new Uint8Array(300 * 1024);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31) % 251;
  const info = await os.putBlob({ name: "blob.bin" }, data);
  assert.equal(info.size, data.length);
  assert.ok(info.chunks > 1, "expected several chunks");
  const back = await os.getBlob("blob.bin");
  assert.equal(back.length, data.length);
  assert.deepEqual(back, data);
  const names = (await os.list()).map((o) => o.name);
  assert.deepEqual(names, ["blob.bin"]);
  await os.delete("blob.bin");
  assert.equal(await os.getBlob("blob.bin"), null);
  await nc.close();
});
