/**
 * The socket side both clients share (the consensus client, client.ts, and the window-price
 * client, windows-client.ts): the WebSocket they need, where one comes from by default, the clock
 * their timers run on, how a message is read and how a socket is let go when the client stops.
 */

/** The part of the WHATWG WebSocket the clients use (browser WebSocket and `ws` both fit). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type WebSocketFactory = (url: string) => WebSocketLike;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** The global WebSocket (browsers, Node 22); elsewhere the caller must pass one. */
export function globalWebSocket(): WebSocketFactory {
  const WS = (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
  if (!WS) throw new Error('no global WebSocket: pass `webSocket: (url) => new WebSocket(url)` from the ws package');
  return (url) => new WS(url);
}

/** A message as the clients read it: a text frame's JSON; binary or unparsable data is nothing. */
export function jsonText<T>(data: unknown): T | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    return JSON.parse(data) as T;
  } catch {
    return undefined;
  }
}

/** The client stops: the socket is closed normally and nothing it does afterwards reaches the client. */
export function letGo(ws: WebSocketLike | undefined): void {
  if (!ws) return;
  ws.onclose = ws.onmessage = ws.onerror = ws.onopen = null;
  ws.close(1000, 'client stop');
}
