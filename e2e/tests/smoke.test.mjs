// Checks the harness itself (no server needed): Chromium starts, axe-core runs,
// reports a real violation, and passes a clean page — also under a strict CSP.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, newContext } from '../lib/browser.mjs';
import { formatViolations, runAxe } from '../lib/axe.mjs';

const page = (body, head = '') =>
  'data:text/html;charset=utf-8,' +
  encodeURIComponent(`<!doctype html><html lang="ja"><head><meta charset="utf-8">${head}<title>テスト</title></head>` +
    `<body><main><h1>見出し</h1>${body}</main></body></html>`);

describe('harness smoke test (Chromium + axe-core)', () => {
  let browser;
  let context;
  before(async () => {
    browser = await launchBrowser();
    context = await newContext(browser);
  });
  after(async () => {
    await context?.close();
    await browser?.close();
  });

  test('a clean page has zero WCAG A/AA violations', async () => {
    const p = await context.newPage();
    await p.goto(page('<p>こんにちは</p>'));
    assert.equal(await p.locator('h1').innerText(), '見出し');
    const v = await runAxe(p);
    assert.deepEqual(v, [], formatViolations(v, p.url()));
  });

  test('axe reports an image without alt text and a form field without a label', async () => {
    const p = await context.newPage();
    await p.goto(page('<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text" name="q">'));
    const v = await runAxe(p);
    const ids = v.map((x) => x.id).sort();
    assert.ok(ids.includes('image-alt'), `expected image-alt in ${ids}`);
    assert.ok(ids.includes('label'), `expected label in ${ids}`);
    const msg = formatViolations(v, p.url());
    assert.match(msg, /image-alt \[critical\]: Images must have alternative text/);
    assert.match(msg, /target: \["img"\]/);
  });

  test('axe still runs under a strict Content-Security-Policy', async () => {
    const p = await context.newPage();
    await p.goto(page('<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">',
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; script-src 'self'">`));
    const v = await runAxe(p);
    assert.deepEqual(v.map((x) => x.id), ['image-alt']);
  });
});
