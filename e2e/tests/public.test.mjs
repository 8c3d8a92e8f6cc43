// Anonymous visitors, on both backends: the public pages answer, are in
// Japanese, switch to English through the language link, a wrong password is
// refused with a message, and every page has zero axe WCAG 2.1 A/AA violations and no
// sideways scrolling at 375 px.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertNoAxeViolations } from '../lib/axe.mjs';
import { launchBrowser, newContext } from '../lib/browser.mjs';
import { BACKENDS, startServer } from '../lib/server.mjs';
import { LOGOUT_FORM, hasJapanese, login, sidewaysAt375, tablesAt1280 } from '../lib/site.mjs';

async function htmlLang(page) {
  return page.evaluate(() => document.documentElement.getAttribute('lang') || '');
}

async function bodyText(page) {
  return page.locator('body').innerText();
}

for (const backend of BACKENDS) {
  describe(`public pages on ${backend}`, { timeout: 300_000 }, () => {
    let srv;
    let browser;
    let context;
    let page;

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

    // A fresh anonymous context for every test.
    const fresh = async () => {
      await context?.close();
      context = await newContext(browser);
      page = await context.newPage();
      return page;
    };

    async function visit(path, expectedStatus = 200) {
      const p = await fresh();
      const resp = await p.goto(srv.at(path));
      assert.ok(resp, `no response for ${path}`);
      assert.equal(resp.status(), expectedStatus, `GET ${path} answered ${resp.status()}`);
      assert.equal(new URL(p.url()).pathname, new URL(srv.at(path)).pathname, `GET ${path} ended at ${p.url()}`);
      return p;
    }

    async function assertJapanesePage(p) {
      assert.match(await htmlLang(p), /^ja\b/, `<html lang> on ${p.url()}`);
      assert.ok(hasJapanese(await bodyText(p)), `no Japanese text on ${p.url()}`);
      assert.ok(await p.locator('h1').count() >= 1, `no <h1> on ${p.url()}`);
      assert.equal(await p.locator(LOGOUT_FORM).count(), 0, `anonymous page ${p.url()} shows a logout form`);
      const reflow = await sidewaysAt375(p, 'public page');
      assert.equal(reflow, null, reflow ?? '');
      const tables = await tablesAt1280(p, 'public page');
      assert.equal(tables, null, tables ?? '');
    }

    test('top page /', async () => {
      const p = await visit('/');
      await assertJapanesePage(p);
      await assertNoAxeViolations(p, 'top page');
    });

    test('岸和田市 public desk page /t/272027', async () => {
      const p = await visit('/t/272027');
      await assertJapanesePage(p);
      assert.ok((await bodyText(p)).includes('岸和田市'), `/t/272027 does not mention 岸和田市`);
      await assertNoAxeViolations(p, '/t/272027');
    });

    test('大阪府 public desk page /t/270008', async () => {
      const p = await visit('/t/270008');
      await assertJapanesePage(p);
      assert.ok((await bodyText(p)).includes('大阪府'), `/t/270008 does not mention 大阪府`);
      await assertNoAxeViolations(p, '/t/270008');
    });

    test('login page /login', async () => {
      const p = await visit('/login');
      await assertJapanesePage(p);
      assert.equal(await p.locator('input[name=email]').count(), 1, 'email field');
      assert.equal(await p.locator('input[name=password]').count(), 1, 'password field');
      assert.equal(await p.locator('input[name=password]').getAttribute('type'), 'password', 'password field type');
      assert.ok(await p.locator('form:has(input[name=password]) button[type=submit]').count() >= 1, 'submit button');
      assert.equal(await p.locator('a[href="/password/forgot"]').count(), 1, 'the forgotten-password link');
      await assertNoAxeViolations(p, '/login');
    });

    test('forgotten password /password/forgot', async () => {
      const p = await visit('/password/forgot');
      await assertJapanesePage(p);
      const email = p.locator('input[name=email]');
      assert.equal(await email.count(), 1, 'email field');
      assert.equal(await email.getAttribute('autocomplete'), 'email', 'autocomplete');
      await assertNoAxeViolations(p, '/password/forgot');
      // Any address gets the one answer (here one without an account).
      await email.fill('nobody-e2e@example.jp');
      const [resp] = await Promise.all([
        p.waitForNavigation({ waitUntil: 'load' }),
        p.locator('form:has(input[name=email]) button[type=submit]').click(),
      ]);
      assert.equal(resp?.status(), 200, `the request answered ${resp?.status()}`);
      assert.ok((await bodyText(p)).includes('入力されたアドレスにアカウントがある場合'), 'the one answer');
      await assertJapanesePage(p);
      await assertNoAxeViolations(p, '/password/forgot (sent)');
    });

    test('a reset link that was never sent /password/reset/… is refused in Japanese', async () => {
      const p = await visit('/password/reset/not-a-token-anyone-was-sent', 404);
      await assertJapanesePage(p);
      assert.ok((await bodyText(p)).includes('リンクは無効です'), 'the refusal');
      assert.equal(await p.locator('a[href="/password/forgot"]').count() >= 1, true, 'a way to ask again');
      await assertNoAxeViolations(p, '/password/reset/{token}');
    });

    test('unknown tenant /t/999999 is a Japanese 404 page', async () => {
      const p = await visit('/t/999999', 404);
      assert.match(await htmlLang(p), /^ja\b/, `<html lang> on ${p.url()}`);
      assert.ok(hasJapanese(await bodyText(p)), `no Japanese text on the 404 page ${p.url()}`);
      await assertNoAxeViolations(p, '404 page');
    });

    test('the language link switches to English and back', async () => {
      const p = await visit('/');
      const toEnglish = p.locator('a[hreflang^="en"]');
      assert.ok(await toEnglish.count() >= 1, 'no a[hreflang="en"] language link on /');
      const jaText = await bodyText(p);

      const [resp] = await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), toEnglish.first().click()]);
      assert.ok(resp && resp.status() < 400, `English page answered ${resp?.status()}`);
      assert.match(await htmlLang(p), /^en\b/, `<html lang> after switching to English on ${p.url()}`);
      const enText = await bodyText(p);
      assert.notEqual(enText, jaText, 'the page text did not change after switching to English');
      assert.match(enText, /[A-Za-z]{3,}/, 'no English words on the English page');
      assert.ok(await p.locator('h1').count() >= 1, `no <h1> on ${p.url()}`);
      await assertNoAxeViolations(p, 'English top page');

      const toJapanese = p.locator('a[hreflang^="ja"]');
      assert.ok(await toJapanese.count() >= 1, `no a[hreflang="ja"] language link on the English page ${p.url()}`);
      const [backResp] = await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), toJapanese.first().click()]);
      assert.ok(backResp && backResp.status() < 400, `Japanese page answered ${backResp?.status()}`);
      assert.match(await htmlLang(p), /^ja\b/, `<html lang> after switching back to Japanese on ${p.url()}`);
    });

    test('a wrong password shows an error and stays on /login', async (t) => {
      const p = await visit('/login');
      const cleanLines = new Set((await bodyText(p)).split('\n').map((s) => s.trim()).filter(Boolean));
      const someone = srv.logins.find((l) => l.role === 'desk') ?? srv.logins[0];
      assert.ok(someone, 'no demo login printed');

      const resp = await login(p, srv, { email: someone.email, password: `${someone.password}-wrong` });
      assert.ok(resp, 'no navigation after submitting the login form');
      assert.ok(resp.status() < 500, `wrong password answered ${resp.status()}`);
      assert.equal(new URL(p.url()).pathname, '/login', `a wrong password led to ${p.url()}`);
      assert.equal(await p.locator(LOGOUT_FORM).count(), 0, 'signed in despite a wrong password');
      assert.equal(await p.locator('input[name=password]').count(), 1, 'the login form is not shown again');

      const newLines = (await bodyText(p)).split('\n').map((s) => s.trim()).filter((s) => s && !cleanLines.has(s));
      assert.ok(newLines.some(hasJapanese),
        `no (Japanese) error message appeared on /login after a wrong password; new text: ${JSON.stringify(newLines)}`);
      t.diagnostic(`error shown: ${newLines.join(' / ')}`);
      await assertNoAxeViolations(p, 'login error page');

      // And the account still works with the right password (the failure was the password's).
      const ok = await login(p, srv, someone);
      assert.ok(ok && ok.status() < 400, `right password answered ${ok?.status()}`);
      assert.equal(new URL(p.url()).pathname + new URL(p.url()).search, someone.home);
    });
  });
}
