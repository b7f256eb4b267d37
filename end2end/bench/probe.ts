// An init script for the call-setup benchmark: it records, in the page, when each step of a
// call happens, without changing what the page does. It wraps the browser APIs the wasm uses
// (WebAssembly, WebSocket, getUserMedia, RTCPeerConnection) and watches the tiles; every mark
// is an epoch time in milliseconds (performance.timeOrigin + performance.now()), so marks from
// two pages and from Node compare directly.

/** Runs in the page before any of its scripts (`page.addInitScript(probe, cameraDelayMs)`).
 *  `cameraDelayMs`: the camera answers that much later than Chromium's fake one would, like a
 *  real webcam warming up (0.3–1 s). */
export function probe(cameraDelayMs = 0): void {
  const w = window as any;
  const marks: Record<string, number> = {};
  w.__setup = marks;
  const now = () => performance.timeOrigin + performance.now();
  /** Records the first time `name` happens, also in the page's performance timeline (so a
   *  trace shows it). */
  const mark = (name: string) => {
    if (!(name in marks)) {
      marks[name] = now();
      performance.mark?.('setup: ' + name);
    }
  };
  const typeOf = (text: unknown): string | undefined => {
    if (typeof text !== 'string') return undefined;
    try {
      return JSON.parse(text)?.type;
    } catch {
      return undefined;
    }
  };

  for (const name of ['instantiate', 'instantiateStreaming'] as const) {
    const orig = (WebAssembly as any)[name].bind(WebAssembly);
    (WebAssembly as any)[name] = (...args: unknown[]) => {
      mark('wasm start');
      return orig(...args).then((r: unknown) => {
        mark('wasm ready');
        return r;
      });
    };
  }

  // The call's socket is the one that sends `join`; the page opens others (calls by name).
  const Ws = w.WebSocket;
  let sockets = 0;
  w.WebSocket = class extends Ws {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      const n = sockets++;
      const at: Record<string, number> = { created: now() };
      (this as any).__marks = at;
      (this as any).__n = n;
      w.__sockets = w.__sockets ?? [];
      w.__sockets[n] = at;
      this.addEventListener('open', () => (at.open ??= now()));
      this.addEventListener('message', (ev: MessageEvent) => {
        const t = typeOf(ev.data);
        if (t && !at['recv ' + t]) {
          at['recv ' + t] = now();
          performance.mark?.(`setup: ws${n} recv ${t}`);
        }
      });
    }
    send(data: any) {
      const t = typeOf(data);
      const at = (this as any).__marks;
      if (t && !at['send ' + t]) {
        at['send ' + t] = now();
        performance.mark?.(`setup: ws${(this as any).__n} send ${t}`);
      }
      return super.send(data);
    }
  };

  const media = navigator.mediaDevices;
  if (media?.getUserMedia) {
    const gum = media.getUserMedia.bind(media);
    media.getUserMedia = (c?: MediaStreamConstraints) => {
      mark('camera asked');
      const late = new Promise((r) => setTimeout(r, cameraDelayMs));
      return Promise.all([gum(c), late]).then(([s]) => {
        mark('camera ready');
        return s;
      });
    };
  }

  const Pc = w.RTCPeerConnection;
  w.RTCPeerConnection = class extends Pc {
    constructor(cfg?: RTCConfiguration) {
      super(cfg);
      mark('pc created');
      // Made with the certificate the head script made (else it makes its own first).
      if (cfg?.certificates?.length) mark('pc with early certificate');
      this.createOffer = ((orig) => (...a: any[]) => {
        mark('create offer');
        return (orig as any)(...a).then((d: unknown) => {
          mark('offer created');
          return d;
        });
      })(this.createOffer.bind(this));
      this.addEventListener('icecandidate', (e: RTCPeerConnectionIceEvent) => {
        if (e.candidate) mark('first local candidate');
      });
      this.addEventListener('iceconnectionstatechange', () => mark('ice ' + this.iceConnectionState));
      this.addEventListener('connectionstatechange', () => mark('pc ' + this.connectionState));
    }
    setLocalDescription(d?: RTCSessionDescriptionInit) {
      mark('set local ' + (d?.type ?? ''));
      return super.setLocalDescription(d);
    }
    setRemoteDescription(d: RTCSessionDescriptionInit) {
      mark('set remote ' + d.type);
      return super.setRemoteDescription(d);
    }
    addIceCandidate(c?: RTCIceCandidateInit) {
      mark('first remote candidate');
      return super.addIceCandidate(c);
    }
  };

  // What the person sees: a remote tile whose state reads "connected".
  const watch = () => {
    new MutationObserver(() => {
      if (document.querySelector('figure.tile.remote[data-state="connected"]')) mark('tile connected');
    }).observe(document.documentElement, { subtree: true, attributes: true, childList: true, attributeFilter: ['data-state'] });
  };
  if (document.documentElement) watch();
  else document.addEventListener('readystatechange', watch, { once: true });
}
