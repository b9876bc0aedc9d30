// Core NATS behaviour seen from nats.js against a ballastd started here.
// BALLASTD names the binary (default: ../../build/server/ballastd).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { connect, StringCodec, headers, ErrorCode } from "nats";

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = process.env.BALLASTD ??
  path.join(here, "..", "..", "build", "server", "ballastd");
const sc = StringCodec();
let server;
let port;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
    s.on("error", reject);
  });
}

async function waitForPort(p, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const c = net.connect(p, "127.0.0.1");
      c.on("connect", () => { c.destroy(); resolve(true); });
      c.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server did not listen on ${p} within ${ms} ms`);
}

before(async () => {
  port = await freePort();
  server = spawn(bin, ["-a", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  await waitForPort(port, 10000);
});

after(() => {
  server?.kill("SIGINT");
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
