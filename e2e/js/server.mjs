// Starts a ballastd for one test file on a free loopback port and stops it.
// BALLASTD names the binary (default: ../../build/server/ballastd).
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = process.env.BALLASTD ??
  path.join(here, "..", "..", "build", "server", "ballastd");

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

// Returns { port, stop() } once the server accepts connections; `args` are
// extra ballastd flags.
export async function startServer(args = []) {
  const port = await freePort();
  const child = spawn(bin, ["-a", "127.0.0.1", "-p", String(port), ...args],
    { stdio: ["ignore", "ignore", "inherit"] });
  await waitForPort(port, 10000);
  return { port, stop: () => child.kill("SIGINT") };
}
