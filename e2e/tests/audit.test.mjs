// The audit page as the administrator uses it, in real Chromium on both databases:
// the newest 100 entries, the filter form (action prefix, who, days), the "older" link that pages
// back by keyset and the "newest" link that returns, and a day that is not a date. Every state is
// checked with axe (WCAG 2.0/2.1 A and AA) and for sideways scrolling at 375 px; with
// RENKEI_E2E_SCREENSHOTS=<dir> each is saved as a PNG at 1280 and 375 px (nothing compares them).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkPage, noProblems } from '../lib/check.mjs';
import { launchBrowser, newContext } from '../lib/browser.mjs';
import { BACKENDS, startServer } from '../lib/server.mjs';
import { LOGOUT_FORM, login } from '../lib/site.mjs';

const TENANT = '272027';
const ADMIN_EMAIL = 'admin@kishiwada.demo.renkei.jp';
const PER_PAGE = 100;

/** The table's rows as { seq, when, who, action, target }. */
async function rows(page) {
  return page.locator('table tbody tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const td = [...tr.querySelectorAll('td')].map((c) => c.textContent.trim());
      return { seq: Number(td[0]), when: td[1], who: td[2], action: td[3], target: td[4] };
    }),
  );
}

for (const backend of BACKENDS) {
  describe(`audit page on ${backend}`, { timeout: 600_000 }, () => {
    let srv;
    let browser;
    let context;

    before(async () => {
      srv = await startServer(backend);
      browser = await launchBrowser();
    });

    after(async () => {
      try {
        await context?.close().catch(() => {});
        await browser?.close();
      } finally {
        await srv?.stop();
      }
    });

    const check = (page, problems, label) => checkPage(page, problems, label, `${backend}-audit-`);

    async function follow(page, locator) {
      const [resp] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), locator.click()]);
      assert.ok(resp && resp.status() < 400, `${page.url()} answered ${resp?.status()}`);
    }

    test('newest page, filters, older and newest links, a bad day', async () => {
      const problems = [];
      context = await newContext(browser, { viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const creds = srv.logins.find((l) => l.email === ADMIN_EMAIL);
      assert.ok(creds, `no demo login printed for ${ADMIN_EMAIL}`);
      const landed = await login(page, srv, creds);
      assert.ok(landed && landed.status() < 400, `login answered ${landed?.status()}`);
      assert.equal(await page.locator(LOGOUT_FORM).count(), 1);

      // The newest page: at most 100 entries, newest first (the chain's seq falls).
      const resp = await page.goto(srv.at(`/t/${TENANT}/admin/audit`));
      assert.equal(resp.status(), 200);
      const first = await rows(page);
      assert.equal(first.length, PER_PAGE, 'the demo writes more than one page of audit entries');
      for (let i = 1; i < first.length; i++) {
        assert.ok(first[i - 1].seq > first[i].seq, `not newest first at row ${i}: ${first[i - 1].seq}, ${first[i].seq}`);
      }
      await check(page, problems, 'newest');

      // Older: the next 100 below the last one shown, no overlap; then back to the newest.
      const older = page.locator('a[rel=next]');
      assert.equal(await older.count(), 1, 'no link to older entries');
      await follow(page, older);
      assert.match(page.url(), /[?&]before=\d+/);
      const second = await rows(page);
      assert.ok(second.length > 0, 'the older page is empty');
      assert.ok(second[0].seq < first[first.length - 1].seq, 'the older page overlaps the newest');
      await check(page, problems, 'older');
      const newest = page.locator('nav .pager a:not([rel=next])');
      assert.equal(await newest.count(), 1, 'no link back to the newest entries');
      await follow(page, newest);
      assert.deepEqual((await rows(page)).map((r) => r.seq), first.map((r) => r.seq));

      // Filter by an action prefix through the form: every row's action starts with it, and the
      // filter stays in the field.
      const prefix = first.find((r) => r.action.includes('.'))?.action.split('.')[0];
      assert.ok(prefix, 'no dotted action among the newest entries');
      await page.locator('#a-action').fill(prefix);
      await follow(page, page.locator('form[role=search] button[type=submit]'));
      const byAction = await rows(page);
      assert.ok(byAction.length > 0, `no entries for ${prefix}`);
      for (const r of byAction) {
        assert.ok(r.action === prefix || r.action.startsWith(`${prefix}.`), `${r.action} does not match ${prefix}`);
      }
      assert.equal(await page.locator('#a-action').inputValue(), prefix);
      await check(page, problems, 'by-action');

      // Who: part of an actor matches; an unknown one finds nothing and says so.
      const actor = first.find((r) => r.who.includes('@'))?.who;
      assert.ok(actor, 'no e-mail actor among the newest entries');
      await page.locator('#a-action').fill('');
      await page.locator('#a-actor').fill(actor.split('@')[0]);
      await follow(page, page.locator('form[role=search] button[type=submit]'));
      const byActor = await rows(page);
      assert.ok(byActor.length > 0);
      for (const r of byActor) assert.ok(r.who.includes(actor.split('@')[0]), `${r.who} is not ${actor}`);
      await page.locator('#a-actor').fill('nobody-at-all-e2e');
      await follow(page, page.locator('form[role=search] button[type=submit]'));
      assert.equal(await page.locator('table tbody tr').count(), 0);
      assert.match(await page.locator('main').innerText(), /条件に合う記録はありません/);

      // Days: a range that ends before the demo began finds nothing; a day that is not a date
      // is refused with a message, and the text stays in the form.
      await page.goto(srv.at(`/t/${TENANT}/admin/audit?to=2000-01-01`));
      assert.equal(await page.locator('table tbody tr').count(), 0);
      const bad = await page.goto(srv.at(`/t/${TENANT}/admin/audit?from=2026-13-45`));
      assert.equal(bad.status(), 200);
      const alert = page.locator('[role=alert]');
      assert.equal(await alert.count(), 1, 'no message for a day that is not a date');
      assert.match(await alert.innerText(), /日付|date/i);
      assert.equal(await page.locator('table tbody tr').count(), 0);
      assert.doesNotMatch(await page.locator('main').innerText(), /記録はまだありません|条件に合う記録/);
      await check(page, problems, 'bad-day');

      noProblems(problems);
    });
  });
}
