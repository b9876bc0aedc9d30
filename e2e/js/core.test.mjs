// Core NATS behaviour seen from nats.js against a ballastd started here.
// BALLASTD names the binary (default: ../../build/server/ballastd).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./server.mjs";
import { connect, StringCodec, headers, ErrorCode } from "nats";

const sc = StringCodec();
let server;
let port;

before(async () => {
  server = await startServer();
  port = server.port;
});

after(() => {
  server?.stop();
});

test("publish and subscribe with wildcards", async () => {
  const nc = await connect({ servers: `127.0.0.1:${port}` });
  const sub = nc.subscribe("orders.*.new", { max: 2 });
  const got = [];
  const done = (async () => {
    for await (const m of sub) got.push(`${m.subject}=${sc.decode(m.data)}`);
  })();
  nc.publish("orders.eu.new", sc.encode("a"));
  nc.publish("orders.eu.old", sc.encode("x"));
  nc.publish("orders.us.new", sc.encode("b"));
  await done;
  assert.deepEqual(got, ["orders.eu.new=a", "orders.us.new=b"]);
  await nc.close();
});

test("request, reply and headers", async () => {
  const nc = await connect({ servers: `127.0.0.1:${port}` });
  nc.subscribe("svc.echo", {
    callback: (_err, m) => {
      const h = headers();
      h.set("X-Seen", m.headers?.get("X-In") ?? "none");
      m.respond(m.data, { headers: h });
    },
  });
  await nc.flush();
  const h = headers();
  h.set("X-In", "42");
  const r = await nc.request("svc.echo", sc.encode("ping"),
    { timeout: 2000, headers: h });
  assert.equal(sc.decode(r.data), "ping");
  assert.equal(r.headers.get("X-Seen"), "42");
  await nc.close();
});

test("request with no responders fails fast", async () => {
  const nc = await connect({ servers: `127.0.0.1:${port}` });
  const t0 = Date.now();
  await assert.rejects(nc.request("nobody.home", sc.encode(""),
    { timeout: 5000 }), (e) => e.code === ErrorCode.NoResponders);
  assert.ok(Date.now() - t0 < 2000, "no-responders took too long");
  await nc.close();
});

test("queue group delivers each message once", async () => {
  const nc = await connect({ servers: `127.0.0.1:${port}` });
  const counts = [0, 0, 0];
  for (let i = 0; i < 3; i++) {
    nc.subscribe("work", { queue: "q", callback: () => { counts[i]++; } });
  }
  await nc.flush();
  const pub = await connect({ servers: `127.0.0.1:${port}` });
  for (let i = 0; i < 300; i++) pub.publish("work", sc.encode(String(i)));
  await pub.flush();
  await nc.flush();
  assert.equal(counts.reduce((a, b) => a + b, 0), 300);
  await pub.close();
  await nc.close();
});
