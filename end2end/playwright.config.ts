import { defineConfig } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeVoice } from './voice';

// Run by scripts/test.sh after `cargo leptos build --release`, inside a loopback-only network namespace.
// Starts the built server binary itself (not through cargo-leptos), so it gives the server the
// environment cargo-leptos would.

const repo = path.resolve(__dirname, '..');
const targetDir = process.env.CARGO_TARGET_DIR
  ? path.resolve(repo, process.env.CARGO_TARGET_DIR)
  : path.join(repo, 'target');

/** Where `cargo leptos build` put the site: Cargo.toml's site-root, which is relative to the
 *  repo unless it starts with CARGO_TARGET_DIR (cargo-leptos's marker for the target dir). */
function siteRoot(): string {
  if (process.env.LEPTOS_SITE_ROOT) return path.resolve(repo, process.env.LEPTOS_SITE_ROOT);
  const toml = fs.readFileSync(path.join(repo, 'Cargo.toml'), 'utf8');
  const configured = toml.match(/^site-root\s*=\s*"([^"]+)"/m)?.[1] ?? 'target/site';
  for (const marker of ['CARGO_TARGET_DIR', 'CARGO_BUILD_TARGET_DIR']) {
    if (configured === marker || configured.startsWith(marker + '/')) {
      return path.join(targetDir, configured.slice(marker.length));
    }
  }
  return path.resolve(repo, configured);
}

// A fresh database for every run. This file is also loaded by each worker process: the first
// load records the folder in the environment, which the workers inherit, so only one is made.
// scripts/test.sh passes its own folder (and removes it); otherwise the run removes its own.
if (!process.env.PARLEY_E2E_DB_DIR) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-'));
  process.env.PARLEY_E2E_DB_DIR = dir;
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
}
const dbFile = path.join(process.env.PARLEY_E2E_DB_DIR, 'e2e.db');
// The fake microphone's sound (see voice.ts); written once per run, beside the database.
const voice = path.join(process.env.PARLEY_E2E_DB_DIR, 'voice.wav');
if (!fs.existsSync(voice)) writeVoice(process.env.PARLEY_E2E_DB_DIR);

// scripts/test.sh builds and tests the release site (what users deploy); PARLEY_E2E_PROFILE=debug
// tests a debug build instead.
const profile = process.env.PARLEY_E2E_PROFILE === 'debug' ? 'debug' : 'release';
const server = path.join(targetDir, profile, 'parley');
const siteAddr = '127.0.0.1:3000';
// For specs that start servers of their own (workers inherit the environment).
process.env.PARLEY_E2E_SERVER = server;
process.env.PARLEY_SITE_ROOT ??= siteRoot();

export default defineConfig({
  testDir: './tests',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: 'list',
  use: {
    baseURL: `http://${siteAddr}`,
    permissions: ['camera', 'microphone'],
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      // No --disable-features here: Playwright passes its own, and ours would replace it.
      args: [
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${voice}`,
        '--allow-loopback-in-peer-connection',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    command: JSON.stringify(server),
    cwd: __dirname,
    url: `http://${siteAddr}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
    env: {
      LEPTOS_SITE_ADDR: siteAddr,
      LEPTOS_SITE_ROOT: siteRoot(),
      LEPTOS_OUTPUT_NAME: 'parley',
      LEPTOS_SITE_PKG_DIR: 'pkg',
      LEPTOS_ENV: profile === 'release' ? 'PROD' : 'DEV',
      DATABASE_URL: `sqlite://${dbFile}`,
      ROOM_CAP: '3',
      // The suite signs up dozens of users and guests from 127.0.0.1 within minutes.
      AUTH_PER_MIN: '10000',
      GUESTS_PER_HOUR: '10000',
      // A STUN server on loopback that is not there: checks the setting reaches the browser's
      // RTCPeerConnection without needing any network.
      ICE_SERVERS: '[{"urls":"stun:127.0.0.1:3478"}]',
      RUST_LOG: 'info',
      NO_COLOR: '1',
      // window.__parley and ?lowres=1, which the specs use; off by default.
      TEST_HOOKS: '1',
    },
  },
});
