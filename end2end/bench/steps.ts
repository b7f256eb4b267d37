// What the call-setup benchmarks read from a page: the steps of a call, in order, and the page's
// marks (`probe.ts`), shared by call-setup.spec.ts and floor.spec.ts.
import type { Page } from '@playwright/test';

/** The steps reported, in order, each read from one of the pages' marks. */
export const STEPS: [label: string, page: 'new' | 'old', mark: string][] = [
  ['HTML received', 'new', 'nav responseEnd'],
  ['DOM parsed', 'new', 'nav domInteractive'],
  ['wasm fetched', 'new', 'wasm responseEnd'],
  ['wasm compile started', 'new', 'wasm start'],
  ['wasm instantiated', 'new', 'wasm ready'],
  ['camera asked', 'new', 'camera asked'],
  ['socket created', 'new', 'ws created'],
  ['socket open', 'new', 'ws open'],
  ['welcome', 'new', 'ws recv welcome'],
  ['join sent', 'new', 'ws send join'],
  ['joined', 'new', 'ws recv joined'],
  ['camera ready', 'new', 'camera ready'],
  ['call sent', 'new', 'ws send call'],
  ['response received', 'new', 'ws recv response'],
  ['peer connection made', 'new', 'pc created'],
  ['… with the early certificate', 'new', 'pc with early certificate'],
  ['createOffer called', 'new', 'create offer'],
  ['createOffer resolved', 'new', 'offer created'],
  ['offer made (setLocalDescription)', 'new', 'set local offer'],
  ['offer sent', 'new', 'ws send offer'],
  ['first candidate of ours', 'new', 'first local candidate'],
  ['peer_joined received (old page)', 'old', 'ws recv peer_joined'],
  ['response sent (old page)', 'old', 'ws send response'],
  ['call received (old page)', 'old', 'ws recv call'],
  ['peer connection made (old page)', 'old', 'pc created'],
  ['offer received (old page)', 'old', 'ws recv offer'],
  ['answer made (old page)', 'old', 'set local answer'],
  ['answer sent (old page)', 'old', 'ws send answer'],
  ['first candidate of its (old page)', 'old', 'first local candidate'],
  ['answer received', 'new', 'ws recv answer'],
  ['answer applied', 'new', 'set remote answer'],
  ['first candidate of its received', 'new', 'first remote candidate'],
  ['ICE connected', 'new', 'ice connected'],
  ['peer connection connected', 'new', 'pc connected'],
  ['islands hydrating', 'new', 'parley hydrate'],
  ['call island hydrated', 'new', 'parley hydrated'],
  ['tile connected (new page)', 'new', 'tile connected'],
  ['tile connected (old page)', 'old', 'tile connected'],
];

/** The page's marks, with the call's socket (the one that sent `join`) as `ws …`, and the
 *  navigation and wasm timings as epoch milliseconds. */
export async function marks(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const w = window as any;
    const out: Record<string, number> = { ...w.__setup };
    const call = (w.__sockets ?? []).find((s: any) => s['send join']);
    for (const [k, v] of Object.entries(call ?? {})) out['ws ' + k] = v as number;
    const origin = performance.timeOrigin;
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    if (nav) {
      out['nav responseEnd'] = origin + nav.responseEnd;
      out['nav domInteractive'] = origin + nav.domInteractive;
    }
    const wasm = performance.getEntriesByType('resource').find((r) => r.name.endsWith('.wasm')) as
      | PerformanceResourceTiming
      | undefined;
    if (wasm) out['wasm responseEnd'] = origin + wasm.responseEnd;
    for (const m of performance.getEntriesByType('mark')) if (m.name.startsWith('parley ')) out[m.name] ??= origin + m.startTime;
    return out;
  });
}

export const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
export const ms = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '—' : `${Math.round(x)} ms`);

/** Waits until the page's probe has stamped "tile connected" (the plain page: its own
 *  `connected`). Not `expect(locator)`: while it waits, Playwright's `expect` builds an
 *  accessibility snapshot of the page (17 ms of the newcomer's main thread in one profile, in
 *  the middle of its call set-up), which would slow the very thing measured. */
export function connected(page: Page): Promise<unknown> {
  return page.waitForFunction(
    () => (window as any).__setup?.['tile connected'] ?? (window as any).__floor?.connected,
    null,
    { timeout: 20_000, polling: 'raf' },
  );
}
