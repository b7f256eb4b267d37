import { expect } from '@playwright/test';
import {
  PASSWORD,
  expectConnected,
  expectVideoBytesGrow,
  joinAsGuest,
  me,
  openPage,
  openRoom,
  presence,
  remoteTile,
  signUp,
  submitCredentials,
  unique,
  test,
} from './helpers';

// Each test opens its own contexts (one per user); close them so no call outlives its test.
test.afterEach(async ({ browser }) => {
  for (const context of browser.contexts()) await context.close();
});

test('accounts: sign up, log out, name taken, wrong password, log in', async ({ browser }) => {
  const page = await openPage(browser, 'ann');
  const name = unique('ann');

  await signUp(page, name);

  await page.locator('form[action="/auth/logout"] button').click();
  await expect(page.locator('header').getByRole('link', { name: 'Log in', exact: true })).toBeVisible();
  await expect(me(page)).toHaveCount(0);

  await submitCredentials(page, '/signup', '/auth/signup', name, PASSWORD);
  await expect(page.locator('[role=alert]')).toContainText('taken');

  await submitCredentials(page, '/login', '/auth/login', name, 'not-the-password');
  await expect(page.locator('[role=alert]')).toContainText("don't match");
  await expect(me(page)).toHaveCount(0);

  await submitCredentials(page, '/login', '/auth/login', name, PASSWORD);
  await expect(me(page)).toHaveText(name);
});

test('two members see each other, connect with live video, and one leaves', async ({ browser, request }) => {
  const room = unique('room');
  const amy = unique('amy');
  const ben = unique('ben');
  const pa = await openPage(browser, amy);
  const pb = await openPage(browser, ben);
  await signUp(pa, amy);
  await signUp(pb, ben);

  await openRoom(pa, room);
  await openRoom(pb, room);
  await expect(presence(pa, ben)).toBeVisible({ timeout: 20_000 });
  await expect(presence(pb, amy)).toBeVisible({ timeout: 20_000 });

  const benOnAmy = await expectConnected(pa, ben);
  const amyOnBen = await expectConnected(pb, amy);
  await expectVideoBytesGrow(pa, benOnAmy);
  const ice = await pa.evaluate(
    (id) => (window as any).__parley.pcs[id].getConfiguration().iceServers.map((s: RTCIceServer) => s.urls),
    benOnAmy,
  );
  expect(ice.flat(), 'ICE_SERVERS reaches the peer connection').toContain('stun:127.0.0.1:3478');
  await expectVideoBytesGrow(pb, amyOnBen);

  // What the server knows, without a browser: the room page's server-rendered presence list,
  // and the JSON API.
  const page = await request.get(`/r/${room}`);
  expect(page.ok()).toBeTruthy();
  const html = await page.text();
  expect(html).toContain(`data-name="${amy}"`);
  expect(html).toContain(`data-name="${ben}"`);
  const api = await request.get(`/api/rooms/${room}`);
  expect(api.ok()).toBeTruthy();
  const summary = await api.json();
  expect(summary.name).toBe(room);
  expect([...summary.people].sort()).toEqual([amy, ben].sort());

  await pb.getByRole('button', { name: 'Leave', exact: true }).click();
  await expect(pb.locator('[data-testid=call-status]')).toHaveText('You left the call.');
  await expect(remoteTile(pa, ben)).toHaveCount(0, { timeout: 20_000 });
  await expect(presence(pa, ben)).toHaveCount(0);
  await expect(presence(pa, amy)).toBeVisible();
  await expect
    .poll(async () => (await (await request.get(`/api/rooms/${room}`)).json()).people, {
      message: 'the API no longer lists the one who left',
    })
    .toEqual([amy]);
});

test('a guest and a member connect', async ({ browser }) => {
  const room = unique('room');
  const pg = await openPage(browser, 'guest');
  const guest = await joinAsGuest(pg);
  const cal = unique('cal');
  const pc = await openPage(browser, cal);
  await signUp(pc, cal);

  await openRoom(pg, room);
  await openRoom(pc, room);
  await expect(presence(pg, cal)).toBeVisible({ timeout: 20_000 });
  await expect(presence(pc, guest)).toBeVisible({ timeout: 20_000 });

  const calOnGuest = await expectConnected(pg, cal);
  const guestOnCal = await expectConnected(pc, guest);
  await expectVideoBytesGrow(pg, calOnGuest);
  await expectVideoBytesGrow(pc, guestOnCal);
});

test('a visitor who is not signed in is offered to join as a guest', async ({ browser }) => {
  const room = unique('room');
  const page = await openPage(browser, 'visitor');
  await page.goto(`/r/${room}`);

  const guestButton = page.locator('form[action="/auth/guest"] button');
  await expect(guestButton).toHaveText('Join as guest');
  await expect(page.locator('#local-video')).toHaveCount(0);

  // The button brings the visitor back into this room, now with a camera.
  await guestButton.click();
  await expect(me(page)).toHaveText(/^guest-/);
  await expect(page).toHaveURL(new RegExp(`/r/${room}(\\?.*)?$`));
  await expect(page.locator('#local-video')).toBeAttached();
});
