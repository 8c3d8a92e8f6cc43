// The public side's front doors in real Chromium, on both databases: the landing page (/),
// 岸和田市's desk page (/t/272027), the national list of open calls (/calls) and one call's
// page — zero axe WCAG 2.1 A/AA violations at 1280 px and no sideways scrolling at 375 px —
// and the propose-and-browse journey BY KEYBOARD ALONE: from the landing page to the desk's
// page to the intake form, filled in and sent, to the confirmation page and the receipt,
// with nothing but Tab, arrow keys, Space, Enter and typed text.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkPage, noProblems } from '../lib/check.mjs';
import { launchBrowser, newContext } from '../lib/browser.mjs';
import { BACKENDS, startServer } from '../lib/server.mjs';

const TENANT = '272027';
const RECEIPT_RE = /\b272027-\d{4}-\d{4}\b/;

async function text(page) {
  return page.locator('body').innerText();
}

/** Presses Tab until the focused element matches `selector` (at most `max` presses). */
async function tabTo(page, selector, max = 400) {
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  assert.fail(`Tab never reached ${selector} on ${page.url()}`);
}

/** Presses `key` on the focused element and waits for the page load it causes. */
async function pressAndWait(page, key) {
  const [resp] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.keyboard.press(key),
  ]);
  return resp;
}

/** Tabs into a radio group and moves with the arrow keys until `value` is chosen. */
async function chooseRadio(page, name, value) {
  await tabTo(page, `input[type=radio][name=${name}]`);
  for (let i = 0; i < 10; i += 1) {
    const current = await page.evaluate(() => document.activeElement?.value);
    if (current === value) {
      await page.keyboard.press('Space');
      return;
    }
    await page.keyboard.press('ArrowDown');
  }
  assert.fail(`no radio ${name}=${value}`);
}

async function typeInto(page, selector, value) {
  await tabTo(page, selector);
  await page.keyboard.type(value);
}

for (const backend of BACKENDS) {
  describe(`landing and public pages on ${backend}`, { timeout: 600_000 }, () => {
    let srv;
    let browser;

    before(async () => {
      srv = await startServer(backend);
      browser = await launchBrowser();
    });

    after(async () => {
      try {
        await browser?.close();
      } finally {
        await srv?.stop();
      }
    });

    const fresh = async () => (await newContext(browser)).newPage();
    const check = (page, problems, label) => checkPage(page, problems, label, `${backend}-landing-`);

    test('the landing page, the desk page, the calls and a call: axe and 375 px', async () => {
      const problems = [];
      const page = await fresh();
      let resp = await page.goto(srv.at('/'));
      assert.equal(resp?.status(), 200);
      const top = await text(page);
      for (const want of ['締切が近い公募', '新着の連携事例', '全国の数字', '受付中', '事例を探す', '公募', '統計', 'オープンデータ']) {
        assert.ok(top.includes(want), `the landing page does not show ${want}`);
      }
      await check(page, problems, 'landing');
      const callLink = page.locator(`section[aria-labelledby=closing-heading] a[href^="/t/${TENANT}/calls/"]`).first();
      const callHref = await callLink.getAttribute('href');
      assert.ok(callHref, 'no call of 岸和田市 closing soon on the landing page');

      resp = await page.goto(srv.at(`/t/${TENANT}`));
      assert.equal(resp?.status(), 200);
      await check(page, problems, 'desk page');

      resp = await page.goto(srv.at('/calls'));
      assert.equal(resp?.status(), 200);
      assert.ok((await text(page)).includes('締切日'), 'the calls list does not show closing dates');
      await check(page, problems, 'calls nationwide');

      resp = await page.goto(srv.at(callHref));
      assert.equal(resp?.status(), 200);
      assert.equal(await page.locator(`a[href="/t/${TENANT}/propose?call=${callHref.split('/').pop()}"]`).count() >= 1, true,
        'the call page has no way to answer');
      await check(page, problems, 'call page');

      resp = await page.goto(srv.at(`/t/${TENANT}/calls`));
      assert.equal(resp?.status(), 200);
      await check(page, problems, 'desk calls');

      resp = await page.goto(srv.at('/?lang=en'));
      assert.equal(resp?.status(), 200);
      await check(page, problems, 'landing in English');

      // The header (language, sign-in and the public navigation) wraps at 320 px too.
      for (const path of ['/', `/t/${TENANT}`, '/calls']) {
        await page.goto(srv.at(path));
        await page.setViewportSize({ width: 320, height: 800 });
        const { scroll, inner } = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          inner: window.innerWidth,
        }));
        if (scroll > inner) problems.push(`sideways scrolling at 320 px (${scroll} > ${inner}) on ${path}`);
        await page.setViewportSize({ width: 1280, height: 900 });
      }
      noProblems(problems);
    });

    test('propose and browse by keyboard alone', async () => {
      const page = await fresh();
      let resp = await page.goto(srv.at('/'));
      assert.equal(resp?.status(), 200);
      // The landing page to the desk's page.
      await tabTo(page, `a[href="/t/${TENANT}"]`);
      resp = await pressAndWait(page, 'Enter');
      assert.equal(resp?.status(), 200);
      assert.equal(new URL(page.url()).pathname, `/t/${TENANT}`);
      // The desk's page to the intake form.
      await tabTo(page, `a[href="/t/${TENANT}/propose"]`);
      resp = await pressAndWait(page, 'Enter');
      assert.equal(resp?.status(), 200);
      assert.equal(new URL(page.url()).pathname, `/t/${TENANT}/propose`);
      // The form, in the order Tab visits it.
      const title = `キーボードだけで送る提案 ${Date.now()}`;
      await chooseRadio(page, 'kind', await page.locator('input[name=kind]').first().getAttribute('value'));
      await typeInto(page, '#org_name', '株式会社キーボード');
      await tabTo(page, '#partner_type');
      await page.keyboard.press('ArrowDown');
      assert.notEqual(await page.locator('#partner_type').inputValue(), '', 'the arrow key chose no partner type');
      await typeInto(page, '#org_address', '大阪府岸和田市岸城町7番1号');
      await typeInto(page, '#contact_name', '鍵盤 太郎');
      await typeInto(page, '#email', `keyboard-${Date.now()}@example.co.jp`);
      await typeInto(page, '#title', title);
      await typeInto(page, '#summary', 'マウスを使わずに提案を送れることを確かめます。');
      await tabTo(page, 'input[type=checkbox][name=fields]');
      await page.keyboard.press('Space');
      await chooseRadio(page, 'fiscal_burden', 'none');
      await tabTo(page, '#privacy_consent');
      await page.keyboard.press('Space');
      await tabTo(page, `form[action="/t/${TENANT}/propose"] button[type=submit]`);
      resp = await pressAndWait(page, 'Enter');
      assert.equal(resp?.status(), 200, `the form answered ${resp?.status()}:\n${await text(page)}`);
      assert.match(new URL(page.url()).pathname, new RegExp(`^/t/${TENANT}/propose/confirm/[^/]+$`), `landed on ${page.url()}`);
      assert.ok((await text(page)).includes(title), 'the confirmation page does not show the title');
      // The confirmation page: send.
      await tabTo(page, 'form[action*="/propose/confirm/"] button[type=submit]');
      resp = await pressAndWait(page, 'Enter');
      assert.equal(resp?.status(), 200);
      assert.match(new URL(page.url()).pathname, new RegExp(`^/t/${TENANT}/track/[^/]+$`), `landed on ${page.url()}`);
      const body = await text(page);
      assert.ok(RECEIPT_RE.test(body), `no receipt number:\n${body}`);
      assert.ok(body.includes(title));
    });
  });
}
