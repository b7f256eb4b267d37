import { expect, type Locator, type Page } from '@playwright/test';
import { expectConnected, expectVideoBytesGrow, openPage, signUp, unique, test } from './helpers';

// Calling a user by name from the home page's online list.

test.afterEach(async ({ browser }) => {
  for (const context of browser.contexts()) await context.close();
});

/** Someone in the home page's "Online now" list. */
const online = (page: Page, name: string): Locator =>
  page.locator(`[data-testid=online] li[data-user="${name}"]`);
/** Waits until the page's online list is live (hydrated and fed by its socket). */
const live = (page: Page) =>
  expect(page.locator('[data-testid=online]')).toHaveAttribute('data-live', 'true', { timeout: 20_000 });
const callState = (page: Page): Locator => page.locator('[data-testid=call-state]');
const incoming = (page: Page): Locator => page.locator('[data-testid=incoming]');

/** Two fresh users, each signed up in their own browser and on the home page in test mode. */
async function twoOnline(browser: import('@playwright/test').Browser, a: string, b: string) {
  const names = [unique(a), unique(b)];
  const pages = [await openPage(browser, names[0]), await openPage(browser, names[1])];
  for (let i = 0; i < 2; i++) {
    await signUp(pages[i], names[i]);
    // `lowres=1` rides along to the call's room page: small, silent video for 2 cores.
    await pages[i].goto('/?lowres=1');
    await live(pages[i]);
  }
  return { names, pages };
}

test('two users see each other online, one calls, the other accepts, video flows', async ({ browser }) => {
  const {
    names: [amy, ben],
    pages: [pa, pb],
  } = await twoOnline(browser, 'amy', 'ben');

  // Amy loaded the page after Ben signed up; Ben's list updates live when Amy arrives.
  await expect(online(pa, ben)).toBeVisible({ timeout: 20_000 });
  await expect(online(pb, amy)).toBeVisible({ timeout: 20_000 });
  await expect(online(pa, amy)).toHaveCount(0);

  await online(pa, ben).getByRole('button', { name: 'Call' }).click();
  await expect(callState(pa)).toHaveAttribute('data-state', 'ringing');
  await expect(callState(pa)).toHaveText(`Ringing ${ben}…`);

  await expect(incoming(pb)).toContainText(`${amy} is calling`, { timeout: 10_000 });
  await incoming(pb).getByRole('button', { name: 'Accept' }).click();

  // Both land in the same private room and connect straight to each other.
  await pa.waitForURL(/\/r\/call-[a-z0-9]{24}/, { timeout: 15_000 });
  await pb.waitForURL(/\/r\/call-[a-z0-9]{24}/, { timeout: 15_000 });
  expect(new URL(pa.url()).pathname).toBe(new URL(pb.url()).pathname);

  const benOnAmy = await expectConnected(pa, ben);
  const amyOnBen = await expectConnected(pb, amy);
  await expectVideoBytesGrow(pa, benOnAmy);
  await expectVideoBytesGrow(pb, amyOnBen);

  // The call's room is in no list.
  const rooms = await (await pa.request.get('/api/rooms')).json();
  expect(rooms.map((r: { name: string }) => r.name).filter((n: string) => n.startsWith('call-'))).toEqual([]);

  // A third user cannot get in.
  const eve = unique('eve');
  const pe = await openPage(browser, eve);
  await signUp(pe, eve);
  await pe.goto(new URL(pa.url()).pathname + '?lowres=1');
  await expect(pe.locator('[data-testid=call-status]')).toHaveText('This is a private call.');
  await expect(pe.locator('figure.tile.remote')).toHaveCount(0);
});

test('a declined call says so, and a busy callee says so', async ({ browser }) => {
  const {
    names: [cat, dan],
    pages: [pc, pd],
  } = await twoOnline(browser, 'cat', 'dan');
  await expect(online(pc, dan)).toBeVisible({ timeout: 20_000 });

  await online(pc, dan).getByRole('button', { name: 'Call' }).click();
  await expect(incoming(pd)).toContainText(`${cat} is calling`, { timeout: 10_000 });
  await incoming(pd).getByRole('button', { name: 'Decline' }).click();
  await expect(incoming(pd)).toHaveCount(0);
  await expect(callState(pc)).toHaveAttribute('data-state', 'declined');
  await expect(callState(pc)).toHaveText(`${dan} declined`);

  // Cat closes the panel and rings again; while Dan's phone rings, Eli is told Dan is busy.
  await pc.getByRole('button', { name: 'Close' }).click();
  await expect(callState(pc)).toHaveCount(0);
  await online(pc, dan).getByRole('button', { name: 'Call' }).click();
  await expect(incoming(pd)).toBeVisible();

  const eli = unique('eli');
  const pe = await openPage(browser, eli);
  await signUp(pe, eli);
  await pe.goto('/');
  await live(pe);
  await online(pe, dan).getByRole('button', { name: 'Call' }).click();
  await expect(callState(pe)).toHaveAttribute('data-state', 'busy');
  await expect(callState(pe)).toHaveText(`${dan} is busy`);

  // Cat gives up: Dan's dialog goes away.
  await pc.getByRole('button', { name: 'Cancel' }).click();
  await expect(incoming(pd)).toHaveCount(0);
});
