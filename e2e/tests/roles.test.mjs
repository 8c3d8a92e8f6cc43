// Every demo role, on both backends: log in through the form, land on the
// role's home, crawl the pages reachable from there (status < 400, zero axe
// WCAG 2.1 A/AA violations and no sideways scrolling at 375 px on each; links that start a download, such as a
// proposal's attachment, are fetched instead and must answer 200 with
// Content-Disposition: attachment), then log out through the header form.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertNoAxeViolations } from '../lib/axe.mjs';
import { launchBrowser, newContext } from '../lib/browser.mjs';
import { BACKENDS, DEMO_ROLES, startServer } from '../lib/server.mjs';
import { LOGOUT_FORM, crawlTarget, linksOn, login, logout, pathOf, sidewaysAt375, tablesAt1280, urlShape } from '../lib/site.mjs';

const MAX_PAGES_PER_ROLE = 40;
// At most this many URLs of one shape (e.g. /t/:id) are crawled per login.
const MAX_PAGES_PER_SHAPE = 3;

for (const backend of BACKENDS) {
  describe(`roles on ${backend}`, { timeout: 600_000 }, () => {
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

    test('the server prints demo logins for every role, each with a home path', () => {
      assert.deepEqual([...new Set(srv.logins.map((l) => l.role))].sort(), [...DEMO_ROLES].sort());
      assert.equal(new Set(srv.logins.map((l) => l.email)).size, srv.logins.length, 'duplicate demo emails');
      for (const l of srv.logins) {
        assert.match(l.email, /^[^@\s]+@[^@\s]+$/, `email of ${l.role}`);
        assert.ok(l.password.length > 0, `password of ${l.role}`);
        assert.match(l.home, /^\/\S*$/, `home of ${l.role}`);
      }
    });

    // The logins are known only once the server runs: one subtest per printed demo login.
    test('every demo login: log in, home, crawl, log out', async (tt) => {
      assert.ok(srv.logins.length >= DEMO_ROLES.length, 'too few demo logins printed');
      for (const creds of srv.logins) {
        await tt.test(`${creds.role} ${creds.email}`, { timeout: 300_000 }, (t) => checkLogin(t, creds));
      }
    });

    async function checkLogin(t, creds) {
      const role = `${creds.role} ${creds.email}`;
      const context = await newContext(browser);
      try {
        const page = await context.newPage();

        // Log in through the browser form.
        const landed = await login(page, srv, creds);
        assert.ok(landed, `no navigation after submitting the login form for ${role}`);
        assert.ok(landed.status() < 400, `after login ${page.url()} answered ${landed.status()}`);
        assert.equal(pathOf(page), creds.home, `${role} should land on its home after login`);
        assert.ok(await page.locator('h1').count() >= 1, `no <h1> on ${page.url()}`);
        assert.equal(await page.locator(LOGOUT_FORM).count(), 1, `no logout form in the header of ${page.url()}`);
        await assertNoAxeViolations(page, `${role} home`);
        const homeReflow = await sidewaysAt375(page, `${role} home`);

        // Breadth-first crawl of same-origin GET links reachable from home.
        const home = new URL(page.url());
        home.hash = '';
        const seen = new Set([home.href]);
        const queue = [];
        const perShape = new Map([[urlShape(home.href), 1]]);
        let skippedByShape = 0;
        const enqueue = (hrefs, from) => {
          for (const href of hrefs) {
            const target = crawlTarget(href, srv.origin);
            if (!target || seen.has(target)) continue;
            seen.add(target);
            const shape = urlShape(target);
            const n = perShape.get(shape) ?? 0;
            if (n >= MAX_PAGES_PER_SHAPE) {
              skippedByShape += 1;
              continue;
            }
            perShape.set(shape, n + 1);
            queue.push({ url: target, from });
          }
        };
        enqueue(await linksOn(page), home.href);

        // Every page is checked; problems are collected so one run reports them all.
        const visited = [home.href];
        const downloads = [];
        const problems = homeReflow ? [homeReflow] : [];
        while (queue.length > 0 && visited.length < MAX_PAGES_PER_ROLE) {
          const { url, from } = queue.shift();
          visited.push(url);
          try {
            let resp;
            try {
              resp = await page.goto(url);
            } catch (e) {
              if (!/Download is starting/.test(e.message)) throw e;
              // A link to a file served as a download (a proposal's attachment): no page to
              // check; the role must be allowed to fetch it, as a download.
              const dl = await context.request.get(url);
              assert.equal(dl.status(), 200, `${role}: download ${url} (linked from ${from}) answered ${dl.status()}`);
              assert.match(dl.headers()['content-disposition'] ?? '', /^attachment\b/,
                `${role}: ${url} (linked from ${from}) started a download without Content-Disposition: attachment`);
              downloads.push(new URL(url).pathname);
              continue;
            }
            assert.ok(resp, `no response for ${url} (linked from ${from})`);
            assert.ok(resp.status() < 400,
              `${role}: GET ${url} (linked from ${from}) answered ${resp.status()}`);
            const now = new URL(page.url());
            assert.notEqual(now.pathname, '/login',
              `${role}: ${url} (linked from ${from}) sent a signed-in user to ${page.url()}`);
            assert.equal(await page.locator(LOGOUT_FORM).count(), 1,
              `${role}: no logout form in the header of ${page.url()} (linked from ${from})`);
            enqueue(await linksOn(page), url);
            await assertNoAxeViolations(page, `${role} (linked from ${from})`);
            const reflow = await sidewaysAt375(page, `${role} (linked from ${from})`);
            if (reflow) problems.push(reflow);
            const tables = await tablesAt1280(page, `${role} (linked from ${from})`);
            if (tables) problems.push(tables);
          } catch (e) {
            problems.push(e.message);
          }
        }
        t.diagnostic(`${role}: crawled ${visited.length} page(s), ${queue.length} more queued, ` +
          `${skippedByShape} skipped as more of the same shape: ` +
          visited.map((u) => new URL(u).pathname + new URL(u).search).join(' ') +
          (downloads.length ? `; downloads checked: ${downloads.join(' ')}` : ''));

        // Log out through the header form (checked even if the crawl found problems).
        try {
          await page.goto(home.href);
          const out = await logout(page);
          assert.ok(out, 'no navigation after submitting the logout form');
          assert.ok(out.status() < 400, `after logout ${page.url()} answered ${out.status()}`);
          assert.equal(await page.locator(LOGOUT_FORM).count(), 0,
            `still a logout form on ${page.url()} after logging out`);

          // Signed out: the role's home no longer shows the signed-in page.
          const again = await page.goto(home.href);
          assert.ok(again, `no response for ${home.href}`);
          const afterPath = new URL(page.url()).pathname;
          assert.ok(afterPath === '/login' || [401, 403].includes(again.status()),
            `after logout, GET ${creds.home} should redirect to /login (or answer 401/403); ` +
            `got ${again.status()} at ${page.url()}`);
          assert.equal(await page.locator(LOGOUT_FORM).count(), 0,
            `a logout form is shown on ${page.url()} after logging out`);
        } catch (e) {
          problems.push(`logout: ${e.message}`);
        }

        if (problems.length > 0) {
          assert.fail(`${problems.length} problem(s) for ${role} (${visited.length} page(s) crawled):\n\n${problems.join('\n\n')}`);
        }
      } finally {
        await context.close();
      }
    }
  });
}
