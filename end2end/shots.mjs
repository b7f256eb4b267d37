// Screenshots of the main pages, for looking at the UI: node shots.mjs http://127.0.0.1:3005 /tmp/shots [locale]
// (the locale, e.g. ja-JP, is the browser's language: the pages come in it).
import { chromium } from '@playwright/test';
const [base, out, locale = 'en-US'] = process.argv.slice(2);
const args = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--allow-loopback-in-peer-connection', '--no-sandbox'];
// Contexts as if the pre-join screen had been seen once, so calls start at once.
const chosen = async (c) => {
  await c.addInitScript(() => localStorage.getItem('parley.devices') ?? localStorage.setItem('parley.devices', '{}'));
  return c;
};
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args });
const ctx = (w = 1280, h = 800) => browser.newContext({ viewport: { width: w, height: h }, locale, permissions: ['camera', 'microphone'] }).then(chosen);
/** A guest on a new page in `browser`, `w`×`h`; `first`: as if it had never chosen its devices. */
const guestIn = async (browser, w, h, first = false) => {
  const c = await browser.newContext({ viewport: { width: w, height: h }, locale, permissions: ['camera', 'microphone'] });
  const p = await (first ? c : await chosen(c)).newPage();
  await p.goto(base + '/login');
  await p.click('form[action="/auth/guest"] button');
  await p.locator('[data-testid=me]').waitFor();
  return p;
};
const a = await (await ctx()).newPage();
await a.goto(base + '/');
await a.screenshot({ path: `${out}/home-anon.png` });
await a.goto(base + '/login');
await a.screenshot({ path: `${out}/login-desktop.png` });
await a.goto(base + '/signup');
await a.fill('input[name=username]', 'x');
await a.fill('input[name=password]', 'short');
await a.evaluate(() => document.querySelectorAll('input').forEach(i => i.removeAttribute('minlength') || i.removeAttribute('pattern')));
await a.click('form[action="/auth/signup"] button');
await a.locator('.alert').waitFor();
await a.screenshot({ path: `${out}/signup-error.png` });
const name = 'alice' + Date.now() % 10000;
await a.fill('input[name=username]', name);
await a.fill('input[name=password]', 'long enough password');
await a.click('form[action="/auth/signup"] button');
await a.goto(base + '/r/standup?lowres=1');
const b = await (await ctx(390, 844)).newPage();
await b.goto(base + '/');
await b.screenshot({ path: `${out}/home-mobile.png`, fullPage: true });
await b.goto(base + '/login?next=/r/standup');
await b.screenshot({ path: `${out}/login-mobile.png` });
await b.click('form[action="/auth/guest"] button');
await b.locator('figure.tile.remote[data-state=connected]').waitFor({ timeout: 30000 });
await a.locator('figure.tile.remote[data-state=connected]').waitFor({ timeout: 30000 });
await a.waitForTimeout(1500); // let video frames paint for the picture (not a synchronisation)
await a.screenshot({ path: `${out}/room-desktop.png` });
await b.screenshot({ path: `${out}/room-mobile.png`, fullPage: true });
const c = await (await ctx()).newPage();
await c.goto(base + '/login');
await c.click('form[action="/auth/guest"] button');
await c.goto(base + '/');
await c.screenshot({ path: `${out}/home-rooms.png` });
await browser.close();

// Broadcast, online list and an incoming call.
{
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args });
  const ctx = () => browser.newContext({ viewport: { width: 1280, height: 800 }, locale, permissions: ['camera', 'microphone'] }).then(chosen);
  const guest = async () => {
    const p = await (await ctx()).newPage();
    await p.goto(base + '/login');
    await p.click('form[action="/auth/guest"] button');
    return p;
  };
  const t = await guest();
  await t.goto(base + '/live/keynote/talk?lowres=1');
  const w = await guest();
  await w.goto(base + '/live/keynote?lowres=1');
  await w.locator('figure.tile.remote[data-state=connected]').waitFor({ timeout: 30000 });
  await t.locator('figure.tile.remote[data-state=connected]').waitFor({ timeout: 30000 });
  await w.waitForTimeout(1000);
  await t.screenshot({ path: `${out}/talk.png` });
  await w.screenshot({ path: `${out}/watch.png` });
  const a = await guest();
  const b = await guest();
  await a.goto(base + '/');
  await b.goto(base + '/');
  await a.locator('[data-testid=online][data-live=true]').waitFor({ timeout: 30000 });
  await a.screenshot({ path: `${out}/home-online.png` });
  const bName = (await b.locator('[data-testid=me]').innerText()).trim();
  await a.locator(`[data-testid=online] li[data-user="${bName}"] button`).click();
  await b.locator('[data-testid=incoming]').waitFor({ timeout: 30000 });
  await a.screenshot({ path: `${out}/ringing.png` });
  await b.screenshot({ path: `${out}/incoming.png` });
  await browser.close();
}

// A call in use: camera off on one side, muted on the other, files on their way, one
// verified and one cancelled, and the quality badge's details open.
{
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args });
  const guest = (w, h, first = false) => guestIn(browser, w, h, first);
  const a = await guest(1280, 800);
  const b = await guest(390, 844);
  await a.goto(base + '/r/files');
  await b.goto(base + '/r/files');
  await a.locator('figure.tile.remote[data-state=connected] .quality').waitFor({ timeout: 30000 });
  await b.locator('figure.tile.remote[data-state=connected]').waitFor({ timeout: 30000 });
  await b.locator('.controls .toggle').nth(1).click();
  await a.locator('.controls .toggle').first().click();
  const said = b.locator('[data-testid=chat] li .text').first();
  while (!(await said.isVisible())) {
    await a.locator('.chat input[name=message]').fill('hi');
    await a.locator('.chat button[type=submit]').click();
    await said.waitFor({ timeout: 1000 }).catch(() => {});
  }
  await a.locator('.chat input[type=file]').setInputFiles({ name: 'notes.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(400 * 1024, 1) });
  await b.locator('li.file[data-file-name="notes.pdf"][data-file-state=verified]').waitFor({ timeout: 30000 });
  await a.evaluate(() => {
    const input = document.querySelector('.chat input[type=file]');
    const chosen = new DataTransfer();
    for (const name of ['video.mp4', 'backup.zip']) chosen.items.add(new File([new Uint8Array(95 * 1024 * 1024)], name));
    input.files = chosen.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await b.locator('li.file[data-file-name="backup.zip"][data-file-state=moving]').waitFor({ timeout: 30000 });
  await b.locator('li.file[data-file-name="backup.zip"] button').click();
  await a.locator('figure.tile.remote .quality').focus();
  await a.screenshot({ path: `${out}/room-call-desktop.png`, fullPage: true });
  await b.screenshot({ path: `${out}/room-call-mobile.png`, fullPage: true });
  await browser.close();
}

// Devices: the pre-join screen (a first call), the Devices panel, a pinned tile, and six
// tiles (copies of the two real ones) on desktop and phone.
{
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args });
  const guest = (w, h, first = false) => guestIn(browser, w, h, first);
  const a = await guest(1280, 800, true);
  const b = await guest(390, 844, true);
  await a.goto(base + '/r/devices');
  await b.goto(base + '/r/devices');
  for (const p of [a, b]) await p.locator('[data-testid=pick-camera] option').nth(1).waitFor({ state: 'attached', timeout: 30000 });
  await a.waitForTimeout(1000); // let the preview paint (not a synchronisation)
  await a.screenshot({ path: `${out}/prejoin-desktop.png` });
  await b.screenshot({ path: `${out}/prejoin-mobile.png`, fullPage: true });
  await a.locator('[data-testid=join]').click();
  await b.locator('[data-testid=join]').click();
  await a.locator('figure.tile.remote[data-state=connected]').waitFor({ timeout: 30000 });
  await b.locator('figure.tile.remote[data-state=connected]').waitFor({ timeout: 30000 });
  await a.locator('[data-testid=devices-toggle]').click();
  await a.locator('[data-testid=pick-camera] option').nth(1).waitFor({ state: 'attached' });
  await a.screenshot({ path: `${out}/devices-panel-desktop.png`, fullPage: true });
  await b.locator('[data-testid=devices-toggle]').click();
  await b.screenshot({ path: `${out}/devices-panel-mobile.png`, fullPage: true });
  for (const p of [a, b]) await p.locator('figure.tile.remote [data-testid=pin]').click();
  await a.waitForTimeout(500);
  await a.screenshot({ path: `${out}/pinned-desktop.png`, fullPage: true });
  await b.screenshot({ path: `${out}/pinned-mobile.png`, fullPage: true });
  for (const p of [a, b]) {
    await p.locator('figure.tile.remote [data-testid=pin]').click();
    await p.evaluate(() => {
      const tiles = document.querySelector('.tiles');
      const remote = tiles.querySelector('figure.tile.remote');
      for (let i = 0; i < 4; i++) tiles.appendChild(remote.cloneNode(true));
    });
  }
  await a.screenshot({ path: `${out}/six-desktop.png`, fullPage: true });
  await b.screenshot({ path: `${out}/six-mobile.png`, fullPage: true });
  await browser.close();
}

// Screen sharing: the sharer's banner, and the presenting layout on a desktop and a phone.
{
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args });
  const guest = (w, h, first = false) => guestIn(browser, w, h, first);
  const pages = [await guest(1280, 800), await guest(1280, 800), await guest(390, 844)];
  for (const p of pages) await p.goto(base + '/r/present?lowres=1');
  for (const p of pages) await p.locator('figure.tile.remote[data-state=connected]').nth(1).waitFor({ timeout: 30000 });
  const [a, b, c] = pages;
  await a.click('[data-testid=share-screen]');
  await b.locator('figure.tile.remote[data-screen=true]').waitFor({ timeout: 30000 });
  await c.locator('figure.tile.remote[data-screen=true]').waitFor({ timeout: 30000 });
  await b.waitForTimeout(1500); // let the screen's frames paint for the picture (not a synchronisation)
  await a.evaluate(() => window.scrollTo(0, 0));
  await a.screenshot({ path: `${out}/sharing-desktop.png` });
  await b.screenshot({ path: `${out}/presenting-desktop.png` });
  await c.screenshot({ path: `${out}/presenting-mobile.png`, fullPage: true });
  await browser.close();
}
