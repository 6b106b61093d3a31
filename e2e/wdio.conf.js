// WebdriverIO configuration of the end-to-end tests: drives the real Dual-write Studio binary
// through tauri-driver (which fronts WebKitWebDriver on Linux). tauri-driver is started here and
// stopped again by its own pid; every run gets a fresh DUALWRITE_STUDIO_HOME so the app's first
// start creates the demo project, as on a new machine. The home has a fixed name (one run at a time
// holds port 4444 anyway) so that the paths the screenshots show are the same on every run.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..");
const application = path.resolve(
  process.env.DUALWRITE_STUDIO_APP ?? path.join(repo, "target", "debug", "dualwrite-studio"),
);
const tauriDriverBin =
  process.env.TAURI_DRIVER ??
  (existsSync(path.join(process.env.HOME ?? "", ".cargo", "bin", "tauri-driver"))
    ? path.join(process.env.HOME ?? "", ".cargo", "bin", "tauri-driver")
    : "tauri-driver");

// Set before the workers start (they inherit the environment, and tauri-driver passes it on to
// WebKitWebDriver, which launches the app with it).
if (!process.env.DUALWRITE_STUDIO_HOME) {
  process.env.DUALWRITE_STUDIO_HOME = path.join(tmpdir(), "dualwrite-studio-e2e");
  rmSync(process.env.DUALWRITE_STUDIO_HOME, { recursive: true, force: true });
  mkdirSync(process.env.DUALWRITE_STUDIO_HOME, { recursive: true });
  process.env.E2E_OWN_HOME = "1";
}

let tauriDriver = null;

/** Resolves once something accepts TCP connections on the port (tauri-driver is up). */
async function waitForPort(port, timeoutMs) {
  const net = await import("node:net");
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await new Promise((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port }, () => {
        socket.end();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`tauri-driver did not listen on port ${port} within ${timeoutMs} ms`);
}

export const config = {
  runner: "local",
  hostname: "127.0.0.1",
  port: 4444,
  specs: ["./specs/**/*.e2e.js"],
  maxInstances: 1,
  capabilities: [
    {
      browserName: "wry",
      "wdio:enforceWebDriverClassic": true,
      "tauri:options": { application },
    },
  ],
  logLevel: "warn",
  bail: 0,
  waitforTimeout: 10_000,
  connectionRetryTimeout: 120_000,
  connectionRetryCount: 1,
  framework: "mocha",
  reporters: ["spec"],
  mochaOpts: { ui: "bdd", timeout: 300_000 },

  onPrepare() {
    if (!existsSync(application)) throw new Error(`The app binary is missing: ${application}`);
    console.log(`app: ${application}`);
    console.log(`DUALWRITE_STUDIO_HOME: ${process.env.DUALWRITE_STUDIO_HOME}`);
    // Its output (and the app's) goes to a log file: it prints a backtrace for every dropped connection.
    mkdirSync(path.join(here, "results"), { recursive: true });
    const log = openSync(path.join(here, "results", "tauri-driver.log"), "w");
    console.log("tauri-driver log: e2e/results/tauri-driver.log");
    tauriDriver = spawn(tauriDriverBin, [], { stdio: ["ignore", log, log] });
    tauriDriver.on("error", (error) => console.error(`could not start ${tauriDriverBin}: ${error.message}`));
    return waitForPort(4444, 30_000);
  },

  beforeSession() {
    // The moment the session (and so the app) is requested; the spec measures app-ready from here.
    globalThis.__e2eSessionRequestedAt = Date.now();
  },

  onComplete() {
    if (tauriDriver && tauriDriver.pid && tauriDriver.exitCode === null) {
      try {
        process.kill(tauriDriver.pid);
      } catch {
        // already gone
      }
    }
    tauriDriver = null;
    if (process.env.E2E_OWN_HOME === "1" && !process.env.E2E_KEEP_HOME) {
      rmSync(process.env.DUALWRITE_STUDIO_HOME, { recursive: true, force: true });
    }
  },
};
