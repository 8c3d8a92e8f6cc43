// A small, real SMTP server for the end-to-end tests (node's `net` module, no packages).
//
//   const smtp = await startSmtp();          // listens on 127.0.0.1, a free port
//   smtp.url      -> 'smtp://127.0.0.1:40123'
//   smtp.messages -> [{ from, to: [...], raw, headers, subject, text, receivedAt }, ...]
//   await smtp.waitFor((m) => m.subject.includes('受付番号'), 30_000);
//   await smtp.stop();
//
// It speaks enough ESMTP for a normal client (lettre): 220 greeting, EHLO/HELO (no AUTH, no
// STARTTLS), MAIL FROM, RCPT TO, DATA (terminated by CRLF.CRLF, dot-unstuffed), RSET, NOOP,
// QUIT. Each accepted message is parsed: RFC 2047 encoded words in the Subject (base64 or
// quoted-printable, possibly folded over several lines) and the text body
// (Content-Transfer-Encoding 7bit/8bit/base64/quoted-printable, UTF-8; the first text/plain
// part of a multipart message).
import net from 'node:net';

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** Decodes quoted-printable to bytes (`=XX`, soft line breaks `=\r\n`). */
export function decodeQuotedPrintable(text, { underscoreIsSpace = false } = {}) {
  const src = text.replace(/=\r?\n/g, '');
  const out = [];
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(src.slice(i + 1, i + 3))) {
      out.push(parseInt(src.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (underscoreIsSpace && c === '_') {
      out.push(0x20);
    } else {
      const code = c.charCodeAt(0);
      if (code < 256) out.push(code); // the raw message is kept as latin1 (one char per byte)
      else out.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(out);
}

function decodeCharset(bytes, charset) {
  const cs = (charset || 'utf-8').toLowerCase();
  try {
    return new TextDecoder(cs === 'utf8' ? 'utf-8' : cs).decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

/**
 * Decodes RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`) in an (unfolded) header
 * value. Whitespace between adjacent encoded words is dropped; adjacent words of the same
 * charset are joined as bytes first, so a character split across two words survives.
 */
export function decodeMimeWords(value) {
  const parts = [];
  let last = 0;
  for (const m of value.matchAll(ENCODED_WORD)) {
    const between = value.slice(last, m.index);
    const prev = parts[parts.length - 1];
    if (prev && prev.encoded && /^\s*$/.test(between)) {
      // whitespace between two encoded words is not part of the text
    } else if (between) {
      parts.push({ encoded: false, text: between });
    }
    const [, charset, enc, payload] = m;
    const bytes = enc.toLowerCase() === 'b'
      ? Buffer.from(payload, 'base64')
      : decodeQuotedPrintable(payload, { underscoreIsSpace: true });
    const p = parts[parts.length - 1];
    if (p && p.encoded && p.charset === charset.toLowerCase() && /^\s*$/.test(between)) {
      p.bytes = Buffer.concat([p.bytes, bytes]);
    } else {
      parts.push({ encoded: true, charset: charset.toLowerCase(), bytes });
    }
    last = m.index + m[0].length;
  }
  if (last < value.length) parts.push({ encoded: false, text: value.slice(last) });
  return parts.map((p) => (p.encoded ? decodeCharset(p.bytes, p.charset) : p.text)).join('');
}

/** Splits a raw message (string, CRLF or LF) into unfolded headers and the body. */
export function splitMessage(raw) {
  const m = /\r?\n\r?\n/.exec(raw);
  const head = m ? raw.slice(0, m.index) : raw;
  const body = m ? raw.slice(m.index + m[0].length) : '';
  const headers = [];
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && headers.length > 0) {
      headers[headers.length - 1].value += line; // folded: CRLF is removed, whitespace kept
    } else {
      const i = line.indexOf(':');
      if (i > 0) headers.push({ name: line.slice(0, i).trim(), value: line.slice(i + 1).trim() });
    }
  }
  return { headers, body };
}

export function headerValue(headers, name) {
  const h = headers.find((x) => x.name.toLowerCase() === name.toLowerCase());
  return h ? h.value : undefined;
}

function contentTypeParam(contentType, param) {
  const re = new RegExp(`;\\s*${param}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i');
  const m = re.exec(contentType || '');
  return m ? (m[1] ?? m[2]) : undefined;
}

function decodeBody(body, headers) {
  const cte = (headerValue(headers, 'Content-Transfer-Encoding') || '7bit').trim().toLowerCase();
  const charset = contentTypeParam(headerValue(headers, 'Content-Type'), 'charset') || 'utf-8';
  let bytes;
  if (cte === 'base64') bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  else if (cte === 'quoted-printable') bytes = decodeQuotedPrintable(body);
  else bytes = Buffer.from(body, 'latin1'); // raw message bytes were kept as latin1
  return decodeCharset(bytes, charset).replace(/\r\n/g, '\n');
}

/** The decoded text of the message (the first text/plain part of a multipart message). */
export function textBody(raw) {
  const { headers, body } = splitMessage(raw);
  const ct = headerValue(headers, 'Content-Type') || 'text/plain';
  if (/^multipart\//i.test(ct)) {
    const boundary = contentTypeParam(ct, 'boundary');
    if (!boundary) return '';
    const sections = body.split(`--${boundary}`).slice(1);
    for (const s of sections) {
      if (s.startsWith('--')) break;
      const part = s.replace(/^\r?\n/, '');
      const { headers: ph } = splitMessage(part);
      const pct = headerValue(ph, 'Content-Type') || 'text/plain';
      if (/^text\/plain/i.test(pct) || /^multipart\//i.test(pct)) {
        const t = textBody(part.replace(/\r?\n$/, ''));
        if (t) return t;
      }
    }
    return '';
  }
  return decodeBody(body, headers);
}

/** Parses a raw message (kept as a latin1 string of its bytes). */
export function parseMessage(raw) {
  const { headers } = splitMessage(raw);
  // Header bytes may be raw UTF-8 (SMTPUTF8-style); decode them before the encoded words.
  const utf8 = (s) => Buffer.from(s ?? '', 'latin1').toString('utf8');
  return {
    headers: headers.map((h) => ({ name: h.name, value: utf8(h.value) })),
    subject: decodeMimeWords(utf8(headerValue(headers, 'Subject'))),
    headerTo: decodeMimeWords(utf8(headerValue(headers, 'To'))),
    headerFrom: decodeMimeWords(utf8(headerValue(headers, 'From'))),
    text: textBody(raw),
  };
}

function addressOf(arg) {
  const m = /<([^>]*)>/.exec(arg);
  return (m ? m[1] : arg.split(/\s+/)[0]).trim();
}

/**
 * Starts the server on 127.0.0.1 (port 0 by default).
 * @param {{ port?: number, hostname?: string, log?: (line: string) => void }} [opts]
 */
export async function startSmtp(opts = {}) {
  const hostname = opts.hostname ?? 'renkei-e2e-smtp';
  const messages = [];
  const transcript = [];
  const waiters = new Set();
  const sockets = new Set();
  const log = (line) => {
    transcript.push(line);
    if (transcript.length > 500) transcript.shift();
    opts.log?.(line);
  };

  const deliver = (from, to, raw) => {
    const msg = { from, to: [...to], raw, receivedAt: new Date(), ...parseMessage(raw) };
    messages.push(msg);
    for (const w of [...waiters]) w.check();
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.setNoDelay(true);
    const reply = (line) => {
      log(`S: ${line}`);
      if (!socket.destroyed) socket.write(`${line}\r\n`);
    };

    let buf = Buffer.alloc(0);
    let helo = false;
    let from = null;
    let rcpts = [];
    let inData = false;
    let dataLines = [];
    let dataBytes = 0;
    const reset = () => { from = null; rcpts = []; inData = false; dataLines = []; dataBytes = 0; };

    const onCommand = (line) => {
      log(`C: ${line}`);
      const m = /^([A-Za-z]+)\s*(.*)$/.exec(line);
      const verb = m ? m[1].toUpperCase() : '';
      const arg = m ? m[2] : '';
      switch (verb) {
        case 'EHLO':
          helo = true; reset();
          reply(`250-${hostname} greets ${arg || 'client'}`);
          reply('250-8BITMIME');
          reply(`250 SIZE ${MAX_MESSAGE_BYTES}`);
          break;
        case 'HELO':
          helo = true; reset();
          reply(`250 ${hostname}`);
          break;
        case 'MAIL':
          if (!helo) { reply('503 5.5.1 EHLO/HELO first'); break; }
          if (!/^FROM:/i.test(arg)) { reply('501 5.5.4 Syntax: MAIL FROM:<address>'); break; }
          reset();
          from = addressOf(arg.slice(5));
          reply('250 2.1.0 OK');
          break;
        case 'RCPT':
          if (from === null) { reply('503 5.5.1 MAIL first'); break; }
          if (!/^TO:/i.test(arg)) { reply('501 5.5.4 Syntax: RCPT TO:<address>'); break; }
          rcpts.push(addressOf(arg.slice(3)));
          reply('250 2.1.5 OK');
          break;
        case 'DATA':
          if (rcpts.length === 0) { reply('503 5.5.1 RCPT first'); break; }
          inData = true;
          dataLines = [];
          dataBytes = 0;
          reply('354 End data with <CR><LF>.<CR><LF>');
          break;
        case 'RSET': reset(); reply('250 2.0.0 OK'); break;
        case 'NOOP': reply('250 2.0.0 OK'); break;
        case 'VRFY': reply('252 2.5.0 Cannot VRFY'); break;
        case 'QUIT':
          reply('221 2.0.0 Bye');
          socket.end();
          break;
        case 'STARTTLS':
        case 'AUTH':
          reply('502 5.5.1 Not implemented');
          break;
        default:
          reply('500 5.5.2 Unknown command');
      }
    };

    const onDataLine = (lineBuf) => {
      const line = lineBuf.toString('latin1');
      if (line === '.') {
        const raw = dataLines.join('\r\n');
        inData = false;
        log(`C: <message of ${raw.length} bytes>`);
        if (dataBytes > MAX_MESSAGE_BYTES) {
          reply('552 5.3.4 Message too big');
        } else {
          deliver(from, rcpts, raw);
          reply(`250 2.0.0 OK queued as ${messages.length}`);
        }
        reset();
        return;
      }
      const unstuffed = line.startsWith('.') ? line.slice(1) : line;
      dataBytes += unstuffed.length + 2;
      if (dataBytes <= MAX_MESSAGE_BYTES) dataLines.push(unstuffed);
    };

    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      let i;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const lineBuf = buf.subarray(0, i);
        buf = buf.subarray(i + 2);
        if (inData) onDataLine(lineBuf);
        else onCommand(lineBuf.toString('utf8'));
      }
      if (!inData && buf.length > 4096) { reply('500 5.5.6 Line too long'); socket.destroy(); }
    });
    reply(`220 ${hostname} ESMTP ready`);
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const { port } = server.address();

  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    /** The last SMTP lines exchanged (for failure messages). */
    transcript: () => transcript.join('\n'),
    /**
     * Resolves with the first message (received before or after the call) for which
     * `predicate` is true; rejects after `timeoutMs` with what has been received.
     */
    waitFor(predicate, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const w = {
          check: () => {
            const found = messages.find((msg) => {
              try { return predicate(msg); } catch { return false; }
            });
            if (found) { clearTimeout(w.timer); waiters.delete(w); resolve(found); return true; }
            return false;
          },
        };
        if (w.check()) return;
        w.timer = setTimeout(() => {
          waiters.delete(w);
          const got = messages.map((msg) => `  to=${msg.to.join(',')} subject=${JSON.stringify(msg.subject)}`).join('\n');
          reject(new Error(`no matching mail within ${timeoutMs} ms; ${messages.length} received:\n${got || '  (none)'}`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
    async stop() {
      for (const w of [...waiters]) { clearTimeout(w.timer); waiters.delete(w); }
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
