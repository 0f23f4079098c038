import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatEta } from './eta.js';
import { errnoSuffix, formatLogLine, Logger } from './log.js';
import { MachineWriter } from './machine.js';
import { ProgressBar } from './progress.js';

const PREFIX = /^\d{4}-\d{2}-\d{2} \d{1,2}:\d{2}:\d{2} (GMT|UTC) \[INF\] \[[\s\d]+\]/;

describe('log lines', () => {
  it('match the official format', () => {
    const line = formatLogLine('INF', 'hello', new Date(Date.UTC(2023, 1, 15, 11, 6, 45)), 1_229_112);
    expect(line).toBe('2023-02-15 11:06:45 GMT [INF] [29112] hello');
    expect(line).toMatch(PREFIX);
    expect(formatLogLine('ERR', 'x', new Date(0), 42)).toBe('1970-01-01 00:00:00 GMT [ERR] [   42] x');
  });
  it('the logger prints VER lines only when verbose', () => {
    const out: string[] = [];
    const stream = { write: (s: string) => out.push(s) };
    const quiet = new Logger({ stream, now: () => new Date(0), threadId: () => 7 });
    quiet.verbose('hidden');
    quiet.info('shown');
    new Logger({ stream, verbose: true, now: () => new Date(0), threadId: () => 7 }).verbose('detail');
    expect(out).toEqual([
      '1970-01-01 00:00:00 GMT [INF] [    7] shown\n',
      '1970-01-01 00:00:00 GMT [VER] [    7] detail\n',
    ]);
  });
  it('prints a multi-line message as one prefixed line per line', () => {
    const out: string[] = [];
    const log = new Logger({
      stream: { write: (c: string) => out.push(c) },
      now: () => new Date(0),
      threadId: () => 7,
    });
    log.error("Invalid partition filter '5000'\nformat: <filter1>[,<filter2>][,...]");
    expect(out.join('')).toBe(
      "1970-01-01 00:00:00 GMT [ERR] [    7] Invalid partition filter '5000'\n" +
        '1970-01-01 00:00:00 GMT [ERR] [    7] format: <filter1>[,<filter2>][,...]\n',
    );
  });
  it('appends the errno suffix', () => {
    const err = Object.assign(new Error("ENOENT: no such file or directory, open 'x'"), {
      errno: -2,
      code: 'ENOENT',
    });
    expect(errnoSuffix(err)).toBe(' (error 2: No such file or directory)');
  });
});

describe('ETA', () => {
  it('formats like the official tools', () => {
    expect(formatEta(59)).toBe('59s');
    expect(formatEta(61)).toBe('1m1s');
    expect(formatEta(3600)).toBe('1h0m0s');
    expect(formatEta(2 * 86400 + 3 * 3600 + 4 * 60 + 5)).toBe('2d3h4m5s');
    expect(formatEta(101 * 86400)).toBe('>100d');
    expect(formatEta(-5)).toBe('0s');
  });
});

describe('machine output', () => {
  it('appends one line per call, with the restore SUMMARY quirk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'asbkit-m-'));
    try {
      const path = join(dir, 'm');
      const m = MachineWriter.open(path);
      m.progress(42.7);
      m.remaining(61);
      m.backupSummary({ records: 3, indexes: 1, udfs: 0, bytes: 10 });
      m.estimate(100, 250);
      m.restoreSummary({
        udfs: 1,
        indexes: 2,
        records: 3,
        expired: 4,
        skipped: 5,
        ignored: 6,
        inserted: 7,
        existed: 8,
        fresher: 9,
      });
      m.close();
      MachineWriter.open(path).close();
      expect(readFileSync(path, 'utf8')).toBe(
        'PROGRESS:42\nREMAINING:1m1s\nSUMMARY:3:1:0:10:3\nESTIMATE:100:250\nSUMMARY:1:2:3:4:5:6 :7:8:9\n',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('progress bar', () => {
  it('renders rates and ETA from the clock', () => {
    let t = 0;
    const out: string[] = [];
    const bar = new ProgressBar({
      stream: { write: (s: string) => out.push(s) },
      isTTY: true,
      env: {},
      totalRecords: 1000,
      now: () => t,
    });
    t = 2000;
    bar.update(250, 2 * 1048576);
    expect(bar.render()).toBe('[#####               ] 25%  250 rec  125 rec/s  1.0 MiB/s  ETA 6s');
    expect(out).toHaveLength(1);
    bar.update(260, 2 * 1048576); // same clock: no redraw
    expect(out).toHaveLength(1);
  });
  it('is disabled off a terminal and under CI', () => {
    const out: string[] = [];
    const stream = { write: (s: string) => out.push(s) };
    expect(new ProgressBar({ stream, isTTY: false, env: {} }).enabled).toBe(false);
    const ci = new ProgressBar({ stream, isTTY: true, env: { CI: 'true' } });
    expect(ci.enabled).toBe(false);
    ci.update(1, 1);
    expect(out).toHaveLength(0);
  });
});
