import { expect } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

// Servers a spec starts for itself (not the suite's shared one): a Parley it can crash and
// restart or configure differently, and a real coturn. Everything listens on loopback ports
// the system picks, and is stopped by the spec.

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on `port`. */
async function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface Parley {
  base: string;
  child: ChildProcess;
  db: string;
}

/** Starts the binary under test (playwright.config.ts names it) on a free port with `env`,
 *  on the database file `db` (a fresh one in a temporary folder if not given). */
export async function startParley(env: Record<string, string> = {}, db?: string, port?: number): Promise<Parley> {
  port ??= await freePort();
  // Under the run's database folder, which scripts/test.sh removes at the end.
  const parent = process.env.PARLEY_E2E_DB_DIR ?? os.tmpdir();
  db ??= path.join(fs.mkdtempSync(path.join(parent, 'own-')), 'app.db');
  const addr = `127.0.0.1:${port}`;
  const child = spawn(process.env.PARLEY_E2E_SERVER!, [], {
    cwd: __dirname,
    env: {
      ...process.env,
      LEPTOS_SITE_ADDR: addr,
      LEPTOS_SITE_ROOT: process.env.PARLEY_SITE_ROOT!,
      LEPTOS_OUTPUT_NAME: 'parley',
      LEPTOS_SITE_PKG_DIR: 'pkg',
      LEPTOS_ENV: process.env.PARLEY_E2E_PROFILE === 'debug' ? 'DEV' : 'PROD',
      DATABASE_URL: `sqlite://${db}`,
      RUST_LOG: 'warn',
      // window.__parley and ?lowres=1, which the specs use; off by default.
      TEST_HOOKS: '1',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://${addr}`;
  await expect
    .poll(async () => (await fetch(`${base}/healthz`).then((r) => r.ok).catch(() => false)), {
      message: `parley answers on ${base}`,
      timeout: 20_000,
    })
    .toBe(true);
  return { base, child, db };
}

/** Ends a process: SIGKILL by default (a crash), or SIGTERM (a clean stop). */
export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill(signal);
  });
}

export interface Coturn {
  port: number;
  child: ChildProcess;
}

/** A real coturn on loopback with REST credentials (`use-auth-secret`) signed by `secret`, on
 *  `port` (a free one if not given: give the port of one that was stopped to replace it). */
export async function startCoturn(secret: string, port?: number): Promise<Coturn> {
  port ??= await freePort();
  // A relay port range of its own, away from the listening port.
  const min = 40000 + (port % 200) * 100;
  const child = spawn(
    'turnserver',
    [
      '-n',
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--listening-port=${port}`,
      `--min-port=${min}`,
      `--max-port=${min + 99}`,
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=parley-test',
      '--no-tls',
      '--no-dtls',
      '--allow-loopback-peers',
      '--no-cli',
      '--log-file=stdout',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const listening = port;
  await expect
    .poll(() => tcpOpen(listening), { message: `coturn listens on ${listening}`, timeout: 15_000 })
    .toBe(true);
  return { port: listening, child };
}
