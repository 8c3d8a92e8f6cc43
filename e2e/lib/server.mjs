// Starts the Renkei server binary for one test suite and stops it again by PID.
//
//   const srv = await startServer('sqlite');    // or 'postgres'
//   srv.url      -> 'http://127.0.0.1:41234/'  (parsed from "Renkei listening on ...")
//   srv.origin   -> 'http://127.0.0.1:41234'
//   srv.logins   -> [{ role, email, password, home }, ...] (parsed from "demo login: ..." lines)
//   await srv.stop();                           // SIGTERM by PID, SIGKILL after 10 s,
//                                               // then drops the PostgreSQL database / removes the data dir
//
// Options (all optional; without them the server starts exactly as above):
//   await startServer('sqlite', {
//     args: ['--smtp-url', smtp.url, '--mail-poll-secs', '1'],  // extra `renkei serve` arguments
//     env: { RENKEI_PUBLIC_URL: '...' },                        // extra environment variables
//     port: await freePort(),                                   // listen on this port instead of 0
//   });
//   await srv.cli(['user', 'add', ...], { input: 'password\n' }) // runs the binary against the same database
//
// Environment:
//   RENKEI_BIN                  path to the server binary (default: <repo>/target/debug/renkei)
//   RENKEI_E2E_PG_URL           PostgreSQL server URL without database
//                               (default: postgres://postgres@127.0.0.1:5432)
import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export const BACKENDS = ['sqlite', 'postgres'];
export const DEMO_ROLES = ['operator', 'admin', 'desk', 'department', 'proponent'];

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

const LISTENING_RE = /^Renkei listening on (http:\/\/127\.0\.0\.1:\d+\/)\s*$/;
const DEMO_RE = /^demo login: role=(\S+) email=(\S+) password=(\S+) home=(\S+)\s*$/;

export function serverBinary() {
  const bin = process.env.RENKEI_BIN
    ? path.resolve(process.cwd(), process.env.RENKEI_BIN)
    : path.join(REPO_ROOT, 'target', 'debug', 'renkei');
  if (!existsSync(bin)) {
    throw new Error(`server binary not found at ${bin} (build it with "cargo build -p renkei" or set RENKEI_BIN)`);
  }
  return bin;
}

function pgBaseUrl() {
  return (process.env.RENKEI_E2E_PG_URL || 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');
}

async function dropPgDatabase(name) {
  // Name is generated here (renkei_e2e_<hex>), so it is safe to interpolate.
  if (!/^renkei_e2e_[0-9a-f]+$/.test(name)) throw new Error(`refusing to drop database ${name}`);
  await execFileP('psql', [
    '-h', '127.0.0.1', '-p', '5432', '-U', 'postgres', '-d', 'postgres',
    '-v', 'ON_ERROR_STOP=1', '-q', '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`,
  ], { timeout: 30_000 });
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for a server that must know its own URL). */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * @param {'sqlite'|'postgres'} backend
 * @param {{ args?: string[], env?: Record<string, string>, port?: number }} [options]
 */
export async function startServer(backend, options = {}) {
  if (!BACKENDS.includes(backend)) throw new Error(`unknown backend ${backend}`);
  const bin = serverBinary();

  const cleanups = [];
  const args = ['serve', '--addr', `127.0.0.1:${options.port ?? 0}`, '--demo'];
  const dbArgs = [];
  let dataDir = null;
  let dbName = null;
  if (backend === 'sqlite') {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'renkei-e2e-'));
    dbArgs.push('--data-dir', dataDir);
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  } else {
    dbName = `renkei_e2e_${randomBytes(8).toString('hex')}`;
    dbArgs.push('--database-url', `${pgBaseUrl()}/${dbName}`);
    cleanups.push(() => dropPgDatabase(dbName));
  }
  args.push(...dbArgs, ...(options.args ?? []));
  // The server's clock starts on a fixed day (a Tuesday in Japan), so no browser test depends
  // on the day it runs; a test may pass its own RENKEI_CLOCK.
  const env = {
    ...process.env,
    RENKEI_LOG: process.env.RENKEI_LOG || 'warn',
    RENKEI_CLOCK: '2026-11-24T10:00:00+09:00',
    ...(options.env ?? {}),
  };

  const child = spawn(bin, args, {
    cwd: dataDir ?? os.tmpdir(),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  // Everything the server prints is kept so a failure can show it.
  const output = [];
  const keep = (stream) => (line) => {
    output.push(`[${stream}] ${line}`);
    if (output.length > 400) output.shift();
  };
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let hasExited = false;
  exited.then(() => { hasExited = true; });

  let url = null;
  const logins = [];
  const ready = new Promise((resolve, reject) => {
    const check = () => {
      if (url && DEMO_ROLES.every((r) => logins.some((l) => l.role === r))) resolve();
    };
    lineReader(child.stdout, (line) => {
      keep('stdout')(line);
      const m = LISTENING_RE.exec(line);
      if (m) url = m[1];
      const d = DEMO_RE.exec(line);
      if (d) logins.push({ role: d[1], email: d[2], password: d[3], home: d[4] });
      check();
    });
    lineReader(child.stderr, keep('stderr'));
    child.once('error', (err) => reject(new Error(`could not start ${bin}: ${err.message}`)));
    exited.then(({ code, signal }) => reject(new Error(
      `server exited before it was ready (code=${code}, signal=${signal}); args: ${args.join(' ')}\n${output.join('\n')}`)));
  });

  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(
      `server did not print "Renkei listening on ..." plus demo logins for ${DEMO_ROLES.join(', ')} ` +
      `within ${START_TIMEOUT_MS / 1000} s (got url=${url}, roles=${logins.map((l) => l.role).join(',') || 'none'})\n` +
      output.join('\n'))), START_TIMEOUT_MS);
  });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    if (!hasExited && child.pid) {
      try { process.kill(child.pid, 'SIGTERM'); } catch { /* already gone */ }
      const killTimer = setTimeout(() => {
        try { process.kill(child.pid, 'SIGKILL'); } catch { /* already gone */ }
      }, STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(killTimer);
    }
    const errors = [];
    for (const c of cleanups) {
      try { await c(); } catch (e) { errors.push(e); }
    }
    if (errors.length) throw new Error(`cleanup failed: ${errors.map((e) => e.message).join('; ')}`);
  };

  try {
    await Promise.race([ready, timeout]);
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  } finally {
    clearTimeout(timer);
  }

  const origin = new URL(url).origin;
  return {
    backend,
    pid: child.pid,
    url,
    origin,
    logins,
    dataDir,
    dbName,
    /** Absolute URL for a path on this server. */
    at: (p) => new URL(p, url).href,
    /** Last lines the server printed (for failure messages). */
    log: () => output.join('\n'),
    /**
     * Runs `renkei <args> <database args>` against this server's database (e.g. `user add`);
     * resolves with { code, stdout, stderr }.
     */
    cli: (cliArgs, { input = '' } = {}) => runCli(bin, [...cliArgs, ...dbArgs], { cwd: dataDir ?? os.tmpdir(), env, input }),
    stop,
  };
}

function runCli(bin, args, { cwd, env, input }) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { try { child.kill('SIGKILL'); } catch { /* gone */ } }, 60_000);
    child.once('error', (e) => { clearTimeout(timer); reject(e); });
    child.once('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
    child.stdin.end(input);
  });
}

function lineReader(stream, onLine) {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, i).replace(/\r$/, ''));
      buf = buf.slice(i + 1);
    }
  });
  stream.on('end', () => { if (buf) onLine(buf); buf = ''; });
}
