import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import { readFileValue } from './file-value.js';

describe('readFileValue', () => {
  it('returns content as is and reads paths', async () => {
    expect(await readFileValue({ kind: 'content', data: Buffer.from('pem') }, 'tls-cafile')).toEqual(
      Buffer.from('pem'),
    );
    const pkg = await readFileValue(
      { kind: 'path', path: new URL('../package.json', import.meta.url).pathname },
      'x',
    );
    expect(pkg.toString()).toContain('@asbkit/cli-common');
  });
  it('names the option and path when the file is missing', async () => {
    const e = await readFileValue({ kind: 'path', path: '/nonexistent/ca.pem' }, 'tls-cafile').catch(
      (x) => x,
    );
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toBe('Unable to read --tls-cafile file /nonexistent/ca.pem (ENOENT)');
    expect(e.option).toBe('tls-cafile');
  });
});
