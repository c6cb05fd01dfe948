// What the page learns about each venue from the stream: how often its sizes change (updates/s)
// and its age between the merger's view refreshes (views come at least once a second).

const WINDOW_MS = 5_000;

/** side+price → {venue: size} over the shown levels */
function sizesByLevel(book, depth) {
  const m = new Map();
  for (const l of book.bids.slice(0, depth)) m.set(`b${l.price}`, l.venues);
  for (const l of book.asks.slice(0, depth)) m.set(`a${l.price}`, l.venues);
  return m;
}

export class VenueActivity {
  constructor(now = () => Date.now()) {
    this.now = now;
    this.levels = new Map();
    this.viewRef = new Map();
    this.viewAt = new Map();
    this.hits = new Map();
  }

  /**
   * Call on every book event; `counted` false for snapshots. A venue counts an update when its size
   * changed at a price shown both before and after, so levels scrolling in and out of the shown
   * depth are not taken for activity (a silent venue stays at 0/s).
   */
  observe(book, depth, counted) {
    const t = this.now();
    const cur = sizesByLevel(book, depth);
    if (counted) {
      const moved = new Set();
      for (const [key, now] of cur) {
        const before = this.levels.get(key);
        if (!before) continue;
        for (const v of new Set([...Object.keys(now), ...Object.keys(before)])) if (now[v] !== before[v]) moved.add(v);
      }
      for (const v of moved) this.hit(v, t);
    }
    this.levels = cur;
    for (const [v, view] of Object.entries(book.venues)) {
      if (this.viewRef.get(v) === view) continue;
      this.viewRef.set(v, view);
      this.viewAt.set(v, t);
    }
  }

  hit(v, t) {
    let h = this.hits.get(v);
    if (!h) this.hits.set(v, (h = []));
    h.push(t);
    while (h.length && h[0] < t - WINDOW_MS) h.shift();
  }

  /** updates per second over the last 5 s */
  rate(v) {
    const t = this.now();
    return (this.hits.get(v) ?? []).filter((x) => x >= t - WINDOW_MS).length / (WINDOW_MS / 1000);
  }

  /**
   * ms since the venue's last activity: the merger's age_ms aged by the time since that view
   * arrived (views come once a second), or the time since its sizes last changed if more recent.
   */
  age(v, view) {
    if (!view) return undefined;
    const t = this.now();
    const at = this.viewAt.get(v);
    const fromView = view.age_ms + (at === undefined ? 0 : t - at);
    const last = this.hits.get(v)?.at(-1);
    return Math.max(0, last === undefined ? fromView : Math.min(fromView, t - last));
  }
}
