import { describe, expect, it } from 'vitest';
import { EarlyExit, UsageError } from './errors.js';
import { Logger } from './output/log.js';
import { reportParseError } from './report.js';

describe('reportParseError', () => {
  const setup = () => {
    const err: string[] = [];
    const out: string[] = [];
    const logger = new Logger({
      stream: { write: (s: string) => err.push(s) },
      now: () => new Date(0),
      threadId: () => 1,
    });
    return { err, out, logger, stdout: { write: (s: string) => out.push(s) } };
  };
  it('prints help to stdout with exit 0', () => {
    const s = setup();
    expect(reportParseError(new EarlyExit('HELP\n'), s.logger, s.stdout)).toBe(0);
    expect(s.out).toEqual(['HELP\n']);
  });
  it('prints log lines, raw lines and the hint with exit 1', () => {
    const s = setup();
    const e = new UsageError("asbackup: unrecognized option '--x'", {
      raw: true,
      hint: 'Run with --help for usage information and flag options',
    });
    expect(reportParseError(e, s.logger, s.stdout)).toBe(1);
    expect(s.err).toEqual([
      "asbackup: unrecognized option '--x'\n",
      'Run with --help for usage information and flag options\n',
    ]);
    const t = setup();
    reportParseError(
      new UsageError('secret agent request failed err code: 3', {
        detailLines: ['secret-agent: ERR: failed to create socket'],
      }),
      t.logger,
      t.stdout,
    );
    expect(t.err).toEqual([
      '1970-01-01 00:00:00 GMT [ERR] [    1] secret-agent: ERR: failed to create socket\n',
      '1970-01-01 00:00:00 GMT [ERR] [    1] secret agent request failed err code: 3\n',
    ]);
  });
});
