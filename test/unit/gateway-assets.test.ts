/**
 * The widget page's files: every module the page imports is served (by its flat name, with a
 * JavaScript type), nothing outside services/gateway/public is, and nothing on the page reaches
 * beyond the gateway (no CDN, no external fonts), so it works offline.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientModule, publicAsset } from '../../services/gateway/assets.js';

const PUBLIC = resolve(import.meta.dirname, '../../services/gateway/public');
const served = readdirSync(PUBLIC).filter((f) => /\.(html|js|css)$/.test(f) && !f.endsWith('.d.ts'));

describe('widget page assets', () => {
  it('serves every module the page imports, from public/ or the client library', async () => {
    for (const f of served) {
      const a = await publicAsset(f);
      expect(a, f).toBeDefined();
      expect(a!.type).toMatch(f.endsWith('.js') ? /^text\/javascript/ : f.endsWith('.css') ? /^text\/css/ : /^text\/html/);
    }
    let imports = 0;
    for (const f of served.filter((x) => x.endsWith('.js'))) {
      const src = readFileSync(resolve(PUBLIC, f), 'utf8');
      for (const [, spec] of src.matchAll(/^import [^;]*? from '([^']+)';$/gm)) {
        imports++;
        if (spec!.startsWith('./')) expect(await publicAsset(spec!.slice(2)), `${f} imports ${spec}`).toBeDefined();
        else if (spec!.startsWith('/client/')) expect(await clientModule(spec!.slice('/client/'.length)), `${f} imports ${spec}`).toBeDefined();
        else throw new Error(`${f} imports ${spec}: only ./ and /client/ modules exist in the browser`);
      }
    }
    expect(imports).toBeGreaterThan(10);
  });

  it('serves nothing but flat public file names', async () => {
    for (const name of ['../assets.ts', '..%2fassets.ts', 'alert-text.d.ts', 'Widget.js', 'widget.js/', 'nope.js', '.hidden.js', 'index.htm', 'widget.js.map']) {
      expect(await publicAsset(name), name).toBeUndefined();
    }
  });

  it('loads nothing from outside the gateway', () => {
    for (const f of served) {
      const src = readFileSync(resolve(PUBLIC, f), 'utf8');
      expect(src, f).not.toMatch(/(src|href)=["'](https?:)?\/\/|@import|url\(\s*["']?(https?:)?\/\/|from ['"]https?:/);
    }
  });
});
