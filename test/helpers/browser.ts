/** Headless Chromium for the widget's browser tests: where it is, how it starts, what a page drew. */
import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      /* not this one */
    }
  }
  return undefined;
}

/** How many pixels of the depth chart are bid-green and ask-red: proof that both sides were drawn. */
export async function depthChartPixels(page: Page): Promise<{ bid: number; ask: number }> {
  return page.$eval('#depth', (c) => {
    const canvas = c as HTMLCanvasElement;
    const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let bid = 0;
    let ask = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 1]! > 120 && px[i]! < 80) bid++;
      if (px[i]! > 170 && px[i + 1]! < 100) ask++;
    }
    return { bid, ask };
  });
}
